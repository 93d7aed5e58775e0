/**
 * The account's credential: a static token (PAT), or OAuth M2M, whose token
 * the shared TokenCache (core/http) keeps, renews before it expires and once
 * after a 401 — the same handling as the Okta client's.
 */
import {
  AimError,
  ERROR_CODES,
  HttpError,
  TokenCache,
  type AccessToken,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from "../../http";
import type { DatabricksAuth } from "../api";
import { DATABRICKS_BUCKETS } from "./context";

interface TokenBody {
  access_token?: string;
  expires_in?: number;
  token_type?: string;
}

export class AccountAuth {
  /** OAuth M2M only. */
  private readonly tokens?: TokenCache;

  constructor(
    private readonly auth: DatabricksAuth,
    private readonly account: {
      host: string;
      accountId: string;
      http: HttpClient;
      now: () => number;
      /** Renew an M2M token this long before it expires. */
      tokenRefreshSkewMs: number;
    },
  ) {
    if (auth.kind === "oauthM2M") {
      account.http.addSecrets(auth.clientSecret);
      this.tokens = new TokenCache(() => this.fetchM2MToken(), {
        now: account.now,
        renewBeforeMs: account.tokenRefreshSkewMs,
      });
    } else account.http.addSecrets(auth.token);
  }

  get kind(): DatabricksAuth["kind"] {
    return this.auth.kind;
  }

  /** The secret the credential is made of (the undo journal's integrity key derives from it). */
  get secret(): string {
    return this.auth.kind === "oauthM2M" ? this.auth.clientSecret : this.auth.token;
  }

  /** A bearer token: the static one, or a cached M2M token (one request in flight at most). */
  async accessToken(): Promise<string> {
    if (!this.tokens) return this.secret;
    return (await this.tokens.get()).value;
  }

  /** `req` with the bearer token; with M2M a 401 renews the token once and retries. */
  send<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const withToken = (t: string) =>
      this.account.http.request<T>({
        ...req,
        headers: { ...req.headers, authorization: `Bearer ${t}` },
      });
    if (!this.tokens) return withToken(this.secret);
    return this.tokens.withToken((t) => withToken(t.value));
  }

  private async fetchM2MToken(): Promise<AccessToken> {
    if (this.auth.kind !== "oauthM2M") throw new Error("unreachable: not M2M");
    const { http, host, accountId, now } = this.account;
    const { clientId, clientSecret } = this.auth;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
    http.addSecrets(basic);
    const url = `${host}/oidc/accounts/${encodeURIComponent(accountId)}/v1/token`;
    let res: HttpResponse<TokenBody>;
    try {
      res = await http.request<TokenBody>({
        method: "POST",
        url,
        bucket: DATABRICKS_BUCKETS.token,
        headers: { authorization: `Basic ${basic}` },
        form: { grant_type: "client_credentials", scope: "all-apis" },
        idempotent: true, // a client-credentials grant has no side effects
      });
    } catch (err) {
      if (err instanceof HttpError && err.status !== undefined && err.status < 500) {
        throw new HttpError({
          service: "databricks",
          kind: err.kind,
          status: err.status,
          method: err.method,
          url: err.url,
          serviceCode: err.serviceCode,
          serviceMessage: err.serviceMessage,
          message: http.redactor.redact(
            `OAuth M2M token request failed: ${err.message}. Check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (an OAuth secret of a service principal that is an account admin) and DATABRICKS_ACCOUNT_ID.`,
          ),
          cause: err,
        });
      }
      throw err;
    }
    const token = res.body?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new AimError(
        ERROR_CODES.databricksToken,
        `POST ${url} returned ${res.status} without an access_token: is DATABRICKS_HOST the accounts host (https://accounts.cloud.databricks.com)?`,
      );
    }
    http.addSecrets(token);
    const expiresIn = Number(res.body?.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000;
    return { value: token, type: "Bearer", expiresAtMs: now() + lifetimeMs };
  }
}
