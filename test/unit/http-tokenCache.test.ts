/**
 * The token cache both clients share (core/http/tokenCache.ts): one request
 * for a token however many callers wait, renewal before expiry on the given
 * clock, and a 401 answered by dropping that token and retrying once.
 */
import { describe, expect, it } from "vitest";
import { HttpError, TokenCache, type AccessToken } from "../../core/http";

function unauthorized(): HttpError {
  return new HttpError({
    service: "okta",
    kind: "UNAUTHORIZED",
    status: 401,
    method: "GET",
    url: "https://example.okta.com/api/v1/users",
    message: "GET /api/v1/users returned 401",
  });
}

function cache(ttlMs = 3_600_000) {
  let t = 0;
  let issued = 0;
  const tokens = new TokenCache(
    async (): Promise<AccessToken> => {
      issued++;
      await Promise.resolve();
      return { value: `token-${issued}`, type: "Bearer", expiresAtMs: t + ttlMs };
    },
    { now: () => t, renewBeforeMs: 60_000 },
  );
  return { tokens, issued: () => issued, advance: (ms: number) => (t += ms) };
}

describe("TokenCache", () => {
  it("concurrent callers share one token request; it is kept until shortly before expiry", async () => {
    const c = cache(600_000);
    const got = await Promise.all([c.tokens.get(), c.tokens.get(), c.tokens.get()]);
    expect(got.map((g) => g.value)).toEqual(["token-1", "token-1", "token-1"]);
    expect(c.issued()).toBe(1);
    c.advance(539_999);
    expect((await c.tokens.get()).value).toBe("token-1");
    c.advance(1); // 60 s before expiry: renewed
    expect((await c.tokens.get()).value).toBe("token-2");
  });

  it("a 401 drops the token and retries once with a fresh one; a second 401 fails", async () => {
    const c = cache();
    const used: string[] = [];
    const ok = await c.tokens.withToken(async (t) => {
      used.push(t.value);
      if (used.length === 1) throw unauthorized();
      return "answer";
    });
    expect(ok).toBe("answer");
    expect(used).toEqual(["token-1", "token-2"]);
    const err = await c.tokens
      .withToken(async () => {
        throw unauthorized();
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(c.issued()).toBe(3);
  });

  it("other failures are not retried; a token replaced meanwhile is not dropped", async () => {
    const c = cache();
    let calls = 0;
    await expect(
      c.tokens.withToken(async () => {
        calls++;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(calls).toBe(1);
    const first = await c.tokens.get();
    c.tokens.invalidate(first);
    const second = await c.tokens.get();
    c.tokens.invalidate(first); // a late caller with the old token
    expect((await c.tokens.get()).value).toBe(second.value);
  });
});
