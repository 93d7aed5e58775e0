/** The most recent requests kept in order (enough for a whole engine run; older ones drop off). */
const ORDER_LOG_LIMIT = 200_000;

/**
 * Request counts per endpoint ("GET /api/v1/users"), for tests and benchmarks,
 * and the order in which the endpoints were called (tests that check "tested,
 * configured, then enabled").
 */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  private readonly order: string[] = [];

  add(endpoint: string): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    this.order.push(endpoint);
    if (this.order.length > ORDER_LOG_LIMIT)
      this.order.splice(0, this.order.length - ORDER_LOG_LIMIT);
  }

  /** Endpoints in the order they were called, oldest first (the last ORDER_LOG_LIMIT). */
  sequence(): readonly string[] {
    return this.order;
  }

  get(endpoint: string): number {
    return this.counts.get(endpoint) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.counts.clear();
    this.order.length = 0;
  }
}

/**
 * Fixed-window rate limiter per bucket: `limit` requests per `windowMs`.
 * Returns the window state so emulators can send the service's headers.
 */
export class WindowRateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  take(
    bucket: string,
    limit: number,
    windowMs: number,
  ): { allowed: boolean; limit: number; remaining: number; resetAtMs: number } {
    const now = this.now();
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(bucket);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      this.windows.set(bucket, w);
    }
    const allowed = w.used < limit;
    if (allowed) w.used++;
    return { allowed, limit, remaining: Math.max(0, limit - w.used), resetAtMs: start + windowMs };
  }

  reset(): void {
    this.windows.clear();
  }
}
