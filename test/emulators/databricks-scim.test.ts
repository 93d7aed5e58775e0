import { afterEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { call, fixtureWith } from "./databricks-helpers";

let emu: DatabricksEmulator;
afterEach(async () => {
  await emu?.close();
});

const SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function start(n: Parameters<typeof fixtureWith>[0], pageCap?: number) {
  emu = await startDatabricksEmulator({ fixture: fixtureWith(n), pageCap, rateLimits: "off" });
  const base = `${emu.url}/api/2.0/accounts/${emu.accountId}/scim/v2`;
  const get = (path: string) => call(`${base}${path}`, { token: emu.token });
  const send = (method: string, path: string, json: unknown) =>
    call(`${base}${path}`, { method, token: emu.token, json });
  return { base, get, send };
}

interface ListBody {
  totalResults: number;
  itemsPerPage: number;
  startIndex: number;
  schemas: string[];
  Resources?: Array<Record<string, unknown>>;
}

describe("Databricks emulator: account SCIM list", () => {
  it("refuses a count above 100 with the SCIM error, as the API reference constrains it", async () => {
    const { get } = await start({ users: 3 });
    for (const count of [101, 10000]) {
      // 10000 is what the SDK asks for: a server that enforces the constraint refuses it.
      const res = await get(`/Users?startIndex=1&count=${count}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        schemas: [SCIM_ERROR],
        scimType: "invalidValue",
        detail: `Invalid value '${count}' for count: it must be at most 100.`,
        status: "400",
      });
    }
    expect((await get("/Groups?count=101")).status).toBe(400);
    expect((await get("/Users?count=100")).status).toBe(200);
  });

  it("pages with the server-side cap: every identity exactly once, as the SDK pages", async () => {
    const { get } = await start({ users: 257 }, 100);
    const seen: string[] = [];
    let startIndex = 1;
    const pageSizes: number[] = [];
    for (;;) {
      // Like the SDK, advance by what was served until an empty page (at the documented maximum count).
      const res = await get(`/Users?startIndex=${startIndex}&count=100`);
      expect(res.status).toBe(200);
      const body = res.body as ListBody;
      expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]);
      expect(body.totalResults).toBe(257);
      expect(body.startIndex).toBe(startIndex);
      if (!body.Resources) {
        expect(body.itemsPerPage).toBe(0);
        break;
      }
      pageSizes.push(body.Resources.length);
      expect(body.itemsPerPage).toBe(body.Resources.length);
      for (const r of body.Resources) seen.push(String(r.id));
      startIndex += body.Resources.length;
    }
    expect(pageSizes).toEqual([100, 100, 57]);
    expect(seen.length).toBe(257);
    expect(new Set(seen).size).toBe(257);
    expect(emu.counter.get("GET /api/2.0/accounts/:accountId/scim/v2/Users")).toBe(4);
  });

  it("renders users with SCIM attributes and no externalId when unset", async () => {
    const { get } = await start({ users: 2 });
    emu.store.users.get("1000001")!.externalId = "00uLINKED";
    const body = (await get("/Users")).body as ListBody;
    const [u0, u1] = body.Resources!;
    expect(u0).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: "1000000",
      userName: "user000000@example.com",
      displayName: "User 0",
      active: true,
      emails: [{ value: "user000000@example.com", primary: true }],
    });
    expect(u1.externalId).toBe("00uLINKED");
  });

  it("filters with eq / co / sw / ne and and / or", async () => {
    const { get } = await start({ users: 30 });
    const ids = async (filter: string) =>
      ((await get(`/Users?filter=${encodeURIComponent(filter)}`)).body as ListBody).Resources?.map(
        (r) => r.id,
      ) ?? [];
    expect(await ids('userName eq "USER000003@example.com"')).toEqual(["1000003"]);
    expect(await ids('userName sw "user00002"')).toHaveLength(10);
    // user000001 and user000010..19
    expect(await ids('userName co "00001"')).toHaveLength(11);
    expect(await ids('userName sw "user00002" and displayName ne "User 21"')).toHaveLength(9);
    expect(await ids('id eq "1000001" or id eq "1000029" or id eq "nope"')).toEqual([
      "1000001",
      "1000029",
    ]);
    expect(await ids('emails.value eq "user000005@example.com"')).toEqual(["1000005"]);
  });

  it("accepts 100 `id eq` terms (199 nodes) and refuses 101 (201 nodes) with 400 invalidFilter", async () => {
    const { get } = await start({ users: 150 });
    const filter = (n: number) =>
      Array.from({ length: n }, (_, i) => `id eq "${1000000 + i}"`).join(" or ");
    const ok = await get(`/Users?filter=${encodeURIComponent(filter(100))}`);
    expect(ok.status).toBe(200);
    expect((ok.body as ListBody).totalResults).toBe(100);
    const tooBig = await get(`/Users?filter=${encodeURIComponent(filter(101))}`);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toEqual({
      schemas: [SCIM_ERROR],
      scimType: "invalidFilter",
      detail:
        "INVALID_FILTER: the filter has 201 nodes; SCIM filter expressions are limited to 200 nodes. Break large filters into multiple smaller requests.",
      status: "400",
    });
  });

  it("refuses unsupported operators and unparsable filters with 400", async () => {
    const { get } = await start({ users: 1 });
    const gt = await get(`/Users?filter=${encodeURIComponent('userName gt "a"')}`);
    expect(gt.status).toBe(400);
    expect(gt.body).toMatchObject({ scimType: "invalidFilter", status: "400" });
    expect((gt.body as { detail: string }).detail).toContain("operator 'gt' is not supported");
    const junk = await get(`/Users?filter=${encodeURIComponent("userName eq")}`);
    expect(junk.status).toBe(400);
    expect((junk.body as { detail: string }).detail).toContain("could not be parsed");
  });

  it("projects with attributes / excludedAttributes, always returning id", async () => {
    const { get } = await start({ users: 1 });
    const only = ((await get("/Users?attributes=userName")).body as ListBody).Resources![0];
    expect(only).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: "1000000",
      userName: "user000000@example.com",
    });
    const without = ((await get("/Users?excludedAttributes=emails,id")).body as ListBody)
      .Resources![0];
    expect(without.id).toBe("1000000");
    expect(without).not.toHaveProperty("emails");
    expect(without.userName).toBe("user000000@example.com");
  });

  it("lists groups without members; a GET by id shows them", async () => {
    const { get, send } = await start({ groups: 1, users: 1 });
    const patched = await send("PATCH", "/Groups/2000000", {
      schemas: [PATCH_OP],
      Operations: [{ op: "add", path: "members", value: [{ value: "1000000" }] }],
    });
    expect(patched.status).toBe(200);
    const listed = ((await get("/Groups")).body as ListBody).Resources![0];
    expect(listed).not.toHaveProperty("members");
    const one = (await get("/Groups/2000000")).body as Record<string, unknown>;
    expect(one.members).toEqual([{ value: "1000000" }]);
  });
});

describe("Databricks emulator: account SCIM get, create, patch, delete", () => {
  it("answers 404 with the SCIM error body (status as a string)", async () => {
    const { get } = await start({});
    const res = await get("/Users/999");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ schemas: [SCIM_ERROR], detail: "User not found", status: "404" });
    expect((await get("/Groups/999")).body).toEqual({
      schemas: [SCIM_ERROR],
      detail: "Group not found",
      status: "404",
    });
  });

  it("PATCH externalId add / replace / remove persists", async () => {
    const { get, send } = await start({ users: 1 });
    const patchOp = (op: object) =>
      send("PATCH", "/Users/1000000", { schemas: [PATCH_OP], Operations: [op] });
    const added = await patchOp({ op: "add", path: "externalId", value: "00uA" });
    // The API reference's answer to PATCH: an empty object, never the resource.
    expect(added).toMatchObject({ status: 200, body: {} });
    expect(added.body).toEqual({});
    expect(((await get("/Users/1000000")).body as Record<string, unknown>).externalId).toBe("00uA");
    await patchOp({ op: "replace", path: "externalId", value: "00uB" });
    expect(emu.store.users.get("1000000")!.externalId).toBe("00uB");
    await patchOp({ op: "replace", value: { externalId: "00uC" } });
    expect(((await get("/Users/1000000")).body as Record<string, unknown>).externalId).toBe("00uC");
    await patchOp({ op: "remove", path: "externalId" });
    expect((await get("/Users/1000000")).body).not.toHaveProperty("externalId");
  });

  it("silently ignores userName and emails changes (200, unchanged)", async () => {
    const { send } = await start({ users: 1 });
    const res = await send("PATCH", "/Users/1000000", {
      schemas: [PATCH_OP],
      Operations: [
        { op: "replace", path: "userName", value: "renamed@example.com" },
        { op: "replace", path: "emails", value: [{ value: "x@example.com", primary: true }] },
        { op: "replace", path: "externalId", value: "00uZ" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    const u = emu.store.users.get("1000000")!;
    expect(u.externalId).toBe("00uZ");
    expect(u.userName).toBe("user000000@example.com");
    expect(u.emails).toEqual([{ value: "user000000@example.com", primary: true }]);
  });

  it("accepts but drops the writes it is told to, answering exactly as for a kept write", async () => {
    const { get, send } = await start({ users: 3, groups: 1 });
    emu.behaviour.configure({ dropWrites: [{ kind: "Users", ids: ["1000001"], times: 1 }] });
    const patch = (path: string, value: string) =>
      send("PATCH", path, {
        schemas: [PATCH_OP],
        Operations: [{ op: "replace", path: "externalId", value }],
      });
    const kept = await patch("/Users/1000000", "00uKEPT");
    const dropped = await patch("/Users/1000001", "00uDROPPED");
    expect(dropped.status).toBe(kept.status);
    expect(dropped.body).toEqual(kept.body);
    expect(emu.store.users.get("1000000")!.externalId).toBe("00uKEPT");
    expect(((await get("/Users/1000001")).body as Record<string, unknown>).externalId).toBe(
      undefined,
    );
    expect(emu.behaviour.dropped).toEqual([{ kind: "Users", id: "1000001", route: "scim" }]);
    // `times: 1`: the next write of the same identity persists.
    await patch("/Users/1000001", "00uSECOND");
    expect(emu.store.users.get("1000001")!.externalId).toBe("00uSECOND");
  });

  it("takes the behaviour switches at POST /__emulator/behaviour and names a bad one", async () => {
    const { get, send } = await start({ users: 1 });
    const control = (json: unknown) =>
      call(`${emu.url}/__emulator/behaviour`, { method: "POST", json });
    expect((await control({ dropWrites: [{ route: "scim" }] })).status).toBe(200);
    await send("PATCH", "/Users/1000000", {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", path: "externalId", value: "00uX" }],
    });
    expect(((await get("/Users/1000000")).body as Record<string, unknown>).externalId).toBe(
      undefined,
    );
    const bad = await control({ dropWrites: [{ route: "ftp" }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error_code: "INVALID_PARAMETER_VALUE",
      message: 'dropWrites[0].route must be "scim" or "iamv2"',
    });
    expect((await control({ strict: false })).status).toBe(400);
  });

  it("refuses an invalid PatchOp with 400 invalidSyntax", async () => {
    const { send } = await start({ users: 1 });
    for (const body of [
      { schemas: ["urn:wrong"], Operations: [{ op: "replace", path: "externalId", value: "x" }] },
      { schemas: [PATCH_OP], Operations: [{ op: "bogus", path: "externalId" }] },
      { schemas: [PATCH_OP] },
    ]) {
      const res = await send("PATCH", "/Users/1000000", body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        schemas: [SCIM_ERROR],
        scimType: "invalidSyntax",
        detail: "Request is unparsable, syntactically incorrect, or violates schema.",
        status: "400",
      });
    }
    expect(emu.store.users.get("1000000")!.externalId).toBeUndefined();
  });

  it("creates (201), refuses duplicates with 409, deletes (204)", async () => {
    const { get, send } = await start({ users: 1, groups: 1, servicePrincipals: 1 });
    const created = await send("POST", "/Users", { userName: "new@example.com" });
    expect(created.status).toBe(201);
    const id = String((created.body as Record<string, unknown>).id);
    expect(id).toMatch(/^\d{16}$/);
    const dup = await send("POST", "/Users", { userName: "USER000000@example.com" });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ schemas: [SCIM_ERROR], status: "409" });
    expect((dup.body as { detail: string }).detail).toBe(
      "User with username USER000000@example.com already exists.",
    );
    expect((await send("POST", "/Groups", { displayName: "group-000000" })).status).toBe(409);
    expect(
      (
        await send("POST", "/ServicePrincipals", {
          applicationId: "00000000-0000-0000-0000-000000000000",
        })
      ).status,
    ).toBe(409);
    expect((await send("DELETE", `/Users/${id}`, undefined)).status).toBe(204);
    expect((await get(`/Users/${id}`)).status).toBe(404);
  });

  it("refuses to create an identity with an externalId while AIM is on", async () => {
    const { send } = await start({});
    emu.setAimEnabled(true);
    const res = await send("POST", "/Users", { userName: "a@example.com", externalId: "00u1" });
    expect(res.status).toBe(400);
    expect((res.body as { detail: string }).detail).toContain(
      "not allowed while automatic identity management is enabled",
    );
    emu.setAimEnabled(false);
    expect(
      (await send("POST", "/Users", { userName: "a@example.com", externalId: "00u1" })).status,
    ).toBe(201);
  });
});
