import { afterEach, describe, expect, it } from "vitest";
import {
  AimError,
  ConfigError,
  HttpClient,
  HttpError,
  InsecureUrlError,
  TokenBucket,
  assertSecureUrl,
  isLoopbackHost,
  type HttpClientOptions,
  type HttpEvent,
} from "../../core/http";
import { WindowRateLimiter } from "../../emulators/common/counters";
import { virtualClock } from "../helpers/virtualClock";
import { sendJson, startTestServer, type TestHandler, type TestServer } from "./httpServer";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: TestHandler): Promise<TestServer> {
  server = await startTestServer(handler);
  return server;
}

/** A fake sleep that records the waits and returns at once. */
function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}

function client(over: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({ service: "okta", sleep: async () => undefined, ...over });
}

async function caught(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (e) {
    return e as HttpError;
  }
  throw new Error("expected a rejection");
}

describe("retries on 5xx and connection errors", () => {
  it("retries a GET after 5xx a bounded number of times with jittered exponential backoff", async () => {
    const s = await serve((_r, res) => sendJson(res, 500, { errorCode: "E0000009" }));
    const { waits, sleep } = recordingSleep();
    const events: HttpEvent[] = [];
    const http = client({
      sleep,
      maxRetries: 3,
      baseDelayMs: 100,
      onEvent: (e) => events.push(e),
    });
    const err = await caught(http.request({ method: "GET", url: `${s.url}/api/v1/users` }));
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe("ERR_OKTA_SERVER");
    expect(err.status).toBe(500);
    expect(err.message).toBe(`GET ${s.url}/api/v1/users returned 500 (E0000009)`);
    expect(s.requests).toHaveLength(4); // 1 + 3 retries, then give up
    expect(waits).toHaveLength(3);
    // "Equal jitter": failure n waits in [exp/2, exp], exp = base * 2^(n-1).
    waits.forEach((w, i) => {
      const exp = 100 * 2 ** i;
      expect(w).toBeGreaterThanOrEqual(exp / 2);
      expect(w).toBeLessThanOrEqual(exp);
    });
    expect(events.map((e) => e.type)).toEqual(["retry", "retry", "retry"]);
    expect(events[0]).toMatchObject({ bucket: "okta GET /api/v1/users", status: 500, attempt: 1 });
    expect(http.stats.get("okta GET /api/v1/users")).toEqual({
      requests: 4,
      retries: 3,
      throttled: 0,
    });
  });

  it("jitters: repeated runs do not wait the same times", async () => {
    const s = await serve((_r, res) => sendJson(res, 503, {}));
    const ratios = new Set<number>();
    for (let run = 0; run < 5; run++) {
      const { waits, sleep } = recordingSleep();
      await caught(
        client({ sleep, maxRetries: 1, baseDelayMs: 1000 }).request({ method: "GET", url: s.url }),
      );
      ratios.add(waits[0]);
    }
    expect(ratios.size).toBeGreaterThan(1);
  });

  it("caps the backoff at maxDelayMs", async () => {
    const s = await serve((_r, res) => sendJson(res, 502, {}));
    const { waits, sleep } = recordingSleep();
    await caught(
      client({ sleep, maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 4000 }).request({
        method: "GET",
        url: s.url,
      }),
    );
    expect(waits).toHaveLength(6);
    expect(Math.max(...waits)).toBeLessThanOrEqual(4000);
    expect(waits.slice(3).every((w) => w >= 2000)).toBe(true);
  });

  it("recovers when a retry succeeds", async () => {
    let n = 0;
    const s = await serve((_r, res) =>
      ++n <= 2 ? sendJson(res, n === 1 ? 500 : 502, {}) : sendJson(res, 200, [{ id: "00u1" }]),
    );
    const http = client();
    const res = await http.request<Array<{ id: string }>>({ method: "GET", url: `${s.url}/x` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: "00u1" }]);
    expect(s.requests).toHaveLength(3);
    expect(http.totalRequests()).toBe(3);
  });

  it("retries dropped connections, then fails with ERR_OKTA_NETWORK", async () => {
    const s = await serve((_r, _res, raw) => void raw.socket.destroy());
    const http = client({ maxRetries: 2 });
    const err = await caught(http.request({ method: "GET", url: `${s.url}/api/v1/groups` }));
    expect(err.code).toBe("ERR_OKTA_NETWORK");
    expect(err.kind).toBe("NETWORK");
    expect(err.message).toMatch(
      new RegExp(`^GET ${s.url}/api/v1/groups failed: .+ after 3 attempt\\(s\\)$`),
    );
    expect(s.requests).toHaveLength(3);
  });

  it("recovers from a dropped connection", async () => {
    let n = 0;
    const s = await serve((_r, res, raw) =>
      ++n === 1 ? void raw.socket.destroy() : sendJson(res, 200, { ok: true }),
    );
    const res = await client().request({ method: "GET", url: s.url });
    expect(res.body).toEqual({ ok: true });
    expect(s.requests).toHaveLength(2);
  });

  it("treats a connection dropped while the body streams as a retryable network error", async () => {
    let n = 0;
    const s = await serve((_r, res, raw) => {
      if (++n === 1) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('[{"id":');
        setTimeout(() => raw.socket.destroy(), 20);
      } else sendJson(res, 200, [{ id: "00u2" }]);
    });
    const res = await client().request({ method: "GET", url: s.url });
    expect(res.body).toEqual([{ id: "00u2" }]);
    expect(s.requests).toHaveLength(2);
  });

  it("does not retry a POST after a 5xx (it may have been applied)", async () => {
    const s = await serve((_r, res) => sendJson(res, 500, { error_code: "INTERNAL_ERROR" }));
    const http = new HttpClient({ service: "databricks", sleep: async () => undefined });
    const err = await caught(http.request({ method: "POST", url: `${s.url}/scim`, json: {} }));
    expect(err.code).toBe("ERR_DATABRICKS_SERVER");
    expect(err.serviceCode).toBe("INTERNAL_ERROR");
    expect(s.requests).toHaveLength(1);
  });

  it("does not retry a POST after a dropped connection either", async () => {
    const s = await serve((_r, _res, raw) => void raw.socket.destroy());
    const err = await caught(client().request({ method: "POST", url: s.url, json: {} }));
    expect(err.code).toBe("ERR_OKTA_NETWORK");
    expect(s.requests).toHaveLength(1);
  });

  it("retries a POST marked idempotent", async () => {
    let n = 0;
    const s = await serve((_r, res) => (++n < 3 ? sendJson(res, 503, {}) : sendJson(res, 200, {})));
    const res = await client().request({
      method: "POST",
      url: s.url,
      form: { grant_type: "client_credentials" },
      idempotent: true,
    });
    expect(res.status).toBe(200);
    expect(s.requests).toHaveLength(3);
    expect(s.requests[0].body).toBe("grant_type=client_credentials");
    expect(s.requests[0].headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("retries PUT, PATCH and DELETE after 5xx (idempotent by definition)", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      let n = 0;
      const s = await serve((_r, res) =>
        ++n < 2 ? sendJson(res, 500, {}) : sendJson(res, 204, undefined),
      );
      const res = await client().request({ method, url: s.url, json: { a: 1 } });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expect(s.requests).toHaveLength(2);
      await s.close();
      server = undefined;
    }
  });

  it("returns statuses listed in acceptStatus instead of throwing", async () => {
    const s = await serve((_r, res) => sendJson(res, 404, { errorCode: "E0000007" }));
    const res = await client().request({ method: "GET", url: s.url, acceptStatus: [404] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errorCode: "E0000007" });
  });
});

describe("429 handling", () => {
  it("honours Retry-After in seconds", async () => {
    let n = 0;
    const s = await serve((_r, res) =>
      ++n === 1
        ? sendJson(res, 429, { error_code: "REQUEST_LIMIT_EXCEEDED" }, { "retry-after": "7" })
        : sendJson(res, 200, {}),
    );
    const { waits, sleep } = recordingSleep();
    const events: HttpEvent[] = [];
    const http = new HttpClient({ service: "databricks", sleep, onEvent: (e) => events.push(e) });
    await http.request({ method: "GET", url: `${s.url}/api/2.0/x` });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(7000);
    expect(waits[0]).toBeLessThan(7100);
    expect(events).toEqual([
      expect.objectContaining({
        type: "throttled",
        status: 429,
        bucket: "databricks GET /api/2.0/x",
      }),
    ]);
    expect(http.stats.get("databricks GET /api/2.0/x")).toEqual({
      requests: 2,
      retries: 0,
      throttled: 1,
    });
  });

  it("honours a 503 with Retry-After as a throttle", async () => {
    let n = 0;
    const s = await serve((_r, res) =>
      ++n === 1 ? sendJson(res, 503, {}, { "retry-after": "2" }) : sendJson(res, 200, {}),
    );
    const { waits, sleep } = recordingSleep();
    // A POST: a throttled request was not processed, so it is safe to resend.
    await client({ sleep }).request({ method: "POST", url: s.url, json: {} });
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
    expect(s.requests).toHaveLength(2);
  });

  it("honours X-Rate-Limit-Reset (epoch seconds) and retries a POST after 429", async () => {
    const clock = virtualClock();
    let n = 0;
    const resetSec = Math.floor(clock.now() / 1000) + 5;
    const s = await serve((_r, res) => {
      if (++n === 1) {
        sendJson(
          res,
          429,
          {
            errorCode: "E0000047",
            errorSummary: "API call exceeded rate limit due to too many requests.",
          },
          {
            "x-rate-limit-limit": "600",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": String(resetSec),
          },
        );
      } else sendJson(res, 200, {});
    });
    // Pacing off: this test is about the 429's own wait.
    await client({ sleep: clock.sleep, now: clock.now, headerPacing: false }).request({
      method: "POST",
      url: `${s.url}/oauth2/v1/token`,
      json: {},
    });
    // Until the reset (5 s on the clock), plus up to 250 ms of jitter.
    expect(clock.waits).toHaveLength(1);
    expect(clock.waits[0]).toBeGreaterThanOrEqual(5000);
    expect(clock.waits[0]).toBeLessThanOrEqual(5250);
  });

  it("measures X-Rate-Limit-Reset from the server's Date when the clocks disagree", async () => {
    const clock = virtualClock();
    const serverNow = clock.now() + 3_600_000; // server clock an hour ahead, on a whole second
    let n = 0;
    const s = await serve((_r, res) =>
      ++n === 1
        ? sendJson(
            res,
            429,
            {},
            {
              date: new Date(serverNow).toUTCString(),
              "x-rate-limit-limit": "600",
              "x-rate-limit-remaining": "0",
              "x-rate-limit-reset": String(Math.floor(serverNow / 1000) + 4),
            },
          )
        : sendJson(res, 200, {}),
    );
    await client({ sleep: clock.sleep, now: clock.now, headerPacing: false }).request({
      method: "GET",
      url: s.url,
    });
    // 4 s on the server's clock (not an hour and 4 s on ours), plus up to 250 ms of jitter.
    expect(clock.waits[0]).toBeGreaterThanOrEqual(4000);
    expect(clock.waits[0]).toBeLessThanOrEqual(4250);
  });

  it("gives up after maxRateLimitRetries with ERR_OKTA_RATE_LIMITED", async () => {
    const s = await serve((_r, res) =>
      sendJson(
        res,
        429,
        {
          errorCode: "E0000047",
          errorSummary: "API call exceeded rate limit due to too many requests.",
        },
        { "retry-after": "1" },
      ),
    );
    const http = client({ maxRateLimitRetries: 2 });
    const err = await caught(
      http.request({ method: "GET", url: `${s.url}/api/v1/users?limit=200` }),
    );
    expect(err.code).toBe("ERR_OKTA_RATE_LIMITED");
    expect(err.kind).toBe("RATE_LIMITED");
    expect(err.status).toBe(429);
    expect(err.method).toBe("GET");
    expect(err.serviceCode).toBe("E0000047");
    expect(err.message).toBe(
      `GET ${s.url}/api/v1/users?limit=200 returned 429 (E0000047: API call exceeded rate limit due to too many requests.)`,
    );
    expect(s.requests).toHaveLength(3);
  });

  it("without Retry-After or reset headers waits a growing, bounded time", async () => {
    const s = await serve((_r, res) => sendJson(res, 429, {}));
    const { waits, sleep } = recordingSleep();
    await caught(
      client({ sleep, maxRateLimitRetries: 3, headerPacing: false }).request({
        method: "GET",
        url: s.url,
      }),
    );
    expect(waits).toEqual([1000, 2000, 3000]);
  });
});

describe("pacing", () => {
  /** A server with a fixed window of `limit` requests per second, Okta's headers and 429s. */
  async function windowServer(
    limit: number,
    now: () => number,
  ): Promise<{ s: TestServer; throttled: () => number }> {
    const limiter = new WindowRateLimiter(now);
    let throttled = 0;
    const s = await serve((_r, res) => {
      const w = limiter.take("users", limit, 1000);
      const headers = {
        "x-rate-limit-limit": String(limit),
        "x-rate-limit-remaining": String(w.remaining),
        "x-rate-limit-reset": String(Math.ceil(w.resetAtMs / 1000)),
      };
      if (!w.allowed) {
        throttled++;
        sendJson(res, 429, { errorCode: "E0000047" }, headers);
      } else sendJson(res, 200, [], headers);
    });
    return { s, throttled: () => throttled };
  }

  it("slows down before a 429 when X-Rate-Limit-Remaining runs low", async () => {
    const clock = virtualClock();
    const { s, throttled } = await windowServer(10, clock.now);
    const events: HttpEvent[] = [];
    const http = client({ sleep: clock.sleep, now: clock.now, onEvent: (e) => events.push(e) });
    const t0 = clock.now();
    for (let i = 0; i < 25; i++)
      await http.request({
        method: "GET",
        url: `${s.url}/api/v1/users`,
        bucket: "okta GET /api/v1/users",
      });
    const elapsed = clock.now() - t0;
    expect(throttled()).toBe(0);
    expect(http.stats.get("okta GET /api/v1/users")).toEqual({
      requests: 25,
      retries: 0,
      throttled: 0,
    });
    expect(events.filter((e) => e.type === "paced").length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === "throttled")).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(1000); // 25 requests at <= 10/s span at least two resets
  });

  it("control: the same server throttles a client that does not pace", async () => {
    const clock = virtualClock();
    const { s, throttled } = await windowServer(10, clock.now);
    const http = client({ headerPacing: false, sleep: clock.sleep, now: clock.now });
    for (let i = 0; i < 25; i++)
      await http.request({ method: "GET", url: `${s.url}/api/v1/users` });
    expect(throttled()).toBeGreaterThan(0);
    expect(http.stats.get("okta GET /api/v1/users")?.throttled).toBe(throttled());
  });

  it("TokenBucket allows the burst, then one request per 1/rate seconds", () => {
    let now = 0;
    const tb = new TokenBucket(5, 5, () => now);
    expect([1, 2, 3, 4, 5].map(() => tb.reserve())).toEqual([0, 0, 0, 0, 0]);
    expect(tb.reserve()).toBeCloseTo(200);
    expect(tb.reserve()).toBeCloseTo(400);
    now = 1000; // a second later 5 tokens came back, 2 were already spent ahead
    expect(tb.reserve()).toBe(0);
    expect(tb.reserve()).toBe(0);
    expect(tb.reserve()).toBe(0);
    expect(tb.reserve()).toBeCloseTo(200);
  });

  it("applies a fixed per-bucket rate (TokenBucket) to requests", async () => {
    const s = await serve((_r, res) => sendJson(res, 200, {}));
    const events: HttpEvent[] = [];
    const clock = virtualClock();
    const http = new HttpClient({
      service: "databricks",
      rates: { "databricks PATCH /scim": 20 },
      onEvent: (e) => events.push(e),
      sleep: clock.sleep,
      now: clock.now,
    });
    const t0 = clock.now();
    for (let i = 0; i < 40; i++)
      await http.request({
        method: "PATCH",
        url: `${s.url}/scim`,
        json: {},
        bucket: "databricks PATCH /scim",
      });
    const elapsed = clock.now() - t0;
    // In T seconds the bucket lets through at most 20 (burst) + 20*T requests:
    // 40 take one second on the clock, the last 20 spaced 50 ms apart.
    expect(elapsed).toBeCloseTo(1000, 6);
    expect(clock.waits.slice(-3)).toEqual([50, 50, 50].map((w) => expect.closeTo(w, 6)));
    expect(events.some((e) => e.type === "paced")).toBe(true);
  });
});

describe("timeouts", () => {
  it("fails with ERR_OKTA_TIMEOUT when the server does not answer", async () => {
    const s = await serve(() => undefined); // never responds
    const err = await caught(
      client({ timeoutMs: 100, maxRetries: 1 }).request({ method: "GET", url: `${s.url}/slow` }),
    );
    expect(err.code).toBe("ERR_OKTA_TIMEOUT");
    expect(err.kind).toBe("TIMEOUT");
    expect(err.message).toBe(`GET ${s.url}/slow failed: timed out after 2 attempt(s)`);
    expect(s.requests).toHaveLength(2);
  });

  it("fails with ERR_DATABRICKS_TIMEOUT when the body stalls; the per-request timeout wins", async () => {
    const s = await serve((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
    });
    const http = new HttpClient({ service: "databricks", timeoutMs: 60_000, maxRetries: 0 });
    // Were the client's 60 s used instead, the test itself would time out.
    const err = await caught(http.request({ method: "GET", url: s.url, timeoutMs: 150 }));
    expect(err.code).toBe("ERR_DATABRICKS_TIMEOUT");
  });
});

describe("HTTPS except loopback", () => {
  it("refuses plain http to a non-loopback host, naming the field, without sending", async () => {
    let called = 0;
    const http = client({
      fetch: async () => {
        called++;
        return new Response("{}");
      },
    });
    const err = await caught(
      http.request({ method: "GET", url: "http://example.okta.com/api/v1/users" }),
    );
    expect(err).toBeInstanceOf(InsecureUrlError);
    expect(err.code).toBe("ERR_INSECURE_URL");
    expect(err.message).toBe(
      "okta URL must use https:// (got http://example.okta.com); plain http is allowed only for loopback addresses.",
    );
    expect(called).toBe(0);
  });

  it("assertSecureUrl names the given field and rejects lookalike hosts", () => {
    expect(() => assertSecureUrl("http://acme.okta.com", "OKTA_ORG_URL")).toThrow(
      /^OKTA_ORG_URL must use https:\/\//,
    );
    expect(() => assertSecureUrl("not a url", "DATABRICKS_HOST")).toThrow(
      'DATABRICKS_HOST is not a valid URL ("[unparseable URL]"): give an absolute https:// URL.',
    );
    expect(() => assertSecureUrl("ftp://127.0.0.1/x", "orgUrl")).toThrow(/orgUrl must use https/);
    for (const host of ["127.0.0.1.nip.io", "localhost.evil.com", "10.0.0.1"])
      expect(() => assertSecureUrl(`http://${host}/`, "orgUrl")).toThrow(InsecureUrlError);
    for (const url of [
      "http://127.0.0.1:8080",
      "http://localhost:1",
      "http://[::1]:9",
      "https://acme.okta.com",
    ])
      expect(assertSecureUrl(url, "orgUrl").toString()).toContain(new URL(url).host);
    expect(isLoopbackHost("127.1.2.3")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
  });
});

describe("typed errors", () => {
  const cases: Array<[number, unknown, string, string | undefined]> = [
    [
      400,
      { error: "invalid_client", error_description: "The client_assertion JWT kid is invalid." },
      "ERR_OKTA_BAD_REQUEST",
      "invalid_client",
    ],
    [
      401,
      { errorCode: "E0000011", errorSummary: "Invalid token provided" },
      "ERR_OKTA_UNAUTHORIZED",
      "E0000011",
    ],
    [
      403,
      {
        errorCode: "E0000006",
        errorSummary: "You do not have permission to perform the requested action",
      },
      "ERR_OKTA_FORBIDDEN",
      "E0000006",
    ],
    [
      404,
      { errorCode: "E0000007", errorSummary: "Not found: Resource not found: x (User)" },
      "ERR_OKTA_NOT_FOUND",
      "E0000007",
    ],
    [409, "conflict", "ERR_OKTA_CONFLICT", undefined],
    [418, undefined, "ERR_OKTA_HTTP", undefined],
  ];
  for (const [status, body, code, serviceCode] of cases) {
    it(`maps ${status} to ${code}`, async () => {
      const s = await serve((_r, res) => {
        if (typeof body === "string") {
          res.writeHead(status, { "content-type": "text/plain" });
          res.end(body);
        } else sendJson(res, status, body);
      });
      const err = await caught(client().request({ method: "GET", url: `${s.url}/api/v1/users/x` }));
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toBeInstanceOf(AimError);
      expect(err.code).toBe(code);
      expect(err.status).toBe(status);
      expect(err.serviceCode).toBe(serviceCode);
      expect(err.message).toContain(`GET ${s.url}/api/v1/users/x returned ${status}`);
      expect(err.url).toBe(`${s.url}/api/v1/users/x`);
    });
  }

  it("maps Databricks SCIM and REST errors (ERR_DATABRICKS_FORBIDDEN, ...)", async () => {
    const s = await serve((r, res) =>
      r.url.includes("scim")
        ? sendJson(res, 403, {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
            detail: "User is not an account admin",
            status: "403",
          })
        : sendJson(res, 400, { error_code: "INVALID_PARAMETER_VALUE", message: "bad update_mask" }),
    );
    const http = new HttpClient({ service: "databricks" });
    const forbidden = await caught(
      http.request({
        method: "PATCH",
        url: `${s.url}/api/2.0/accounts/a/scim/v2/Users/1`,
        json: {},
      }),
    );
    expect(forbidden.code).toBe("ERR_DATABRICKS_FORBIDDEN");
    expect(forbidden.message).toBe(
      `PATCH ${s.url}/api/2.0/accounts/a/scim/v2/Users/1 returned 403 (User is not an account admin)`,
    );
    expect(forbidden.serviceMessage).toBe("User is not an account admin");
    const bad = await caught(
      http.request({ method: "PATCH", url: `${s.url}/api/2.0/identity/x`, json: {} }),
    );
    expect(bad.code).toBe("ERR_DATABRICKS_BAD_REQUEST");
    expect(bad.serviceCode).toBe("INVALID_PARAMETER_VALUE");
    expect(bad.message).toContain("(INVALID_PARAMETER_VALUE: bad update_mask)");
  });

  it("keeps secret query parameters out of the URL it reports", async () => {
    const s = await serve((_r, res) => sendJson(res, 400, {}));
    const err = await caught(
      client().request({ method: "GET", url: `${s.url}/cb?access_token=abcdefgh123&x=1` }),
    );
    expect(err.url).toBe(`${s.url}/cb?access_token=[REDACTED]&x=1`);
    expect(err.message).not.toContain("abcdefgh123");
  });

  it("shortens a long service message", async () => {
    const s = await serve((_r, res) => {
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<html>" + "x".repeat(5000) + "</html>");
    });
    const err = await caught(client({ maxRetries: 0 }).request({ method: "GET", url: s.url }));
    expect(err.serviceMessage!.length).toBeLessThanOrEqual(301);
  });

  it("ConfigError carries the field and ERR_CONFIG", () => {
    const e = new ConfigError("orgUrl", "orgUrl must be https://{yourOktaDomain}");
    expect(e.code).toBe("ERR_CONFIG");
    expect(e.field).toBe("orgUrl");
    expect(e).toBeInstanceOf(AimError);
  });
});
