/**
 * The one HTTP layer for both clients: timeouts, bounded jittered retries on
 * 5xx and connection errors, `Retry-After` / `X-Rate-Limit-Reset` on 429,
 * pacing, HTTPS required except for loopback, typed errors, redaction, and
 * per-bucket request counts (benchmarks and tests read them).
 */
import { HttpError, kindForStatus, type Service } from "./errors";
import { RateLimitPacer, TokenBucket, realSleep, type Sleep } from "./pacing";
import { Redactor, safeUrl } from "./redact";
import { assertSecureUrl } from "./url";

export { assertSecureUrl, isLoopbackHost } from "./url";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  /** JSON body (serialised here) or a form body. */
  json?: unknown;
  form?: Record<string, string>;
  /** Counting and pacing key, e.g. "okta GET /api/v1/users". Defaults to method + path. */
  bucket?: string;
  /**
   * The fixed-rate budget this request spends, when several buckets share one
   * service limit (Databricks: every account SCIM LIST). Defaults to `bucket`.
   */
  budget?: string;
  /** POSTs are retried after 5xx/connection errors only when marked idempotent. */
  idempotent?: boolean;
  /**
   * Send once: no retry after a 429, a 5xx or a connection error. For writes
   * whose caller re-checks live state before trying again (a blind retry could
   * overwrite a change made while it waited). A 429 carries `retryAfterMs`.
   */
  noRetry?: boolean;
  /** Statuses returned to the caller instead of thrown. */
  acceptStatus?: number[];
  timeoutMs?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface HttpEvent {
  type: "retry" | "throttled" | "paced";
  bucket: string;
  status?: number;
  waitMs: number;
  attempt: number;
  message: string;
}

export interface BucketStats {
  requests: number;
  retries: number;
  throttled: number;
}

/** A token bucket's rate and burst: at most `burst + perSecond` requests in any one second. */
export interface FixedRate {
  perSecond: number;
  burst: number;
}

export interface HttpClientOptions {
  service: Service;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Retries after 5xx / connection errors / timeouts. */
  maxRetries?: number;
  /** Retries after 429. */
  maxRateLimitRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: Sleep;
  /** The clock pacing and rate-limit resets are measured on (tests: a fake one, with `sleep`). */
  now?: () => number;
  redactor?: Redactor;
  onEvent?: (e: HttpEvent) => void;
  /**
   * Fixed client-side rates per bucket or budget: requests per second, or a
   * rate with its burst (default burst: one second's worth).
   */
  rates?: Record<string, number | FixedRate>;
  /** Follow X-Rate-Limit-* headers (Okta). Default true. */
  headerPacing?: boolean;
}

export class HttpClient {
  readonly service: Service;
  readonly redactor: Redactor;
  readonly stats = new Map<string, BucketStats>();
  private readonly fetchImpl: FetchLike;
  private readonly opts: Required<
    Pick<
      HttpClientOptions,
      "timeoutMs" | "maxRetries" | "maxRateLimitRetries" | "baseDelayMs" | "maxDelayMs"
    >
  >;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly onEvent?: (e: HttpEvent) => void;
  private readonly pacer?: RateLimitPacer;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly rates: Record<string, number | FixedRate>;

  constructor(options: HttpClientOptions) {
    this.service = options.service;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.opts = {
      timeoutMs: options.timeoutMs ?? 30_000,
      maxRetries: options.maxRetries ?? 5,
      maxRateLimitRetries: options.maxRateLimitRetries ?? 10,
      baseDelayMs: options.baseDelayMs ?? 250,
      maxDelayMs: options.maxDelayMs ?? 30_000,
    };
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    // A session hands its redactor to every client it builds; a lone client keeps its own.
    this.redactor = options.redactor ?? new Redactor();
    this.onEvent = options.onEvent;
    this.pacer =
      options.headerPacing === false ? undefined : new RateLimitPacer(undefined, this.now);
    this.rates = options.rates ?? {};
  }

  /** Registers secret values to redact from every message of this client. */
  addSecrets(...values: Array<string | undefined | null>): void {
    this.redactor.add(...values);
  }

  totalRequests(): number {
    let n = 0;
    for (const s of this.stats.values()) n += s.requests;
    return n;
  }

  resetStats(): void {
    this.stats.clear();
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const url = assertSecureUrl(req.url, `${this.service} URL`);
    const bucket = req.bucket ?? `${this.service} ${req.method} ${url.pathname}`;
    const stats = this.statsFor(bucket);
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form).toString();
    }
    const retryOnFailure = !req.noRetry && (req.method !== "POST" || req.idempotent === true);
    const maxThrottles = req.noRetry ? 0 : this.opts.maxRateLimitRetries;
    let failures = 0;
    let throttles = 0;
    for (let attempt = 1; ; attempt++) {
      await this.pace(bucket, req.budget ?? bucket, attempt);
      stats.requests++;
      let res: Response;
      let text: string | undefined;
      try {
        res = await this.fetchImpl(url.toString(), {
          method: req.method,
          headers,
          body,
          signal: AbortSignal.timeout(req.timeoutMs ?? this.opts.timeoutMs),
        });
        // Read the body inside the try: a connection dropped or a timeout
        // while the body streams is a network failure like any other.
        text = isThrottle(res) || isRetryableStatus(res.status) ? undefined : await res.text();
      } catch (err) {
        const timedOut =
          err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
        if (retryOnFailure && failures < this.opts.maxRetries) {
          failures++;
          stats.retries++;
          const wait = this.backoff(failures);
          this.emit({
            type: "retry",
            bucket,
            waitMs: wait,
            attempt,
            message: `${timedOut ? "timeout" : "connection error"}; retrying`,
          });
          await this.sleep(wait);
          continue;
        }
        throw new HttpError({
          service: this.service,
          kind: timedOut ? "TIMEOUT" : "NETWORK",
          method: req.method,
          url: this.redactor.redact(safeUrl(url.toString())),
          message: this.redactor.redact(
            `${req.method} ${safeUrl(url.toString())} failed: ${timedOut ? "timed out" : describeNetworkError(err)} after ${attempt} attempt(s)`,
          ),
        });
      }
      this.pacer?.observe(bucket, res.headers);

      if (isThrottle(res)) {
        if (throttles < maxThrottles) {
          throttles++;
          stats.throttled++;
          await res.arrayBuffer().catch(() => undefined);
          const wait = this.rateLimitWait(res.headers, throttles);
          this.emit({
            type: "throttled",
            bucket,
            status: res.status,
            waitMs: wait,
            attempt,
            message: `rate limited (${res.status}); waiting ${Math.round(wait)} ms`,
          });
          await this.sleep(wait);
          continue;
        }
      } else if (
        res.status >= 500 &&
        retryOnFailure &&
        failures < this.opts.maxRetries &&
        !(req.acceptStatus ?? []).includes(res.status)
      ) {
        failures++;
        stats.retries++;
        await res.arrayBuffer().catch(() => undefined);
        const wait = this.backoff(failures);
        this.emit({
          type: "retry",
          bucket,
          status: res.status,
          waitMs: wait,
          attempt,
          message: `server error ${res.status}; retrying`,
        });
        await this.sleep(wait);
        continue;
      }

      // Only error statuses get here unread; their body serves the message alone.
      if (text === undefined) text = await res.text().catch(() => "");
      const parsed = parseBody(text);
      if (res.ok || (req.acceptStatus ?? []).includes(res.status)) {
        return { status: res.status, headers: res.headers, body: parsed as T };
      }
      if (isThrottle(res)) stats.throttled++;
      throw this.errorFor(
        req.method,
        url.toString(),
        res.status,
        parsed,
        text,
        isThrottle(res) ? this.rateLimitWait(res.headers, throttles + 1) : undefined,
      );
    }
  }

  private statsFor(bucket: string): BucketStats {
    let s = this.stats.get(bucket);
    if (!s) {
      s = { requests: 0, retries: 0, throttled: 0 };
      this.stats.set(bucket, s);
    }
    return s;
  }

  private async pace(bucket: string, budget: string, attempt: number): Promise<void> {
    let wait = 0;
    const rate = this.rates[budget];
    if (rate) {
      let tb = this.buckets.get(budget);
      if (!tb) {
        tb =
          typeof rate === "number"
            ? new TokenBucket(rate, undefined, this.now)
            : new TokenBucket(rate.perSecond, rate.burst, this.now);
        this.buckets.set(budget, tb);
      }
      wait = Math.max(wait, tb.reserve());
    }
    if (this.pacer) wait = Math.max(wait, this.pacer.reserve(bucket));
    if (wait > 0) {
      this.emit({
        type: "paced",
        bucket,
        waitMs: wait,
        attempt,
        message: `pacing ${Math.round(wait)} ms`,
      });
      await this.sleep(wait);
    }
  }

  private backoff(failures: number): number {
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (failures - 1));
    return exp / 2 + Math.random() * (exp / 2); // "equal jitter"
  }

  private rateLimitWait(headers: Headers, throttles: number): number {
    const retryAfter = headers.get("retry-after");
    if (retryAfter) {
      const secs = Number(retryAfter);
      if (Number.isFinite(secs))
        return Math.min(this.opts.maxDelayMs * 4, secs * 1000 + Math.random() * 100);
      const at = Date.parse(retryAfter);
      if (Number.isFinite(at)) return Math.max(0, at - this.now());
    }
    const reset = Number(headers.get("x-rate-limit-reset"));
    if (headers.has("x-rate-limit-reset") && Number.isFinite(reset)) {
      // Okta's reset is whole epoch seconds on Okta's clock: wait until then,
      // plus jitter. When the local clock is off by more than the Date
      // header's one-second resolution, measure from the server's Date
      // instead (what Okta's own SDKs do).
      let now = this.now();
      const serverNow = Date.parse(headers.get("date") ?? "");
      if (Number.isFinite(serverNow) && Math.abs(serverNow - now) > 2000) now = serverNow;
      return Math.max(0, reset * 1000 - now) + Math.random() * 250;
    }
    return Math.min(this.opts.maxDelayMs, 1000 * throttles); // the SDKs assume 1 s
  }

  private errorFor(
    method: string,
    url: string,
    status: number,
    body: unknown,
    text: string,
    retryAfterMs?: number,
  ): HttpError {
    const extracted = extractServiceError(body, text);
    const code = extracted.code ? truncate(this.redactor.redact(extracted.code), 100) : undefined;
    // Redact the whole text first, then shorten: cutting first could split a
    // secret (a PEM line, a JWT) so that its registered form no longer matches.
    const message = extracted.message
      ? truncate(this.redactor.redact(extracted.message), MAX_SERVICE_MESSAGE)
      : undefined;
    const kind = kindForStatus(status);
    const shown = this.redactor.redact(safeUrl(url));
    const detail = [code, message].filter(Boolean).join(": ");
    return new HttpError({
      service: this.service,
      kind,
      status,
      method,
      url: shown,
      serviceCode: code,
      serviceMessage: message,
      retryAfterMs,
      message: this.redactor.redact(
        `${method} ${shown} returned ${status}${detail ? ` (${detail})` : ""}`,
      ),
    });
  }

  private emit(e: HttpEvent): void {
    if (this.onEvent) this.onEvent({ ...e, message: this.redactor.redact(e.message) });
  }
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Reads the error code and message from Okta, OAuth, SCIM and Databricks error bodies. */
export function extractServiceError(
  body: unknown,
  text: string,
): { code?: string; message?: string } {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    if (b.errorCode) return { code: str(b.errorCode), message: str(b.errorSummary) }; // Okta
    if (b.error && typeof b.error === "string")
      return { code: b.error, message: str(b.error_description) }; // OAuth
    if (b.error_code) return { code: str(b.error_code), message: str(b.message) }; // Databricks
    if (Array.isArray(b.schemas) && b.detail !== undefined)
      return { code: str(b.scimType), message: str(b.detail) }; // SCIM
  }
  // Not truncated here: the caller redacts the whole text first, then shortens it.
  return { message: text || undefined };
}

const MAX_SERVICE_MESSAGE = 300;

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function isThrottle(res: Response): boolean {
  return res.status === 429 || (res.status === 503 && res.headers.has("retry-after"));
}

function isRetryableStatus(status: number): boolean {
  return status >= 500;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return "unknown error";
}
