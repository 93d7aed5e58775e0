/** `/oauth2/v1/clients/:clientId/roles`: admin roles assigned to an app's client. */
import type { OktaApp } from "../../core/model/tenant";
import { CUSTOM_ROLE_TYPE } from "../../core/model/oktaRoles";
import type { OktaRoutes } from "./context";
import { notFound, oktaError } from "./errors";
import { base32 } from "./ids";
import { isResponse, jsonBody } from "./listing";
import { KNOWN_ROLE_TYPES, renderCustomAssignment, renderRole } from "./render";

const ROLES_READ = ["okta.roles.read", "okta.roles.manage"];
const ROLES_MANAGE = ["okta.roles.manage"];

export function registerClientRoles({ store, clientRoute }: OktaRoutes): void {
  const clientId = (app: OktaApp) => app.credentials.oauthClient.client_id;
  /** Standard roles first, then CUSTOM assignments, as Okta lists the union. */
  const renderAll = (org: string, app: OktaApp) => [
    ...(app.roles ?? []).map((r) => renderRole(org, store, clientId(app), r)),
    ...store.iam
      .assignmentsOf(clientId(app))
      .map((a) => renderCustomAssignment(org, store, clientId(app), a)),
  ];
  clientRoute("GET", "/oauth2/v1/clients/:clientId/roles", ROLES_READ, false, (req, app) => ({
    status: 200,
    body: renderAll(req.baseUrl, app),
  }));
  clientRoute("POST", "/oauth2/v1/clients/:clientId/roles", ROLES_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const b = body as { type?: unknown; role?: unknown; "resource-set"?: unknown };
    if (b.type === CUSTOM_ROLE_TYPE) return assignCustom(req.baseUrl, app, b);
    const type = b.type;
    if (typeof type !== "string" || !KNOWN_ROLE_TYPES.has(type))
      return oktaError("E0000001", "type", { causes: ["type: Invalid role type."] });
    if ((app.roles ?? []).includes(type)) return oktaError("E0000090");
    app.roles = [...(app.roles ?? []), type];
    return { status: 201, body: renderRole(req.baseUrl, store, req.params.clientId, type) };
  });
  /** `{"type": "CUSTOM", "role": <custom role id>, "resource-set": <resource set id>}`. */
  const assignCustom = (
    org: string,
    app: OktaApp,
    b: { role?: unknown; "resource-set"?: unknown },
  ) => {
    const causes = [
      typeof b.role !== "string" ? "role: The custom role id is required for type CUSTOM." : "",
      typeof b["resource-set"] !== "string"
        ? "resource-set: The resource set id is required for type CUSTOM."
        : "",
    ].filter(Boolean);
    if (causes.length) return oktaError("E0000001", causes[0].split(":")[0], { causes });
    const role = store.iam.roles.get(b.role as string);
    if (!role) return notFound(b.role as string, "Role");
    const set = store.iam.resourceSets.get(b["resource-set"] as string);
    if (!set) return notFound(b["resource-set"] as string, "ResourceSet");
    if (
      store.iam
        .assignmentsOf(clientId(app))
        .some((a) => a.roleId === role.id && a.resourceSetId === set.id)
    )
      return oktaError("E0000090");
    const a = store.iam.assign(clientId(app), role.id, set.id);
    return { status: 201, body: renderCustomAssignment(org, store, clientId(app), a) };
  };
  const findRole = (app: OktaApp, roleId: string): string | undefined =>
    (app.roles ?? []).find((r) => base32(r) === roleId);
  const findCustom = (app: OktaApp, id: string) =>
    store.iam.assignmentsOf(clientId(app)).find((a) => a.id === id);
  clientRoute(
    "GET",
    "/oauth2/v1/clients/:clientId/roles/:roleId",
    ROLES_READ,
    false,
    (req, app) => {
      const custom = findCustom(app, req.params.roleId);
      if (custom)
        return {
          status: 200,
          body: renderCustomAssignment(req.baseUrl, store, clientId(app), custom),
        };
      const role = findRole(app, req.params.roleId);
      if (!role) return notFound(req.params.roleId, "Role");
      return { status: 200, body: renderRole(req.baseUrl, store, req.params.clientId, role) };
    },
  );
  clientRoute(
    "DELETE",
    "/oauth2/v1/clients/:clientId/roles/:roleId",
    ROLES_MANAGE,
    true,
    (req, app) => {
      const custom = findCustom(app, req.params.roleId);
      if (custom) {
        store.iam.assignments.set(
          clientId(app),
          store.iam.assignmentsOf(clientId(app)).filter((a) => a !== custom),
        );
        return { status: 204 };
      }
      const role = findRole(app, req.params.roleId);
      if (!role) return notFound(req.params.roleId, "Role");
      app.roles = (app.roles ?? []).filter((r) => r !== role);
      store.roleStamps.delete(`${req.params.clientId} ${role}`);
      return { status: 204 };
    },
  );
}
