/**
 * Credentials for the providers that call Okta or Databricks (reconciliation,
 * AIM connection, Okta app DPoP setting): from stack config (handed to
 * `configure(req)` by the dynamic-provider host) or from the environment,
 * never from resource inputs and never captured in a serialised provider.
 * `configure` leaves what it found on `globalThis` of the process that runs
 * the provider; the functions below read it at call time.
 *
 * Precedence per credential: `oktaAim:*` config, then the key the official
 * Pulumi provider uses (`okta:apiToken`, `databricks:clientId` …, so a stack
 * already configured for those providers works as is), then the environment
 * (`OKTA_API_TOKEN`, `DATABRICKS_CLIENT_ID` …, the Databricks unified-auth
 * variables). Config wins over the environment as a whole for Databricks, so a
 * `DATABRICKS_TOKEN` left in a CI environment cannot clash with a client
 * id/secret set in config.
 */
import type { DatabricksAccountConfig } from "../core/databricks/api";
import { loadCore } from "./loadCore";

/** Stack config keys, in order of precedence. */
export const CREDENTIAL_CONFIG_KEYS = {
  oktaApiToken: ["oktaAim:oktaApiToken", "okta:apiToken"],
  databricksClientId: ["oktaAim:databricksClientId", "databricks:clientId"],
  databricksClientSecret: ["oktaAim:databricksClientSecret", "databricks:clientSecret"],
  databricksToken: ["oktaAim:databricksToken", "databricks:token"],
  databricksAuthType: ["oktaAim:databricksAuthType", "databricks:authType"],
} as const;

export type CredentialName = keyof typeof CREDENTIAL_CONFIG_KEYS;

/** Where `configure` leaves the values: a global of the provider's process, never serialised. */
const CREDENTIALS_SLOT = "__oktaDatabricksAimCredentials";

/** Reads every credential key from stack config (the host's `req.config`). */
export function rememberCredentials(config: { get(key: string): string | undefined }): void {
  const found: Partial<Record<CredentialName, string>> = {};
  for (const [name, keys] of Object.entries(CREDENTIAL_CONFIG_KEYS)) {
    for (const key of keys) {
      const value = config.get(key);
      if (typeof value === "string" && value.trim()) {
        found[name as CredentialName] = value.trim();
        break;
      }
    }
  }
  (globalThis as Record<string, unknown>)[CREDENTIALS_SLOT] = found;
}

function fromConfig(name: CredentialName): string | undefined {
  const slot = (globalThis as Record<string, unknown>)[CREDENTIALS_SLOT] as
    Partial<Record<CredentialName, string>> | undefined;
  return slot?.[name];
}

/** The Okta admin API token (SSWS) used to read users and groups. */
export function oktaApiToken(): string {
  const configured = fromConfig("oktaApiToken");
  if (configured) return configured;
  const env = process.env.OKTA_API_TOKEN;
  if (env && env.trim()) return env.trim();
  throw new Error(
    "No Okta admin API token: set it with `pulumi config set --secret oktaAim:oktaApiToken <token>` (or okta:apiToken), or export OKTA_API_TOKEN.",
  );
}

/**
 * The Databricks account configuration: host and account id from the
 * resource's inputs, credentials from config or else the environment.
 * Validated by core (ConfigError naming the variable and the fix).
 */
export function databricksAccountConfig(host: string, accountId: string): DatabricksAccountConfig {
  const { databricksConfigFromEnv } = loadCore();
  const configured = {
    clientId: fromConfig("databricksClientId"),
    clientSecret: fromConfig("databricksClientSecret"),
    token: fromConfig("databricksToken"),
    authType: fromConfig("databricksAuthType"),
  };
  const anyConfigured = Object.values(configured).some((v) => v !== undefined);
  // Config replaces the environment's credentials as a whole; host and account id come from inputs.
  const env = anyConfigured ? {} : process.env;
  try {
    return databricksConfigFromEnv(env, { host, accountId, ...configured });
  } catch (err) {
    const e = err as Error & { field?: string };
    if (
      e.field === "DATABRICKS_CLIENT_ID" &&
      !anyConfigured &&
      /no Databricks credentials/.test(e.message)
    ) {
      throw new Error(
        `${e.message} Or put them in stack config: \`pulumi config set oktaAim:databricksClientId <id>\` and \`pulumi config set --secret oktaAim:databricksClientSecret <secret>\`.`,
      );
    }
    throw err;
  }
}

/**
 * Where the Databricks credentials of this process come from, for a refusal's
 * message: core's says "check DATABRICKS_CLIENT_ID …", which misleads when
 * they came from stack config.
 */
export function databricksCredentialSource(): string {
  const keys = (
    ["databricksClientId", "databricksClientSecret", "databricksToken"] as const
  ).filter((k) => fromConfig(k) !== undefined);
  if (keys.length === 0)
    return "they came from the environment (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET or DATABRICKS_TOKEN)";
  return `they came from stack config (${keys.map((k) => CREDENTIAL_CONFIG_KEYS[k].join(" or ")).join(", ")}): check them with \`pulumi config\` and set a secret again with \`pulumi config set --secret …\``;
}

/** A Databricks account client for the given inputs (credentials as above). */
export function databricksClient(
  host: string,
  accountId: string,
  options: { writeRatePerSecond?: number } = {},
): import("../core/databricks/client").DatabricksAccountClient {
  const { DatabricksAccountClient } = loadCore();
  return new DatabricksAccountClient(databricksAccountConfig(host, accountId), options);
}

/** An Okta client that reads with the admin API token. */
export function oktaAdminClient(orgUrl: string): import("../core/okta/client").OktaClient {
  const { OktaClient } = loadCore();
  return new OktaClient({ orgUrl, auth: { kind: "apiToken", token: oktaApiToken() } });
}

/** Logs to the Pulumi log; inside the provider host that is stdout, which the engine shows as info. */
export function logInfo(message: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where the method runs
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  void pulumi.log.info(message);
}
