/**
 * The AIM admin adapters. AIM for Okta is a private preview and no public
 * Databricks API configures the Okta connection, so EVERY assumption about
 * such an endpoint lives in this file and in docs/aim-admin-api.md:
 *
 * - base path `{host}/api/2.0/accounts/{account_id}/aim/okta` (configurable:
 *   `aimApiBasePath` / `AIM_API_BASE_PATH`, `{account_id}` substituted);
 * - `GET {base}/connection` → Connection (with `key_id` and `last_test` when
 *   known), 404 `RESOURCE_DOES_NOT_EXIST` when never configured; `PUT {base}/connection` `{okta_org_url, client_id,
 *   private_key}`; `POST {base}/connection/test` (optional body) → TestResult;
 *   `POST {base}/connection/enable|disable` → Connection;
 * - any other 404/403 means the account is not enrolled in that API.
 *
 * `api` talks to that endpoint. `console` configures nothing remotely: it runs
 * the same connection test itself (through the project's OktaClient), hands
 * back the values to type into the account console, and refuses enable/disable
 * with the clicks to make. Both observe "AIM is on" through the public iamv2
 * look-up of a linked identity, so AIM switched off in the console shows.
 * `auto` (the default, `openAimAdmin`) asks the endpoint once and picks one of
 * the two; the rule and its messages are in ./aimAdapter.ts.
 */
import { AimError, ConfigError, ERROR_CODES, HttpError, InsecureUrlError } from "../http";
import { AppPrivateKey, privateKeyText } from "../keys/privateKey";
import type { IdentityKind } from "../model/plan";
import { OktaClient, parseOktaOrgUrl, type OktaClientOptions } from "../okta";
import {
  AIM_OKTA_SCOPES,
  aimAdapterModeProblem,
  isAimAdapterMode,
  type AimAdapterMode,
} from "../model/aim";
import {
  classifyAimAdminAnswer,
  explicitAimAdapter,
  type AimAdapterChoice,
  type ConnectionProbeAnswer,
} from "./aimAdapter";
import type { AimAdmin, AimConnectionState, AimConnectionTestResult } from "./api";
import type { AimOffForm, AimStatus, AimStatusDetail, DatabricksAccountClient } from "./client";

export const DEFAULT_AIM_API_BASE_PATH = "/api/2.0/accounts/{account_id}/aim/okta";

/** Where the account console keeps AIM (Databricks docs, "Configure Okta for automatic identity management"). */
export const CONSOLE_STEPS = [
  "As an account admin, log in to the Databricks account console.",
  "In the sidebar, click Security.",
  "In the User provisioning tab, next to Automatic identity management, click Configure.",
  "Enter the Okta org URL, the Client ID and the Client Private key shown here.",
  "Click Test connection; when it succeeds, click Enable AIM.",
];

export interface AimConnectionConfig {
  oktaOrgUrl: string;
  clientId: string;
  /**
   * The app's private key: parsed already (the CLI parses it once) or as text.
   * `api` sends the text as given; `console` signs its own connection test with it.
   */
  privateKey: AppPrivateKey | string;
  /** The `kid` for the assertion header; Okta needs it only when the app has several active keys. */
  keyId?: string;
}

/** What both adapters report: the contract's state plus what the iamv2 probe saw. */
export interface AimAdminState extends AimConnectionState {
  /** "on" | "off" | "unknown" as seen through the public iamv2 look-up. */
  aimStatus: AimStatus;
  /** When `aimStatus` is "off": not onboarded, or the iamv2 preview is off for the account. */
  aimOffForm?: AimOffForm;
  aimStatusReason: string;
  privateKeyConfigured?: boolean;
  updateTime?: string;
  /** `api`: the `key_id` stored with the connection (absent when configured without one). */
  keyId?: string;
  /** `api`: the latest connection test of exactly the stored configuration (absent: never tested). */
  lastTest?: { success: boolean; time?: string };
}

/** `console` configure(): the values to type in; `privateKey` is non-enumerable so it never prints. */
export interface ConsoleConfigureResult extends AimAdminState {
  consoleValues: { oktaOrgUrl: string; clientId: string; readonly privateKey: string };
  instructions: string[];
}

export interface AimAdminOptions {
  /** createAimAdmin: "api" or "console"; openAimAdmin also "auto" (ask the account). */
  mode: AimAdapterMode;
  client: DatabricksAccountClient;
  /** `api` only: the endpoint's base path (default DEFAULT_AIM_API_BASE_PATH, or AIM_API_BASE_PATH). */
  basePath?: string;
  /**
   * The Okta id of an identity already linked in Databricks: lets the iamv2 probe say "on".
   * Never an unlinked id: the iamv2 look-up is get-or-create and AIM would create the user.
   */
  probeExternalId?: string;
  probeKind?: IdentityKind;
  /** `console` only: options for the OktaClient that runs the connection test (tests: fetch, sleep). */
  okta?: OktaClientOptions;
}

/** The adapter of an explicit mode ("api" or "console"); "auto" needs openAimAdmin (it asks the account). */
export function createAimAdmin(
  opts: AimAdminOptions,
  env: Record<string, string | undefined> = process.env,
): ApiAimAdmin | ConsoleAimAdmin {
  if (opts.mode === "api") return new ApiAimAdmin(opts, env);
  if (opts.mode === "console") return new ConsoleAimAdmin(opts);
  if (opts.mode === "auto")
    throw new ConfigError(
      "adapter",
      'AIM adapter "auto" is decided by asking the account: call openAimAdmin, not createAimAdmin.',
    );
  throw new ConfigError("adapter", aimAdapterModeProblem("adapter", opts.mode));
}

/** An adapter ready to use, and which one it is and why (`aimAdapterLine` prints it). */
export interface OpenedAimAdmin {
  admin: ApiAimAdmin | ConsoleAimAdmin;
  choice: AimAdapterChoice;
}

/**
 * The adapter of any mode. "auto" asks `GET {base}/connection` once and
 * decides by ./aimAdapter.ts's rule (an answer it cannot classify is thrown,
 * never a fallback); "api" and "console" are taken as given.
 */
export async function openAimAdmin(
  opts: AimAdminOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<OpenedAimAdmin> {
  if (!isAimAdapterMode(opts.mode))
    throw new ConfigError("adapter", aimAdapterModeProblem("adapter", opts.mode));
  if (opts.mode !== "auto")
    return { admin: createAimAdmin(opts, env), choice: explicitAimAdapter(opts.mode) };
  // Built first: the base path is validated (a bad one is a ConfigError, not an answer).
  const api = new ApiAimAdmin({ ...opts, mode: "api" }, env);
  const choice = await api.detect();
  return {
    admin: choice.used === "api" ? api : new ConsoleAimAdmin({ ...opts, mode: "console" }),
    choice,
  };
}

/** Validates and normalises the connection values; registers the key with the redactor. */
export function validateAimConnectionConfig(
  config: AimConnectionConfig,
  client: DatabricksAccountClient,
): AimConnectionConfig {
  const c = (config ?? {}) as Partial<AimConnectionConfig>;
  if (c.privateKey instanceof AppPrivateKey) client.http.addSecrets(...c.privateKey.secrets);
  else if (typeof c.privateKey === "string") client.http.addSecrets(c.privateKey);
  let oktaOrgUrl: string;
  try {
    oktaOrgUrl = parseOktaOrgUrl(c.oktaOrgUrl, "oktaOrgUrl");
  } catch (err) {
    // Every problem with the connection's values is a ConfigError naming the field.
    if (err instanceof InsecureUrlError) throw new ConfigError("oktaOrgUrl", err.message);
    throw err;
  }
  if (typeof c.clientId !== "string" || c.clientId.trim() === "") {
    throw new ConfigError(
      "clientId",
      "clientId is empty: give the Client ID of the Okta API Services app.",
    );
  }
  if (
    !(c.privateKey instanceof AppPrivateKey) &&
    (typeof c.privateKey !== "string" || c.privateKey.trim() === "")
  ) {
    throw new ConfigError(
      "privateKey",
      "privateKey is empty: give the PEM private key of the Okta app's signing key.",
    );
  }
  if (c.keyId !== undefined && (typeof c.keyId !== "string" || c.keyId.trim() === "")) {
    throw new ConfigError(
      "keyId",
      "keyId is empty: give the kid of the key in the Okta app's JWKS, or leave it unset.",
    );
  }
  const out: AimConnectionConfig = {
    oktaOrgUrl,
    clientId: c.clientId.trim(),
    privateKey: c.privateKey,
  };
  if (c.keyId !== undefined) out.keyId = c.keyId.trim();
  return out;
}

/** The wire body of PUT / test (docs/aim-admin-api.md); `key_id` only when given. */
function connectionBody(c: AimConnectionConfig): Record<string, string> {
  const body: Record<string, string> = {
    okta_org_url: c.oktaOrgUrl,
    client_id: c.clientId,
    private_key: privateKeyText(c.privateKey),
  };
  if (c.keyId) body.key_id = c.keyId;
  return body;
}

abstract class BaseAimAdmin {
  protected readonly client: DatabricksAccountClient;
  protected readonly probeExternalId?: string;
  protected readonly probeKind: IdentityKind;

  constructor(opts: AimAdminOptions) {
    if (!opts.client)
      throw new ConfigError("client", "the AIM adapter needs a DatabricksAccountClient.");
    this.client = opts.client;
    this.probeExternalId = opts.probeExternalId || undefined;
    this.probeKind = opts.probeKind ?? "user";
  }

  protected probe(): Promise<AimStatusDetail> {
    return this.client.aimStatusDetail(this.probeExternalId, this.probeKind);
  }
}

// ------------------------------------------------------------------ api

interface ConnectionBody {
  idp?: string;
  okta_org_url?: string;
  client_id?: string;
  private_key_configured?: boolean;
  enabled?: boolean;
  update_time?: string;
  key_id?: string;
  last_test?: { success?: unknown; time?: unknown };
}

export class ApiAimAdmin extends BaseAimAdmin implements AimAdmin {
  readonly mode = "api" as const;
  readonly basePath: string;

  constructor(opts: AimAdminOptions, env: Record<string, string | undefined> = process.env) {
    super(opts);
    const raw = (opts.basePath ?? env.AIM_API_BASE_PATH ?? DEFAULT_AIM_API_BASE_PATH).trim();
    if (!raw.startsWith("/") || raw.includes("?") || raw.includes("#") || raw.includes("://")) {
      throw new ConfigError(
        "aimApiBasePath",
        `aimApiBasePath must be a path starting with "/" (got "${raw}"), e.g. ${DEFAULT_AIM_API_BASE_PATH}.`,
      );
    }
    this.basePath = raw
      .replace(/\{account_id\}/g, encodeURIComponent(this.client.accountId))
      .replace(/\/+$/, "");
  }

  /** auto's one question: how `GET {base}/connection` answers, classified by ./aimAdapter.ts. */
  async detect(): Promise<AimAdapterChoice> {
    let answer: ConnectionProbeAnswer;
    try {
      const res = await this.client.authorizedRequest<unknown>({
        method: "GET",
        url: `${this.client.host}${this.basePath}/connection`,
        bucket: "databricks GET {aim_base}/connection",
        idempotent: true,
      });
      answer = { ok: true, body: res.body };
    } catch (err) {
      answer = { ok: false, error: err };
    }
    return classifyAimAdminAnswer(answer, `GET ${this.basePath}/connection`, this.client.accountId);
  }

  async read(): Promise<AimAdminState> {
    const [conn, probe] = await Promise.all([
      this.send<ConnectionBody>("GET", "/connection", undefined, { missingOk: true }),
      this.probe(),
    ]);
    return this.state(conn, probe);
  }

  /**
   * The stored connection only, without the iamv2 probe (`aimStatus`
   * "unknown"): which key it uses and its last test, for key rotation. The
   * probe would look up an identity on every call, and with AIM on that
   * look-up is get-or-create.
   */
  async readConnection(): Promise<AimAdminState> {
    const conn = await this.send<ConnectionBody>("GET", "/connection", undefined, {
      missingOk: true,
    });
    return this.state(conn, { status: "unknown", reason: "not probed (connection read only)" });
  }

  async test(config: AimConnectionConfig): Promise<AimConnectionTestResult> {
    const c = validateAimConnectionConfig(config, this.client);
    const res = await this.send<{ success?: unknown; steps?: unknown }>(
      "POST",
      "/connection/test",
      connectionBody(c),
    );
    return normaliseTestResult(res, this.client);
  }

  /** The test of the stored configuration: no body, so no key leaves this process. */
  async testStored(): Promise<AimConnectionTestResult | undefined> {
    const conn = await this.send<ConnectionBody>("GET", "/connection", undefined, {
      missingOk: true,
    });
    if (!conn) return undefined;
    const res = await this.send<{ success?: unknown; steps?: unknown }>("POST", "/connection/test");
    return normaliseTestResult(res, this.client);
  }

  async configure(config: AimConnectionConfig): Promise<AimAdminState> {
    const c = validateAimConnectionConfig(config, this.client);
    const conn = await this.send<ConnectionBody>("PUT", "/connection", connectionBody(c));
    return this.state(conn, await this.probe());
  }

  async enable(): Promise<AimAdminState> {
    const conn = await this.send<ConnectionBody>("POST", "/connection/enable");
    return this.state(conn, await this.probe());
  }

  async disable(): Promise<AimAdminState> {
    const conn = await this.send<ConnectionBody>("POST", "/connection/disable", undefined, {
      missingOk: true,
    });
    return this.state(conn, await this.probe());
  }

  private state(conn: ConnectionBody | undefined, probe: AimStatusDetail): AimAdminState {
    const connectionEnabled = conn?.enabled === true;
    const s: AimAdminState = {
      configured: Boolean(conn?.okta_org_url && conn?.client_id && conn?.private_key_configured),
      // The public iamv2 look-up is the truth when it can tell (AIM may be switched in the console).
      enabled: probe.status === "unknown" ? connectionEnabled : probe.status === "on",
      aimStatus: probe.status,
      aimStatusReason: probe.reason,
    };
    if (probe.offForm) s.aimOffForm = probe.offForm;
    if (conn?.okta_org_url) s.oktaOrgUrl = conn.okta_org_url;
    if (conn?.client_id) s.clientId = conn.client_id;
    if (conn) s.privateKeyConfigured = conn.private_key_configured === true;
    if (conn?.update_time) s.updateTime = conn.update_time;
    if (typeof conn?.key_id === "string" && conn.key_id) s.keyId = conn.key_id;
    if (conn?.last_test && typeof conn.last_test === "object") {
      s.lastTest = { success: conn.last_test.success === true };
      if (typeof conn.last_test.time === "string") s.lastTest.time = conn.last_test.time;
    }
    return s;
  }

  /** One call to the assumed endpoint, with its errors turned into the project's. */
  private async send<T>(
    method: "GET" | "PUT" | "POST",
    sub: string,
    body?: unknown,
    opts: { missingOk?: boolean } = {},
  ): Promise<T | undefined> {
    const url = `${this.client.host}${this.basePath}${sub}`;
    try {
      const res = await this.client.authorizedRequest<T>({
        method,
        url,
        json: body,
        bucket: `databricks ${method} {aim_base}${sub}`,
        // Every call here is safe to repeat: PUT replaces, test reads, enable/disable converge.
        idempotent: true,
      });
      return res.body;
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const missingConnection = err.status === 404 && err.serviceCode === "RESOURCE_DOES_NOT_EXIST";
      if (missingConnection && opts.missingOk) return undefined;
      if ((err.status === 404 && !missingConnection) || err.status === 403) {
        throw new AimError(
          ERROR_CODES.aimNotEnrolled,
          `${method} ${this.basePath}${sub} answered ${err.status}${err.serviceCode ? ` (${err.serviceCode})` : ""}: the Databricks account ${this.client.accountId} is not enrolled in the AIM admin API (a private preview)${err.status === 403 ? ", or the credentials are not an account admin" : ""}. Use adapter "console" to configure AIM in the account console, or set aimApiBasePath if your account has the API at another path.`,
          { cause: err },
        );
      }
      if (err.status === 400 && err.serviceCode === "FAILED_PRECONDITION") {
        throw new AimError(
          ERROR_CODES.aimPrecondition,
          `${method} ${this.basePath}${sub} refused: ${err.serviceMessage ?? "failed precondition"}. Configure the connection and run a successful connection test first.`,
          { cause: err },
        );
      }
      if (missingConnection) {
        throw new AimError(
          ERROR_CODES.aimNotConfigured,
          `${method} ${this.basePath}${sub}: no Okta connection is configured yet; configure it first.`,
          { cause: err },
        );
      }
      if (err.status === 400 && err.serviceCode === "INVALID_PARAMETER_VALUE") {
        const msg = err.serviceMessage ?? "invalid parameter";
        const field = /okta_org_url/.test(msg)
          ? "oktaOrgUrl"
          : /client_id/.test(msg)
            ? "clientId"
            : /private_key/.test(msg)
              ? "privateKey"
              : "aimConnection";
        throw new ConfigError(field, `the AIM admin API rejected ${field}: ${msg}`);
      }
      throw err;
    }
  }
}

function normaliseTestResult(
  body: { success?: unknown; steps?: unknown } | undefined,
  client: DatabricksAccountClient,
): AimConnectionTestResult {
  const steps = Array.isArray(body?.steps)
    ? (body.steps as Array<Record<string, unknown>>).map((s) => ({
        name: String(s.name ?? ""),
        ok: s.ok === true,
        message: client.http.redactor.redact(String(s.message ?? "")),
      }))
    : [];
  return { success: body?.success === true && steps.every((s) => s.ok), steps };
}

// ------------------------------------------------------------------ console

export class ConsoleAimAdmin extends BaseAimAdmin implements AimAdmin {
  readonly mode = "console" as const;
  private readonly oktaOptions?: OktaClientOptions;

  constructor(opts: AimAdminOptions) {
    super(opts);
    this.oktaOptions = opts.okta;
  }

  /** Nothing is stored remotely by this adapter: what is known comes from the iamv2 probe. */
  async read(): Promise<AimAdminState> {
    const probe = await this.probe();
    const on = probe.status === "on";
    return {
      configured: on,
      enabled: on,
      aimStatus: probe.status,
      ...(probe.offForm ? { aimOffForm: probe.offForm } : {}),
      aimStatusReason: probe.reason,
    };
  }

  /** The exchange AIM performs, run from here: token (private_key_jwt, no DPoP), one user, one group. */
  async test(config: AimConnectionConfig): Promise<AimConnectionTestResult> {
    const c = validateAimConnectionConfig(config, this.client);
    const okta = new OktaClient(
      {
        orgUrl: c.oktaOrgUrl,
        auth: {
          kind: "privateKeyJwt",
          clientId: c.clientId,
          privateKey: c.privateKey,
          ...(c.keyId ? { keyId: c.keyId } : {}),
          scopes: [...AIM_OKTA_SCOPES],
        },
      },
      // One redactor for the session: the Okta client's secrets are redacted where the steps print.
      { http: { redactor: this.client.http.redactor }, ...this.oktaOptions },
    );
    const result = await okta.testConnection();
    return {
      success: result.ok,
      steps: result.steps.map((s) => ({
        name: s.name,
        ok: s.ok,
        message: this.client.http.redactor.redact(s.message),
      })),
    };
  }

  /** Configures nothing: returns the values to enter in the account console and the steps. */
  async configure(config: AimConnectionConfig): Promise<ConsoleConfigureResult> {
    const c = validateAimConnectionConfig(config, this.client);
    const state = await this.read();
    const consoleValues = { oktaOrgUrl: c.oktaOrgUrl, clientId: c.clientId } as {
      oktaOrgUrl: string;
      clientId: string;
      readonly privateKey: string;
    };
    // Readable on purpose (a secret output), invisible to JSON.stringify / console.log.
    Object.defineProperty(consoleValues, "privateKey", {
      value: privateKeyText(c.privateKey),
      enumerable: false,
    });
    return {
      ...state,
      oktaOrgUrl: c.oktaOrgUrl,
      clientId: c.clientId,
      consoleValues,
      instructions: [...CONSOLE_STEPS],
    };
  }

  async enable(): Promise<AimConnectionState> {
    throw new AimError(
      ERROR_CODES.aimConsoleOnly,
      `adapter "console" cannot enable AIM: in the Databricks account console, click Security in the sidebar, then in the User provisioning tab, next to Automatic identity management, click Configure, enter the values from configure(), click Test connection and, when it succeeds, Enable AIM. Then re-run: the iamv2 probe confirms it.`,
    );
  }

  async disable(): Promise<AimConnectionState> {
    throw new AimError(
      ERROR_CODES.aimConsoleOnly,
      `adapter "console" cannot disable AIM: in the Databricks account console, click Security in the sidebar, open the User provisioning tab and turn Automatic identity management off there. Then re-run: the iamv2 probe confirms it.`,
    );
  }
}
