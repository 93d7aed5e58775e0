import { afterEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { call, fixtureWith, m2mToken } from "./databricks-helpers";

let emu: DatabricksEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe("Databricks emulator: account OAuth M2M and Bearer checks", () => {
  it("issues a 3600 s Bearer token for the service principal's Basic credentials", async () => {
    emu = await startDatabricksEmulator({ fixture: fixtureWith({ users: 1 }) });
    expect(emu.accountId).toBe("acc-0000-test");
    const t = await m2mToken(emu.url, emu.accountId, emu.clientId, emu.clientSecret);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "all-apis" });
    const users = await call(`${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users`, {
      token: String(t.body.access_token),
    });
    expect(users.status).toBe(200);
  });

  it("accepts client_id / client_secret as form fields too", async () => {
    emu = await startDatabricksEmulator();
    const res = await fetch(`${emu.url}/oidc/accounts/${emu.accountId}/v1/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: "all-apis",
        client_id: emu.clientId,
        client_secret: emu.clientSecret,
      }).toString(),
    });
    expect(res.status).toBe(200);
  });

  it("refuses a bad secret with 401 invalid_client", async () => {
    emu = await startDatabricksEmulator();
    const t = await m2mToken(emu.url, emu.accountId, emu.clientId, "wrong");
    expect(t.status).toBe(401);
    expect(t.body).toEqual({
      error: "invalid_client",
      error_description: "Client authentication failed",
    });
  });

  it("expires tokens after 3600 s", async () => {
    let now = 1_800_000_000_000;
    emu = await startDatabricksEmulator({ now: () => now });
    const t = await m2mToken(emu.url, emu.accountId, emu.clientId, emu.clientSecret);
    const url = `${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users`;
    now += 3599_000;
    expect((await call(url, { token: String(t.body.access_token) })).status).toBe(200);
    now += 1_000;
    const expired = await call(url, { token: String(t.body.access_token) });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error_code: "UNAUTHENTICATED", message: "Token expired." });
  });

  it("answers 401 UNAUTHENTICATED without or with an unknown token, 403 for another account", async () => {
    emu = await startDatabricksEmulator();
    const url = `${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users`;
    const none = await call(url);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error_code: "UNAUTHENTICATED",
      message: "Credential was not sent or was of an unsupported type for this API.",
    });
    const bad = await call(url, { token: "nope" });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error_code: "UNAUTHENTICATED", message: "Invalid access token." });
    const other = await call(`${emu.url}/api/2.0/accounts/other-account/scim/v2/Users`, {
      token: emu.token,
    });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error_code: "PERMISSION_DENIED" });
    expect((other.body as { message: string }).message).toContain("other-account");
  });

  it("accepts the PAT as Bearer", async () => {
    emu = await startDatabricksEmulator({ token: "dapi-test" });
    const res = await call(`${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Groups`, {
      token: "dapi-test",
    });
    expect(res.status).toBe(200);
  });
});
