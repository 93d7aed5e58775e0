/**
 * Databricks account configuration from the unified-auth environment
 * variables, as the official SDKs read them (databricks-sdk-py `config.py`,
 * `credentials_provider.py`):
 *
 * - `DATABRICKS_HOST`, `DATABRICKS_ACCOUNT_ID`;
 * - OAuth M2M when `DATABRICKS_CLIENT_ID` and `DATABRICKS_CLIENT_SECRET` are set;
 * - a bearer token (PAT) when `DATABRICKS_TOKEN` is set;
 * - both set: the SDK refuses ("more than one authorization method
 *   configured: oauth and pat") unless `DATABRICKS_AUTH_TYPE` picks one
 *   (`oauth-m2m` or `pat`). We do the same rather than guess.
 *
 * The host is normalised like the SDK (`https://` added when no scheme,
 * trailing slash removed) and must be https except for loopback.
 */
import { ConfigError, InsecureUrlError, assertSecureUrl, type Redactor } from "../http";
import { baseUrlExtras, urlCredentials } from "../http/url";
import type { DatabricksAccountConfig, DatabricksAuth } from "./api";

export const DATABRICKS_ENV = {
  host: "DATABRICKS_HOST",
  accountId: "DATABRICKS_ACCOUNT_ID",
  clientId: "DATABRICKS_CLIENT_ID",
  clientSecret: "DATABRICKS_CLIENT_SECRET",
  token: "DATABRICKS_TOKEN",
  authType: "DATABRICKS_AUTH_TYPE",
} as const;

/** Account ids are UUIDs (the account console shows them under the user menu). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DatabricksConfigOverrides {
  host?: string;
  accountId?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  /** "oauth-m2m" or "pat": which credentials win when both are present. */
  authType?: string;
  /**
   * Accept an account id that is not a UUID (the emulators use readable ids).
   * Default: only for loopback hosts.
   */
  allowNonUuidAccountId?: boolean;
}

/** Adds https:// when the scheme is missing and drops trailing slashes (as the SDK does). */
export function normaliseHost(host: string): string {
  let h = host.trim();
  if (!h.includes("://")) h = `https://${h}`;
  h = h.replace(/\/+$/, "");
  return h.replace(/^(https:\/\/[^/:]+):443(?=\/|$)/i, "$1");
}

/**
 * The accounts host of each Databricks cloud, by the DNS zone its workspaces
 * live under (databricks-sdk-go `config/environments.go`; the GovCloud hosts
 * from Databricks' GovCloud documentation). A host in one of these zones that
 * is not the accounts host is a workspace URL: the account APIs are not there.
 */
const ACCOUNTS_HOSTS: ReadonlyArray<{ zone: string; accounts: string; cloud: string }> = [
  { zone: "cloud.databricks.com", accounts: "accounts.cloud.databricks.com", cloud: "AWS" },
  { zone: "cloud.databricks.us", accounts: "accounts.cloud.databricks.us", cloud: "AWS GovCloud" },
  {
    zone: "cloud.databricks.mil",
    accounts: "accounts-dod.cloud.databricks.mil",
    cloud: "AWS GovCloud DoD",
  },
  { zone: "azuredatabricks.net", accounts: "accounts.azuredatabricks.net", cloud: "Azure" },
  { zone: "gcp.databricks.com", accounts: "accounts.gcp.databricks.com", cloud: "GCP" },
];

const ACCOUNTS_EXAMPLE =
  "https://accounts.cloud.databricks.com (AWS), https://accounts.azuredatabricks.net (Azure) or https://accounts.gcp.databricks.com (GCP)";

/**
 * The accounts host as given in `field` (normalised like the SDK): https
 * (http only for loopback), scheme and host alone, and not a workspace URL.
 * Throws a ConfigError naming `field`, the wrong part (never a credential)
 * and the host to use.
 */
export function parseAccountsHost(raw: string, field: string): { host: string; url: URL } {
  const host = normaliseHost(raw);
  let url: URL;
  try {
    url = assertSecureUrl(host, field);
  } catch (err) {
    throw new ConfigError(field, err instanceof InsecureUrlError ? err.message : String(err));
  }
  const name = url.hostname.toLowerCase();
  const cloud = ACCOUNTS_HOSTS.find((c) => name.endsWith(`.${c.zone}`));
  if (cloud && name !== cloud.accounts)
    throw new ConfigError(
      field,
      `${field} (${url.origin}) is a workspace URL; use the accounts host of its cloud (${cloud.cloud}): https://${cloud.accounts}; the account APIs are not served on a workspace's host.`,
    );
  const extras = baseUrlExtras(url);
  if (extras.length)
    throw new ConfigError(
      field,
      `${field} must be the accounts host alone, without ${extras.join(", ")}: use ${url.origin}${
        url.username || url.password
          ? " (the credentials go in DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET, or DATABRICKS_TOKEN)"
          : url.search.includes("o=")
            ? " (?o= names a workspace; the account APIs take none)"
            : ""
      }.`,
    );
  return { host: url.origin, url };
}

/** The problem with `value` as the accounts host (parseAccountsHost's message), or undefined. */
export function accountsHostProblem(value: unknown, field: string): string | undefined {
  if (typeof value !== "string" || !value.trim())
    return `${field} must be the Databricks accounts host, e.g. https://accounts.cloud.databricks.com.`;
  try {
    parseAccountsHost(value, field);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

function clean(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === "" ? undefined : t;
}

export function databricksConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: DatabricksConfigOverrides = {},
  /** The session's redactor: learns the secret and token before any message could quote them. */
  redactor?: Redactor,
): DatabricksAccountConfig {
  const pick = (key: keyof typeof DATABRICKS_ENV & keyof DatabricksConfigOverrides) =>
    clean(overrides[key]) ?? clean(env[DATABRICKS_ENV[key]]);

  const rawHost = pick("host");
  if (!rawHost) {
    throw new ConfigError(
      DATABRICKS_ENV.host,
      `${DATABRICKS_ENV.host} is not set: use the accounts host of your cloud, e.g. ${ACCOUNTS_EXAMPLE}.`,
    );
  }
  // A password in the URL is a secret like any other: never quoted, even in a refusal.
  redactor?.add(...urlCredentials(rawHost));
  const { host, url: hostUrl } = parseAccountsHost(rawHost, DATABRICKS_ENV.host);
  const loopback = hostUrl.protocol === "http:";

  const accountId = pick("accountId");
  if (!accountId) {
    throw new ConfigError(
      DATABRICKS_ENV.accountId,
      `${DATABRICKS_ENV.accountId} is not set: use the account id from the account console (a UUID, shown in the user menu at the top right).`,
    );
  }
  const allowNonUuid = overrides.allowNonUuidAccountId ?? loopback;
  if (!allowNonUuid && !UUID.test(accountId)) {
    throw new ConfigError(
      DATABRICKS_ENV.accountId,
      `${DATABRICKS_ENV.accountId} is not a UUID ("${accountId.slice(0, 40)}"): use the account id from the account console, e.g. 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6.`,
    );
  }
  if (!/^[A-Za-z0-9_-]+$/.test(accountId)) {
    throw new ConfigError(
      DATABRICKS_ENV.accountId,
      `${DATABRICKS_ENV.accountId} may contain only letters, digits, "-" and "_": use the account id from the account console (a UUID).`,
    );
  }

  const clientId = pick("clientId");
  const clientSecret = pick("clientSecret");
  const token = pick("token");
  // Register before any error can quote them.
  redactor?.add(clientSecret, token);
  const authType = pick("authType")?.toLowerCase();

  const m2m = (): DatabricksAuth => {
    if (!clientId) {
      throw new ConfigError(
        DATABRICKS_ENV.clientId,
        `${DATABRICKS_ENV.clientId} is not set but ${DATABRICKS_ENV.clientSecret} is: set it to the service principal's application (client) id.`,
      );
    }
    if (!clientSecret) {
      throw new ConfigError(
        DATABRICKS_ENV.clientSecret,
        `${DATABRICKS_ENV.clientSecret} is not set but ${DATABRICKS_ENV.clientId} is: create an OAuth secret for the service principal in the account console and set it.`,
      );
    }
    return { kind: "oauthM2M", clientId, clientSecret };
  };
  const pat = (): DatabricksAuth => {
    if (!token) {
      throw new ConfigError(
        DATABRICKS_ENV.token,
        `${DATABRICKS_ENV.authType} is "pat" but ${DATABRICKS_ENV.token} is not set: set the token, or use ${DATABRICKS_ENV.authType}=oauth-m2m with a client id and secret.`,
      );
    }
    return { kind: "token", token };
  };

  let auth: DatabricksAuth;
  if (authType !== undefined) {
    if (authType === "oauth-m2m") auth = m2m();
    else if (authType === "pat") auth = pat();
    else {
      throw new ConfigError(
        DATABRICKS_ENV.authType,
        `${DATABRICKS_ENV.authType} "${authType}" is not supported here: use "oauth-m2m" (client id + secret) or "pat" (token).`,
      );
    }
  } else {
    const hasOAuth = Boolean(clientId || clientSecret);
    if (hasOAuth && token) {
      throw new ConfigError(
        DATABRICKS_ENV.authType,
        `more than one authorization method configured: oauth (${DATABRICKS_ENV.clientId}/${DATABRICKS_ENV.clientSecret}) and pat (${DATABRICKS_ENV.token}): unset one, or set ${DATABRICKS_ENV.authType} to "oauth-m2m" or "pat".`,
      );
    }
    if (hasOAuth) auth = m2m();
    else if (token) auth = { kind: "token", token };
    else {
      throw new ConfigError(
        DATABRICKS_ENV.clientId,
        `no Databricks credentials: set ${DATABRICKS_ENV.clientId} and ${DATABRICKS_ENV.clientSecret} (OAuth M2M for an account-admin service principal, recommended) or ${DATABRICKS_ENV.token}.`,
      );
    }
  }
  return { host, accountId, auth };
}

/** Validates a config built in code (not from the environment) with the same rules. */
export function validateDatabricksConfig(
  config: DatabricksAccountConfig,
  opts: { allowNonUuidAccountId?: boolean } = {},
): DatabricksAccountConfig {
  const a = config.auth;
  return databricksConfigFromEnv(
    {},
    {
      host: config.host,
      accountId: config.accountId,
      clientId: a?.kind === "oauthM2M" ? a.clientId : undefined,
      clientSecret: a?.kind === "oauthM2M" ? a.clientSecret : undefined,
      token: a?.kind === "token" ? a.token : undefined,
      authType: a?.kind === "oauthM2M" ? "oauth-m2m" : a?.kind === "token" ? "pat" : undefined,
      allowNonUuidAccountId: opts.allowNonUuidAccountId,
    },
  );
}

/** The unified-auth environment variables as overrides (what databricksConfigFromEnv reads). */
export function overridesFromEnv(
  env: Record<string, string | undefined>,
): Omit<DatabricksConfigOverrides, "allowNonUuidAccountId"> {
  const out: Omit<DatabricksConfigOverrides, "allowNonUuidAccountId"> = {};
  for (const [key, name] of Object.entries(DATABRICKS_ENV) as Array<
    [keyof typeof DATABRICKS_ENV, string]
  >) {
    const v = clean(env[name]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const CREDENTIAL_KEYS = ["clientId", "clientSecret", "token", "authType"] as const;

/**
 * Layers of settings, highest precedence first (explicit settings, the
 * environment, a config profile: the SDKs' order), into one: host and
 * account id attribute by attribute, the credentials as a set from the first
 * layer that has any, so a DATABRICKS_TOKEN left in a CI environment never
 * mixes with a client id and secret given explicitly (or a profile's).
 */
export function layerDatabricksSettings(
  layers: Array<DatabricksConfigOverrides | undefined>,
): DatabricksConfigOverrides {
  const present = layers.filter((l): l is DatabricksConfigOverrides => l !== undefined);
  const first = (k: keyof DatabricksConfigOverrides) =>
    present.map((l) => l[k]).find((v) => v !== undefined && clean(String(v)) !== undefined);
  const credentials = present.find((l) =>
    (["clientId", "clientSecret", "token"] as const).some((k) => clean(l[k]) !== undefined),
  );
  const out: DatabricksConfigOverrides = {
    host: first("host") as string | undefined,
    accountId: first("accountId") as string | undefined,
    allowNonUuidAccountId: present.find((l) => l.allowNonUuidAccountId !== undefined)
      ?.allowNonUuidAccountId,
  };
  for (const k of CREDENTIAL_KEYS) if (credentials?.[k] !== undefined) out[k] = credentials[k];
  return out;
}
