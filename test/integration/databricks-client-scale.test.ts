/**
 * 25,000 Databricks users listed through the client while the emulator
 * answers 5% of requests 429 and 5% 5xx: every user exactly once, and every
 * request accounted for (requests = pages + retries + rate-limit retries).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpEvent } from "../../core/http";
import { DATABRICKS_BUCKETS, DatabricksAccountClient } from "../../core/databricks/client";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { generateTenant } from "../../emulators/tenant/synthetic";

const USERS = 25_000;
const USERS_ROUTE = "GET /api/2.0/accounts/:accountId/scim/v2/Users";
const TOKEN_ROUTE = "POST /oidc/accounts/:accountId/v1/token";

let emu: DatabricksEmulator;
let fixtureIds: string[];

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
        // Short waits keep the run fast; Retry-After is capped at 4 × maxDelayMs.
        http: { baseDelayMs: 2, maxDelayMs: 25, onEvent: (e) => events.push(e) },
      },
    );
    const t0 = Date.now();
    let pagesSeen = 0;
    const users = await client.listUsers({ onPage: () => pagesSeen++ });
    const ms = Date.now() - t0;

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
      `[databricks scale] ${USERS} users in ${ms} ms; list: ${JSON.stringify(list)}; client bucket: ${JSON.stringify(stats)}; emulator requests per endpoint: ${JSON.stringify(serverCounts)}; injected: ${JSON.stringify(injected)}; events: ${events.length}`,
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
    expect(ms).toBeLessThan(60_000);
  });
});

describe("Databricks client under the emulator's realistic rate limits", () => {
  it("stays inside LIST 240/s and PATCH 2/s without a single 429", async () => {
    const tenant = generateTenant({ users: 10_500, seed: 26 });
    const users = tenant.databricks.users.slice(0, 10_000);
    const limited = await startDatabricksEmulator({
      fixture: { ...tenant.databricks, users },
      rateLimits: "realistic",
      pageCap: 25, // 400 pages: more than one second of LIST budget
    });
    try {
      const client = new DatabricksAccountClient(
        {
          host: limited.url,
          accountId: limited.accountId,
          auth: { kind: "token", token: limited.token },
        },
        { listConcurrency: 16 },
      );
      const t0 = Date.now();
      const listed = await client.listUsers();
      const listMs = Date.now() - t0;
      expect(listed).toHaveLength(10_000);
      const t1 = Date.now();
      for (const u of listed.slice(0, 5)) {
        await client.setExternalId("user", u.id, `00uPACED${u.id.slice(-8)}`, "scim");
      }
      const writeMs = Date.now() - t1;
      const list = client.http.stats.get(DATABRICKS_BUCKETS.scimList("Users"));
      const patch = client.http.stats.get(DATABRICKS_BUCKETS.scimPatch("Users"));
      console.log(
        `[databricks realistic] 400 pages in ${listMs} ms (${JSON.stringify(list)}); 5 PATCHes in ${writeMs} ms (${JSON.stringify(patch)})`,
      );
      expect(list).toEqual({ requests: 400, retries: 0, throttled: 0 });
      expect(patch).toEqual({ requests: 5, retries: 0, throttled: 0 });
      // 400 pages at 100/s with a burst of 100: at least ~3 s; 5 writes at 2/s: at least ~2 s.
      expect(listMs).toBeGreaterThanOrEqual(2_500);
      expect(writeMs).toBeGreaterThanOrEqual(1_900);
    } finally {
      await limited.close();
    }
  });
});
