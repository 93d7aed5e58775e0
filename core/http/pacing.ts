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

/** Where an adaptive pace stands: for progress lines and the end-of-run report. */
export interface PaceReport {
  /** The pace now, requests per second. */
  ratePerSecond: number;
  /** The pace asked for (never exceeded). */
  maxRatePerSecond: number;
  /** The lowest pace a 429 was met at (undefined: none met). */
  throttledAtPerSecond?: number;
  /** 429s (and 503s with Retry-After) reported. */
  throttles: number;
}

/**
 * A pace that follows the service's answers instead of a published figure
 * (the Databricks PATCH limit is a third-party compilation): start at the
 * pace asked for; on a 429 hold every caller until `Retry-After` and take
 * the service's limit to be what succeeded in the second before it (or half
 * the pace when nothing did), then write at 90% of that; probe 5% higher
 * only after a long run without a 429 (a raised limit is found, a fixed one
 * costs one 429 per probe). Slots are spaced evenly, which a fixed
 * one-second window needs.
 */
export class AdaptivePacer {
  private rate: number;
  /** The estimated limit, requests per second (infinite until a 429 is met). */
  private ceiling = Number.POSITIVE_INFINITY;
  private lowestThrottled: number | undefined;
  private nextAtMs = 0;
  private holdUntilMs = 0;
  private lastCutMs = Number.NEGATIVE_INFINITY;
  private streak = 0;
  private throttles = 0;
  /** When the recent successes happened (the last second's worth). */
  private readonly recent: number[] = [];

  constructor(
    private readonly maxRate: number,
    private readonly opts: {
      now?: () => number;
      sleep?: Sleep;
      /** Never slower than this (default 0.2/s). */
      minRate?: number;
      /** Successes in a row before probing above the estimated limit (default 200). */
      probeAfter?: number;
    } = {},
  ) {
    this.rate = maxRate;
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Waits for the next slot: after any hold, spaced at the current pace. */
  async acquire(): Promise<void> {
    const sleep = this.opts.sleep ?? realSleep;
    let sleptAt: number | undefined;
    for (;;) {
      const now = this.now;
      const at = Math.max(this.nextAtMs, this.holdUntilMs);
      // Another caller may have taken the slot while this one slept: look again. A clock
      // that did not move while sleeping (an injected sleep) means the wait is over.
      if (at <= now || sleptAt === now) {
        this.nextAtMs = Math.max(now, at) + 1000 / this.rate;
        return;
      }
      sleptAt = now;
      await sleep(at - now);
    }
  }

  onSuccess(): void {
    const now = this.now;
    this.recent.push(now);
    while (this.recent.length && this.recent[0] <= now - 1000) this.recent.shift();
    this.streak++;
    const target = Math.min(this.maxRate, this.ceiling * 0.9);
    if (this.rate < target) this.rate = Math.min(target, this.rate + this.ceiling * 0.05);
    else if (this.streak >= (this.opts.probeAfter ?? 200) && this.ceiling < this.maxRate) {
      this.ceiling = Math.min(this.maxRate / 0.9, this.ceiling * 1.05);
      this.streak = 0;
    }
  }

  /**
   * A 429 for a request sent at `sentAtMs`: hold until `retryAfterMs` has
   * passed, and slow down once per burst (answers to requests sent before the
   * last cut only extend the hold).
   */
  onThrottle(sentAtMs: number, retryAfterMs = 1000): void {
    this.throttles++;
    this.streak = 0;
    const now = this.now;
    this.holdUntilMs = Math.max(this.holdUntilMs, now + retryAfterMs);
    if (sentAtMs < this.lastCutMs) return;
    this.lastCutMs = now;
    this.lowestThrottled = Math.min(this.lowestThrottled ?? Infinity, this.rate);
    while (this.recent.length && this.recent[0] <= now - 1000) this.recent.shift();
    // What the service let through in the last second is the best estimate of its limit.
    const estimate = this.recent.length > 0 ? this.recent.length : this.rate / 2;
    this.ceiling = Math.min(this.ceiling, estimate, this.rate);
    this.rate = Math.max(this.opts.minRate ?? 0.2, this.ceiling * 0.9);
  }

  report(): PaceReport {
    return {
      ratePerSecond: this.rate,
      maxRatePerSecond: this.maxRate,
      ...(this.lowestThrottled !== undefined ? { throttledAtPerSecond: this.lowestThrottled } : {}),
      throttles: this.throttles,
    };
  }
}
