/**
 * Custom admin roles, resource sets and CUSTOM role assignments of clients
 * (Okta's Roles API: `/api/v1/iam/roles`, `/api/v1/iam/resource-sets`,
 * `POST /oauth2/v1/clients/{clientId}/roles` with `type: "CUSTOM"`), and what
 * a client's roles let its token read. Resources are kept as Okta's ORNs;
 * the REST URLs Okta also accepts are turned into them.
 */
import {
  READ_PERMISSIONS,
  STANDARD_ROLE_READS,
  resourceSetReach,
} from "../../core/model/oktaRoles";
import type { OktaApp } from "../../core/model/tenant";
import { randomId } from "./ids";

export interface CustomRole {
  id: string;
  label: string;
  description: string;
  permissions: Array<{ label: string; conditions?: unknown }>;
  created: string;
}

export interface ResourceSet {
  id: string;
  label: string;
  description: string;
  /** Each resource: its id within the set and its ORN. */
  resources: Array<{ id: string; orn: string }>;
  created: string;
}

/** A CUSTOM role assignment: the custom role on a resource set, for one client. */
export interface CustomRoleAssignment {
  id: string;
  roleId: string;
  resourceSetId: string;
  created: string;
}

/** What setting one up takes (the control plane's and the emulator object's helper). */
export interface CustomRoleSetup {
  label: string;
  permissions: string[];
  /** REST URLs or ORNs (default: every user and every group). */
  resources?: string[];
}

/** The Roles API's permission names: okta.<resource>[.<sub>].<verb>. */
export const PERMISSION_PATTERN = /^okta(\.[A-Za-z]+){2,3}$/;

export class IamState {
  readonly roles = new Map<string, CustomRole>();
  readonly resourceSets = new Map<string, ResourceSet>();
  /** CUSTOM assignments by client id. */
  readonly assignments = new Map<string, CustomRoleAssignment[]>();

  constructor(
    private readonly orgId: string,
    private readonly iso: () => string,
  ) {}

  /** By id, or by label (Okta's `roleIdOrLabel`). */
  findRole(idOrLabel: string): CustomRole | undefined {
    return this.roles.get(idOrLabel) ?? [...this.roles.values()].find((r) => r.label === idOrLabel);
  }

  findResourceSet(idOrLabel: string): ResourceSet | undefined {
    return (
      this.resourceSets.get(idOrLabel) ??
      [...this.resourceSets.values()].find((r) => r.label === idOrLabel)
    );
  }

  createRole(label: string, description: string, permissions: string[]): CustomRole {
    const role: CustomRole = {
      id: `cr0${randomId(17)}`,
      label,
      description,
      permissions: permissions.map((p) => ({ label: p })),
      created: this.iso(),
    };
    this.roles.set(role.id, role);
    return role;
  }

  createResourceSet(label: string, description: string, orns: string[]): ResourceSet {
    const set: ResourceSet = {
      id: `iam${randomId(17)}`,
      label,
      description,
      resources: orns.map((orn) => ({ id: `ire${randomId(17)}`, orn })),
      created: this.iso(),
    };
    this.resourceSets.set(set.id, set);
    return set;
  }

  assign(clientId: string, roleId: string, resourceSetId: string): CustomRoleAssignment {
    const a: CustomRoleAssignment = {
      id: `irb${randomId(17)}`,
      roleId,
      resourceSetId,
      created: this.iso(),
    };
    this.assignments.set(clientId, [...(this.assignments.get(clientId) ?? []), a]);
    return a;
  }

  assignmentsOf(clientId: string): CustomRoleAssignment[] {
    return this.assignments.get(clientId) ?? [];
  }

  /**
   * The ORN a resource stands for, from an ORN or the REST URL Okta also
   * takes (every user, every group, one group, the users of one group);
   * undefined when it is neither.
   */
  resourceOrn(resource: string, org: string): string | undefined {
    const dir = `orn:okta:directory:${this.orgId}`;
    if (
      new RegExp(
        `^orn:[a-z]+:directory:${this.orgId}:(users|groups(:00g\\w+(:contained_resources)?)?)$`,
      ).test(resource)
    )
      return resource;
    if (!resource.startsWith(`${org}/api/v1/`)) return undefined;
    const path = resource.slice(`${org}/api/v1/`.length).replace(/\/$/, "");
    if (path === "users" || path === "groups") return `${dir}:${path}`;
    const m = /^groups\/(00g\w+)(\/users)?$/.exec(path);
    return m ? `${dir}:groups:${m[1]}${m[2] ? ":contained_resources" : ""}` : undefined;
  }

  /** The REST URL of a resource's ORN (its `_links.self`). */
  resourceHref(orn: string, org: string): string {
    const parts = orn.split(":").slice(4);
    if (parts.length === 1) return `${org}/api/v1/${parts[0]}`;
    return `${org}/api/v1/groups/${parts[1]}${parts[2] ? "/users" : ""}`;
  }

  /**
   * Whether the client's roles let its token read users (or groups): a
   * standard role that reads them, or a custom role with a read (or manage)
   * permission on a resource set that holds any of them. What Okta answers a
   * list outside a narrower resource set is not documented; the emulator
   * answers in full (docs/emulators.md).
   */
  clientReads(app: OktaApp, kind: "users" | "groups"): boolean {
    if ((app.roles ?? []).some((t) => STANDARD_ROLE_READS[t]?.[kind] === "all")) return true;
    return this.assignmentsOf(app.credentials.oauthClient.client_id).some((a) => {
      const role = this.roles.get(a.roleId);
      const set = this.resourceSets.get(a.resourceSetId);
      if (!role || !set) return false;
      const allowed: readonly string[] = READ_PERMISSIONS[kind];
      if (!role.permissions.some((p) => allowed.includes(p.label))) return false;
      return resourceSetReach(set.resources)[kind] !== "none";
    });
  }
}

/** One page of a list after `after` (by position of that id), `limit` long. */
export function pageAfter<T extends { id: string }>(
  items: readonly T[],
  after: string | null,
  limit: number,
): { page: T[]; next?: string } {
  const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
  const page = items.slice(start, start + limit);
  return {
    page,
    next: start + limit < items.length ? page[page.length - 1]?.id : undefined,
  };
}
