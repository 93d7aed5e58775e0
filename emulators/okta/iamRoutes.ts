/**
 * `/api/v1/iam/roles` (custom roles and their permissions) and
 * `/api/v1/iam/resource-sets` (and their resources): the parts of Okta's
 * Roles API that custom role assignments of clients need.
 */
import type { EmulatorRequest, EmulatorResponse } from "../common/server";
import type { OktaRoutes } from "./context";
import { PERMISSION_PATTERN, pageAfter, type CustomRoleSetup } from "./iam";
import { notFound, oktaError } from "./errors";
import { isResponse, jsonBody, parseLimit } from "./listing";
import { renderCustomRole, renderPermission, renderResource, renderResourceSet } from "./render";
import type { OktaStore } from "./store";

const ROLES_READ = ["okta.roles.read", "okta.roles.manage"];
const ROLES_MANAGE = ["okta.roles.manage"];
/** The Roles API's default (and here maximum) page of resources. */
const RESOURCES_PAGE = 100;

/** A required non-empty string field, or the validation error that names it. */
function field(body: Record<string, unknown>, name: string): string | EmulatorResponse {
  const v = body[name];
  return typeof v === "string" && v.trim() !== ""
    ? v
    : oktaError("E0000001", name, { causes: [`${name}: The field cannot be left blank.`] });
}

/** The JSON body with its required `label` and `description` (roles and resource sets both have them). */
function labelled(
  req: EmulatorRequest,
): { body: Record<string, unknown>; label: string; description: string } | EmulatorResponse {
  const body = jsonBody(req);
  if (isResponse(body)) return body;
  const b = body as Record<string, unknown>;
  const label = field(b, "label");
  if (isResponse(label)) return label;
  const description = field(b, "description");
  if (isResponse(description)) return description;
  return { body: b, label, description };
}

/** ORNs of the given resources, or the error naming the first that is none Okta takes. */
export function resourceOrns(
  store: OktaStore,
  org: string,
  resources: unknown,
): string[] | EmulatorResponse {
  if (resources === undefined) return [];
  const list = Array.isArray(resources) ? resources : [resources];
  const orns: string[] = [];
  for (const r of list) {
    const orn = typeof r === "string" ? store.iam.resourceOrn(r, org) : undefined;
    if (!orn)
      return oktaError("E0000001", "resources", {
        causes: [`resources: ${String(r)} is not a resource of this org.`],
      });
    orns.push(orn);
  }
  return orns;
}

/** Creates the role, its resource set and the client's assignment (control plane, emulator object). */
export function setUpCustomRole(
  store: OktaStore,
  org: string,
  clientId: string,
  setup: CustomRoleSetup,
): ReturnType<OktaStore["iam"]["assign"]> | EmulatorResponse {
  if (!store.getAppByClientId(clientId)) return notFound(clientId, "Client");
  if (typeof setup.label !== "string" || !setup.label)
    return oktaError("E0000001", "label", { causes: ["label: The field cannot be left blank."] });
  if (store.iam.findRole(setup.label))
    return oktaError("E0000001", "label", { causes: ["label: A role with this label exists."] });
  const bad = (setup.permissions ?? []).find(
    (p) => typeof p !== "string" || !PERMISSION_PATTERN.test(p),
  );
  if (!Array.isArray(setup.permissions) || bad !== undefined)
    return oktaError("E0000001", "permissions", {
      causes: [`permissions: ${String(bad ?? "(none)")} is not an Okta permission.`],
    });
  const orns = resourceOrns(
    store,
    org,
    setup.resources ?? [`${org}/api/v1/users`, `${org}/api/v1/groups`],
  );
  if (isResponse(orns)) return orns;
  const role = store.iam.createRole(setup.label, setup.label, setup.permissions);
  const set = store.iam.createResourceSet(`${setup.label} resources`, setup.label, orns);
  return store.iam.assign(clientId, role.id, set.id);
}

export function registerIam({ store, guarded }: OktaRoutes): void {
  /** A read of the object `:param` names (by id or label); 404 `kind` when there is none. */
  const readOf =
    <T>(param: string, kind: string, find: (idOrLabel: string) => T | undefined) =>
    (path: string, fn: (req: EmulatorRequest, found: T) => EmulatorResponse) =>
      guarded("GET", path, "iam", ROLES_READ, false, (req) => {
        const found = find(req.params[param]);
        return found ? fn(req, found) : notFound(req.params[param], kind);
      });
  const roleRead = readOf("roleIdOrLabel", "Role", (id) => store.iam.findRole(id));
  const setRead = readOf("resourceSetIdOrLabel", "ResourceSet", (id) =>
    store.iam.findResourceSet(id),
  );

  guarded("GET", "/api/v1/iam/roles", "iam", ROLES_READ, false, (req) => ({
    status: 200,
    body: {
      roles: [...store.iam.roles.values()].map((r) => renderCustomRole(req.baseUrl, r)),
      _links: {},
    },
  }));
  guarded("POST", "/api/v1/iam/roles", "iam", ROLES_MANAGE, true, (req) => {
    const given = labelled(req);
    if (isResponse(given)) return given;
    const { label, description } = given;
    const perms = given.body.permissions;
    if (
      !Array.isArray(perms) ||
      perms.length === 0 ||
      perms.some((p) => typeof p !== "string" || !PERMISSION_PATTERN.test(p))
    )
      return oktaError("E0000001", "permissions", {
        causes: ["permissions: Give a non-empty list of Okta permissions (okta.users.read, …)."],
      });
    if (store.iam.findRole(label))
      return oktaError("E0000001", "label", { causes: ["label: A role with this label exists."] });
    const role = store.iam.createRole(label, description, perms as string[]);
    return { status: 200, body: renderCustomRole(req.baseUrl, role) };
  });
  roleRead("/api/v1/iam/roles/:roleIdOrLabel", (req, role) => ({
    status: 200,
    body: renderCustomRole(req.baseUrl, role),
  }));
  roleRead("/api/v1/iam/roles/:roleIdOrLabel/permissions", (req, role) => ({
    status: 200,
    body: { permissions: role.permissions.map((p) => renderPermission(req.baseUrl, role, p)) },
  }));

  guarded("POST", "/api/v1/iam/resource-sets", "iam", ROLES_MANAGE, true, (req) => {
    const given = labelled(req);
    if (isResponse(given)) return given;
    const { label, description } = given;
    if (store.iam.findResourceSet(label))
      return oktaError("E0000001", "label", {
        causes: ["label: A resource set with this label exists."],
      });
    const orns = resourceOrns(store, req.baseUrl, given.body.resources);
    if (isResponse(orns)) return orns;
    const set = store.iam.createResourceSet(label, description, orns);
    return { status: 200, body: renderResourceSet(req.baseUrl, set) };
  });
  setRead("/api/v1/iam/resource-sets/:resourceSetIdOrLabel", (req, set) => ({
    status: 200,
    body: renderResourceSet(req.baseUrl, set),
  }));
  setRead("/api/v1/iam/resource-sets/:resourceSetIdOrLabel/resources", (req, set) => {
    const limit = parseLimit(req.query.get("limit"), RESOURCES_PAGE, RESOURCES_PAGE);
    if (isResponse(limit)) return limit;
    const { page, next } = pageAfter(set.resources, req.query.get("after"), limit);
    const self = `${req.baseUrl}/api/v1/iam/resource-sets/${set.id}`;
    return {
      status: 200,
      body: {
        resources: page.map((r) => renderResource(req.baseUrl, store, set, r)),
        _links: {
          ...(next ? { next: { href: `${self}/resources?after=${next}&limit=${limit}` } } : {}),
          "resource-set": { href: self },
        },
      },
    };
  });
}
