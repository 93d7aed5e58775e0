/**
 * aimctl's inputs, from three places with precedence flag > environment >
 * config file. Every missing or malformed input becomes a ConfigError that
 * names it (the flag, variable or config key) and the fix; all of them are
 * collected so that one run lists everything to set. Secrets are registered
 * with the global redactor as soon as they are read.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { databricksConfigFromEnv, type DatabricksConfigOverrides } from "../core/databricks/config";
import type { DatabricksAccountConfig } from "../core/databricks/api";
import {
  aimAdapterModeProblem,
  DEFAULT_AIM_ADAPTER,
  isAimAdapterMode,
  type AimAdapterMode,
} from "../core/model/aim";
import { AimError, ConfigError, ERROR_CODES, Redactor } from "../core/http";
import type { ReconcileRules, WriteRoute } from "../core/model/plan";
import { parsePrivateKey, type AppPrivateKey } from "../core/keys/privateKey";
import { validateRules } from "../core/reconcile/rules";
import { urlCredentials } from "../core/http/url";
import { str, type OptionSpec, type ParsedArgs } from "./args";
import { readJsonFile } from "./files";

/** Options every command that talks to the services accepts. */
export const INPUT_OPTIONS: OptionSpec = {
  config: "string",
  "okta-org-url": "string",
  "okta-client-id": "string",
  "okta-private-key-file": "string",
  "okta-key-id": "string",
  "okta-app-id": "string",
  "databricks-host": "string",
  "databricks-account-id": "string",
  "databricks-client-id": "string",
  rules: "string",
  "write-route": "string",
  "aim-adapter": "string",
  "aim-api-base-path": "string",
  "okta-cache": "string",
  "no-okta-cache": "boolean",
  "okta-cache-max-age": "string",
  verbose: "boolean",
};

export const INPUT_HELP = `Inputs (precedence: flag > environment > --config file):
  --okta-org-url URL           OKTA_ORG_URL            okta.orgUrl
  --okta-client-id ID          OKTA_CLIENT_ID          okta.clientId
  --okta-private-key-file F    OKTA_PRIVATE_KEY_FILE   okta.privateKeyFile
                               OKTA_PRIVATE_KEY        (the PEM or private JWK itself)
  --okta-key-id KID            OKTA_KEY_ID             okta.keyId (optional)
                               OKTA_API_TOKEN          okta.apiToken (optional: admin reads for check)
  --okta-app-id ID             OKTA_APP_ID             okta.appId (default: the client id)
  --databricks-host URL        DATABRICKS_HOST         databricks.host
  --databricks-account-id ID   DATABRICKS_ACCOUNT_ID   databricks.accountId
  --databricks-client-id ID    DATABRICKS_CLIENT_ID    databricks.clientId
                               DATABRICKS_CLIENT_SECRET databricks.clientSecret
                               DATABRICKS_TOKEN        databricks.token (instead of client id + secret)
  --rules FILE                                         rules (ReconcileRules JSON)
  --write-route scim|iamv2     AIMCTL_WRITE_ROUTE      writeRoute (default scim)
  --aim-adapter MODE           AIMCTL_AIM_ADAPTER      aim.adapter: auto (default: the AIM admin API
                                                       where the account answers it, else console),
                                                       api or console
  --aim-api-base-path PATH     AIM_API_BASE_PATH       aim.apiBasePath
  --config FILE                AIMCTL_CONFIG           JSON with the keys above
                               AIMCTL_JOURNAL_KEY      (optional) the undo journal's key; default:
                                                       derived from the Databricks credential
Secrets are never taken as flags (they would show in ps and shell history).

Okta snapshot cache (the next read asks Okta only for users changed since):
  --okta-cache FILE            where (default .aimctl/okta-snapshot-<org>-<client>.jsonl, 0600;
                               it lists logins and emails)
  --no-okta-cache              read Okta in full and keep nothing
  --okta-cache-max-age DUR     read in full when the cache is older (default 24h; e.g. 6h, 90m)`;

/** One or more input problems, each a ConfigError naming its input. */
export class InputErrors extends AimError {
  constructor(readonly errors: ConfigError[]) {
    super(ERROR_CODES.config, errors.map((e) => e.message).join("\n"));
    this.name = "InputErrors";
  }
}

export interface OktaInputs {
  orgUrl?: string;
  clientId?: string;
  /** The app's private key, parsed once here and handed on as is (its text is a secret). */
  privateKey?: AppPrivateKey;
  /** Where the key came from, for messages ("OKTA_PRIVATE_KEY_FILE=/path"); set also when it was refused. */
  privateKeySource?: string;
  keyId?: string;
  /** SSWS admin token (optional). A secret. */
  apiToken?: string;
  appId?: string;
}

/** The unified-auth settings core reads (databricksConfigFromEnv), as given; checked in requireDatabricks. */
export type DatabricksInputs = Omit<DatabricksConfigOverrides, "allowNonUuidAccountId">;

export interface Inputs {
  okta: OktaInputs;
  databricks: DatabricksInputs;
  rules: ReconcileRules;
  writeRoute: WriteRoute;
  aim: { adapter: AimAdapterMode; apiBasePath?: string };
  /** Where each value came from, by input name (for --verbose and messages). */
  sources: Record<string, string>;
}

interface ConfigFile {
  okta?: Record<string, unknown>;
  databricks?: Record<string, unknown>;
  rules?: unknown;
  writeRoute?: unknown;
  aim?: Record<string, unknown>;
}

const CONFIG_KEYS: Record<string, readonly string[]> = {
  okta: ["orgUrl", "clientId", "privateKeyFile", "privateKey", "keyId", "apiToken", "appId"],
  databricks: ["host", "accountId", "clientId", "clientSecret", "token", "authType"],
  aim: ["adapter", "apiBasePath"],
};

function clean(v: unknown): string | undefined {
  if (typeof v !== "string") return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

/** Reads the --config file (or AIMCTL_CONFIG); problems go to `errors`. */
function readConfigFile(
  file: string,
  label: string,
  errors: ConfigError[],
  redactor: Redactor,
): { config: ConfigFile; dir: string } {
  const dir = dirname(file);
  let doc: unknown;
  try {
    doc = readJsonFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    errors.push(
      new ConfigError(
        label,
        e.code
          ? `${label} ${file} cannot be read (${e.code}): give the path of a JSON config file.`
          : `${label} ${file} is not valid JSON (${e.message}): fix its syntax.`,
      ),
    );
    return { config: {}, dir };
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    errors.push(
      new ConfigError(
        label,
        `${label} ${file} must hold a JSON object such as {"okta": {…}, "databricks": {…}}.`,
      ),
    );
    return { config: {}, dir };
  }
  const cfg = doc as Record<string, unknown>;
  for (const key of Object.keys(cfg)) {
    if (!["okta", "databricks", "rules", "writeRoute", "aim"].includes(key))
      errors.push(
        new ConfigError(
          `config.${key}`,
          `${file}: unknown key "${key}": the keys are okta, databricks, rules, writeRoute and aim.`,
        ),
      );
  }
  if (cfg.writeRoute !== undefined && typeof cfg.writeRoute !== "string") {
    errors.push(
      new ConfigError(
        "config.writeRoute",
        `${file}: "writeRoute" must be a string, "scim" or "iamv2" (got ${JSON.stringify(cfg.writeRoute)}).`,
      ),
    );
    delete cfg.writeRoute;
  }
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    const v = cfg[section];
    if (v === undefined) continue;
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      errors.push(new ConfigError(`config.${section}`, `${file}: "${section}" must be an object.`));
      delete cfg[section];
      continue;
    }
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (!keys.includes(k))
        errors.push(
          new ConfigError(
            `config.${section}.${k}`,
            `${file}: unknown key "${section}.${k}": use one of ${keys.join(", ")}.`,
          ),
        );
      else if (typeof val !== "string")
        errors.push(
          new ConfigError(`config.${section}.${k}`, `${file}: "${section}.${k}" must be a string.`),
        );
    }
    // Secrets held in the file must never be echoed.
    const s = v as Record<string, unknown>;
    redactor.add(
      s.privateKey as string,
      s.apiToken as string,
      s.clientSecret as string,
      s.token as string,
    );
  }
  return { config: cfg as ConfigFile, dir };
}

/**
 * Resolves every input. Nothing is required here: each command states what it
 * needs with `require*` below, so `undo` does not ask for Okta credentials.
 */
export function resolveInputs(
  args: ParsedArgs,
  env: Record<string, string | undefined>,
  cwd: string,
  redactor: Redactor = new Redactor(),
): Inputs {
  const { inputs, errors } = collectInputs(args, env, cwd, redactor);
  if (errors.length) throw new InputErrors(errors);
  return inputs;
}

/**
 * Like resolveInputs, but hands the problems back so that later checks can
 * add theirs. Every secret read (tokens, client secrets, the private key in
 * all its forms) is registered with `redactor`, the run's, before anything
 * could print it.
 */
export function collectInputs(
  args: ParsedArgs,
  env: Record<string, string | undefined>,
  cwd: string,
  redactor: Redactor,
): { inputs: Inputs; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const sources: Record<string, string> = {};
  const configPath = str(args, "config") ?? clean(env.AIMCTL_CONFIG);
  const configLabel = str(args, "config") ? "--config" : "AIMCTL_CONFIG";
  const { config, dir } = configPath
    ? readConfigFile(resolve(cwd, configPath), configLabel, errors, redactor)
    : { config: {} as ConfigFile, dir: cwd };

  /** flag > env > file; records the winner's name. */
  const pick = (
    name: string,
    flagName: string | undefined,
    envName: string | undefined,
    file: unknown,
    fileKey: string,
  ): string | undefined => {
    const f = flagName ? str(args, flagName) : undefined;
    if (f !== undefined) {
      sources[name] = `--${flagName}`;
      return f.trim();
    }
    const e = envName ? clean(env[envName]) : undefined;
    if (e !== undefined) {
      sources[name] = envName as string;
      return e;
    }
    const c = clean(file);
    if (c !== undefined) {
      sources[name] = `${configPath} ${fileKey}`;
      return c;
    }
    return undefined;
  };

  const o = config.okta ?? {};
  const d = config.databricks ?? {};
  const okta: OktaInputs = {
    orgUrl: pick("OKTA_ORG_URL", "okta-org-url", "OKTA_ORG_URL", o.orgUrl, "okta.orgUrl"),
    clientId: pick(
      "OKTA_CLIENT_ID",
      "okta-client-id",
      "OKTA_CLIENT_ID",
      o.clientId,
      "okta.clientId",
    ),
    keyId: pick("OKTA_KEY_ID", "okta-key-id", "OKTA_KEY_ID", o.keyId, "okta.keyId"),
    apiToken: pick("OKTA_API_TOKEN", undefined, "OKTA_API_TOKEN", o.apiToken, "okta.apiToken"),
    appId: pick("OKTA_APP_ID", "okta-app-id", "OKTA_APP_ID", o.appId, "okta.appId"),
  };
  redactor.add(okta.apiToken);
  readPrivateKey(args, env, o, configPath, dir, cwd, okta, errors, redactor);

  const databricks: DatabricksInputs = {
    host: pick("DATABRICKS_HOST", "databricks-host", "DATABRICKS_HOST", d.host, "databricks.host"),
    accountId: pick(
      "DATABRICKS_ACCOUNT_ID",
      "databricks-account-id",
      "DATABRICKS_ACCOUNT_ID",
      d.accountId,
      "databricks.accountId",
    ),
    clientId: pick(
      "DATABRICKS_CLIENT_ID",
      "databricks-client-id",
      "DATABRICKS_CLIENT_ID",
      d.clientId,
      "databricks.clientId",
    ),
    clientSecret: pick(
      "DATABRICKS_CLIENT_SECRET",
      undefined,
      "DATABRICKS_CLIENT_SECRET",
      d.clientSecret,
      "databricks.clientSecret",
    ),
    token: pick("DATABRICKS_TOKEN", undefined, "DATABRICKS_TOKEN", d.token, "databricks.token"),
    authType: pick(
      "DATABRICKS_AUTH_TYPE",
      undefined,
      "DATABRICKS_AUTH_TYPE",
      d.authType,
      "databricks.authType",
    ),
  };
  redactor.add(databricks.clientSecret, databricks.token, env.AIMCTL_JOURNAL_KEY);
  // A URL given with user:password@ is refused below, and its password never shown.
  redactor.add(...urlCredentials(okta.orgUrl), ...urlCredentials(databricks.host));

  const route =
    pick("writeRoute", "write-route", "AIMCTL_WRITE_ROUTE", config.writeRoute, "writeRoute") ??
    "scim";
  if (route !== "scim" && route !== "iamv2")
    errors.push(
      new ConfigError(
        sources.writeRoute ?? "writeRoute",
        `${sources.writeRoute} "${route}" is not a write route: use "scim" (account SCIM PATCH, what the documentation prescribes) or "iamv2".`,
      ),
    );
  const a = config.aim ?? {};
  const adapter =
    pick("aim.adapter", "aim-adapter", "AIMCTL_AIM_ADAPTER", a.adapter, "aim.adapter") ??
    DEFAULT_AIM_ADAPTER;
  if (!isAimAdapterMode(adapter))
    errors.push(
      new ConfigError(
        sources["aim.adapter"] ?? "aim.adapter",
        aimAdapterModeProblem(sources["aim.adapter"] ?? "aim.adapter", adapter),
      ),
    );
  const apiBasePath = pick(
    "aim.apiBasePath",
    "aim-api-base-path",
    "AIM_API_BASE_PATH",
    a.apiBasePath,
    "aim.apiBasePath",
  );

  const rules = readRules(args, config, configPath, cwd, errors);
  return {
    inputs: {
      okta,
      databricks,
      rules,
      writeRoute: route as WriteRoute,
      aim: { adapter: adapter as AimAdapterMode, apiBasePath },
      sources,
    },
    errors,
  };
}

function readPrivateKey(
  args: ParsedArgs,
  env: Record<string, string | undefined>,
  o: Record<string, unknown>,
  configPath: string | undefined,
  configDir: string,
  cwd: string,
  okta: OktaInputs,
  errors: ConfigError[],
  redactor: Redactor,
): void {
  const flagFile = str(args, "okta-private-key-file");
  const envKey = clean(env.OKTA_PRIVATE_KEY);
  const envFile = clean(env.OKTA_PRIVATE_KEY_FILE);
  redactor.add(env.OKTA_PRIVATE_KEY);
  if (!flagFile && envKey && envFile) {
    errors.push(
      new ConfigError(
        "OKTA_PRIVATE_KEY",
        "both OKTA_PRIVATE_KEY and OKTA_PRIVATE_KEY_FILE are set: unset one of them (the key itself, or the path of a file holding it).",
      ),
    );
    return;
  }
  let text: string | undefined;
  let source: string | undefined;
  let file: string | undefined;
  if (flagFile) {
    source = "--okta-private-key-file";
    file = resolve(cwd, flagFile);
  } else if (envKey) {
    source = "OKTA_PRIVATE_KEY";
    // Pipelines often store a PEM with literal "\n": accept it.
    text = envKey.includes("\\n") && !envKey.includes("\n") ? envKey.replace(/\\n/g, "\n") : envKey;
  } else if (envFile) {
    source = "OKTA_PRIVATE_KEY_FILE";
    file = resolve(cwd, envFile);
  } else if (clean(o.privateKey)) {
    source = `${configPath} okta.privateKey`;
    text = clean(o.privateKey);
  } else if (clean(o.privateKeyFile)) {
    source = `${configPath} okta.privateKeyFile`;
    file = resolve(configDir, clean(o.privateKeyFile) as string);
  }
  if (!source) return;
  if (file) {
    try {
      if (!statSync(file).isFile())
        throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      text = readFileSync(file, "utf8");
    } catch (err) {
      errors.push(
        new ConfigError(
          source,
          `${source} ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}): give the path of the PEM (PKCS#8) or private JWK file of the Okta app's signing key.`,
        ),
      );
      return;
    }
  }
  redactor.add(text);
  let key: AppPrivateKey;
  try {
    key = parsePrivateKey(text ?? "");
    redactor.add(...key.secrets);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    errors.push(
      new ConfigError(
        source,
        `${source}${file ? ` (${file})` : ""} does not hold a usable private key: ${why}`,
      ),
    );
    // Given but refused (said above): requireOkta must not call it "not set" as well.
    okta.privateKeySource = file ? `${source}=${file}` : source;
    return;
  }
  okta.privateKey = key;
  okta.privateKeySource = file ? `${source}=${file}` : source;
}

function readRules(
  args: ParsedArgs,
  config: ConfigFile,
  configPath: string | undefined,
  cwd: string,
  errors: ConfigError[],
): ReconcileRules {
  const rulesFile = str(args, "rules");
  if (rulesFile) return readRulesFile("--rules", rulesFile, cwd, errors);
  const { rules, problems } = validateRules(config.rules);
  for (const p of problems)
    errors.push(new ConfigError(p.field, `${configPath} rules: ${p.message}`));
  return rules;
}

/** A JSON file of matching rules named by `option` (--rules, plan's --base-rules); problems go to `errors`. */
export function readRulesFile(
  option: string,
  file: string,
  cwd: string,
  errors: ConfigError[],
): ReconcileRules {
  let raw: unknown;
  try {
    raw = readJsonFile(resolve(cwd, file));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    errors.push(
      new ConfigError(
        option,
        `${option} ${file} ${e.code ? `cannot be read (${e.code})` : `is not valid JSON (${e.message})`}: give a JSON file of matching rules (userOverrides, groupOverrides, servicePrincipalMappings, exclude, onConflict).`,
      ),
    );
    return {};
  }
  const { rules, problems } = validateRules(raw);
  for (const p of problems)
    errors.push(new ConfigError(p.field, `${option} ${file}: ${p.message}`));
  return rules;
}

// ------------------------------------------------------------ requirements

/** What a command needs from Okta. */
export interface OktaRequirement {
  /** The private key (connection test, enabling AIM). Otherwise an API token may stand in. */
  privateKey: boolean;
}

const OKTA_FIX = {
  orgUrl:
    "OKTA_ORG_URL is not set: set it (or --okta-org-url, or okta.orgUrl in --config) to your Okta org URL, e.g. https://acme.okta.com.",
  clientId:
    "OKTA_CLIENT_ID is not set: set it (or --okta-client-id, or okta.clientId) to the Client ID of the Okta API Services app AIM uses (Applications > the app > General > Client Credentials).",
  privateKey:
    "OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE is not set: set one (or --okta-private-key-file, or okta.privateKeyFile) to the PEM (PKCS#8) private key whose public key is in the Okta app's JWKS.",
};

/** Throws InputErrors naming every missing Okta input. */
export function requireOkta(inputs: Inputs, need: OktaRequirement): void {
  const errors: ConfigError[] = [];
  const o = inputs.okta;
  if (!o.orgUrl) errors.push(new ConfigError("OKTA_ORG_URL", OKTA_FIX.orgUrl));
  const keyAuth = Boolean(o.clientId || o.privateKey);
  if (need.privateKey || keyAuth || !o.apiToken) {
    if (!o.clientId) errors.push(new ConfigError("OKTA_CLIENT_ID", OKTA_FIX.clientId));
    if (!o.privateKey && !o.privateKeySource)
      errors.push(
        new ConfigError(
          "OKTA_PRIVATE_KEY",
          need.privateKey || o.apiToken
            ? OKTA_FIX.privateKey
            : `${OKTA_FIX.privateKey} (For reading only, OKTA_API_TOKEN may stand in for the client id and key.)`,
        ),
      );
  }
  if (errors.length) throw new InputErrors(errors);
}

/** Throws InputErrors naming every missing or malformed Databricks input; returns the config. */
export function requireDatabricks(inputs: Inputs): DatabricksAccountConfig {
  const errors: ConfigError[] = [];
  const d = inputs.databricks;
  if (!d.host)
    errors.push(
      new ConfigError(
        "DATABRICKS_HOST",
        "DATABRICKS_HOST is not set: set it (or --databricks-host, or databricks.host) to the accounts host of your cloud, e.g. https://accounts.cloud.databricks.com (AWS), https://accounts.azuredatabricks.net (Azure) or https://accounts.gcp.databricks.com (GCP).",
      ),
    );
  if (!d.accountId)
    errors.push(
      new ConfigError(
        "DATABRICKS_ACCOUNT_ID",
        "DATABRICKS_ACCOUNT_ID is not set: set it (or --databricks-account-id, or databricks.accountId) to the account id shown in the account console's user menu (a UUID).",
      ),
    );
  if (!d.token && !d.clientId && !d.clientSecret) {
    errors.push(
      new ConfigError(
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_ID is not set: set it (or --databricks-client-id, or databricks.clientId) to the application id of an account-admin service principal, with DATABRICKS_CLIENT_SECRET (or use DATABRICKS_TOKEN).",
      ),
      new ConfigError(
        "DATABRICKS_CLIENT_SECRET",
        "DATABRICKS_CLIENT_SECRET is not set: create an OAuth secret for that service principal in the account console and set it (environment or databricks.clientSecret; never a flag), or use DATABRICKS_TOKEN.",
      ),
    );
  }
  // Validate what is there, with placeholders for what is missing (already reported above).
  const noCredentials = !d.token && !d.clientId && !d.clientSecret;
  try {
    const cfg = databricksConfigFromEnv(
      {},
      {
        ...d,
        host: d.host ?? "https://accounts.cloud.databricks.com",
        accountId: d.accountId ?? "00000000-0000-0000-0000-000000000000",
        token: noCredentials ? "placeholder-not-used" : d.token,
      },
    );
    if (errors.length === 0) return cfg;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (!errors.some((e) => e.field === err.field)) errors.push(err);
  }
  throw new InputErrors(errors);
}
