/**
 * Client-side pacing so that long runs slow down instead of hitting 429.
 * - `RateLimitPacer` follows Okta's `X-Rate-Limit-Limit/Remaining/Reset`
 *   headers per bucket: when the remaining budget is low, it spreads the
 *   remaining requests over the time left until reset.
 * - `TokenBucket` enforces a known fixed rate (Databricks publishes per
 *   operation limits but sends no remaining-count headers).
 */

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface BucketState {
  limit: number;
  remaining: number;
  resetAtMs: number;
  nextAllowedMs: number;
}

export class RateLimitPacer {
  private readonly buckets = new Map<string, BucketState>();
  constructor(
    /** Start pacing when remaining falls to this fraction of the limit. */
    private readonly lowWaterFraction = 0.25,
    private readonly now: () => number = Date.now,
  ) {}

  /** Wait time before the next request on `bucket`. Reserves a slot. */
  reserve(bucket: string): number {
    const s = this.buckets.get(bucket);
    if (!s) return 0;
    const now = this.now();
    if (now >= s.resetAtMs) {
      this.buckets.delete(bucket);
      return 0;
    }
    if (s.remaining > s.limit * this.lowWaterFraction) {
      s.remaining -= 1;
      return 0;
    }
    // Spread what is left evenly over the time to reset; keep one in reserve.
    const slots = Math.max(1, s.remaining - 1);
    const interval = (s.resetAtMs - now) / slots;
    const at = Math.max(now, s.nextAllowedMs);
    s.nextAllowedMs = at + interval;
    s.remaining = Math.max(0, s.remaining - 1);
    if (s.remaining === 0) return s.resetAtMs - now + 50;
    return at - now;
  }

  observe(bucket: string, headers: Headers): void {
    const limit = Number(headers.get("x-rate-limit-limit"));
    const remaining = Number(headers.get("x-rate-limit-remaining"));
    const reset = Number(headers.get("x-rate-limit-reset"));
    if (
      !Number.isFinite(limit) ||
      !Number.isFinite(remaining) ||
      !Number.isFinite(reset) ||
      !headers.has("x-rate-limit-reset")
    )
      return;
    const prev = this.buckets.get(bucket);
    this.buckets.set(bucket, {
      limit,
      remaining,
      resetAtMs: reset * 1000,
      nextAllowedMs: prev && prev.resetAtMs === reset * 1000 ? prev.nextAllowedMs : 0,
    });
  }
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = Math.max(1, Math.floor(ratePerSecond)),
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Wait time before the caller may proceed; reserves the token. */
  reserve(): number {
    const now = this.now();
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((now - this.last) / 1000) * this.ratePerSecond,
    );
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return (-this.tokens / this.ratePerSecond) * 1000;
  }
}
