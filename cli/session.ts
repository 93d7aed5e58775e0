/**
 * The clients a command works with, built from resolved inputs, and the
 * read → plan step every command shares (core's planAccount, with progress). Client constructors validate their
 * own inputs (URL shapes, key type); their ConfigErrors are collected so that
 * one run names every problem.
 */
import { DatabricksAccountClient, type DatabricksClientOptions } from "../core/databricks/client";
import { openAimAdmin, type OpenedAimAdmin } from "../core/databricks/aimAdmin";
import { ConfigError, InsecureUrlError, type HttpEvent, type Redactor } from "../core/http";
import { join } from "node:path";
import { OktaClient, type OktaClientOptions } from "../core/okta";
import { oktaCacheFileName, type OktaSnapshotCacheOptions } from "../core/okta/snapshotCache";
import { planAccount, type AccountPlan } from "../core/workflows";
import { durationOption, flag, str, type ParsedArgs } from "./args";
import {
  collectInputs,
  InputErrors,
  requireDatabricks,
  requireOkta,
  type Inputs,
  type OktaRequirement,
} from "./inputs";
import { writableFileOption } from "./files";
import type { CliIo, Printer } from "./io";
import { ReconcileReporter } from "./progress";

export interface SessionOptions {
  okta?: OktaRequirement | false;
  databricks?: boolean;
  /** Client tuning (the demo raises the write pace to its raised emulator limit). */
  databricksClient?: DatabricksClientOptions;
  /** Okta client tuning; its HTTP layer always gets the session's redactor. */
  oktaClient?: Omit<OktaClientOptions, "http">;
  verbose?: boolean;
}

/** The Okta snapshot cache of a command: --okta-cache, --no-okta-cache, --okta-cache-max-age. */
export interface OktaCacheSettings {
  off: boolean;
  /** The file given; else one per org and client under `dir`. */
  file?: string;
  dir: string;
  maxAgeMs?: number;
}

export interface Session {
  inputs: Inputs;
  /**
   * The run's redactor (the Printer's): every secret the inputs read and the
   * clients learn (tokens, assertions) is redacted from all output and errors.
   */
  redactor: Redactor;
  oktaCache?: OktaCacheSettings;
  /** Reads Okta: AIM's own private_key_jwt client when the key is given, else the API token. */
  oktaReader?: OktaClient;
  /** SSWS admin client (OKTA_API_TOKEN), for preflight's app checks. */
  oktaAdmin?: OktaClient;
  databricks?: DatabricksAccountClient;
}

export function openSession(
  inputs: Inputs,
  printer: Printer,
  opts: SessionOptions,
  earlier: readonly ConfigError[] = [],
): Session {
  const errors: ConfigError[] = [...earlier];
  const collect = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (err) {
      if (err instanceof InputErrors) errors.push(...err.errors);
      else if (err instanceof ConfigError) errors.push(err);
      // "OKTA_ORG_URL must use https:// …": a malformed input like any other.
      else if (err instanceof InsecureUrlError)
        errors.push(new ConfigError(err.message.split(" ")[0] ?? "url", err.message));
      else throw err;
      return undefined;
    }
  };
  // Every problem at once: missing Okta and Databricks inputs, then what the clients refuse.
  const oktaReady = opts.okta
    ? collect(() => (requireOkta(inputs, opts.okta || { privateKey: false }), true))
    : undefined;
  const dbxConfig = opts.databricks ? collect(() => requireDatabricks(inputs)) : undefined;
  const onEvent = opts.verbose ? (e: HttpEvent) => logEvent(printer, e) : undefined;
  const o = inputs.okta;
  const { redactor } = printer;
  const session: Session = { inputs, redactor };
  if (oktaReady) {
    const appKey = o.privateKey;
    if (appKey && o.clientId)
      session.oktaReader = collect(
        () =>
          new OktaClient(
            {
              orgUrl: o.orgUrl as string,
              auth: {
                kind: "privateKeyJwt",
                clientId: o.clientId as string,
                privateKey: appKey,
                keyId: o.keyId,
              },
            },
            { onEvent, ...opts.oktaClient, http: { redactor } },
          ),
      );
    if (o.apiToken)
      session.oktaAdmin = collect(
        () =>
          new OktaClient(
            { orgUrl: o.orgUrl as string, auth: { kind: "apiToken", token: o.apiToken as string } },
            { onEvent, ...opts.oktaClient, http: { redactor } },
          ),
      );
    session.oktaReader ??= session.oktaAdmin;
  }
  if (opts.okta && o.orgUrl && !session.oktaReader) {
    // Other Okta inputs are missing or refused: still check the org URL's shape, to name every problem now.
    collect(
      () =>
        new OktaClient({
          orgUrl: o.orgUrl as string,
          auth: { kind: "apiToken", token: "url-check-only" },
        }),
    );
  }
  if (dbxConfig)
    session.databricks = collect(
      () =>
        new DatabricksAccountClient(dbxConfig, {
          ...opts.databricksClient,
          http: { onEvent, redactor, ...opts.databricksClient?.http },
        }),
    );
  // The same problem is reported once (a bad org URL refused by two Okta clients, a key
  // refused by both the input check and the client).
  const unique = errors.filter((e, i) => errors.findIndex((x) => x.field === e.field) === i);
  if (unique.length) throw new InputErrors(unique);
  return session;
}

/** Inputs from flags, environment and config file, then the session; every problem at once. */
export function sessionFromArgs(
  args: ParsedArgs,
  io: CliIo,
  printer: Printer,
  opts: SessionOptions,
): Session {
  const { inputs, errors } = collectInputs(args, io.env, io.cwd, printer.redactor);
  const oktaCache = oktaCacheSettings(args, io.cwd, errors);
  return { ...openSession(inputs, printer, opts, errors), oktaCache };
}

function oktaCacheSettings(
  args: ParsedArgs,
  cwd: string,
  errors: ConfigError[],
): OktaCacheSettings {
  const file = str(args, "okta-cache");
  const off = flag(args, "no-okta-cache");
  if (off && file)
    errors.push(
      new ConfigError(
        "--no-okta-cache",
        "--no-okta-cache and --okta-cache exclude each other: keep one of them.",
      ),
    );
  let maxAgeMs: number | undefined;
  try {
    maxAgeMs = durationOption(args, "okta-cache-max-age");
  } catch (e) {
    if (e instanceof ConfigError) errors.push(e);
    else throw e;
  }
  let cacheFile: string | undefined;
  try {
    cacheFile = writableFileOption("--okta-cache", file, cwd, "okta-snapshot.jsonl");
  } catch (e) {
    if (e instanceof ConfigError) errors.push(e);
    else throw e;
  }
  return {
    off,
    ...(cacheFile ? { file: cacheFile } : {}),
    dir: join(cwd, ".aimctl"),
    ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
  };
}

/** Where `reader`'s Okta snapshot is cached, or undefined with --no-okta-cache. */
export function oktaCacheFor(
  session: Session,
  reader: OktaClient | undefined,
): OktaSnapshotCacheOptions | undefined {
  const c = session.oktaCache;
  if (!c || c.off || !reader) return undefined;
  return {
    file: c.file ?? join(c.dir, oktaCacheFileName(reader.cacheKey)),
    ...(c.maxAgeMs !== undefined ? { maxAgeMs: c.maxAgeMs } : {}),
  };
}

/**
 * The session's AIM adapter and why it is the one (`auto` asks the account
 * once, here): a command opens it once and prints `aimAdapterLine(choice)`.
 */
export function aimAdminFor(
  session: Session,
  env: Record<string, string | undefined>,
  probeExternalId?: string,
): Promise<OpenedAimAdmin> {
  if (!session.databricks) throw new Error("aimAdminFor needs a Databricks client");
  return openAimAdmin(
    {
      mode: session.inputs.aim.adapter,
      client: session.databricks,
      basePath: session.inputs.aim.apiBasePath,
      probeExternalId,
    },
    env,
  );
}

function logEvent(printer: Printer, e: HttpEvent): void {
  if (e.type === "paced") return;
  printer.err(
    `  ${e.type}: ${e.bucket}${e.status ? ` ${e.status}` : ""}, waiting ${Math.round(e.waitMs)} ms (${e.message})`,
  );
}

/** The session's Okta reader and Databricks client, as core's workflows take them. */
export function accountClients(
  session: Session,
  oktaReader: OktaClient | undefined = session.oktaReader,
): { okta: OktaClient; databricks: DatabricksAccountClient } {
  if (!oktaReader || !session.databricks)
    throw new Error("reading needs an Okta reader and a Databricks client");
  return { okta: oktaReader, databricks: session.databricks };
}

/** core's planAccount: reads both sides (progress on stderr) and plans. */
export async function readAndPlan(
  session: Session,
  printer: Printer,
  oktaReader: OktaClient | undefined = session.oktaReader,
): Promise<AccountPlan> {
  const reporter = new ReconcileReporter(printer);
  try {
    return await planAccount(accountClients(session, oktaReader), {
      rules: session.inputs.rules,
      oktaCache: oktaCacheFor(session, oktaReader),
      observer: reporter,
    });
  } finally {
    reporter.stop();
  }
}
