import * as jose from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OktaApp, TenantFixture } from "../../core/model/tenant";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { call } from "./databricks-helpers";

const oktaFixture: TenantFixture["okta"] = {
  users: [
    {
      id: "00uALICE",
      status: "ACTIVE",
      profile: {
        login: "alice@example.com",
        email: "alice@example.com",
        firstName: "Alice",
        lastName: "A",
      },
    },
    {
      id: "00uBOB",
      status: "ACTIVE",
      profile: {
        login: "bob@example.com",
        email: "bob@example.com",
        firstName: "Bob",
        lastName: "B",
      },
    },
  ],
  groups: [{ id: "00gDATA", type: "OKTA_GROUP", profile: { name: "data-eng", description: null } }],
  apps: [],
};

const dbxFixture: TenantFixture["databricks"] = {
  accountId: "acc-aim-test",
  users: [
    { id: "11", userName: "alice@example.com", displayName: "Alice", active: true },
    {
      id: "12",
      userName: "bob@example.com",
      displayName: "Bob",
      active: true,
      externalId: "00uBOB",
    },
  ],
  groups: [{ id: "21", displayName: "data-eng" }],
  servicePrincipals: [],
};

let okta: OktaEmulator;
let dbx: DatabricksEmulator;
let privateKeyPem: string;
let app: OktaApp;

async function newKey(kid: string) {
  const { privateKey, publicKey } = await jose.generateKeyPair("RS256", { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return {
    pem: await jose.exportPKCS8(privateKey),
    jwk: { ...jwk, kty: "RSA", kid, alg: "RS256", use: "sig", status: "ACTIVE" as const },
  };
}

beforeEach(async () => {
  okta = await startOktaEmulator({ fixture: oktaFixture, rateLimits: "off" });
  const key = await newKey("k1");
  privateKeyPem = key.pem;
  app = okta.createServiceApp({ jwks: [key.jwk] });
  dbx = await startDatabricksEmulator({
    fixture: dbxFixture,
    rateLimits: "off",
    behaviour: { aimAdminApi: "on" },
  });
});
afterEach(async () => {
  await dbx?.close();
  await okta?.close();
});

const connUrl = () => `${dbx.url}/api/2.0/accounts/${dbx.accountId}/aim/okta/connection`;
const admin = (path: string, method = "GET", json?: unknown) =>
  call(`${connUrl()}${path}`, { method, token: dbx.token, json });
const clientId = () => app.credentials.oauthClient.client_id;

describe("Databricks emulator: whether the account has the assumed AIM admin API (aimAdminApi)", () => {
  const routes = [
    ["GET", ""],
    ["PUT", ""],
    ["POST", "/test"],
    ["POST", "/enable"],
    ["POST", "/disable"],
  ] as const;

  it("strict default: absent, every route answers as a path the account does not serve (404 ENDPOINT_NOT_FOUND)", async () => {
    const fresh = await startDatabricksEmulator({ fixture: dbxFixture, rateLimits: "off" });
    try {
      expect(fresh.behaviour.aimAdminApi).toBe("off-404");
      const base = `${fresh.url}/api/2.0/accounts/${fresh.accountId}/aim/okta/connection`;
      for (const [method, sub] of routes) {
        const res = await call(`${base}${sub}`, {
          method,
          token: fresh.token,
          ...(method === "GET" ? {} : { json: {} }),
        });
        expect(res.status, `${method} ${sub}`).toBe(404);
        expect(res.body).toEqual({
          error_code: "ENDPOINT_NOT_FOUND",
          message: `No API found for '${method} /api/2.0/accounts/${fresh.accountId}/aim/okta/connection${sub}'`,
        });
      }
      // Authentication first, as on every account API.
      const anonymous = await call(base, {});
      expect(anonymous.status).toBe(401);
      // Nothing reached the admin API's state.
      expect(fresh.store.connection).toBeUndefined();
      expect(fresh.store.aimEnabled).toBe(false);
    } finally {
      await fresh.close();
    }
  });

  it('"off-403" answers the not-enrolled form; "on" serves the contract; the switch is posted like the others', async () => {
    dbx.behaviour.configure({ aimAdminApi: "off-403" });
    const refused = await admin("");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: "PERMISSION_DENIED" });
    const on = await call(`${dbx.url}/__emulator/behaviour`, {
      method: "POST",
      json: { aimAdminApi: "on" },
    });
    expect(on.status).toBe(200);
    expect((await admin("")).body).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
    const bad = await call(`${dbx.url}/__emulator/behaviour`, {
      method: "POST",
      json: { aimAdminApi: "yes" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: "aimAdminApi must be one of on, off-403, off-404" });
    // configure replaces every switch: absent, it is back to the strict default.
    dbx.behaviour.configure({});
    expect((await admin("")).body).toMatchObject({ error_code: "ENDPOINT_NOT_FOUND" });
  });
});

describe("Databricks emulator: AIM admin API (docs/aim-admin-api.md)", () => {
  it("answers 404 RESOURCE_DOES_NOT_EXIST before configuration", async () => {
    const res = await admin("");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("validates PUT fields, naming the field and never echoing the key", async () => {
    const base = { okta_org_url: okta.url, client_id: clientId(), private_key: privateKeyPem };
    const http = await admin("", "PUT", { ...base, okta_org_url: "http://example.okta.com" });
    expect(http.status).toBe(400);
    expect(http.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "okta_org_url must use https (http is accepted only for a loopback host)",
    });
    const noClient = await admin("", "PUT", { ...base, client_id: "" });
    expect(noClient.status).toBe(400);
    expect((noClient.body as { message: string }).message).toMatch(/^client_id is required/);
    const badKey = "-----BEGIN PRIVATE KEY-----\nTOTALLYSECRETBUTBROKEN\n-----END PRIVATE KEY-----";
    const bad = await admin("", "PUT", { ...base, private_key: badKey });
    expect(bad.status).toBe(400);
    expect((bad.body as { message: string }).message).toMatch(
      /^private_key is not a usable private key/,
    );
    expect(JSON.stringify(bad.body)).not.toContain("TOTALLYSECRET");
    expect((await admin("")).status).toBe(404);
  });

  it("configures, tests (a real token exchange against the Okta emulator) and enables", async () => {
    const put = await admin("", "PUT", {
      okta_org_url: `${okta.url}/`,
      client_id: clientId(),
      private_key: privateKeyPem,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      idp: "okta",
      okta_org_url: okta.url,
      client_id: clientId(),
      private_key_configured: true,
      enabled: false,
    });
    expect((put.body as { update_time: string }).update_time).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    const keyBody = privateKeyPem.split("\n")[1];
    expect(JSON.stringify(put.body)).not.toContain(keyBody);
    expect(JSON.stringify((await admin("")).body)).not.toContain(keyBody);

    const early = await admin("/enable", "POST");
    expect(early.status).toBe(400);
    expect(early.body).toEqual({
      error_code: "FAILED_PRECONDITION",
      message:
        "The configured Okta connection has not been tested; run the connection test before enabling.",
    });

    const test = await admin("/test", "POST");
    expect(test.status).toBe(200);
    expect(test.body).toEqual({
      success: true,
      steps: [
        {
          name: "token",
          ok: true,
          message: "access token obtained (scopes okta.users.read okta.groups.read)",
        },
        { name: "read_user", ok: true, message: "read 1 user" },
        { name: "read_group", ok: true, message: "read 1 group" },
      ],
    });
    expect(okta.counter.get("POST /oauth2/v1/token")).toBe(1);
    expect(okta.counter.get("GET /api/v1/users")).toBe(1);
    expect(okta.counter.get("GET /api/v1/groups")).toBe(1);

    const enabled = await admin("/enable", "POST");
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(dbx.store.aimEnabled).toBe(true);
    // Observed through the public iamv2 API.
    const ext = await call(
      `${dbx.url}/api/2.0/identity/accounts/${dbx.accountId}/external-users/00uBOB`,
      { token: dbx.token },
    );
    expect(ext.status).toBe(200);
    expect(ext.body).toMatchObject({ internal_id: "12" });

    const disabled = await admin("/disable", "POST");
    expect(disabled.body).toMatchObject({ enabled: false });
    const off = await call(
      `${dbx.url}/api/2.0/identity/accounts/${dbx.accountId}/external-users/00uBOB`,
      { token: dbx.token },
    );
    expect(off.status).toBe(400);
    expect(off.body).toMatchObject({ error_code: "FAILED_PRECONDITION" });
  });

  it("reports Okta's error when the app requires DPoP, and refuses to enable", async () => {
    const key = await newKey("k2");
    const dpopApp = okta.createServiceApp({ jwks: [key.jwk], dpopBoundAccessTokens: true });
    const cfg = {
      okta_org_url: okta.url,
      client_id: dpopApp.credentials.oauthClient.client_id,
      private_key: key.pem,
    };
    const test = await admin("/test", "POST", cfg);
    expect(test.status).toBe(200);
    expect(test.body).toEqual({
      success: false,
      steps: [
        {
          name: "token",
          ok: false,
          message:
            "token request failed: HTTP 400 invalid_dpop_proof The DPoP proof JWT header is missing.",
        },
      ],
    });
    expect(okta.counter.get("POST /oauth2/v1/token")).toBe(1);
    expect((await admin("", "PUT", cfg)).status).toBe(200);
    const enable = await admin("/enable", "POST");
    expect(enable.status).toBe(400);
    expect((enable.body as { message: string }).message).toContain("last connection test");
    expect(dbx.store.aimEnabled).toBe(false);
  });

  it("reports a missing scope grant as the token step's failure", async () => {
    const key = await newKey("k3");
    const noGroups = okta.createServiceApp({ jwks: [key.jwk], grants: ["okta.users.read"] });
    const test = await admin("/test", "POST", {
      okta_org_url: okta.url,
      client_id: noGroups.credentials.oauthClient.client_id,
      private_key: key.pem,
    });
    const body = test.body as { success: boolean; steps: Array<{ ok: boolean; message: string }> };
    expect(body.success).toBe(false);
    expect(body.steps[0].message).toContain("invalid_scope");
  });
});

describe("Databricks emulator: AIM login behaviour", () => {
  async function configureAndEnable() {
    await admin("", "PUT", {
      okta_org_url: okta.url,
      client_id: clientId(),
      private_key: privateKeyPem,
    });
    await admin("/test", "POST");
    expect((await admin("/enable", "POST")).status).toBe(200);
  }

  it("creates a duplicate for an unlinked user and reuses a linked one", async () => {
    await configureAndEnable();
    const alice = await dbx.login("00uALICE");
    expect(alice.created).toBe(true);
    expect(alice.duplicateOf).toEqual(["11"]);
    const created = dbx.store.users.get(alice.userId)!;
    expect(created).toMatchObject({ userName: "alice@example.com", externalId: "00uALICE" });
    expect(dbx.store.users.get("11")!.externalId).toBeUndefined();
    expect(dbx.store.findUsersByUserName("alice@example.com")).toHaveLength(2);

    const bob = await dbx.login("00uBOB");
    expect(bob).toEqual({ userId: "12", created: false, duplicateOf: [] });
    // The Okta user was read through the connection (token reused from the cache).
    expect(okta.counter.get("GET /api/v1/users/:id")).toBe(1);

    const again = await call(`${dbx.url}/__emulator/aim/login`, {
      method: "POST",
      json: { okta_user_id: "00uALICE" },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ user_id: alice.userId, created: false, duplicate_of: ["11"] });
  });

  it("answers 400 while AIM is off, and uses the given login when no connection is configured", async () => {
    const off = await call(`${dbx.url}/__emulator/aim/login`, {
      method: "POST",
      json: { okta_user_id: "00uALICE" },
    });
    expect(off.status).toBe(400);
    expect(off.body).toEqual({
      error_code: "FAILED_PRECONDITION",
      message: "The account is not onboarded onto automatic identity management.",
    });
    await expect(dbx.login("00uALICE")).rejects.toThrow("FAILED_PRECONDITION");
    dbx.setAimEnabled(true);
    const noLogin = await call(`${dbx.url}/__emulator/aim/login`, {
      method: "POST",
      json: { okta_user_id: "00uALICE" },
    });
    expect(noLogin.status).toBe(400);
    expect(noLogin.body).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE" });
    const hinted = await call(`${dbx.url}/__emulator/aim/login`, {
      method: "POST",
      json: { okta_user_id: "00uALICE", login: "alice@example.com" },
    });
    expect(hinted.status).toBe(200);
    expect(hinted.body).toMatchObject({ created: true, duplicate_of: ["11"] });
  });

  it("creates nothing at login once reconciliation linked the user", async () => {
    // What reconciliation does before AIM is enabled: the SCIM PATCH of externalId.
    const patch = await call(`${dbx.url}/api/2.0/accounts/${dbx.accountId}/scim/v2/Users/11`, {
      method: "PATCH",
      token: dbx.token,
      json: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "replace", path: "externalId", value: "00uALICE" }],
      },
    });
    expect(patch.status).toBe(200);
    await configureAndEnable();
    const before = dbx.store.users.size;
    expect(await dbx.login("00uALICE")).toEqual({ userId: "11", created: false, duplicateOf: [] });
    expect(dbx.store.users.size).toBe(before);
  });
});
