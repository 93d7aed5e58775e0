/**
 * The Okta side indexed once: users by id and by normalised login and email
 * (live and DEPROVISIONED apart), groups by id and by name key (BUILT_IN
 * left out). Every Databricks identity is then a map look-up, so planning
 * is linear in the size of the tenant.
 */
import type { OktaGroup, OktaUser } from "../../model/tenant";
import { groupNameKey, normalizeName } from "../normalize";
import { push } from "./identity";

export interface OktaSnapshot {
  users: readonly OktaUser[];
  groups: readonly OktaGroup[];
}

/** An Okta user a Databricks username matches, and by which attribute. */
export interface Candidate {
  user: OktaUser;
  by: "login" | "email";
}

/**
 * What a name key finds: nothing, one Okta identity, or an array of two or
 * more. Most names have one: an array (or a wrapper) per name would be a
 * million allocations at a million users.
 */
export type Found<T> = T | readonly T[] | undefined;

/** Two or more identities found (AMBIGUOUS_MATCH). */
export function isMany<T extends object>(found: Found<T>): found is readonly T[] {
  return Array.isArray(found);
}

export class OktaIndex {
  private readonly userById = new Map<string, OktaUser>();
  private readonly groupById = new Map<string, OktaGroup>();
  /** norm(login|email) → non-DEPROVISIONED Okta users, each at most once per key. */
  private readonly activeByName = new Map<string, OktaUser | OktaUser[]>();
  /** norm(login|email) → DEPROVISIONED Okta users. */
  private readonly deprovisionedByName = new Map<string, OktaUser[]>();
  /** group name key → non-BUILT_IN Okta groups. */
  private readonly groupsByName = new Map<string, OktaGroup | OktaGroup[]>();

  constructor(
    okta: OktaSnapshot,
    private readonly caseInsensitiveGroups: boolean,
  ) {
    for (const u of okta.users) {
      this.userById.set(u.id, u);
      const login = normalizeName(u.profile.login);
      // Most users' email is their login: normalised once.
      const email = u.profile.email === u.profile.login ? login : normalizeName(u.profile.email);
      if (u.status === "DEPROVISIONED") {
        push(this.deprovisionedByName, login, u);
        if (email !== login) push(this.deprovisionedByName, email, u);
      } else {
        add(this.activeByName, login, u);
        // A user whose email is its login is there once, matched by login (see matchedBy).
        if (email !== login) add(this.activeByName, email, u);
      }
    }
    for (const g of okta.groups) {
      this.groupById.set(g.id, g);
      if (g.type === "BUILT_IN") continue;
      add(this.groupsByName, this.groupKey(g.profile.name), g);
    }
  }

  /** The key a group name is compared by (exact, or case-insensitive by the rules). */
  groupKey(name: string): string {
    return groupNameKey(name, this.caseInsensitiveGroups);
  }

  /** Live Okta users whose normalised login or email is `key`. */
  usersNamed(key: string): Found<OktaUser> {
    return this.activeByName.get(key);
  }

  /**
   * How a live user found under `key` matches it: by login when its login
   * is the key, else by email (the index holds a user under its email only
   * when that differs from its login).
   */
  matchedBy(user: OktaUser, key: string): Candidate["by"] {
    const login = user.profile.login;
    return login === key || normalizeName(login) === key ? "login" : "email";
  }

  /** DEPROVISIONED Okta users whose normalised login or email is `key`. */
  deprovisionedNamed(key: string): readonly OktaUser[] | undefined {
    return this.deprovisionedByName.get(key);
  }

  /** Linkable Okta groups whose name key is `key`. */
  groupsNamed(key: string): Found<OktaGroup> {
    return this.groupsByName.get(key);
  }

  /** Names (normalised) that two or more live Okta users hold as login or email. */
  *sharedNames(): Iterable<[string, readonly Candidate[]]> {
    for (const [value, entry] of this.activeByName)
      if (Array.isArray(entry))
        yield [value, entry.map((user) => ({ user, by: this.matchedBy(user, value) }))];
  }

  describe(id: string): string | null {
    const u = this.userById.get(id);
    if (u !== undefined) return `Okta user ${id} ("${u.profile.login}")`;
    const g = this.groupById.get(id);
    if (g !== undefined) return `Okta group ${id} ("${g.profile.name}")`;
    return null;
  }

  /** An Okta user that can be linked: present and not DEPROVISIONED. */
  linkableUser(id: string): OktaUser | undefined {
    const u = this.userById.get(id);
    return u !== undefined && u.status !== "DEPROVISIONED" ? u : undefined;
  }

  /** An Okta group that can be linked: present and not BUILT_IN. */
  linkableGroup(id: string): OktaGroup | undefined {
    const g = this.groupById.get(id);
    return g !== undefined && g.type !== "BUILT_IN" ? g : undefined;
  }
}

/** Adds `value` under `key`: alone, or into an array from the second on. */
function add<T>(map: Map<string, T | T[]>, key: string, value: T): void {
  const entry = map.get(key);
  if (entry === undefined) map.set(key, value);
  else if (Array.isArray(entry)) entry.push(value);
  else map.set(key, [entry, value]);
}
