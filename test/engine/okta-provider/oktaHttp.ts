/**
 * The HTTP side of the Okta provider stand-in: one request function that
 * behaves like the real provider's client (okta-sdk-golang under
 * terraform-provider-okta) where the emulator can tell: with `httpProxy` set
 * the org URL *is* the proxy URL and every request goes to the proxy in
 * absolute-URL form (`GET http://127.0.0.1:PORT/api/v1/... HTTP/1.1`);
 * authentication is `SSWS <apiToken>` or an OAuth access token from
 * private_key_jwt client credentials (`okta:clientId`, `okta:privateKey`,
 * `okta:scopes`), as the provider's own config allows.
 */
import * as http from "node:http";
import * as https from "node:https";
import { randomUUID } from "node:crypto";

export interface OktaProviderConfig {
  orgName?: string;
  baseUrl?: string;
  httpProxy?: string;
  apiToken?: string;
  clientId?: string;
  privateKey?: string;
  privateKeyId?: string;
  scopes?: string[];
}

export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
  ) {
    const summary =
      body && typeof body === "object"
        ? ((body as Record<string, unknown>).errorSummary ??
          (body as Record<string, unknown>).error_description ??
          JSON.stringify(body))
        : String(body);
    super(`the API returned an error: ${String(summary)} (${method} ${path}: HTTP ${status})`);
  }
}

export interface OktaResponse<T> {
  status: number;
  body: T;
}

/** The org URL the provider talks to: `httpProxy` when set (as the real provider does), else https://{orgName}.{baseUrl}. */
export function orgUrlOf(cfg: OktaProviderConfig): string {
  if (cfg.httpProxy) return cfg.httpProxy.replace(/\/+$/, "");
  if (!cfg.orgName || !cfg.baseUrl)
    throw new Error(
      "okta: orgName and baseUrl are required (pulumi config set okta:orgName …; okta:baseUrl okta.com), or httpProxy",
    );
  return `https://${cfg.orgName}.${cfg.baseUrl}`;
}

export class OktaHttp {
  private accessToken: string | undefined;
  readonly orgUrl: string;

  constructor(private readonly cfg: OktaProviderConfig) {
    this.orgUrl = orgUrlOf(cfg);
  }

  /** SSWS admin token (some provider steps run only then, e.g. the groups-claim settings). */
  get usesApiToken(): boolean {
    return Boolean(this.cfg.apiToken);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    okStatuses: number[] = [200, 201, 204],
  ): Promise<OktaResponse<T>> {
    const authorization = await this.authorization();
    const res = await this.raw(method, path, body, { Authorization: authorization });
    if (!okStatuses.includes(res.status))
      throw new OktaApiError(res.status, method, path, res.body);
    return res as OktaResponse<T>;
  }

  private async authorization(): Promise<string> {
    if (this.cfg.apiToken) return `SSWS ${this.cfg.apiToken}`;
    if (this.cfg.clientId && this.cfg.privateKey) {
      this.accessToken ??= await this.oauthToken();
      return `Bearer ${this.accessToken}`;
    }
    throw new Error(
      "okta: no credentials: set okta:apiToken, or okta:clientId + okta:privateKey + okta:scopes",
    );
  }

  private async oauthToken(): Promise<string> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- jose is ESM; Node 22+ require()s it
    const jose = require("jose") as typeof import("jose");
    const key = await jose.importPKCS8(this.cfg.privateKey ?? "", "RS256");
    const aud = `${this.orgUrl}/oauth2/v1/token`;
    const assertion = await new jose.SignJWT({})
      .setProtectedHeader({
        alg: "RS256",
        ...(this.cfg.privateKeyId ? { kid: this.cfg.privateKeyId } : {}),
      })
      .setIssuer(this.cfg.clientId ?? "")
      .setSubject(this.cfg.clientId ?? "")
      .setAudience(aud)
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti(randomUUID())
      .sign(key);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      scope: (this.cfg.scopes ?? []).join(" "),
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    }).toString();
    const res = await this.raw("POST", "/oauth2/v1/token", form, {
      "Content-Type": "application/x-www-form-urlencoded",
    });
    const token = (res.body as { access_token?: string } | undefined)?.access_token;
    if (res.status !== 200 || !token)
      throw new OktaApiError(res.status, "POST", "/oauth2/v1/token", res.body);
    return token;
  }

  private raw(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: unknown }> {
    const target = new URL(path, `${this.orgUrl}/`);
    const payload =
      body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const allHeaders: Record<string, string> = {
      Accept: "application/json",
      "User-Agent": "okta-sdk-golang/6 terraform-provider-okta (pulumi okta stand-in)",
      ...(payload !== undefined && !headers["Content-Type"]
        ? { "Content-Type": "application/json" }
        : {}),
      ...headers,
    };
    if (payload !== undefined) allHeaders["Content-Length"] = String(Buffer.byteLength(payload));
    const proxied = Boolean(this.cfg.httpProxy) && target.protocol === "http:";
    const proxy = proxied ? new URL(this.cfg.httpProxy ?? "") : undefined;
    const options: http.RequestOptions = proxied
      ? {
          host: proxy?.hostname,
          port: Number(proxy?.port || 80),
          method,
          // Absolute-URL form, as an HTTP proxy is addressed.
          path: target.toString(),
          headers: { ...allHeaders, Host: target.host },
        }
      : { method, headers: allHeaders };
    const transport = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = proxied
        ? transport.request(options, onResponse)
        : transport.request(target, options, onResponse);
      function onResponse(res: http.IncomingMessage): void {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", reject);
      }
      req.setTimeout(60_000, () => req.destroy(new Error(`okta: ${method} ${path} timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}
