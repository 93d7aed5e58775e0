/**
 * Okta admin roles as AIM sees them: the role assignments of a client
 * (`/oauth2/v1/clients/{clientId}/roles`, standard roles and CUSTOM ones with
 * their role and resource set), the permissions of a custom role
 * (`/api/v1/iam/roles/{roleIdOrLabel}/permissions`) and the resources of a
 * resource set, parsed from Okta's shapes; and what a role lets a token read.
 * Pure. The table and the reasoning are in docs/services.md, "Admin roles".
 */
import { AimError, ERROR_CODES } from "../http/errors";
import {
  CUSTOM_ROLE_TYPE,
  READ_PERMISSIONS,
  type OktaResourceSetResource,
  type Reach,
} from "../model/oktaRoles";

export * from "../model/oktaRoles";

/** A role assigned to a client, as Okta lists it. */
export type OktaRoleAssignment =
  | {
      kind: "standard";
      /** The assignment's id (for a standard role, a fixed encoding of its type). */
      id: string;
      /** READ_ONLY_ADMIN, SUPER_ADMIN, …, or an IAM-based standard role. */
      type: string;
      label?: string;
      status?: string;
    }
  | {
      kind: "custom";
      id: string;
      type: typeof CUSTOM_ROLE_TYPE;
      /** The custom role's id (cr0…). */
      roleId: string;
      /** The custom role's label (Okta puts it in the assignment's `label`). */
      label?: string;
      /** The resource set the role is granted on (iam…); always present on real Okta. */
      resourceSetId?: string;
      status?: string;
    };

/** One permission of a custom role (`label` is the permission, e.g. okta.users.read). */
export interface OktaRolePermission {
  label: string;
  /** Attribute conditions (include/exclude) that narrow what the permission reaches. */
  conditions?: unknown;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function badBody(what: string, detail: string): AimError {
  return new AimError(ERROR_CODES.oktaUnexpectedBody, `Okta answered ${what} with ${detail}.`);
}

/** A role assignment from Okta's JSON (StandardRole or CustomRole by `type`). */
export function parseRoleAssignment(raw: unknown, what: string): OktaRoleAssignment {
  const r = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const type = str(r.type);
  const id = str(r.id);
  if (!type || !id) throw badBody(what, "a role assignment without a string `type` and `id`");
  const label = str(r.label);
  const status = str(r.status);
  if (type !== CUSTOM_ROLE_TYPE) return { kind: "standard", id, type, label, status };
  const roleId = str(r.role);
  if (!roleId) throw badBody(what, `a CUSTOM role assignment (${id}) without its \`role\``);
  return { kind: "custom", id, type, roleId, label, resourceSetId: str(r["resource-set"]), status };
}

/** The `permissions` of `GET /api/v1/iam/roles/{id}/permissions` (`{"permissions": [...]}`). */
export function parseRolePermissions(body: unknown, what: string): OktaRolePermission[] {
  const list = (body as { permissions?: unknown } | null)?.permissions;
  if (!Array.isArray(list)) throw badBody(what, "no `permissions` array");
  return list.map((p) => {
    const label = str((p as { label?: unknown } | null)?.label);
    if (!label) throw badBody(what, "a permission without its `label`");
    const conditions = (p as { conditions?: unknown }).conditions;
    return conditions === undefined || conditions === null ? { label } : { label, conditions };
  });
}

/** The `resources` of one page of `GET /api/v1/iam/resource-sets/{id}/resources`. */
export function parseResourceSetResources(body: unknown, what: string): OktaResourceSetResource[] {
  const list = (body as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(list)) throw badBody(what, "no `resources` array");
  return list.map((r) => {
    const o = (r ?? {}) as Record<string, unknown>;
    const id = str(o.id);
    if (!id) throw badBody(what, "a resource without its `id`");
    const self = (o._links as { self?: { href?: unknown } } | undefined)?.self?.href;
    return { id, orn: str(o.orn), href: str(self) };
  });
}

/** Which of users/groups a set of permissions reads at all. */
export function permissionsRead(permissions: readonly OktaRolePermission[]): {
  users: boolean;
  groups: boolean;
  /** User read permissions that carry attribute conditions (they may hide login or email). */
  conditioned: string[];
} {
  const labels = new Set(permissions.map((p) => p.label));
  const reads = (k: keyof typeof READ_PERMISSIONS) =>
    READ_PERMISSIONS[k].some((p) => labels.has(p));
  const usersRead: readonly string[] = READ_PERMISSIONS.users;
  return {
    users: reads("users"),
    groups: reads("groups"),
    conditioned: permissions
      .filter((p) => p.conditions !== undefined && usersRead.includes(p.label))
      .map((p) => p.label),
  };
}

/** The widest of several reaches (the roles of one client add up). */
export function widest(reaches: readonly Reach[]): Reach {
  for (const r of ["all", "some", "unknown", "none"] as const) if (reaches.includes(r)) return r;
  return "none";
}

/** How a role assignment is named in messages: its label and type. */
export function roleName(a: OktaRoleAssignment): string {
  if (a.kind === "custom") return `custom role "${a.label ?? a.roleId}" (${a.roleId})`;
  return a.label ? `${a.label} (${a.type})` : a.type;
}
