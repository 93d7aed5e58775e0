/**
 * The emulator's own Okta reader: what AIM does with the configured
 * connection. A `private_key_jwt` client-credentials token request to
 * `{org}/oauth2/v1/token` (no DPoP proof), then reads with that token. Built
 * on jose + fetch on purpose, not on the project's Okta client, so that the
 * emulator checks the client instead of sharing its mistakes. Never puts the
 * key, the assertion or the token into a message.
 */
import crypto from "node:crypto";
import { SignJWT } from "jose";
import { AIM_OKTA_SCOPES } from "../../core/model/aim";

/** The scopes AIM's client requests, space-separated as in a token request. */
export const AIM_TOKEN_SCOPE = AIM_OKTA_SCOPES.join(" ");
const TIMEOUT_MS = 10_000;

export interface OktaConnectionConfig {
  oktaOrgUrl: string;
  clientId: string;
  privateKey: string;
  keyId?: string;
}

/** Validates an Okta org URL: https, or http only on a loopback host; no path. */
export function normaliseOrgUrl(
  raw: unknown,
): { ok: true; url: string } | { ok: false; message: string } {
  if (typeof raw !== "string" || raw.trim() === "")
    return { ok: false, message: "okta_org_url is required, e.g. https://example.okta.com" };
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return { ok: false, message: "okta_org_url is not a URL; use e.g. https://example.okta.com" };
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback))
    return {
      ok: false,
      message: "okta_org_url must use https (http is accepted only for a loopback host)",
    };
  if ((u.pathname !== "/" && u.pathname !== "") || u.search || u.hash || u.username || u.password)
    return {
      ok: false,
      message:
        "okta_org_url must be the org's base URL without a path, e.g. https://example.okta.com",
    };
  return { ok: true, url: u.origin };
}

/** Parses a PEM (PKCS#8 or PKCS#1) or JWK private key; undefined when it is none of them. */
export function parsePrivateKey(
  raw: string,
): { key: crypto.KeyObject; alg: string; kid?: string } | undefined {
  try {
    const text = raw.trim();
    let key: crypto.KeyObject;
    let kid: string | undefined;
    if (text.startsWith("{")) {
      const jwk = JSON.parse(text) as crypto.JsonWebKey & { kid?: string };
      key = crypto.createPrivateKey({ key: jwk, format: "jwk" });
      kid = typeof jwk.kid === "string" ? jwk.kid : undefined;
    } else key = crypto.createPrivateKey(text);
    if (key.type !== "private") return undefined;
    if (key.asymmetricKeyType === "rsa") return { key, alg: "RS256", kid };
    if (key.asymmetricKeyType === "ec") {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const alg = curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : "ES256";
      return { key, alg, kid };
    }
    return undefined;
  } catch {
    return undefined;
  }
}

export function fingerprint(cfg: OktaConnectionConfig): string {
  return crypto
    .createHash("sha256")
    .update([cfg.oktaOrgUrl, cfg.clientId, cfg.privateKey, cfg.keyId ?? ""].join("\u0000"))
    .digest("hex");
}

export type OktaTokenResult =
  | { ok: true; accessToken: string; scope: string; expiresAtMs: number }
  | { ok: false; message: string };

export interface OktaReadResult {
  ok: boolean;
  status: number;
  body: unknown;
  /** Status and Okta's error code/summary, for a failed read. */
  message: string;
}

function describeOktaError(status: number, body: unknown, wwwAuthenticate: string | null): string {
  const parts = [`HTTP ${status}`];
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.error === "string") parts.push(b.error);
    if (typeof b.error_description === "string") parts.push(b.error_description);
    if (typeof b.errorCode === "string") parts.push(b.errorCode);
    if (typeof b.errorSummary === "string") parts.push(b.errorSummary);
  }
  if (wwwAuthenticate) parts.push(`WWW-Authenticate: ${wwwAuthenticate}`);
  return parts.join(" ");
}

export class OktaConnection {
  private cached: { accessToken: string; scope: string; expiresAtMs: number } | undefined;

  /**
   * @param sendsKid whether the assertion header carries a `kid` (the JWK's
   *   own, else `key_id`). No source says whether AIM sends one; the strict
   *   default is that it does not, which Okta refuses once the app holds more
   *   than one ACTIVE key ("The client_assertion JWT kid is invalid.").
   */
  constructor(
    readonly cfg: OktaConnectionConfig,
    private readonly now: () => number,
    readonly sendsKid = false,
  ) {}

  async token(): Promise<OktaTokenResult> {
    if (this.cached && this.cached.expiresAtMs - 60_000 > this.now())
      return { ok: true, ...this.cached };
    const parsed = parsePrivateKey(this.cfg.privateKey);
    if (!parsed) return { ok: false, message: "the private key could not be parsed" };
    const tokenUrl = `${this.cfg.oktaOrgUrl}/oauth2/v1/token`;
    const kid = this.sendsKid ? (parsed.kid ?? this.cfg.keyId) : undefined;
    const nowS = Math.floor(this.now() / 1000);
    let assertion: string;
    try {
      assertion = await new SignJWT({})
        .setProtectedHeader(kid ? { alg: parsed.alg, kid } : { alg: parsed.alg })
        .setIssuer(this.cfg.clientId)
        .setSubject(this.cfg.clientId)
        .setAudience(tokenUrl)
        .setIssuedAt(nowS)
        .setExpirationTime(nowS + 300)
        .setJti(crypto.randomUUID())
        .sign(parsed.key);
    } catch {
      return {
        ok: false,
        message: "the client assertion could not be signed with the private key",
      };
    }
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: new URLSearchParams({
          grant_type: "client_credentials",
          scope: AIM_TOKEN_SCOPE,
          client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
          client_assertion: assertion,
        }).toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return {
        ok: false,
        message: `token request to ${tokenUrl} failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res.ok || !body || typeof body.access_token !== "string")
      return {
        ok: false,
        message: `token request failed: ${describeOktaError(res.status, body, res.headers.get("www-authenticate"))}`,
      };
    const expiresIn = typeof body.expires_in === "number" ? body.expires_in : 3600;
    this.cached = {
      accessToken: body.access_token,
      scope: typeof body.scope === "string" ? body.scope : AIM_TOKEN_SCOPE,
      expiresAtMs: this.now() + expiresIn * 1000,
    };
    return { ok: true, ...this.cached };
  }

  /** GET `{org}{path}` with a fresh or cached token. */
  async get(path: string): Promise<OktaReadResult> {
    const t = await this.token();
    if (!t.ok) return { ok: false, status: 0, body: undefined, message: t.message };
    let res: Response;
    try {
      res = await fetch(`${this.cfg.oktaOrgUrl}${path}`, {
        headers: { authorization: `Bearer ${t.accessToken}`, accept: "application/json" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return {
        ok: false,
        status: 0,
        body: undefined,
        message: `GET ${path.split("?")[0]} failed: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status === 401) this.cached = undefined;
    return {
      ok: res.ok,
      status: res.status,
      body,
      message: res.ok
        ? "ok"
        : `GET ${path.split("?")[0]} failed: ${describeOktaError(res.status, body, res.headers.get("www-authenticate"))}`,
    };
  }
}
