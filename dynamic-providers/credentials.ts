/**
 * Credentials for the providers that call Okta or Databricks (reconciliation,
 * AIM connection, Okta app DPoP setting): from stack config (handed to
 * `configure(req)` by the dynamic-provider host) or from the environment,
 * never captured in a serialised provider. `configure` leaves what it found
 * on `globalThis` of the process that runs the provider; the functions below
 * read it at call time.
 *
 * The keys the official Pulumi providers read work as they are, so a stack
 * configured for those providers needs nothing more (docs/pulumi.md,
 * "Credentials"):
 *
 * - Okta: an admin API token (`oktaAim:oktaApiToken`, `okta:apiToken`,
 *   `OKTA_API_TOKEN`); else the Okta provider's OAuth service app
 *   (`okta:clientId`, `okta:privateKey`, `okta:privateKeyId`, `okta:scopes`,
 *   or `OKTA_API_CLIENT_ID`, `OKTA_API_PRIVATE_KEY`, `OKTA_API_PRIVATE_KEY_ID`,
 *   `OKTA_API_SCOPES`) when its scopes cover what is read; else, for users
 *   and groups only, the AIM app's own key (an input of the reconciliation:
 *   that app has exactly okta.users.read and okta.groups.read).
 * - Databricks: `oktaAim:*` config, then `databricks:*` (the Databricks
 *   provider's keys), then the environment (`DATABRICKS_CLIENT_ID` …, the
 *   unified-auth variables), then a config profile (`databricks:profile` or
 *   `DATABRICKS_CONFIG_PROFILE` in `databricks:configFile`,
 *   `DATABRICKS_CONFIG_FILE` or ~/.databrickscfg). The credentials are taken
 *   as a set from the first of those that has any, so a `DATABRICKS_TOKEN`
 *   left in a CI environment cannot clash with a client id/secret set in
 *   config.
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
  databricksProfile: ["databricks:profile"],
  databricksConfigFile: ["databricks:configFile"],
  oktaClientId: ["okta:clientId"],
  oktaPrivateKey: ["okta:privateKey"],
  oktaPrivateKeyId: ["okta:privateKeyId"],
  oktaScopes: ["okta:scopes"],
} as const;

/** The environment variables the Okta provider reads for the same settings. */
export const OKTA_PROVIDER_ENV = {
  oktaApiToken: "OKTA_API_TOKEN",
  oktaClientId: "OKTA_API_CLIENT_ID",
  oktaPrivateKey: "OKTA_API_PRIVATE_KEY",
  oktaPrivateKeyId: "OKTA_API_PRIVATE_KEY_ID",
  oktaScopes: "OKTA_API_SCOPES",
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

/** A setting from stack config, else the Okta provider's environment variable. */
function oktaSetting(name: keyof typeof OKTA_PROVIDER_ENV): string | undefined {
  const configured = fromConfig(name);
  if (configured) return configured;
  const env = process.env[OKTA_PROVIDER_ENV[name]];
  return env && env.trim() ? env.trim() : undefined;
}

export type { AimAppKey, OktaAccess } from "../core/okta/adminAuth";
type OktaAccess = import("../core/okta/adminAuth").OktaAccess;
type AimAppKey = import("../core/okta/adminAuth").AimAppKey;

/** How the provider authenticates to Okta for `access` (core's chooseOktaAdminAuth). */
export function oktaAdminAuth(
  access: OktaAccess,
  aimApp?: AimAppKey,
): import("../core/okta/api").OktaAuth {
  return loadCore().chooseOktaAdminAuth(
    {
      apiToken: oktaSetting("oktaApiToken"),
      clientId: oktaSetting("oktaClientId"),
      privateKey: oktaSetting("oktaPrivateKey"),
      privateKeyId: oktaSetting("oktaPrivateKeyId"),
      scopes: oktaSetting("oktaScopes"),
    },
    access,
    aimApp,
    process.env.OKTA_AIM_PROJECT_ROOT || process.cwd(),
  );
}

/** Whether an admin credential (token or the provider's service app) can serve `access` without the AIM app's key. */
export function oktaAdminConfigured(access: OktaAccess): boolean {
  try {
    oktaAdminAuth(access);
    return true;
  } catch {
    return false;
  }
}

/** The layers of Databricks settings, highest precedence first (module comment). */
function databricksLayers(host: string, accountId: string) {
  return loadCore().databricksLayers(
    {
      host,
      accountId,
      clientId: fromConfig("databricksClientId"),
      clientSecret: fromConfig("databricksClientSecret"),
      token: fromConfig("databricksToken"),
      authType: fromConfig("databricksAuthType"),
    },
    process.env,
    { profile: fromConfig("databricksProfile"), configFile: fromConfig("databricksConfigFile") },
  );
}

/**
 * The Databricks account configuration: host and account id from the
 * resource's inputs, credentials as a set from the first layer that has any.
 * Validated by core (ConfigError naming the variable and the fix).
 */
export function databricksAccountConfig(host: string, accountId: string): DatabricksAccountConfig {
  return loadCore().databricksConfigFromLayers(
    databricksLayers(host, accountId),
    "Or put them in stack config: `pulumi config set oktaAim:databricksClientId <id>` and `pulumi config set --secret oktaAim:databricksClientSecret <secret>` (or databricks:clientId / databricks:clientSecret), or name a config profile (databricks:profile or DATABRICKS_CONFIG_PROFILE, in ~/.databrickscfg or DATABRICKS_CONFIG_FILE).",
  );
}

/**
 * Where the Databricks credentials of this process come from, for a refusal's
 * message: core's says "check DATABRICKS_CLIENT_ID …", which misleads when
 * they came from stack config or a profile.
 */
export function databricksCredentialSource(): string {
  let source: string | undefined;
  try {
    source = loadCore().credentialLayer(databricksLayers("", ""))?.source;
  } catch {
    source = undefined; // an unreadable profile: the environment's message below
  }
  if (source === "stack config") {
    const keys = (["databricksClientId", "databricksClientSecret", "databricksToken"] as const)
      .filter((k) => fromConfig(k) !== undefined)
      .map((k) => CREDENTIAL_CONFIG_KEYS[k].join(" or "));
    return `they came from stack config (${keys.join(", ")}): check them with \`pulumi config\` and set a secret again with \`pulumi config set --secret …\``;
  }
  if (source && source !== "the environment")
    return `they came from the Databricks config ${source}: check its client_id and client_secret (or token)`;
  return "they came from the environment (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET or DATABRICKS_TOKEN)";
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

/** An Okta client for `access`, authenticated as oktaAdminAuth chooses. */
export function oktaAdminClient(
  orgUrl: string,
  access: OktaAccess = "identities",
  aimApp?: AimAppKey,
): import("../core/okta/client").OktaClient {
  const { OktaClient } = loadCore();
  return new OktaClient({ orgUrl, auth: oktaAdminAuth(access, aimApp) });
}

/** Logs to the Pulumi log; inside the provider host that is stdout, which the engine shows as info. */
export function logInfo(message: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where the method runs
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  void pulumi.log.info(message);
}
