/** Okta's per-endpoint rate limits: one bucket per route family, X-Rate-Limit-* headers on every answer. */
import type { Handler } from "../common/server";
import type { ApiContext, OktaRateBucket } from "./context";
import { oktaError } from "./errors";

/** The limit advertised when rate limits are "off" (never enforced). */
export const UNLIMITED_RATE = 1_000_000;

const WINDOW_MS = 60_000;

function rateHeaders(limit: number, remaining: number, resetAtMs: number): Record<string, string> {
  return {
    "x-rate-limit-limit": String(limit),
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(resetAtMs / 1000)),
  };
}

/** Wraps a handler with its bucket's rate limit; every response carries the headers. */
export function limited(ctx: ApiContext, bucket: OktaRateBucket, handler: Handler): Handler {
  return async (req) => {
    const enforced = ctx.limits[bucket];
    const w = ctx.limiter.take(bucket, enforced ?? UNLIMITED_RATE, WINDOW_MS);
    const headers = rateHeaders(w.limit, w.remaining, w.resetAtMs);
    if (!w.allowed && enforced !== undefined) return oktaError("E0000047", undefined, { headers });
    const out = await handler(req);
    return { ...out, headers: { ...headers, ...(out.headers ?? {}) } };
  };
}

/** The headers of an injected 429: the bucket's limit, nothing remaining, reset in `seconds`. */
export function injected429Headers(
  ctx: ApiContext,
  path: string,
  seconds: number | undefined,
): Record<string, string> {
  const bucket = bucketOf(path);
  const limit = (bucket && ctx.limits[bucket]) ?? UNLIMITED_RATE;
  const nowMs = ctx.now();
  const resetAtMs =
    seconds !== undefined
      ? nowMs + seconds * 1000
      : (Math.floor(nowMs / WINDOW_MS) + 1) * WINDOW_MS;
  return rateHeaders(limit, 0, resetAtMs);
}

function bucketOf(path: string): OktaRateBucket | undefined {
  if (path === "/oauth2/v1/token") return "token";
  if (path === "/api/v1/users") return "users";
  if (path.startsWith("/api/v1/users/")) return "userById";
  if (path === "/api/v1/groups") return "groups";
  if (path.startsWith("/api/v1/groups/")) return "groupById";
  if (path.startsWith("/api/v1/apps")) return "apps";
  if (path.startsWith("/oauth2/v1/clients/")) return "clientRoles";
  return undefined;
}
