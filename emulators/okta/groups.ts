/** `/api/v1/groups`: list (q, search, filter), get by id. */
import type { OktaGroup } from "../../core/model/tenant";
import type { OktaRoutes } from "./context";
import { notFound } from "./errors";
import type { Operator } from "./expression";
import { DATE_FILTER_OPS, isResponse, parseLimit, searchOrFilter, storePage } from "./listing";
import { renderGroup } from "./render";

const GROUPS_READ = ["okta.groups.read", "okta.groups.manage"];

function groupFilterAllowed(attr: string, op: Operator): boolean {
  if (attr === "lastUpdated" || attr === "lastMembershipUpdated") return DATE_FILTER_OPS.has(op);
  return (attr === "id" || attr === "type") && op === "eq";
}

export function registerGroups({ store, guarded }: OktaRoutes): void {
  guarded("GET", "/api/v1/groups", "groups", GROUPS_READ, false, (req) => {
    const limit = parseLimit(req.query.get("limit"), 10000, 10000);
    if (isResponse(limit)) return limit;
    const q = req.query.get("q");
    if (q) {
      // Name-prefix lookup: one page, no Link header (as recorded).
      const needle = q.toLowerCase();
      const page = store.groups.page(undefined, limit, (g) =>
        g.profile.name.toLowerCase().startsWith(needle),
      );
      return { status: 200, body: page.items.map((g) => renderGroup(req.baseUrl, g)) };
    }
    const query = searchOrFilter<OktaGroup>(req, groupFilterAllowed);
    if (isResponse(query)) return query;
    return storePage(
      req,
      store.groups,
      limit,
      query ? query.pred : () => true,
      query ? [query.param] : [],
      (g) => renderGroup(req.baseUrl, g),
    );
  });
  guarded("GET", "/api/v1/groups/:id", "groupById", GROUPS_READ, false, (req) => {
    const group = store.groups.get(req.params.id);
    if (!group) return notFound(req.params.id, "UserGroup");
    return { status: 200, body: renderGroup(req.baseUrl, group) };
  });
}
