/**
 * Who is calling and whether they may: SSWS API tokens, and OAuth access
 * tokens (Bearer or DPoP) checked for scope and for an admin role on their
 * client, with Okta's WWW-Authenticate challenges.
 */
import type { OktaApp } from "../../core/model/tenant";
import { authHeader, type EmulatorRequest, type EmulatorResponse } from "../common/server";
import type { ApiContext } from "./context";
import { oktaError } from "./errors";
import type { IssuedToken } from "./store";

type Principal = { kind: "ssws" } | { kind: "client"; app: OktaApp; token: IssuedToken };

/** Roles allowed to write through the API with an OAuth token. */
const WRITE_ROLES = new Set(["SUPER_ADMIN", "ORG_ADMIN", "APP_ADMIN"]);

/** Which part of the directory a route reads, told by the scopes it takes. */
function directoryRead(scopes: readonly string[]): "users" | "groups" | undefined {
  if (scopes.includes("okta.users.read")) return "users";
  if (scopes.includes("okta.groups.read")) return "groups";
  return undefined;
}

function bearerChallenge(
  req: EmulatorRequest,
  error: string,
  description: string,
  scope?: string,
): string {
  const org = req.baseUrl;
  const parts = [
    `authorization_uri="${org}/oauth2/v1/authorize"`,
    `realm="${org}"`,
    ...(scope ? [`scope="${scope}"`] : []),
    `error="${error}"`,
    `error_description="${description}"`,
    `resource="${req.path}"`,
  ];
  return `Bearer ${parts.join(", ")}`;
}

function authenticate(req: EmulatorRequest, ctx: ApiContext): Principal | EmulatorResponse {
  const h = authHeader(req);
  if (!h) return oktaError("E0000011");
  const [scheme, credential] = h;
  const s = scheme.toLowerCase();
  if (s === "ssws") {
    return credential === ctx.apiToken ? { kind: "ssws" } : oktaError("E0000011");
  }
  if (s === "bearer" || s === "dpop") {
    const token = ctx.store.tokens.get(credential);
    const invalid = () =>
      oktaError("E0000011", undefined, {
        headers: {
          "www-authenticate": bearerChallenge(req, "invalid_token", "The access token is invalid."),
        },
      });
    if (!token) return invalid();
    if (token.expiresAtMs <= ctx.now()) {
      ctx.store.tokens.delete(credential);
      return invalid();
    }
    // A DPoP-bound token must be presented with the DPoP scheme and a proof.
    if (token.tokenType === "DPoP" && (s !== "dpop" || !req.headers["dpop"])) return invalid();
    const app = ctx.store.getAppByClientId(token.clientId);
    if (!app || app.status === "INACTIVE") return invalid();
    return { kind: "client", app, token };
  }
  return oktaError("E0000011");
}

/**
 * Authenticates and authorises: any one of `scopes` for a token, an admin
 * role on the token's client (a write role for writes).
 */
export function authorize(
  req: EmulatorRequest,
  ctx: ApiContext,
  scopes: string[],
  write: boolean,
): EmulatorResponse | undefined {
  const p = authenticate(req, ctx);
  if (!("kind" in p)) return p;
  if (p.kind === "ssws") return undefined;
  if (!scopes.some((s) => p.token.scopes.includes(s))) {
    return oktaError("E0000006", undefined, {
      headers: {
        "www-authenticate": bearerChallenge(
          req,
          "insufficient_scope",
          "The access token provided does not contain the required scopes.",
          scopes[0],
        ),
      },
    });
  }
  const roles = p.app.roles ?? [];
  const custom = ctx.store.iam.assignmentsOf(p.app.credentials.oauthClient.client_id);
  if (roles.length === 0 && custom.length === 0) return oktaError("E0000006");
  if (write && !roles.some((r) => WRITE_ROLES.has(r))) return oktaError("E0000006");
  // Users and groups answer only a role that reads them (a standard one, or a custom role's permissions).
  const directory = directoryRead(scopes);
  if (directory && !ctx.store.iam.clientReads(p.app, directory)) return oktaError("E0000006");
  return undefined;
}
