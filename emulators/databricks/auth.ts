/**
 * Account OAuth M2M (`POST /oidc/accounts/{account_id}/v1/token`, client
 * credentials, HTTP Basic as databricks-sdk-py sends it, form fields also
 * accepted) and Bearer checking for every account API.
 */
import crypto from "node:crypto";
import type { EmulatorRequest, EmulatorResponse, Router } from "../common/server";
import { authHeader } from "../common/server";
import { databricksError } from "./errors";

export const TOKEN_LIFETIME_S = 3600;

export interface AuthConfig {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** A personal access token, accepted as Bearer and never expiring. */
  token: string;
  now: () => number;
}

/** Constant-time string comparison (no early exit on the first differing byte). */
function same(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export class AccountAuth {
  /** Issued access tokens and their expiry (ms since the epoch). */
  private readonly issued = new Map<string, number>();

  constructor(private readonly cfg: AuthConfig) {}

  register(router: Router): void {
    router.add("POST", "/oidc/accounts/:accountId/v1/token", (req) => this.tokenEndpoint(req));
    router.add(
      "GET",
      "/oidc/accounts/:accountId/.well-known/oauth-authorization-server",
      (req) => ({
        status: 200,
        body: {
          issuer: `${req.baseUrl}/oidc/accounts/${req.params.accountId}`,
          authorization_endpoint: `${req.baseUrl}/oidc/accounts/${req.params.accountId}/v1/authorize`,
          token_endpoint: `${req.baseUrl}/oidc/accounts/${req.params.accountId}/v1/token`,
          grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
        },
      }),
    );
  }

  private tokenEndpoint(req: EmulatorRequest): EmulatorResponse {
    const invalidClient = {
      status: 401,
      body: { error: "invalid_client", error_description: "Client authentication failed" },
    };
    let clientId = req.form.get("client_id") ?? undefined;
    let clientSecret = req.form.get("client_secret") ?? undefined;
    const auth = authHeader(req);
    if (auth && auth[0].toLowerCase() === "basic") {
      const decoded = Buffer.from(auth[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i < 0) return invalidClient;
      // RFC 6749 §2.3.1: both parts are form-urlencoded inside Basic.
      clientId = decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " "));
      clientSecret = decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, " "));
    }
    const grantType = req.form.get("grant_type");
    if (grantType !== "client_credentials")
      return {
        status: 400,
        body: {
          error: "unsupported_grant_type",
          error_description: `Grant type '${grantType ?? ""}' is not supported.`,
        },
      };
    if (
      clientId === undefined ||
      clientSecret === undefined ||
      req.params.accountId !== this.cfg.accountId ||
      !same(clientId, this.cfg.clientId) ||
      !same(clientSecret, this.cfg.clientSecret)
    )
      return invalidClient;
    const scope = req.form.get("scope") ?? "all-apis";
    if (!scope.split(/\s+/).includes("all-apis"))
      return {
        status: 400,
        body: { error: "invalid_scope", error_description: `Invalid scope: ${scope}` },
      };
    const accessToken = `dbx-emu-${crypto.randomBytes(24).toString("base64url")}`;
    this.issued.set(accessToken, this.cfg.now() + TOKEN_LIFETIME_S * 1000);
    return {
      status: 200,
      headers: { "cache-control": "no-store" },
      body: {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_S,
        scope,
      },
    };
  }

  /** 401 / 403 for a request to an account API, or undefined when allowed. */
  check(req: EmulatorRequest): EmulatorResponse | undefined {
    const auth = authHeader(req);
    if (!auth || auth[0].toLowerCase() !== "bearer" || !auth[1])
      return databricksError(
        401,
        "UNAUTHENTICATED",
        "Credential was not sent or was of an unsupported type for this API.",
      );
    const token = auth[1];
    if (!same(token, this.cfg.token)) {
      const exp = this.issued.get(token);
      if (exp === undefined)
        return databricksError(401, "UNAUTHENTICATED", "Invalid access token.");
      if (this.cfg.now() >= exp) return databricksError(401, "UNAUTHENTICATED", "Token expired.");
    }
    if (req.params.accountId !== undefined && req.params.accountId !== this.cfg.accountId)
      return databricksError(
        403,
        "PERMISSION_DENIED",
        `The caller is not authorized to access account ${req.params.accountId}.`,
      );
    return undefined;
  }
}
