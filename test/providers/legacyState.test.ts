/**
 * State written by an earlier provider version keeps working after core
 * changes: refresh and destroy run the provider stored in state (`__provider`,
 * serialised when that version ran `pulumi up`), and that text names core
 * modules by the paths and exports of its day (dynamic-providers/loadCore.ts).
 *
 * Each captured provider (fixtures/<version>/, written by fixtures/capture.ts
 * from that version's checkout, never edited) is driven through the
 * dynamic-provider host against today's core and the emulators: it creates
 * its state, then refresh (`read`) and destroy (`delete`) do their work. A
 * core module renamed or an export dropped without a re-export fails here.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey, type SigningKeyMaterial } from "../../core/keys/signingKey";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { smallTenant } from "../helpers/applyHarness";
import { CREDENTIAL_ENV } from "../helpers/providerCredentials";
import { startProviderHost, type ProviderHost } from "./harness/host";

const FIXTURES = path.join(__dirname, "fixtures");
/** Every captured provider version (directories holding `<Resource>.provider.js`). */
const VERSIONS = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const OKTA_TOKEN = `00${randomBytes(20).toString("hex")}`;
const DBX_TOKEN = `dapi${randomBytes(16).toString("hex")}`;
const CONFIG = { "oktaAim:oktaApiToken": OKTA_TOKEN, "oktaAim:databricksToken": DBX_TOKEN };
const TYPE = (resource: string) => `pulumi-nodejs:dynamic/okta-databricks-aim:${resource}`;

it("at least one earlier provider version is captured", () => {
  expect(VERSIONS).toContain("state-v1");
});

describe.each(VERSIONS)("state written by provider version %s", (version) => {
  let okta: OktaEmulator;
  let dbx: DatabricksEmulator;
  let key: SigningKeyMaterial;
  let journalDir: string;
  const hosts: ProviderHost[] = [];
  const fixture = smallTenant(3, { linked: 1, groups: 1, accountId: "acc-legacy-state" });

  /** A host running the captured provider of `resource`, configured with stack config only. */
  async function legacyHost(resource: string): Promise<ProviderHost> {
    const host = await startProviderHost({
      provider: readFileSync(path.join(FIXTURES, version, `${resource}.provider.js`), "utf8"),
      type: TYPE(resource),
      unsetEnv: CREDENTIAL_ENV,
    });
    hosts.push(host);
    await host.configure(CONFIG);
    return host;
  }

  beforeAll(async () => {
    key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    okta = await startOktaEmulator({
      fixture: fixture.okta,
      rateLimits: "off",
      apiToken: OKTA_TOKEN,
    });
    dbx = await startDatabricksEmulator({
      fixture: fixture.databricks,
      rateLimits: "off",
      token: DBX_TOKEN,
      // The stored providers used adapter "api": an account with the admin API.
      behaviour: { aimAdminApi: "on" },
    });
    journalDir = mkdtempSync(path.join(tmpdir(), "aim-legacy-"));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    await Promise.all([okta?.close(), dbx?.close()]);
    if (journalDir) rmSync(journalDir, { recursive: true, force: true });
  });

  it("IdentityReconciliation: refresh reads the live plan, destroy reverts the links it wrote", async () => {
    const host = await legacyHost("IdentityReconciliation");
    const news = {
      oktaOrgUrl: okta.url,
      databricksHost: dbx.url,
      accountId: dbx.accountId,
      rules: {},
      writeRoute: "scim",
      revertOnDelete: true,
      journalPath: path.join(journalDir, "journal.jsonl"),
      providerVersion: "1",
    };
    const checked = await host.check({}, news);
    expect(checked.failures).toEqual([]);
    const created = await host.create(checked.inputs);
    expect(created.outs).toMatchObject({ linksWritten: 4, pending: { users: { link: 0 } } });
    const userId = (i: number) => dbx.store.users.get(String(1000 + i))?.externalId || null;
    expect(userId(0)).toBe(fixture.okta.users[0]!.id);

    dbx.store.users.get("1000")!.externalId = ""; // drift out of band
    const refreshed = await host.read(created.id, created.outs);
    expect(refreshed.props).toMatchObject({ pending: { users: { link: 1 } }, liveRead: "read" });

    await host.delete(created.id, refreshed.props);
    // Reverted what it wrote (users 1, 2 and the group); the user linked before is untouched.
    expect([userId(1), userId(2)]).toEqual([null, null]);
    expect(userId(3)).toBe(fixture.okta.users[3]!.id);
    expect(host.stderr()).not.toContain(DBX_TOKEN);
  });

  it("AimConnection: refresh reads the live connection, destroy disables AIM", async () => {
    const host = await legacyHost("AimConnection");
    const app = okta.createServiceApp({ jwks: [key.publicJwk] });
    const news = {
      adapter: "api",
      databricksHost: dbx.url,
      accountId: dbx.accountId,
      oktaOrgUrl: okta.url,
      clientId: app.credentials.oauthClient.client_id,
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
      enabled: true,
      acceptFindings: [],
      disableOnDelete: true,
      probeExternalId: fixture.okta.users[3]!.id,
      providerVersion: "1",
    };
    const checked = await host.check({}, news);
    expect(checked.failures).toEqual([]);
    const created = await host.create(checked.inputs);
    expect(dbx.store.aimEnabled).toBe(true);

    dbx.setAimEnabled(false);
    const refreshed = await host.read(created.id, created.outs);
    expect(refreshed.props).toMatchObject({ liveEnabled: false, liveConfigured: true });

    dbx.setAimEnabled(true);
    await host.delete(created.id, refreshed.props);
    expect(dbx.store.aimEnabled).toBe(false);
    expect(host.stderr()).not.toContain("PRIVATE KEY");
  });

  it("SigningKey: refresh derives the public key from the stored private key again", async () => {
    const host = await legacyHost("SigningKey");
    const checked = await host.check({}, { rotationTrigger: "legacy", providerVersion: "2" });
    expect(checked.failures).toEqual([]);
    const created = await host.create(checked.inputs);
    const refreshed = await host.read(created.id, {
      ...created.outs,
      publicJwk: { tampered: true },
    });
    expect(refreshed.props.keyId).toBe(created.id);
    expect(refreshed.props.publicJwk).toEqual(created.outs.publicJwk);
    await host.delete(created.id, refreshed.props);
  });

  it("OktaAppDpop: refresh reads the app's live DPoP setting", async () => {
    const host = await legacyHost("OktaAppDpop");
    const app = okta.createServiceApp({ jwks: [key.publicJwk], dpopBoundAccessTokens: true });
    const news = {
      orgUrl: okta.url,
      appId: app.id,
      dpopBoundAccessTokens: false,
      providerVersion: "1",
    };
    const created = await host.create(news);
    expect(okta.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    okta.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens = true;
    const refreshed = await host.read(created.id, created.outs);
    expect(refreshed.props).toMatchObject({ liveDpopBoundAccessTokens: true });
    await host.delete(created.id, refreshed.props);
  });
});
