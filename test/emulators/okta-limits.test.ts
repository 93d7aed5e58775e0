/**
 * Okta emulator rate limits (headers on every response, 429 E0000047 after
 * the limit, reset in the future) and injected faults by rate and by script
 * (429 with reset headers, 500, 503, dropped connections), with the control
 * endpoints exempt.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  REALISTIC_RATE_LIMITS,
  UNLIMITED_RATE,
  startOktaEmulator,
  type OktaEmulator,
} from "../../emulators/okta";
import { api, oneUserOrg } from "./okta-helpers";

let em: OktaEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

const fixture = oneUserOrg();

function rate(h: Headers): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(h.get("x-rate-limit-limit")),
    remaining: Number(h.get("x-rate-limit-remaining")),
    reset: Number(h.get("x-rate-limit-reset")),
  };
}

describe("Okta emulator rate limits", () => {
  it("sends decreasing X-Rate-Limit headers, then 429 E0000047 with a future reset", async () => {
    let clock = Date.UTC(2025, 5, 1, 12, 0, 10);
    em = await startOktaEmulator({ fixture, rateLimits: { users: 3 }, now: () => clock });
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
      expect(res.status).toBe(200);
      const r = rate(res.headers);
      expect(r.limit).toBe(3);
      seen.push(r.remaining);
    }
    expect(seen).toEqual([2, 1, 0]);
    const limited = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({
      errorCode: "E0000047",
      errorSummary: "API call exceeded rate limit due to too many requests.",
      errorLink: "E0000047",
      errorCauses: [],
    });
    const r = rate(limited.headers);
    expect(r).toMatchObject({ limit: 3, remaining: 0 });
    expect(r.reset).toBeGreaterThan(Math.floor(clock / 1000));
    expect(r.reset).toBe(Date.UTC(2025, 5, 1, 12, 1, 0) / 1000);
    // Buckets are separate: single-user reads still pass.
    expect((await api(em.url, "/api/v1/users/a@x.io", `SSWS ${em.apiToken}`)).status).toBe(200);
    // After the reset the window starts over.
    clock = r.reset * 1000;
    const again = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect(again.status).toBe(200);
    expect(rate(again.headers).remaining).toBe(2);
  });

  it("uses the realistic limits by default, on every management response including errors", async () => {
    em = await startOktaEmulator({ fixture });
    const ok = await api(em.url, "/api/v1/groups", `SSWS ${em.apiToken}`);
    expect(rate(ok.headers).limit).toBe(REALISTIC_RATE_LIMITS.groups);
    const unauth = await api(em.url, "/api/v1/users", undefined);
    expect(unauth.status).toBe(401);
    expect(rate(unauth.headers).limit).toBe(REALISTIC_RATE_LIMITS.users);
    const missing = await api(em.url, "/api/v1/apps/0oanope", `SSWS ${em.apiToken}`);
    expect(missing.status).toBe(404);
    expect(rate(missing.headers).limit).toBe(REALISTIC_RATE_LIMITS.apps);
  });

  it('"off" never refuses but still sends headers with a high limit', async () => {
    // One fixed instant: on the wall clock a minute boundary inside the loop starts a new window.
    const atWindowStart = Date.UTC(2026, 0, 1);
    em = await startOktaEmulator({ fixture, rateLimits: "off", now: () => atWindowStart });
    let last: Headers | undefined;
    for (let i = 0; i < 610; i++) {
      const res = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
      expect(res.status).toBe(200);
      last = res.headers;
    }
    expect(rate(last!).limit).toBe(UNLIMITED_RATE);
    expect(rate(last!).remaining).toBe(UNLIMITED_RATE - 610);
  });
});

describe("Okta emulator fault injection", () => {
  it("injects 429 (with reset headers), 500 and 503 by script, in Okta's error shape", async () => {
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    em = await startOktaEmulator({
      fixture,
      now: () => now,
      faults: {
        script: [
          { path: "/api/v1/users", fault: "429", value: 7 },
          { path: "/api/v1/users", fault: "500" },
          { path: "/api/v1/users", fault: "503" },
        ],
      },
    });
    const r429 = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect(r429.status).toBe(429);
    expect(r429.body).toMatchObject({ errorCode: "E0000047" });
    expect(rate(r429.headers)).toEqual({
      limit: REALISTIC_RATE_LIMITS.users,
      remaining: 0,
      reset: now / 1000 + 7,
    });
    const r500 = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect(r500.status).toBe(500);
    expect(r500.body).toMatchObject({
      errorCode: "E0000009",
      errorSummary: "Internal Server Error",
    });
    const r503 = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect(r503.status).toBe(503);
    expect(r503.body).toMatchObject({
      errorCode: "E0000010",
      errorSummary: "Service is in read only mode",
    });
    expect((await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`)).status).toBe(200);
    expect(em.faults.injected).toMatchObject({ "429": 1, "500": 1, "503": 1 });
  });

  it("drops connections and injects by rate, set through POST /__emulator/faults (itself exempt)", async () => {
    em = await startOktaEmulator({ fixture });
    // Everything faulted: the control endpoints must still answer.
    const set = await fetch(`${em.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rate500: 1 }),
    });
    expect(set.status).toBe(204);
    expect((await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`)).status).toBe(500);
    const counts = await api(em.url, "/__emulator/counts", undefined);
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({
      counts: { "GET /api/v1/users": 1 },
      injected: { "500": 1 },
    });

    await fetch(`${em.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ script: [{ method: "GET", path: "/api/v1/groups", fault: "drop" }] }),
    });
    await expect(
      fetch(`${em.url}/api/v1/groups`, { headers: { authorization: `SSWS ${em.apiToken}` } }),
    ).rejects.toThrow();
    expect((await api(em.url, "/api/v1/groups", `SSWS ${em.apiToken}`)).status).toBe(200);

    // By rate, deterministic with a seed: about a third of 300 requests get a 429/503.
    await fetch(`${em.url}/__emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rate429: 0.2, rate503: 0.1, seed: 42 }),
    });
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 300; i++) {
      const s = (await api(em.url, "/api/v1/groups", `SSWS ${em.apiToken}`)).status;
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
    expect(statuses[429]).toBeGreaterThan(35);
    expect(statuses[429]).toBeLessThan(85);
    expect(statuses[503]).toBeGreaterThan(12);
    expect(statuses[503]).toBeLessThan(50);
    expect(statuses[200] + statuses[429] + statuses[503]).toBe(300);
  });
});
