/**
 * Both emulators on loopback with one tenant, and the Okta API Services app
 * AIM uses set up as the product documentation says: an RSA signing key
 * generated with jose (public JWK on the app, private key in a 0600 file),
 * client authentication private_key_jwt, okta.users.read and
 * okta.groups.read granted, the Read-Only Admin role, DPoP off.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKey } from "../core/keys/signingKey";
import { AIM_OKTA_ROLE, AIM_OKTA_SCOPES } from "../core/model/aim";
import type { OktaApp, TenantFixture } from "../core/model/tenant";
import {
  startDatabricksEmulator,
  type AimAdminApi,
  type DatabricksEmulator,
  type DatabricksEmulatorOptions,
} from "../emulators/databricks";
import { startOktaEmulator, type OktaEmulator, type OktaEmulatorOptions } from "../emulators/okta";

/** What `aimctl emulate --json` prints first: everything aimctl needs to connect. */
export interface EmulatorCredentials {
  okta: { orgUrl: string; clientId: string; privateKeyFile: string | null; apiToken: string };
  databricks: { host: string; accountId: string; clientId: string; clientSecret: string };
}

export interface EmulatedTenant {
  okta: OktaEmulator;
  databricks: DatabricksEmulator;
  app: OktaApp;
  /** True when the app was set up here (false: the fixture brought its own). */
  appCreated: boolean;
  /** The PEM private key of the app (only when set up here). A secret. */
  privateKeyPem?: string;
  credentials: EmulatorCredentials;
  /** Environment variables for aimctl (OKTA_*, DATABRICKS_*). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface EmulatedTenantOptions {
  oktaRateLimits?: OktaEmulatorOptions["rateLimits"];
  databricksRateLimits?: DatabricksEmulatorOptions["rateLimits"];
  /** For a fixture that brings its own app: the file holding its private key. */
  privateKeyFile?: string;
  /** Write the key file (default true; the demo keeps the key in memory). */
  writeKeyFile?: boolean;
  /**
   * Whether the account serves the assumed AIM admin API (default "off-404",
   * as a real account answers today; "on" for the `api` adapter).
   */
  aimAdminApi?: AimAdminApi;
}

/** An app the fixture brings that AIM could use: a service app authenticating with a key. */
export function fixtureServiceApp(fixture: TenantFixture): OktaApp | undefined {
  return fixture.okta.apps.find(
    (a) =>
      a.settings?.oauthClient?.application_type === "service" &&
      a.credentials?.oauthClient?.token_endpoint_auth_method === "private_key_jwt",
  );
}

export async function startEmulatedTenant(
  fixture: TenantFixture,
  opts: EmulatedTenantOptions = {},
): Promise<EmulatedTenant> {
  const okta = await startOktaEmulator({ fixture: fixture.okta, rateLimits: opts.oktaRateLimits });
  let databricks: DatabricksEmulator | undefined;
  let keyDir: string | undefined;
  try {
    databricks = await startDatabricksEmulator({
      fixture: fixture.databricks,
      rateLimits: opts.databricksRateLimits,
      ...(opts.aimAdminApi ? { behaviour: { aimAdminApi: opts.aimAdminApi } } : {}),
    });
    const existing = fixtureServiceApp(fixture);
    let app: OktaApp;
    let privateKeyPem: string | undefined;
    let privateKeyFile: string | null = opts.privateKeyFile ?? null;
    if (existing) {
      app = okta.store.apps.get(existing.id) ?? existing;
    } else {
      const key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
      privateKeyPem = key.privateKeyPem;
      app = okta.createServiceApp({
        label: "Databricks AIM",
        jwks: [{ ...key.publicJwk, status: "ACTIVE" }],
        grants: [...AIM_OKTA_SCOPES],
        roles: [AIM_OKTA_ROLE],
        dpopBoundAccessTokens: false,
      });
      if (opts.writeKeyFile ?? true) {
        keyDir = mkdtempSync(join(tmpdir(), "aimctl-emulate-"));
        privateKeyFile = join(keyDir, "okta-aim-private-key.pem");
        // 0600 from the first byte: the file never exists with wider permissions.
        writeFileSync(privateKeyFile, privateKeyPem, { mode: 0o600, flag: "wx" });
      }
    }
    const clientId = app.credentials.oauthClient.client_id;
    const credentials: EmulatorCredentials = {
      okta: { orgUrl: okta.url, clientId, privateKeyFile, apiToken: okta.apiToken },
      databricks: {
        host: databricks.url,
        accountId: databricks.accountId,
        clientId: databricks.clientId,
        clientSecret: databricks.clientSecret,
      },
    };
    const env: Record<string, string> = {
      OKTA_ORG_URL: okta.url,
      OKTA_CLIENT_ID: clientId,
      OKTA_API_TOKEN: okta.apiToken,
      DATABRICKS_HOST: databricks.url,
      DATABRICKS_ACCOUNT_ID: databricks.accountId,
      DATABRICKS_CLIENT_ID: databricks.clientId,
      DATABRICKS_CLIENT_SECRET: databricks.clientSecret,
    };
    if (privateKeyFile) env.OKTA_PRIVATE_KEY_FILE = privateKeyFile;
    const dbx = databricks;
    return {
      okta,
      databricks: dbx,
      app,
      appCreated: !existing,
      privateKeyPem,
      credentials,
      env,
      async close() {
        await Promise.allSettled([okta.close(), dbx.close()]);
        if (keyDir) rmSync(keyDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await okta.close();
    await databricks?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    throw err;
  }
}
