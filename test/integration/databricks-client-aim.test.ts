/**
 * Both AIM admin adapters end to end, against the Okta emulator and the
 * Databricks emulator: `api` configures, tests (the emulator performs the
 * real token exchange with Okta), enables and disables; `console` runs the
 * same test itself through OktaClient, hands back the console values, and
 * refuses to click for you. Both see AIM on/off through the iamv2 probe.
 */
import * as jose from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AimError } from "../../core/http";
import type { OktaApp, TenantFixture } from "../../core/model/tenant";
import { DatabricksAccountClient } from "../../core/databricks/client";
import { createAimAdmin, openAimAdmin, type ConsoleAimAdmin } from "../../core/databricks/aimAdmin";
import { convergeAimConnection } from "../../core/workflows";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";

const LINKED_OKTA_ID = "00uLINKED00000000001";

const oktaFixture: TenantFixture["okta"] = {
  users: [
    {
      id: LINKED_OKTA_ID,
      status: "ACTIVE",
      profile: {
        login: "ann@example.com",
        email: "ann@example.com",
        firstName: "Ann",
        lastName: "A",
      },
    },
  ],
  groups: [{ id: "00gDATAENG0000000001", type: "OKTA_GROUP", profile: { name: "data-eng" } }],
  apps: [],
};

const dbxFixture: TenantFixture["databricks"] = {
  accountId: "22222222-3333-4444-8555-666666666666",
  users: [{ id: "11", userName: "ann@example.com", active: true, externalId: LINKED_OKTA_ID }],
  groups: [{ id: "21", displayName: "data-eng" }],
  servicePrincipals: [],
};

let okta: OktaEmulator;
let dbx: DatabricksEmulator;
let client: DatabricksAccountClient;
let app: OktaApp;
let privateKey: string;
let jwk: Record<string, unknown>;

beforeEach(async () => {
  okta = await startOktaEmulator({ fixture: oktaFixture, rateLimits: "off" });
  const pair = await jose.generateKeyPair("RS256", { extractable: true });
  privateKey = await jose.exportPKCS8(pair.privateKey);
  jwk = {
    ...(await jose.exportJWK(pair.publicKey)),
    kid: "k1",
    alg: "RS256",
    use: "sig",
    status: "ACTIVE",
  };
  app = okta.createServiceApp({ jwks: [jwk as never] });
  // An account with the assumed admin API (a real one answers it 404 today: the emulator's default).
  dbx = await startDatabricksEmulator({
    fixture: dbxFixture,
    rateLimits: "off",
    behaviour: { aimAdminApi: "on" },
  });
  client = new DatabricksAccountClient({
    host: dbx.url,
    accountId: dbx.accountId,
    auth: { kind: "oauthM2M", clientId: dbx.clientId, clientSecret: dbx.clientSecret },
  });
});
afterEach(async () => {
  await dbx?.close();
  await okta?.close();
});

const config = () => ({
  oktaOrgUrl: okta.url,
  clientId: app.credentials.oauthClient.client_id,
  privateKey,
});

describe("adapter `api`", () => {
  it("configures, tests, enables and disables; read() follows AIM through iamv2", async () => {
    const aim = createAimAdmin({ mode: "api", client, probeExternalId: LINKED_OKTA_ID }, {});
    expect(await aim.read()).toMatchObject({ configured: false, enabled: false, aimStatus: "off" });

    const configured = await aim.configure(config());
    expect(configured).toMatchObject({
      configured: true,
      enabled: false,
      oktaOrgUrl: okta.url,
      clientId: app.credentials.oauthClient.client_id,
      privateKeyConfigured: true,
    });
    expect(JSON.stringify(configured)).not.toContain("PRIVATE KEY");

    const test = await aim.test(config());
    expect(test.success).toBe(true);
    expect(test.steps.map((s) => [s.name, s.ok])).toEqual([
      ["token", true],
      ["read_user", true],
      ["read_group", true],
    ]);
    // The emulator really exchanged a private_key_jwt assertion with the Okta emulator.
    expect(okta.counter.get("POST /oauth2/v1/token")).toBeGreaterThanOrEqual(1);

    expect(await aim.enable()).toMatchObject({ enabled: true, aimStatus: "on" });
    expect(await aim.read()).toMatchObject({ configured: true, enabled: true, aimStatus: "on" });

    // Switched off behind our back (in the console): the probe shows it.
    dbx.setAimEnabled(false);
    expect(await aim.read()).toMatchObject({ enabled: false, aimStatus: "off" });
    dbx.setAimEnabled(true);

    expect(await aim.disable()).toMatchObject({ enabled: false, aimStatus: "off" });
  });

  it("reports a failing connection test with Okta's error (DPoP required)", async () => {
    const dpopApp = okta.createServiceApp({ jwks: [jwk as never], dpopBoundAccessTokens: true });
    const aim = createAimAdmin({ mode: "api", client }, {});
    const res = await aim.test({
      ...config(),
      clientId: dpopApp.credentials.oauthClient.client_id,
    });
    expect(res.success).toBe(false);
    expect(res.steps[0]).toMatchObject({ name: "token", ok: false });
    expect(res.steps[0].message).toMatch(/invalid_dpop_proof/);
    await aim.configure({ ...config(), clientId: dpopApp.credentials.oauthClient.client_id });
    const err = (await aim.enable().catch((e: unknown) => e)) as AimError;
    expect(err.code).toBe("ERR_AIM_PRECONDITION");
  });
});

describe("adapter `auto` (the default): the account's answer decides", () => {
  const gate = { errorCodes: [], accepted: [] };
  const connectionPath = () => `/api/2.0/accounts/${dbx.accountId}/aim/okta/connection`;

  it("the account has the admin API: api, which configures and enables AIM there", async () => {
    const { admin, choice } = await openAimAdmin(
      { mode: "auto", client, probeExternalId: LINKED_OKTA_ID },
      {},
    );
    expect(choice).toEqual({
      used: "api",
      requested: "auto",
      reason: `auto: GET ${connectionPath()} answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API`,
    });
    const r = await convergeAimConnection(admin, { config: config(), enabled: true, gate });
    expect(r.outcome).toBe("enabled");
    expect(dbx.store.connection?.clientId).toBe(app.credentials.oauthClient.client_id);
    expect(dbx.store.aimEnabled).toBe(true);
    // One question per opening: GET {base}/connection, counted by the emulator.
    const gets = dbx.counter.get("GET /api/2.0/accounts/:accountId/aim/okta/connection");
    await openAimAdmin({ mode: "auto", client }, {});
    expect(dbx.counter.get("GET /api/2.0/accounts/:accountId/aim/okta/connection")).toBe(gets + 1);
  });

  it("the account has no admin API (the emulator's strict default, as a real account today): console, test run here", async () => {
    dbx.behaviour.configure({ aimAdminApi: "off-404" });
    const tokensBefore = okta.counter.get("POST /oauth2/v1/token");
    const { admin, choice } = await openAimAdmin(
      { mode: "auto", client, probeExternalId: LINKED_OKTA_ID },
      {},
    );
    expect(choice).toEqual({
      used: "console",
      requested: "auto",
      reason: `auto: GET ${connectionPath()} answered 404 ENDPOINT_NOT_FOUND, so this account has no AIM admin API; enter the values in the account console`,
    });
    const r = await convergeAimConnection(admin, { config: config(), enabled: true, gate });
    expect(r.outcome).toBe("console");
    expect(r.test.success).toBe(true);
    // The token exchange AIM performs, run from this process against Okta.
    expect(okta.counter.get("POST /oauth2/v1/token")).toBeGreaterThan(tokensBefore);
    expect(r.console?.consoleValues.clientId).toBe(app.credentials.oauthClient.client_id);
    expect(dbx.store.connection).toBeUndefined();
    expect(dbx.store.aimEnabled).toBe(false);
  });

  it("an answer it cannot classify (503 after the retries) is an error, not the console path", async () => {
    dbx.faults.configure({
      script: [{ method: "GET", path: connectionPath(), fault: "503", times: Infinity }],
    });
    const quick = new DatabricksAccountClient(
      {
        host: dbx.url,
        accountId: dbx.accountId,
        auth: { kind: "oauthM2M", clientId: dbx.clientId, clientSecret: dbx.clientSecret },
      },
      { http: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 } },
    );
    const err = (await openAimAdmin({ mode: "auto", client: quick }, {}).catch(
      (e: unknown) => e,
    )) as AimError;
    expect(err.code).toBe("ERR_AIM_ADAPTER_UNDECIDED");
    expect(err.message).toContain(
      `GET ${connectionPath()} answered 503 TEMPORARILY_UNAVAILABLE (The service is temporarily unavailable. Please try again later.) after the retries.`,
    );
    expect(dbx.faults.injected["503"]).toBe(3);
  });
});

describe("several active keys on the Okta app", () => {
  it("fails AIM's own test while AIM sends no kid (the strict default), even with a key_id", async () => {
    const other = await jose.generateKeyPair("RS256", { extractable: true });
    const otherJwk = {
      ...(await jose.exportJWK(other.publicKey)),
      kid: "k0",
      alg: "RS256",
      use: "sig",
      status: "ACTIVE",
    };
    const twoKeys = okta.createServiceApp({ jwks: [otherJwk as never, jwk as never] });
    const cfg = { ...config(), clientId: twoKeys.credentials.oauthClient.client_id };
    const aim = createAimAdmin({ mode: "api", client }, {});
    const res = await aim.test({ ...cfg, keyId: "k1" });
    expect(res.success).toBe(false);
    expect(res.steps[0].message).toContain("The client_assertion JWT kid is invalid.");
  });

  it("needs keyId (sent as key_id / the assertion kid) in both adapters when AIM sends one", async () => {
    dbx.behaviour.aimSendsKid = true;
    const other = await jose.generateKeyPair("RS256", { extractable: true });
    const otherJwk = {
      ...(await jose.exportJWK(other.publicKey)),
      kid: "k0",
      alg: "RS256",
      use: "sig",
      status: "ACTIVE",
    };
    const twoKeys = okta.createServiceApp({ jwks: [otherJwk as never, jwk as never] });
    const cfg = { ...config(), clientId: twoKeys.credentials.oauthClient.client_id };
    for (const mode of ["api", "console"] as const) {
      const aim = createAimAdmin({ mode, client }, {});
      const without = await aim.test(cfg);
      expect(without.success).toBe(false);
      expect(without.steps[0].message).toMatch(/invalid_client|kid/i);
      const withKid = await aim.test({ ...cfg, keyId: "k1" });
      expect(withKid.success).toBe(true);
    }
  });
});

describe("adapter `console`", () => {
  it("runs the connection test itself through OktaClient", async () => {
    const aim = createAimAdmin({ mode: "console", client }, {});
    const before = okta.counter.snapshot();
    const res = await aim.test(config());
    expect(res.success).toBe(true);
    expect(res.steps.map((s) => [s.name, s.ok])).toEqual([
      ["token", true],
      ["read_user", true],
      ["read_group", true],
    ]);
    const after = okta.counter.snapshot();
    const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    expect(delta("POST /oauth2/v1/token")).toBe(1);
    expect(delta("GET /api/v1/users")).toBe(1);
    expect(delta("GET /api/v1/groups")).toBe(1);
    // Nothing was configured in Databricks.
    expect(dbx.store.connection).toBeUndefined();
  });

  it("fails the test when the app requires DPoP, naming Okta's error", async () => {
    const dpopApp = okta.createServiceApp({ jwks: [jwk as never], dpopBoundAccessTokens: true });
    const aim = createAimAdmin({ mode: "console", client }, {});
    const res = await aim.test({
      ...config(),
      clientId: dpopApp.credentials.oauthClient.client_id,
    });
    expect(res.success).toBe(false);
    expect(res.steps).toHaveLength(1);
    expect(res.steps[0].name).toBe("token");
    expect(res.steps[0].message).toMatch(/invalid_dpop_proof/);
    expect(res.steps[0].message).not.toContain(privateKey.split("\n")[1]);
  });

  it("returns the console values (key hidden from printing) and refuses enable/disable with the clicks", async () => {
    const aim = createAimAdmin(
      { mode: "console", client, probeExternalId: LINKED_OKTA_ID },
      {},
    ) as ConsoleAimAdmin;
    const out = await aim.configure(config());
    expect(out.consoleValues.oktaOrgUrl).toBe(okta.url);
    expect(out.consoleValues.clientId).toBe(app.credentials.oauthClient.client_id);
    expect(out.consoleValues.privateKey).toBe(privateKey);
    const printed = JSON.stringify(out);
    expect(printed).not.toContain("PRIVATE KEY");
    expect(printed).not.toContain(privateKey.split("\n")[1]);
    expect(out.instructions.join(" ")).toMatch(
      /Security.*User provisioning.*Automatic identity management.*Configure/,
    );
    expect(out).toMatchObject({ enabled: false, aimStatus: "off" });
    expect(dbx.store.connection).toBeUndefined();

    for (const call of [() => aim.enable(), () => aim.disable()]) {
      const err = (await call().catch((e: unknown) => e)) as AimError;
      expect(err).toBeInstanceOf(AimError);
      expect(err.code).toBe("ERR_AIM_CONSOLE_ONLY");
      expect(err.message).toMatch(/account console, click Security in the sidebar/);
    }

    dbx.setAimEnabled(true);
    expect(await aim.read()).toMatchObject({ configured: true, enabled: true, aimStatus: "on" });
  });
});
