/**
 * What both clients do with an OAuth access token (Okta's private_key_jwt
 * grant, Databricks' M2M grant): keep it until shortly before it expires,
 * ask for a new one at most once at a time however many callers need it,
 * and when a request answers 401 (revoked, or expired early) drop that token
 * and retry the request once with a fresh one.
 */
import { HttpError } from "./errors";

export interface AccessToken {
  value: string;
  /** The authorization scheme it is sent with ("Bearer"). */
  type: string;
  expiresAtMs: number;
}

export class TokenCache {
  private token?: AccessToken;
  private inflight?: Promise<AccessToken>;

  constructor(
    /** Requests a new token (one at a time: the cache shares it). */
    private readonly fetchToken: () => Promise<AccessToken>,
    private readonly opts: { now: () => number; renewBeforeMs: number },
  ) {}

  /** The cached token, or the one shared in-flight request for a new one. */
  async get(): Promise<AccessToken> {
    const t = this.token;
    if (t && this.opts.now() < t.expiresAtMs - this.opts.renewBeforeMs) return t;
    this.inflight ??= this.fetchToken().finally(() => {
      this.inflight = undefined;
    });
    this.token = await this.inflight;
    return this.token;
  }

  /** Forgets `used`, unless a concurrent caller has replaced it already. */
  invalidate(used: AccessToken): void {
    if (this.token === used) this.token = undefined;
  }

  /** `send` with the token; a 401 drops it and sends once more with a fresh one. */
  async withToken<T>(send: (token: AccessToken) => Promise<T>): Promise<T> {
    const token = await this.get();
    try {
      return await send(token);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 401)) throw err;
      this.invalidate(token);
      return send(await this.get());
    }
  }
}
