import { afterEach, describe, expect, it } from "vitest";
import { AimError, ConfigError, HttpError } from "../../core/http";
import {
  DATABRICKS_BUCKETS,
  DatabricksAccountClient,
  type DatabricksClientOptions,
} from "../../core/databricks/client";
import { startFakeDatabricks, type FakeDatabricks } from "./databricks-fakes";

let fake: FakeDatabricks | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  init: Parameters<typeof startFakeDatabricks>[0] = {},
  opts: DatabricksClientOptions = {},
): Promise<{ fake: FakeDatabricks; client: DatabricksAccountClient; waits: number[] }> {
  fake = await startFakeDatabricks(init);
  const waits: number[] = [];
  const client = new DatabricksAccountClient(
    {
      host: fake.url,
      accountId: fake.accountId,
      auth: { kind: "oauthM2M", clientId: fake.clientId, clientSecret: fake.clientSecret },
    },
    {
      ...opts,
      http: { sleep: async (ms) => void waits.push(ms), baseDelayMs: 1, ...opts.http },
    },
  );
  return { fake, client, waits };
}

const scimLists = (f: FakeDatabricks, resource = "Users") =>
  f.requests.filter(
    (r) => r.method === "GET" && r.path.endsWith(`/scim/v2/${resource}`) && !r.query.has("filter"),
  );

describe("DatabricksAccountClient: OAuth M2M", () => {
  it("fetches one token for concurrent calls (Basic auth, client_credentials, all-apis) and caches it", async () => {
    const { fake, client } = await setup({ users: 5 });
    await Promise.all([client.listUsers(), client.listGroups(), client.listServicePrincipals()]);
    await client.listUsers();
    const tokenReqs = fake.requests.filter((r) => r.path.endsWith("/v1/token"));
    expect(tokenReqs).toHaveLength(1);
    expect(tokenReqs[0].path).toBe(`/oidc/accounts/${fake.accountId}/v1/token`);
    expect(tokenReqs[0].headers.authorization).toBe(
      `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`,
    );
    expect(Object.fromEntries(new URLSearchParams(tokenReqs[0].body))).toEqual({
      grant_type: "client_credentials",
      scope: "all-apis",
    });
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${fake.tokensIssued[0]}`);
  });

  it("refreshes 60 s before expiry", async () => {
    let now = 1_000_000;
    const { fake, client } = await setup({ users: 1 }, { now: () => now });
    await client.listUsers();
    now += 3600_000 - 61_000;
    await client.listUsers();
    expect(fake.tokensIssued).toHaveLength(1);
    now += 2_000; // inside the 60 s margin
    await client.listUsers();
    expect(fake.tokensIssued).toHaveLength(2);
  });

  it("refreshes once on 401 with a cached token, then gives up", async () => {
    const { fake, client } = await setup({ users: 1 });
    await client.listUsers();
    fake.tokensIssued.splice(0); // the server forgets the token (revoked / rotated)
    await client.listUsers();
    expect(fake.requests.filter((r) => r.path.endsWith("/v1/token"))).toHaveLength(2);

    fake.intercept = (r) =>
      r.path.includes("/scim/")
        ? { status: 401, body: { error_code: "UNAUTHENTICATED", message: "nope" } }
        : undefined;
    const before = fake.requests.length;
    const err = await client.listUsers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe("ERR_DATABRICKS_UNAUTHORIZED");
    expect((err as HttpError).message).toMatch(/returned 401 \(UNAUTHENTICATED: nope\)/);
    // list, token refresh, list again: no loop.
    expect(fake.requests.length - before).toBe(3);
  });

  it("explains a rejected client secret without quoting it", async () => {
    const { fake, client } = await setup({ users: 1 });
    fake.clientSecret = "a-different-secret-on-the-server";
    const err = (await client.listUsers().catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe("ERR_DATABRICKS_UNAUTHORIZED");
    expect(err.serviceCode).toBe("invalid_client");
    expect(err.message).toMatch(
      /^OAuth M2M token request failed: POST .*\/oidc\/accounts\/acc-1\/v1\/token returned 401.*Check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET/,
    );
    expect(`${err.message} ${err.stack}`).not.toContain("dose-super-secret-value-1234567890");
  });

  it("sends a static token as Bearer and never asks for one", async () => {
    fake = await startFakeDatabricks({ users: 2 });
    const client = new DatabricksAccountClient({
      host: fake.url,
      accountId: fake.accountId,
      auth: { kind: "token", token: "static-pat-token-0123456789" },
    });
    expect(await client.listUsers()).toHaveLength(2);
    expect(fake.requests.some((r) => r.path.endsWith("/v1/token"))).toBe(false);
    expect(fake.requests[0].headers.authorization).toBe("Bearer static-pat-token-0123456789");
  });
});

describe("DatabricksAccountClient: SCIM lists", () => {
  it("learns the page size from page 1 and fetches the rest without an empty page", async () => {
    const { fake, client } = await setup({ users: 250, pageCap: 100 });
    const pages: number[] = [];
    const users = await client.listUsers({ onPage: (n) => pages.push(n) });
    expect(users).toHaveLength(250);
    expect(new Set(users.map((u) => u.id)).size).toBe(250);
    const reqs = scimLists(fake);
    expect(reqs.map((r) => r.query.get("startIndex")).sort()).toEqual(["1", "101", "201"]);
    // The documented maximum ("count … Constraints: <= 100"), not the SDK's 10000.
    expect(reqs[0].query.get("count")).toBe("100");
    expect(reqs.slice(1).map((r) => r.query.get("count"))).toEqual(["100", "100"]);
    expect(reqs[0].query.get("attributes")).toBe("id,userName,externalId,active");
    expect(pages.sort()).toEqual([100, 100, 50]);
    expect(client.lastList.get("Users")).toMatchObject({
      pages: 3,
      effectivePageSize: 100,
      totalResults: 250,
      fallback: false,
      items: 250,
    });
    expect(client.http.stats.get(DATABRICKS_BUCKETS.scimList("Users"))?.requests).toBe(3);
  });

  it("keeps only the projected fields", async () => {
    const { client } = await setup({ users: 4, groups: 1, servicePrincipals: 1 });
    const users = await client.listUsers();
    expect(users[0]).toEqual({
      id: "u1",
      userName: "user1@example.com",
      externalId: "00u1",
      active: true,
    });
    expect(users[1]).toEqual({ id: "u2", userName: "user2@example.com", active: true });
    expect(await client.listGroups()).toEqual([{ id: "g1", displayName: "Group 1" }]);
    expect(await client.listServicePrincipals()).toEqual([
      { id: "sp1", applicationId: "app-1", displayName: "SP 1" },
    ]);
  });

  it("needs one request when everything fits on page 1, and none more for an empty list", async () => {
    const { fake, client } = await setup({ users: 40, groups: 0 });
    await client.listUsers();
    await client.listGroups();
    expect(scimLists(fake, "Users")).toHaveLength(1);
    expect(scimLists(fake, "Groups")).toHaveLength(1);
  });

  it("honours a requested page size below the server cap", async () => {
    const { fake, client } = await setup({ users: 95, pageCap: 100 }, { pageSize: 30 });
    expect(await client.listUsers()).toHaveLength(95);
    expect(scimLists(fake).map((r) => r.query.get("count"))).toEqual(["30", "30", "30", "30"]);
  });

  it("falls back to sequential paging when identities are removed meanwhile, and loses none", async () => {
    const { fake, client } = await setup({ users: 300, pageCap: 100 });
    let removed = false;
    fake.afterListPage = (start) => {
      if (start === 1 && !removed) {
        removed = true;
        fake.users.splice(10, 5); // five users deleted after page 1 was served
      }
    };
    const users = await client.listUsers();
    const ids = new Set(users.map((u) => u.id));
    // Everyone still present is listed; those deleted meanwhile may remain (seen on page 1).
    for (const u of fake.users) expect(ids.has(String(u.id))).toBe(true);
    expect(ids.size).toBe(users.length);
    const stats = client.lastList.get("Users");
    expect(stats?.fallback).toBe(true);
    // 3 concurrent pages, then the sequential pass: 3 pages + the empty one.
    expect(scimLists(fake)).toHaveLength(3 + 4);
  });

  it("falls back when identities are added meanwhile", async () => {
    const { fake, client } = await setup({ users: 200, pageCap: 100 });
    let added = false;
    fake.afterListPage = () => {
      if (!added) {
        added = true;
        fake.users.unshift({ id: "new1", userName: "new1@example.com", active: true });
      }
    };
    const users = await client.listUsers();
    expect(users.map((u) => u.id)).toContain("new1");
    expect(users).toHaveLength(201);
    expect(client.lastList.get("Users")?.fallback).toBe(true);
  });

  it("paces list pages to the account's one LIST budget", async () => {
    const { client, waits } = await setup(
      { users: 500, pageCap: 50 },
      { listRatePerSecond: 4, listConcurrency: 4 },
    );
    await client.listUsers();
    // 10 pages at 4/s with a burst of 1: the others wait.
    expect(waits.filter((w) => w > 0).length).toBeGreaterThanOrEqual(5);
  });
});

describe("DatabricksAccountClient: getByIds", () => {
  it("batches at most 100 ids per filter (≤ 200 nodes) and returns what exists, in request order", async () => {
    const { fake, client } = await setup({ users: 300, pageCap: 100 });
    const ids = [...Array.from({ length: 250 }, (_, i) => `u${250 - i}`), "missing", "u3"];
    const got = await client.getByIds("user", ids);
    expect(got.map((u) => u.id)).toEqual(Array.from({ length: 250 }, (_, i) => `u${250 - i}`));
    const filtered = fake.requests.filter((r) => r.query.has("filter"));
    expect(filtered).toHaveLength(3);
    for (const r of filtered) {
      const n = (r.query.get("filter") ?? "").split(" or ").length;
      expect(n).toBeLessThanOrEqual(100);
      expect(r.query.get("filter")).toMatch(/^id eq "[^"]+"( or id eq "[^"]+")*$/);
    }
  });

  it("pages within a batch when the server caps count below the batch", async () => {
    const { fake, client } = await setup({ groups: 120, pageCap: 30 });
    const got = await client.getByIds(
      "group",
      Array.from({ length: 100 }, (_, i) => `g${i + 1}`),
    );
    expect(got).toHaveLength(100);
    expect(fake.requests.filter((r) => r.query.has("filter"))).toHaveLength(4);
  });

  it("rejects an unknown kind with a ConfigError", async () => {
    const { client } = await setup();
    const err = await client.getByIds("robot" as never, ["x"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/identity kind "robot" is unknown/);
  });
});

describe("DatabricksAccountClient: setExternalId", () => {
  it("SCIM route: PatchOp replace, then remove for null", async () => {
    const { fake, client } = await setup({ users: 3, groups: 2 });
    await client.setExternalId("user", "u2", "00uAAA", "scim");
    expect(fake.users[1].externalId).toBe("00uAAA");
    const patch = fake.requests.find((r) => r.method === "PATCH");
    expect(patch?.path).toBe(`/api/2.0/accounts/${fake.accountId}/scim/v2/Users/u2`);
    expect(JSON.parse(patch?.body ?? "")).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "externalId", value: "00uAAA" }],
    });
    await client.setExternalId("user", "u2", null, "scim");
    expect(fake.users[1].externalId).toBeUndefined();
    expect(JSON.parse(fake.requests.at(-1)?.body ?? "").Operations).toEqual([
      { op: "remove", path: "externalId" },
    ]);
    await client.setExternalId("group", "g2", "00gB", "scim");
    expect(fake.groups[1].externalId).toBe("00gB");
  });

  it("iamv2 route: PATCH …/{kind}/{id}?update_mask=external_id with {external_id}", async () => {
    const { fake, client } = await setup({ users: 2, servicePrincipals: 1 });
    await client.setExternalId("user", "u2", "00uB", "iamv2");
    const patch = fake.requests.find((r) => r.method === "PATCH");
    expect(patch?.path).toBe(`/api/2.0/identity/accounts/${fake.accountId}/users/u2`);
    expect(patch?.query.get("update_mask")).toBe("external_id");
    expect(JSON.parse(patch?.body ?? "")).toEqual({ external_id: "00uB" });
    expect(fake.users[1].externalId).toBe("00uB");
    await client.setExternalId("servicePrincipal", "sp1", "00uC", "iamv2");
    expect(fake.requests.at(-1)?.path).toBe(
      `/api/2.0/identity/accounts/${fake.accountId}/service-principals/sp1`,
    );
    await client.setExternalId("user", "u2", null, "iamv2");
    expect(JSON.parse(fake.requests.at(-1)?.body ?? "")).toEqual({});
    expect(fake.users[1].externalId).toBeUndefined();
  });

  it("paces writes to writeRatePerSecond across routes and kinds", async () => {
    const { client, waits } = await setup({ users: 5, groups: 5 }, { writeRatePerSecond: 2 });
    for (let i = 1; i <= 3; i++) await client.setExternalId("user", `u${i}`, `00u${i}`, "scim");
    for (let i = 1; i <= 2; i++) await client.setExternalId("group", `g${i}`, `00g${i}`, "iamv2");
    // Burst 1 at 2/s: every write after the first waits for its slot.
    expect(waits.filter((w) => w > 0).length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...waits)).toBeGreaterThan(400);
  });

  it("retries a write after a 5xx (PATCH is idempotent) and reports a 404 as NOT_FOUND", async () => {
    const { fake, client } = await setup({ users: 2 });
    let failed = 0;
    fake.intercept = (r) =>
      r.method === "PATCH" && failed++ < 1
        ? { status: 503, body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "busy" } }
        : undefined;
    await client.setExternalId("user", "u1", "00uX", "scim");
    expect(fake.users[0].externalId).toBe("00uX");
    expect(fake.requests.filter((r) => r.method === "PATCH")).toHaveLength(2);
    const err = (await client
      .setExternalId("user", "nope", "00uY", "iamv2")
      .catch((e: unknown) => e)) as HttpError;
    expect(err.code).toBe("ERR_DATABRICKS_NOT_FOUND");
    expect(err.message).toMatch(
      /PATCH .*\/identity\/accounts\/acc-1\/users\/nope\?update_mask=external_id returned 404/,
    );
  });

  it("detects a write that answered success without persisting", async () => {
    const { fake, client } = await setup({ users: 1 });
    fake.intercept = (r) =>
      r.method === "PATCH"
        ? { status: 200, body: { id: "u1", userName: "x", externalId: "" } }
        : undefined;
    const err = (await client
      .setExternalId("user", "u1", "00uZ", "scim")
      .catch((e: unknown) => e)) as AimError;
    expect(err.code).toBe("ERR_DATABRICKS_WRITE_NOT_PERSISTED");
    expect(err.message).toMatch(/externalId is null, not "00uZ": try the other write route/);
  });
});

describe("DatabricksAccountClient: iamv2 look-ups", () => {
  it("finds a linked identity, returns undefined on 404, and types the not-onboarded error", async () => {
    const { fake, client } = await setup({ users: 4 });
    expect(await client.getByExternalId("user", "00u1")).toEqual({ id: "u1", externalId: "00u1" });
    expect(await client.getByExternalId("user", "00u-none")).toBeUndefined();
    expect(fake.requests.at(-1)?.path).toBe(
      `/api/2.0/identity/accounts/${fake.accountId}/external-users/00u-none`,
    );
    expect(await client.aimStatus("00u1")).toBe("on");
    expect(await client.aimStatus("00u-none")).toBe("unknown");
    expect(await client.aimStatus()).toBe("unknown");

    fake.aimEnabled = false;
    const err = (await client.getByExternalId("user", "00u1").catch((e: unknown) => e)) as AimError;
    expect(err).toBeInstanceOf(AimError);
    expect(err.code).toBe("ERR_AIM_NOT_ENABLED");
    expect(err.message).toMatch(
      /automatic identity management is not enabled for Databricks account acc-1/,
    );
    expect(await client.aimStatus("00u1")).toBe("off");
    expect(await client.aimStatus()).toBe("off");
  });
});
