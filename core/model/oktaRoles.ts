/**
 * What Okta's admin roles let a token read of the directory (users, groups):
 * the standard roles, the permissions that read, and what a resource set's
 * resources cover. Facts of Okta's documentation, shared by the client's
 * preflight and the emulator (docs/services.md, "Admin roles").
 */
import { AIM_OKTA_ROLE } from "./aim";

export const CUSTOM_ROLE_TYPE = "CUSTOM";

/** One resource of a resource set: its ORN and/or the REST URL it stands for. */
export interface OktaResourceSetResource {
  id: string;
  orn?: string;
  href?: string;
}

/** How much of the directory (users, or groups) a role lets a token read. */
export type Reach = "all" | "some" | "none" | "unknown";

export interface RoleReach {
  users: Reach;
  groups: Reach;
}

/**
 * The standard roles and what they read (Okta's "Standard administrator roles
 * and permissions" and the Roles API's role types; docs/services.md, "Admin
 * roles"). `groupTargets`: the assignment can be constrained to some groups,
 * and then reads only the users and groups in them.
 */
const ALL: RoleReach = { users: "all", groups: "all" };
const NONE: RoleReach = { users: "none", groups: "none" };

export const STANDARD_ROLE_READS: Readonly<Record<string, RoleReach & { groupTargets?: boolean }>> =
  {
    [AIM_OKTA_ROLE]: ALL,
    SUPER_ADMIN: ALL,
    ORG_ADMIN: ALL,
    USER_ADMIN: { ...ALL, groupTargets: true },
    HELP_DESK_ADMIN: { ...ALL, groupTargets: true },
    GROUP_MEMBERSHIP_ADMIN: { ...ALL, groupTargets: true },
    APP_ADMIN: NONE,
    MOBILE_ADMIN: NONE,
    REPORT_ADMIN: NONE,
    API_ACCESS_MANAGEMENT_ADMIN: NONE,
    ACCESS_CERTIFICATIONS_ADMIN: NONE,
    ACCESS_REQUESTS_ADMIN: NONE,
    WORKFLOWS_ADMIN: NONE,
  };

/**
 * The permissions that let a custom role read users, and groups: the read
 * permission, or the resource's manage permission (Okta: "Permissions to
 * manage a resource also grant the viewing privileges for the same
 * resource"; the permissions catalog lists the read one as included).
 */
export const READ_PERMISSIONS = {
  users: ["okta.users.read", "okta.users.manage"],
  groups: ["okta.groups.read", "okta.groups.manage"],
} as const;

/**
 * What a resource set covers of the directory. Okta's resources, by ORN or
 * REST URL: every user (`orn:{partition}:directory:{orgId}:users`,
 * `{org}/api/v1/users`), every group (`…:groups`, `{org}/api/v1/groups`), one
 * group (`…:groups:{groupId}`, `/api/v1/groups/{groupId}`) and the users of
 * one group (`…:groups:{groupId}:contained_resources`,
 * `/api/v1/groups/{groupId}/users`); anything else (apps, …) reaches neither.
 */
export function resourceSetReach(resources: readonly OktaResourceSetResource[]): RoleReach {
  const kinds = new Set(resources.map(resourceKind));
  return {
    users: kinds.has("allUsers") ? "all" : kinds.has("groupUsers") ? "some" : "none",
    groups: kinds.has("allGroups") ? "all" : kinds.has("oneGroup") ? "some" : "none",
  };
}

function resourceKind(r: OktaResourceSetResource): string {
  const orn = r.orn && /^orn:[^:]+:directory:[^:]+:(.+)$/.exec(r.orn)?.[1];
  if (orn) {
    if (orn === "users") return "allUsers";
    if (orn === "groups") return "allGroups";
    if (/^groups:[^:]+:contained_resources$/.test(orn)) return "groupUsers";
    if (/^groups:[^:]+$/.test(orn)) return "oneGroup";
    return "other";
  }
  const path = r.href && /\/api\/v1\/(.+?)\/?$/.exec(new URL(r.href, "http://x").pathname)?.[1];
  if (path === "users") return "allUsers";
  if (path === "groups") return "allGroups";
  if (path && /^groups\/[^/]+\/users$/.test(path)) return "groupUsers";
  if (path && /^groups\/[^/]+$/.test(path)) return "oneGroup";
  return "other";
}
