import { afterEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { call, fixtureWith } from "./databricks-helpers";

let emu: DatabricksEmulator;
afterEach(async () => {
  await emu?.close();
});

const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe("Databricks emulator: rate limits and faults", () => {
  it("allows 2 PATCH per second, then 429 REQUEST_LIMIT_EXCEEDED with Retry-After", async () => {
    let now = 1_800_000_000_000;
    emu = await startDatabricksEmulator({ fixture: fixtureWith({ users: 1 }), now: () => now });
    const url = `${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users/1000000`;
    const patch = (v: string) =>
      call(url, {
        method: "PATCH",
        token: emu.token,
        json: {
          schemas: [PATCH_OP],
          Operations: [{ op: "replace", path: "externalId", value: v }],
        },
      });
    expect((await patch("00u1")).status).toBe(200);
    expect((await patch("00u2")).status).toBe(200);
    const refused = await patch("00u3");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body).toEqual({
      error_code: "REQUEST_LIMIT_EXCEEDED",
      message: "Too many requests: the PATCH limit is 2 requests per second.",
    });
    // A refused write has no effect.
    expect(emu.store.users.get("1000000")!.externalId).toBe("00u2");
    now += 1000;
    expect((await patch("00u3")).status).toBe(200);
  });

  it("keeps buckets apart (GET 20/s) and can be switched off or overridden", async () => {
    const now = 1_800_000_000_000;
    emu = await startDatabricksEmulator({ fixture: fixtureWith({ users: 1 }), now: () => now });
    const get = () =>
      call(`${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users/1000000`, {
        token: emu.token,
      });
    for (let i = 0; i < 20; i++) expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);
    // LIST is its own bucket.
    const list = await call(`${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users`, {
      token: emu.token,
    });
    expect(list.status).toBe(200);
    await emu.close();

    emu = await startDatabricksEmulator({
      fixture: fixtureWith({ users: 1 }),
      rateLimits: "off",
      now: () => now,
    });
    for (let i = 0; i < 30; i++) expect((await get()).status).toBe(200);
    await emu.close();

    emu = await startDatabricksEmulator({
      fixture: fixtureWith({ users: 1 }),
      rateLimits: { get: 1 },
      now: () => now,
    });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(429);
  });

  it("injects 429 / 500 / 503 / drop by script, with Databricks bodies, and never on control endpoints", async () => {
    emu = await startDatabricksEmulator({ fixture: fixtureWith({ users: 1 }), rateLimits: "off" });
    const url = `${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2/Users`;
    const set = await call(`${emu.url}/__emulator/faults`, {
      method: "POST",
      json: {
        script: [
          { path: "/api/2.0/accounts/", fault: "429", value: 7 },
          { path: "/api/2.0/accounts/", fault: "503", value: 2 },
          { path: "/api/2.0/accounts/", fault: "500" },
          { path: "/api/2.0/accounts/", fault: "drop" },
          { path: { regex: "^/__emulator/" }, fault: "500", times: null },
        ],
      },
    });
    expect(set.status).toBe(200);
    const r429 = await call(url, { token: emu.token });
    expect(r429.status).toBe(429);
    expect(r429.headers.get("retry-after")).toBe("7");
    expect(r429.body).toMatchObject({ error_code: "REQUEST_LIMIT_EXCEEDED" });
    const r503 = await call(url, { token: emu.token });
    expect(r503.status).toBe(503);
    expect(r503.headers.get("retry-after")).toBe("2");
    expect(r503.body).toMatchObject({ error_code: "TEMPORARILY_UNAVAILABLE" });
    const r500 = await call(url, { token: emu.token });
    expect(r500.status).toBe(500);
    expect(r500.body).toMatchObject({ error_code: "INTERNAL_ERROR" });
    await expect(call(url, { token: emu.token })).rejects.toThrow();
    expect((await call(url, { token: emu.token })).status).toBe(200);
    const counts = await call(`${emu.url}/__emulator/counts`);
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({
      counts: { "GET /api/2.0/accounts/:accountId/scim/v2/Users": 5 },
      injected: { "429": 1, "500": 1, "503": 1, drop: 1 },
    });
  });
});
