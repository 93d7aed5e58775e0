/** `/api/v1/users`: list (q, search, filter), get by id or login. */
import type { OktaUser } from "../../core/model/tenant";
import { authHeader } from "../common/server";
import type { OktaRoutes } from "./context";
import { notFound } from "./errors";
import type { Operator } from "./expression";
import { DATE_FILTER_OPS, isResponse, parseLimit, searchOrFilter, storePage } from "./listing";
import { renderUser } from "./render";

const USERS_READ = ["okta.users.read", "okta.users.manage"];

const USER_FILTER_ATTRS = new Set([
  "status",
  "id",
  "profile.login",
  "profile.email",
  "profile.firstName",
  "profile.lastName",
  "type.id",
]);
function userFilterAllowed(attr: string, op: Operator): boolean {
  if (attr === "lastUpdated") return DATE_FILTER_OPS.has(op);
  return USER_FILTER_ATTRS.has(attr) && op === "eq";
}

export function registerUsers({ store, guarded }: OktaRoutes): void {
  guarded("GET", "/api/v1/users", "users", USERS_READ, false, (req) => {
    // With `q`, Okta's default page is 10 users (API reference, listUsers); else 200.
    const limit = parseLimit(req.query.get("limit"), req.query.get("q") ? 10 : 200, 200);
    if (isResponse(limit)) return limit;
    const query = searchOrFilter<OktaUser>(req, userFilterAllowed);
    if (isResponse(query)) return query;
    const q = req.query.get("q");
    let pred: (u: OktaUser) => boolean;
    const extra: Array<[string, string]> = [];
    if (query) {
      pred = query.pred;
      extra.push(query.param);
    } else if (q) {
      const needle = q.toLowerCase();
      pred = (u) =>
        u.status !== "DEPROVISIONED" &&
        [u.profile.firstName, u.profile.lastName, u.profile.email, u.profile.login].some(
          (v) => typeof v === "string" && v.toLowerCase().startsWith(needle),
        );
      extra.push(["q", q]);
    } else {
      // The plain list omits deprovisioned users (filter/search return them).
      pred = (u) => u.status !== "DEPROVISIONED";
    }
    return storePage(req, store.users, limit, pred, extra, (u) => renderUser(req.baseUrl, u, true));
  });
  // The caller's own user: the token's owner for SSWS (the Okta provider checks its token this way).
  // A service app's access token has no user behind it: Okta answers E0000007 for "me".
  guarded("GET", "/api/v1/users/me", "userById", USERS_READ, false, (req) => {
    const scheme = authHeader(req)?.[0].toLowerCase();
    if (scheme !== "ssws") return notFound("me", "User");
    return { status: 200, body: renderUser(req.baseUrl, store.tokenOwner) };
  });
  guarded("GET", "/api/v1/users/:id", "userById", USERS_READ, false, (req) => {
    const user = store.findUser(req.params.id);
    if (!user) return notFound(req.params.id, "User");
    return { status: 200, body: renderUser(req.baseUrl, user) };
  });
}
