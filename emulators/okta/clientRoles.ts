/** `/oauth2/v1/clients/:clientId/roles`: admin roles assigned to an app's client. */
import type { OktaApp } from "../../core/model/tenant";
import type { OktaRoutes } from "./context";
import { notFound, oktaError } from "./errors";
import { base32 } from "./ids";
import { isResponse, jsonBody } from "./listing";
import { KNOWN_ROLE_TYPES, renderRole } from "./render";

const ROLES_READ = ["okta.roles.read", "okta.roles.manage"];
const ROLES_MANAGE = ["okta.roles.manage"];

export function registerClientRoles({ store, clientRoute }: OktaRoutes): void {
  clientRoute("GET", "/oauth2/v1/clients/:clientId/roles", ROLES_READ, false, (req, app) => ({
    status: 200,
    body: (app.roles ?? []).map((r) => renderRole(req.baseUrl, store, req.params.clientId, r)),
  }));
  clientRoute("POST", "/oauth2/v1/clients/:clientId/roles", ROLES_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const type = (body as { type?: unknown }).type;
    if (typeof type !== "string" || !KNOWN_ROLE_TYPES.has(type))
      return oktaError("E0000001", "type", { causes: ["type: Invalid role type."] });
    if ((app.roles ?? []).includes(type)) return oktaError("E0000090");
    app.roles = [...(app.roles ?? []), type];
    return { status: 201, body: renderRole(req.baseUrl, store, req.params.clientId, type) };
  });
  const findRole = (app: OktaApp, roleId: string): string | undefined =>
    (app.roles ?? []).find((r) => base32(r) === roleId);
  clientRoute(
    "GET",
    "/oauth2/v1/clients/:clientId/roles/:roleId",
    ROLES_READ,
    false,
    (req, app) => {
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
      const role = findRole(app, req.params.roleId);
      if (!role) return notFound(req.params.roleId, "Role");
      app.roles = (app.roles ?? []).filter((r) => r !== role);
      store.roleStamps.delete(`${req.params.clientId} ${role}`);
      return { status: 204 };
    },
  );
}
