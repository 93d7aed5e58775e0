/** `/api/v1/groups`: list (q, search, filter), get by id. */
import type { OktaGroup } from "../../core/model/tenant";
import type { OktaRoutes } from "./context";
import { notFound, oktaError } from "./errors";
import type { Operator } from "./expression";
import { DATE_FILTER_OPS, isResponse, parseLimit, searchOrFilter, storePage } from "./listing";
import { renderGroup, renderUser } from "./render";

const GROUPS_READ = ["okta.groups.read", "okta.groups.manage"];
const GROUPS_MANAGE = ["okta.groups.manage"];

function groupFilterAllowed(attr: string, op: Operator): boolean {
  if (attr === "lastUpdated" || attr === "lastMembershipUpdated") return DATE_FILTER_OPS.has(op);
  return (attr === "id" || attr === "type") && op === "eq";
}

export function registerGroups({ store, guarded }: OktaRoutes): void {
  guarded("GET", "/api/v1/groups", "groups", GROUPS_READ, false, (req) => {
    const q = req.query.get("q");
    // With `q`, Okta's default page is 300 groups (API reference, listGroups); else 10000.
    const limit = parseLimit(req.query.get("limit"), q ? 300 : 10000, 10000);
    if (isResponse(limit)) return limit;
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
  guarded("GET", "/api/v1/groups/:id/users", "groupById", GROUPS_READ, false, (req) => {
    if (!store.groups.get(req.params.id)) return notFound(req.params.id, "UserGroup");
    const limit = parseLimit(req.query.get("limit"), 1000, 1000);
    if (isResponse(limit)) return limit;
    const members = new Set(store.groupMembers(req.params.id));
    return storePage(
      req,
      store.users,
      limit,
      (u) => members.has(u.id),
      [],
      (u) => renderUser(req.baseUrl, u, true),
    );
  });
  for (const [method, member] of [
    ["PUT", true],
    ["DELETE", false],
  ] as const)
    guarded(method, "/api/v1/groups/:id/users/:userId", "groupById", GROUPS_MANAGE, true, (req) => {
      const group = store.groups.get(req.params.id);
      if (!group) return notFound(req.params.id, "UserGroup");
      if (!store.users.get(req.params.userId)) return notFound(req.params.userId, "User");
      // Okta manages the members of BUILT_IN (Everyone) and APP_GROUP groups itself.
      if (group.type !== "OKTA_GROUP")
        return oktaError("E0000001", "group", {
          causes: [`type: the members of a ${group.type} group cannot be changed.`],
        });
      store.setGroupMember(group.id, req.params.userId, member);
      return { status: 204 };
    });
}
