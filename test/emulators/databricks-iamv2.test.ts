import { afterEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { call, fixtureWith } from "./databricks-helpers";

let emu: DatabricksEmulator;
afterEach(async () => {
  await emu?.close();
});

const NOT_ONBOARDED = {
  error_code: "FAILED_PRECONDITION",
  message: "The account is not onboarded onto automatic identity management.",
};

async function start(n: Parameters<typeof fixtureWith>[0], aimEnabled = false) {
  emu = await startDatabricksEmulator({ fixture: fixtureWith(n), rateLimits: "off", aimEnabled });
  const base = `${emu.url}/api/2.0/identity/accounts/${emu.accountId}`;
  return {
    get: (path: string) => call(`${base}${path}`, { token: emu.token }),
    send: (method: string, path: string, json: unknown) =>
      call(`${base}${path}`, { method, token: emu.token, json }),
  };
}

describe("Databricks emulator: iamv2", () => {
  it("fails resolve-by-external-id and external-* look-ups while AIM is off", async () => {
    const { get, send } = await start({ users: 1 });
    emu.store.users.get("1000000")!.externalId = "00uA";
    for (const kind of ["users", "groups", "service-principals"]) {
      const res = await send("POST", `/${kind}/resolve-by-external-id`, { external_id: "00uA" });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(NOT_ONBOARDED);
    }
    for (const kind of ["external-users", "external-groups", "external-service-principals"]) {
      const res = await get(`/${kind}/00uA`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(NOT_ONBOARDED);
    }
  });

  it("answers not-onboarded with 412 where told to (both statuses carry FAILED_PRECONDITION)", async () => {
    const { get } = await start({ users: 1 });
    emu.behaviour.configure({ notOnboardedStatus: 412 });
    const res = await get("/external-users/00uA");
    expect(res.status).toBe(412);
    expect(res.body).toEqual(NOT_ONBOARDED);
  });

  it("answers 403 or 404 on every iamv2 endpoint while the iamv2 preview is off", async () => {
    const { get, send } = await start({ users: 1 }, true);
    emu.store.users.get("1000000")!.externalId = "00uA";
    const calls = () => [
      get("/external-users/00uA"),
      send("POST", "/users/resolve-by-external-id", { external_id: "00uA" }),
      get("/users"),
      send("PATCH", "/users/1000000?update_mask=external_id", { external_id: "00uB" }),
    ];
    emu.behaviour.configure({ iamv2Preview: "off-403" });
    for (const res of await Promise.all(calls())) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        error_code: "PERMISSION_DENIED",
        message: "The identity (iamv2) API preview is not enabled for this account.",
      });
    }
    emu.behaviour.configure({ iamv2Preview: "off-404" });
    for (const res of await Promise.all(calls())) {
      expect(res.status).toBe(404);
      expect((res.body as { error_code: string }).error_code).toBe("ENDPOINT_NOT_FOUND");
    }
    // Nothing was written while the preview was off.
    expect(emu.store.users.get("1000000")!.externalId).toBe("00uA");
  });

  it("resolves linked identities while AIM is on", async () => {
    const { get, send } = await start({ users: 1, groups: 1, servicePrincipals: 1 }, true);
    emu.store.users.get("1000000")!.externalId = "00uA";
    emu.store.groups.get("2000000")!.externalId = "00gA";
    const ext = await get("/external-users/00uA");
    expect(ext.status).toBe(200);
    expect(ext.body).toEqual({
      name: `accounts/${emu.accountId}/external-users/00uA`,
      account_id: emu.accountId,
      external_user_id: "00uA",
      internal_id: "1000000",
      username: "user000000@example.com",
      display_name: "User 0",
      account_user_status: "ACTIVE",
    });
    const res = await send("POST", "/groups/resolve-by-external-id", { external_id: "00gA" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      group: {
        account_id: emu.accountId,
        group_id: "2000000",
        group_name: "group-000000",
        external_id: "00gA",
      },
    });
    // Unknown to Databricks and no Okta connection to read it from.
    const missing = await get("/external-users/00uNOPE");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_code: "RESOURCE_DOES_NOT_EXIST" });
    const sp = await send("POST", "/service-principals/resolve-by-external-id", {
      external_id: "x",
    });
    expect(sp.status).toBe(404);
    expect((sp.body as { message: string }).message).toContain("service principals are not synced");
  });

  it("lists with page_size / page_token until next_page_token is absent", async () => {
    const { get } = await start({ users: 25 });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await get(`/users?page_size=10${token ? `&page_token=${token}` : ""}`);
      expect(res.status).toBe(200);
      const body = res.body as { users: Array<{ user_id: string }>; next_page_token?: string };
      seen.push(...body.users.map((u) => u.user_id));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);
    const bad = await get("/users?page_token=garbage");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "Invalid page_token.",
    });
    const filtered = await get(
      `/users?filter=${encodeURIComponent('username eq "user000007@example.com"')}`,
    );
    expect((filtered.body as { users: unknown[] }).users).toHaveLength(1);
  });

  it("PATCH ?update_mask=external_id sets and clears externalId", async () => {
    const { send } = await start({ users: 1, groups: 1, servicePrincipals: 1 });
    const res = await send("PATCH", "/users/1000000?update_mask=external_id", {
      external_id: "00uX",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: "1000000", external_id: "00uX" });
    expect(emu.store.users.get("1000000")!.externalId).toBe("00uX");
    await send("PATCH", "/groups/2000000?update_mask=external_id", { external_id: "00gX" });
    expect(emu.store.groups.get("2000000")!.externalId).toBe("00gX");
    await send("PATCH", "/service-principals/3000000?update_mask=external_id", {
      external_id: "sp-x",
    });
    expect(emu.store.servicePrincipals.get("3000000")!.externalId).toBe("sp-x");
    await send("PATCH", "/users/1000000?update_mask=external_id", {});
    expect(emu.store.users.get("1000000")!.externalId).toBeUndefined();
  });

  it("accepts but drops a chosen PATCH: the answer shows the value, the store keeps the old one", async () => {
    const { get, send } = await start({ users: 1 });
    emu.behaviour.configure({ dropWrites: [{ route: "iamv2" }] });
    const res = await send("PATCH", "/users/1000000?update_mask=external_id", {
      external_id: "00uX",
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: "1000000", external_id: "00uX" });
    expect(emu.store.users.get("1000000")!.externalId).toBeUndefined();
    expect((await get("/users/1000000")).body).not.toHaveProperty("external_id");
    // A refused write is not a dropped one.
    await send("PATCH", "/users/1000000?update_mask=bogus", {});
    expect(emu.behaviour.dropped).toHaveLength(1);
  });

  it("refuses a missing or unknown update_mask, and non-external_id masks on IdP-sourced identities while AIM is on", async () => {
    const { send } = await start({ users: 1 });
    const none = await send("PATCH", "/users/1000000", { external_id: "00uX" });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: "update_mask is required, e.g. update_mask=external_id.",
    });
    const unknown = await send("PATCH", "/users/1000000?update_mask=username", { username: "x" });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { message: string }).message).toContain("'username' is not updatable");
    emu.store.users.get("1000000")!.externalId = "00uA";
    emu.setAimEnabled(true);
    const idp = await send("PATCH", "/users/1000000?update_mask=full_name.given_name", {
      full_name: { given_name: "X" },
    });
    expect(idp.status).toBe(400);
    expect((idp.body as { message: string }).message).toContain("only external_id can be updated");
    expect(
      (await send("PATCH", "/users/1000000?update_mask=external_id", { external_id: "00uB" }))
        .status,
    ).toBe(200);
  });
});
