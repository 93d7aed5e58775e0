/**
 * 25,000 Databricks users listed through the client while the emulator
 * answers 5% of requests 429 and 5% 5xx: every user exactly once, and every
 * request accounted for (requests = pages + retries + rate-limit retries).
 * Then the realistic rate limits: the client's pace keeps inside them. Both
 * run on a virtual clock shared by the client and the emulator, so waits and
 * rate windows are what they would be, however loaded the machine is; how
 * fast it really goes is a bench/ figure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpEvent } from "../../core/http";
import { DATABRICKS_BUCKETS, DatabricksAccountClient } from "../../core/databricks/client";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { virtualClock } from "../helpers/virtualClock";

const USERS = 25_000;
const USERS_ROUTE = "GET /api/2.0/accounts/:accountId/scim/v2/Users";
const TOKEN_ROUTE = "POST /oidc/accounts/:accountId/v1/token";

let emu: DatabricksEmulator;
let fixtureIds: string[];
const clock = virtualClock();

beforeAll(async () => {
  // The generator makes slightly fewer Databricks users than slots; take exactly USERS.
  const tenant = generateTenant({ users: Math.ceil(USERS * 1.05), seed: 25 });
  const users = tenant.databricks.users.slice(0, USERS);
  expect(users).toHaveLength(USERS);
  fixtureIds = users.map((u) => u.id);
  emu = await startDatabricksEmulator({
    fixture: { ...tenant.databricks, users },
    rateLimits: "off",
    pageCap: 100,
    // Token requests are exempt so that the run measures list paging only.
    faults: { rate429: 0.05, rate500: 0.025, rate503: 0.025, seed: 2025, exempt: /\/oidc\// },
    now: clock.now,
  });
});

afterAll(async () => {
  await emu?.close();
});

describe("Databricks client at scale", () => {
  it("lists 25,000 users exactly once through 5% 429s and 5% 5xx", async () => {
    const events: HttpEvent[] = [];
    const client = new DatabricksAccountClient(
      {
        host: emu.url,
        accountId: emu.accountId,
        auth: { kind: "oauthM2M", clientId: emu.clientId, clientSecret: emu.clientSecret },
      },
      {
        listConcurrency: 8,
        now: clock.now,
        http: { now: clock.now, sleep: clock.sleep, onEvent: (e) => events.push(e) },
      },
    );
    let pagesSeen = 0;
    const users = await client.listUsers({ onPage: () => pagesSeen++ });

    // Every user exactly once, and exactly the fixture's users.
    expect(users).toHaveLength(USERS);
    const ids = users.map((u) => u.id);
    expect(new Set(ids).size).toBe(USERS);
    expect([...ids].sort()).toEqual([...fixtureIds].sort());
    // Only the projected fields were kept.
    for (const key of Object.keys(users[0])) {
      expect(["id", "userName", "externalId", "active"]).toContain(key);
    }

    const list = client.lastList.get("Users");
    const stats = client.http.stats.get(DATABRICKS_BUCKETS.scimList("Users"));
    const serverCounts = emu.counter.snapshot();
    const injected = { ...emu.faults.injected };
    console.log(
      `[databricks scale] ${USERS} users; list: ${JSON.stringify(list)}; client bucket: ${JSON.stringify(stats)}; emulator requests per endpoint: ${JSON.stringify(serverCounts)}; injected: ${JSON.stringify(injected)}; events: ${events.length}`,
    );

    expect(list).toMatchObject({
      pages: 250,
      effectivePageSize: 100,
      totalResults: USERS,
      fallback: false,
      items: USERS,
    });
    expect(pagesSeen).toBe(250);
    expect(stats).toBeDefined();
    if (!stats) return;
    // Faults really happened, and every one was retried.
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.retries).toBe(injected["500"] + injected["503"]);
    expect(stats.throttled).toBe(injected["429"]);
    // Requests = pages + retries (5xx) + retries after 429.
    expect(stats.requests).toBe((list?.pages ?? 0) + stats.retries + stats.throttled);
    // The server saw exactly what the client sent: no hidden requests, no trailing empty page.
    expect(serverCounts[USERS_ROUTE]).toBe(stats.requests);
    expect(serverCounts[TOKEN_ROUTE]).toBe(1);
    // Every retry waited: backoff after 5xx, Retry-After after 429.
    expect(clock.waits.length).toBeGreaterThanOrEqual(stats.retries + stats.throttled);
  });
});

/** A client whose pacing and the emulator's rate windows share one virtual clock. */
function pacedClient(
  limited: DatabricksEmulator,
  paced: ReturnType<typeof virtualClock>,
): DatabricksAccountClient {
  return new DatabricksAccountClient(
    {
      host: limited.url,
      accountId: limited.accountId,
      auth: { kind: "token", token: limited.token },
    },
    { listConcurrency: 16, now: paced.now, http: { now: paced.now, sleep: paced.sleep } },
  );
}

describe("Databricks client under the emulator's realistic rate limits", () => {
  it("reads Users, Groups and ServicePrincipals concurrently under one LIST budget: no 429", async () => {
    // One LIST limit per account covers all three lists. Paced per resource (100/s each, a
    // burst of 100 each), the three together went over 240/s in their first second.
    const paced = virtualClock();
    const tenant = generateTenant({ users: 10_500, seed: 27 });
    const limited = await startDatabricksEmulator({
      fixture: tenant.databricks,
      rateLimits: "realistic",
      pageCap: 10,
      now: paced.now,
    });
    try {
      const client = pacedClient(limited, paced);
      const t0 = paced.now();
      const [users, groups, sps] = await Promise.all([
        client.listUsers(),
        client.listGroups(),
        client.listServicePrincipals(),
      ]);
      const listMs = paced.now() - t0;
      expect(users).toHaveLength(tenant.databricks.users.length);
      expect(groups).toHaveLength(tenant.databricks.groups.length);
      expect(sps).toHaveLength(tenant.databricks.servicePrincipals.length);
      const pages = (["Users", "Groups", "ServicePrincipals"] as const).map(
        (r) => client.lastList.get(r)?.pages ?? 0,
      );
      const total = pages.reduce((a, b) => a + b, 0);
      const stats = (["Users", "Groups", "ServicePrincipals"] as const).map((r) =>
        client.http.stats.get(DATABRICKS_BUCKETS.scimList(r)),
      );
      console.log(
        `[databricks one LIST budget] ${total} pages (${pages.join(" + ")}) in ${listMs} ms; ${JSON.stringify(stats)}`,
      );
      expect(pages[1]).toBeGreaterThan(100); // enough group pages to overrun the limit if paced apart
      for (const s of stats) expect(s?.throttled).toBe(0);
      // The server saw each page once: nothing was refused and retried.
      const served = limited.counter.snapshot();
      const listed = ["Users", "Groups", "ServicePrincipals"].reduce(
        (n, r) => n + (served[`GET /api/2.0/accounts/:accountId/scim/v2/${r}`] ?? 0),
        0,
      );
      expect(listed).toBe(total);
      // Together at 200/s after a burst of 20: the budget is shared, not tripled.
      expect(listMs).toBeGreaterThanOrEqual(((total - 20) / 200) * 1000 - 10);
    } finally {
      await limited.close();
    }
  });

  it("stays inside LIST 240/s and PATCH 2/s without a single 429", async () => {
    const paced = virtualClock();
    const tenant = generateTenant({ users: 10_500, seed: 26 });
    const users = tenant.databricks.users.slice(0, 10_000);
    const limited = await startDatabricksEmulator({
      fixture: { ...tenant.databricks, users },
      rateLimits: "realistic",
      pageCap: 25, // 400 pages: more than one second of LIST budget
      now: paced.now,
    });
    try {
      const client = pacedClient(limited, paced);
      const t0 = paced.now();
      const listed = await client.listUsers();
      const listMs = paced.now() - t0;
      expect(listed).toHaveLength(10_000);
      const t1 = paced.now();
      for (const u of listed.slice(0, 5)) {
        await client.setExternalId("user", u.id, `00uPACED${u.id.slice(-8)}`, "scim");
      }
      const writeMs = paced.now() - t1;
      const list = client.http.stats.get(DATABRICKS_BUCKETS.scimList("Users"));
      const patch = client.http.stats.get(DATABRICKS_BUCKETS.scimPatch("Users"));
      console.log(
        `[databricks realistic] 400 pages in ${listMs} ms (${JSON.stringify(list)}); 5 PATCHes in ${writeMs} ms (${JSON.stringify(patch)})`,
      );
      expect(list).toEqual({ requests: 400, retries: 0, throttled: 0 });
      expect(patch).toEqual({ requests: 5, retries: 0, throttled: 0 });
      // On the clock: 400 pages at 200/s after a burst of 20 take 1.9 s; 5 writes at 2/s, 2 s.
      expect(listMs).toBeGreaterThanOrEqual(1_890);
      expect(writeMs).toBeGreaterThanOrEqual(2_000);
    } finally {
      await limited.close();
    }
  });
});
