/**
 * How the providers authenticate to Okta's management API, from the settings
 * the Okta Pulumi provider reads (docs/pulumi.md, "Credentials"): an admin
 * API token; else that provider's OAuth service app when its scopes cover the
 * access; else, for users and groups only, the AIM app's own key (it holds
 * okta.users.read and okta.groups.read). Requests exactly the scopes the
 * access needs. Pure but for reading a key file the settings name.
 */
import { readFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../http/errors";
import { AIM_OKTA_SCOPES } from "../model/aim";
import type { OktaAuth } from "./api";
import { OKTA_APPS_MANAGE_SCOPES } from "./appDpop";

/** What the provider reads Okta for. */
export type OktaAccess = "identities" | "apps";

/** The Okta provider's settings (stack config okta:*, or its OKTA_API_* variables). */
export interface OktaAdminSettings {
  apiToken?: string;
  clientId?: string;
  /** The PEM (or JWK) itself, or a path to it, as that provider takes it. */
  privateKey?: string;
  privateKeyId?: string;
  /** A JSON list (stack config) or comma/space-separated (OKTA_API_SCOPES). */
  scopes?: string;
}

/** The AIM app's own client id and key. */
export interface AimAppKey {
  clientId: string;
  privateKeyPem: string;
  keyId?: string;
}

function scopeList(raw: string): string[] {
  const t = raw.trim();
  if (t.startsWith("[")) {
    const parsed = JSON.parse(t) as unknown;
    if (Array.isArray(parsed)) return parsed.map((x) => String(x).trim()).filter(Boolean);
  }
  return t
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function privateKeyText(value: string, baseDir: string): string {
  if (value.includes("-----BEGIN") || value.startsWith("{")) return value;
  const file = path.resolve(baseDir, value);
  if (!existsSync(file))
    throw new ConfigError(
      "okta:privateKey",
      "okta:privateKey (or OKTA_API_PRIVATE_KEY) is neither a PEM private key nor the path of an existing file: give the key itself (`pulumi config set --secret okta:privateKey < key.pem`: on the command line a PEM is refused as a flag) or a path to it.",
    );
  return readFileSync(file, "utf8");
}

const TOKEN_HELP =
  "an admin API token (`pulumi config set --secret oktaAim:oktaApiToken <token>`, or okta:apiToken, or export OKTA_API_TOKEN)";

/** The first source that can serve `access`, or a ConfigError naming every way to give one. */
export function chooseOktaAdminAuth(
  settings: OktaAdminSettings,
  access: OktaAccess,
  aimApp?: AimAppKey,
  /** Where a relative okta:privateKey path resolves from (the project). */
  baseDir = process.cwd(),
): OktaAuth {
  if (settings.apiToken) return { kind: "apiToken", token: settings.apiToken };
  const needed: string[] = [
    ...(access === "identities" ? AIM_OKTA_SCOPES : OKTA_APPS_MANAGE_SCOPES),
  ];
  const { clientId, privateKey } = settings;
  const granted = settings.scopes === undefined ? undefined : scopeList(settings.scopes);
  const missing = granted ? needed.filter((s) => !granted.includes(s)) : [];
  if (clientId && privateKey && missing.length === 0)
    return {
      kind: "privateKeyJwt",
      clientId,
      privateKey: privateKeyText(privateKey, baseDir),
      keyId: settings.privateKeyId,
      scopes: needed,
    };
  if (access === "identities" && aimApp)
    return {
      kind: "privateKeyJwt",
      clientId: aimApp.clientId,
      privateKey: aimApp.privateKeyPem,
      keyId: aimApp.keyId,
      scopes: needed,
    };
  const what =
    access === "identities" ? "read Okta users and groups" : "read and update the Okta app";
  const serviceApp = `the Okta provider's OAuth service app with ${needed.join(" and ")} among its scopes (okta:clientId, okta:privateKey, okta:scopes; or OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_SCOPES)`;
  const them = missing.length > 1 ? "them" : "it";
  const why =
    clientId && privateKey
      ? ` The Okta provider's service app is configured, but okta:scopes (OKTA_API_SCOPES) lacks ${missing.join(", ")}: add ${them} there and grant ${them} to that app (Okta API Scopes tab).`
      : clientId || privateKey
        ? ` Only ${clientId ? "okta:clientId" : "okta:privateKey"} of the Okta provider's service app is set: set both.`
        : "";
  const aim =
    access === "identities"
      ? ", or the AIM app's own key (DatabricksAim passes it once the app exists)"
      : "";
  throw new ConfigError(
    "okta:clientId",
    `No Okta credential to ${what}: give ${TOKEN_HELP}, or ${serviceApp}${aim}.${why}`,
  );
}
