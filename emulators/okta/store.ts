/**
 * The Okta emulator's in-memory state. Users and groups are kept sorted by
 * id with an id index, so a page after a cursor is a binary search plus a
 * slice (listing 100,000 users page by page stays linear overall), and a
 * cursor survives deletions the way a keyset cursor does.
 */
import type {
  OktaApp,
  OktaAppJwk,
  OktaGroup,
  OktaUser,
  TenantFixture,
} from "../../core/model/tenant";
import { IamState } from "./iam";
import { newAppId, newGroupId, newKeyId, newUserId, randomId } from "./ids";

/** The BUILT_IN group every user belongs to. */
const EVERYONE = "Everyone";

/** A list of objects kept sorted by `id`, with an index by id. */
export class SortedById<T extends { id: string }> {
  private items: T[] = [];
  private readonly byId = new Map<string, T>();
  /** Bumped on every change, so that secondary indexes know when to rebuild. */
  version = 0;

  /** Replaces the content (one sort, for large fixtures). */
  load(items: T[]): void {
    this.version++;
    this.items = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.byId.clear();
    for (const it of this.items) {
      if (this.byId.has(it.id)) throw new Error(`duplicate id ${it.id} in Okta fixture`);
      this.byId.set(it.id, it);
    }
  }

  get size(): number {
    return this.items.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** Index of the first item whose id is greater than `id`. */
  indexAfter(id: string): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid].id <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(i: number): T | undefined {
    return this.items[i];
  }

  upsert(item: T): void {
    this.version++;
    const existing = this.byId.get(item.id);
    if (existing) {
      this.items[this.indexAfter(item.id) - 1] = item;
    } else {
      this.items.splice(this.indexAfter(item.id), 0, item);
    }
    this.byId.set(item.id, item);
  }

  remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.version++;
    this.items.splice(this.indexAfter(id) - 1, 1);
    return true;
  }

  values(): readonly T[] {
    return this.items;
  }

  /**
   * One page: up to `limit` items after the cursor that satisfy `pred`, and
   * whether another matching item follows (Okta then sends rel="next").
   */
  page(
    after: string | undefined,
    limit: number,
    pred: (item: T) => boolean,
  ): { items: T[]; hasMore: boolean } {
    const out: T[] = [];
    let i = after === undefined ? 0 : this.indexAfter(after);
    for (; i < this.items.length && out.length < limit; i++) {
      if (pred(this.items[i])) out.push(this.items[i]);
    }
    let hasMore = false;
    for (; i < this.items.length; i++) {
      if (pred(this.items[i])) {
        hasMore = true;
        break;
      }
    }
    return { items: out, hasMore };
  }
}

/** An access token minted by `/oauth2/v1/token`. */
export interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAtMs: number;
  tokenType: "Bearer" | "DPoP";
}

/** Internal timestamps for grants and roles (the app keeps only their names). */
interface Stamp {
  id: string;
  created: string;
}

export class OktaStore {
  readonly users = new SortedById<OktaUser>();
  readonly groups = new SortedById<OktaGroup>();
  readonly apps = new Map<string, OktaApp>();
  /** Group memberships: user ids by group id. */
  readonly members = new Map<string, Set<string>>();
  readonly tokens = new Map<string, IssuedToken>();
  /** Client-assertion `jti`s already used, with their expiry (ms). */
  readonly usedJtis = new Map<string, number>();
  /** Grant ids and creation times, by `${appId} ${scopeId}`. */
  readonly grantStamps = new Map<string, Stamp>();
  /** Role creation times, by `${clientId} ${roleType}`. */
  readonly roleStamps = new Map<string, Stamp>();
  /** The org's id ("00o…"), used in app ORNs. */
  readonly orgId = `00o${randomId(17)}`;
  /** Custom roles, resource sets and CUSTOM client role assignments. */
  readonly iam = new IamState(this.orgId, () => this.iso());
  /**
   * The super administrator who owns the SSWS API token (`GET /api/v1/users/me`).
   * Kept out of the user listings so that a fixture's users are exactly the org's.
   */
  readonly tokenOwner: OktaUser = {
    id: `00u${randomId(17)}`,
    status: "ACTIVE",
    profile: {
      login: "admin@emulator.invalid",
      email: "admin@emulator.invalid",
      firstName: "Okta",
      lastName: "Admin",
    },
    created: "2020-01-01T00:00:00.000Z",
    lastUpdated: "2020-01-01T00:00:00.000Z",
  };
  /** The org's default app access policy and profile enrollment policy (app `_links`). */
  readonly accessPolicyId = `rst${randomId(17)}`;
  readonly profileEnrollmentPolicyId = `rst${randomId(17)}`;
  /** ID-token settings per app (`/api/v1/internal/apps/{id}/settings/oauth/idToken`, used by the Okta provider). */
  readonly idTokenSettings = new Map<string, Record<string, unknown>>();
  /**
   * Test switch: apps whose "Require DPoP" stays on whatever an update says
   * (as when an org policy forces it): PUT answers 200 with the flag still true.
   */
  readonly dpopForced = new Set<string>();

  private loginIndex?: { version: number; byLogin: Map<string, OktaUser> };

  constructor(private readonly now: () => number = Date.now) {}

  iso(): string {
    // Okta timestamps have whole seconds and ".000Z".
    return new Date(Math.floor(this.now() / 1000) * 1000).toISOString();
  }

  loadFixture(fixture: TenantFixture["okta"] | undefined): void {
    // One timestamp for the whole load: large fixtures load in a fraction of a second.
    const ts = this.iso();
    this.users.load((fixture?.users ?? []).map((u) => this.normaliseUser(u, ts)));
    this.groups.load((fixture?.groups ?? []).map((g) => this.normaliseGroup(g, ts)));
    this.members.clear();
    this.apps.clear();
    for (const app of fixture?.apps ?? []) this.putApp(this.normaliseApp(app));
  }

  // ---- users ---------------------------------------------------------------

  /** Fills the fields a real user object carries (the recorded shape). */
  normaliseUser(
    u: Partial<OktaUser> & { profile: OktaUser["profile"] },
    ts: string = this.iso(),
  ): OktaUser {
    const created = u.created ?? ts;
    const status = u.status ?? "ACTIVE";
    return {
      ...u,
      id: u.id ?? newUserId(),
      status,
      created,
      activated: u.activated !== undefined ? u.activated : status === "STAGED" ? null : created,
      statusChanged: u.statusChanged !== undefined ? u.statusChanged : created,
      lastLogin: u.lastLogin ?? null,
      lastUpdated: u.lastUpdated ?? created,
      passwordChanged: u.passwordChanged ?? null,
      type: u.type ?? { id: "oty1defaultusertype" },
      profile: {
        firstName: null,
        lastName: null,
        mobilePhone: null,
        secondEmail: null,
        ...u.profile,
      },
      credentials: u.credentials ?? { provider: { type: "OKTA", name: "OKTA" } },
    };
  }

  addUser(u: Partial<OktaUser> & { profile: OktaUser["profile"] }): OktaUser {
    const user = this.normaliseUser(u);
    const isNew = this.users.get(user.id) === undefined;
    this.users.upsert(user);
    if (isNew) this.everyoneChanged();
    return user;
  }

  /** Updates profile/status and bumps `lastUpdated` (and `statusChanged`). */
  updateUser(
    id: string,
    patch: { status?: OktaUser["status"]; profile?: Partial<OktaUser["profile"]> },
  ): OktaUser | undefined {
    const user = this.users.get(id);
    if (!user) return undefined;
    const ts = this.iso();
    const updated: OktaUser = {
      ...user,
      status: patch.status ?? user.status,
      statusChanged: patch.status && patch.status !== user.status ? ts : user.statusChanged,
      profile: { ...user.profile, ...(patch.profile ?? {}) } as OktaUser["profile"],
      lastUpdated: ts,
    };
    this.users.upsert(updated);
    return updated;
  }

  /** Deletes a user (Okta deletes only DEPROVISIONED users; a test may skip the step). */
  removeUser(id: string): boolean {
    for (const set of this.members.values()) set.delete(id);
    const removed = this.users.remove(id);
    if (removed) this.everyoneChanged();
    return removed;
  }

  /**
   * Every user of the org is a member of the BUILT_IN group "Everyone": a
   * user created or deleted is a membership change of that group, which
   * moves its `lastMembershipUpdated` (never its `lastUpdated`).
   */
  private everyoneChanged(): void {
    for (const g of this.groups.values()) {
      if (g.type === "BUILT_IN" && g.profile.name === EVERYONE) {
        this.groups.upsert({ ...g, lastMembershipUpdated: this.iso() });
        return;
      }
    }
  }

  /** By id, or by login (case-insensitive), as `GET /api/v1/users/{idOrLogin}` does. */
  findUser(idOrLogin: string): OktaUser | undefined {
    const byId = this.users.get(idOrLogin);
    if (byId) return byId;
    const login = idOrLogin.toLowerCase();
    // An index rebuilt when the users change: a scan per look-up made one look-up per
    // user (the benchmark's scripted approach) quadratic: 100,000 x 100,000 comparisons.
    if (this.loginIndex?.version !== this.users.version) {
      const byLogin = new Map<string, OktaUser>();
      for (const u of this.users.values()) {
        const key = u.profile.login.toLowerCase();
        if (!byLogin.has(key)) byLogin.set(key, u); // the first in id order, as a scan finds
      }
      this.loginIndex = { version: this.users.version, byLogin };
    }
    return this.loginIndex.byLogin.get(login);
  }

  // ---- groups --------------------------------------------------------------

  normaliseGroup(
    g: Partial<OktaGroup> & { profile: OktaGroup["profile"] },
    ts: string = this.iso(),
  ): OktaGroup {
    const created = g.created ?? ts;
    return {
      ...g,
      id: g.id ?? newGroupId(),
      created,
      lastUpdated: g.lastUpdated ?? created,
      lastMembershipUpdated: g.lastMembershipUpdated ?? created,
      objectClass: g.objectClass ?? ["okta:user_group"],
      type: g.type ?? "OKTA_GROUP",
      profile: { description: null, ...g.profile },
    };
  }

  addGroup(g: Partial<OktaGroup> & { profile: OktaGroup["profile"] }): OktaGroup {
    const group = this.normaliseGroup(g);
    this.groups.upsert(group);
    return group;
  }

  /** Updates a group's profile and bumps `lastUpdated`. */
  updateGroup(id: string, profile: Partial<OktaGroup["profile"]>): OktaGroup | undefined {
    const group = this.groups.get(id);
    if (!group) return undefined;
    const updated: OktaGroup = {
      ...group,
      profile: { ...group.profile, ...profile } as OktaGroup["profile"],
      lastUpdated: this.iso(),
    };
    this.groups.upsert(updated);
    return updated;
  }

  removeGroup(id: string): boolean {
    this.members.delete(id);
    return this.groups.remove(id);
  }

  /** The user ids of a group's members, in id order. */
  groupMembers(groupId: string): string[] {
    return [...(this.members.get(groupId) ?? [])].sort();
  }

  /**
   * Adds or removes a member. A membership change moves the group's
   * `lastMembershipUpdated`, never its `lastUpdated` (which follows the
   * group's own profile). False when nothing changed.
   */
  setGroupMember(groupId: string, userId: string, member: boolean): boolean {
    const group = this.groups.get(groupId);
    if (!group) return false;
    const set = this.members.get(groupId) ?? new Set<string>();
    if (set.has(userId) === member) return false;
    if (member) set.add(userId);
    else set.delete(userId);
    this.members.set(groupId, set);
    this.groups.upsert({ ...group, lastMembershipUpdated: this.iso() });
    return true;
  }

  // ---- apps ----------------------------------------------------------------

  /** Gives keys an `id`, a `status` and timestamps; keeps ids of keys already known by kid. */
  normaliseKeys(keys: OktaAppJwk[], previous: OktaAppJwk[] = []): OktaAppJwk[] {
    const ts = this.iso();
    return keys.map((k) => {
      const prev = previous.find((p) => p.kid === k.kid && p.kty === k.kty);
      return {
        ...k,
        id: k.id ?? prev?.id ?? newKeyId(),
        status: k.status ?? prev?.status ?? "ACTIVE",
        created: (prev?.created as string | undefined) ?? ts,
        lastUpdated: ts,
      };
    });
  }

  /** Completes an app object (fixture or POST body) with what Okta adds. */
  normaliseApp(app: Partial<OktaApp>): OktaApp {
    const ts = this.iso();
    const id = app.id ?? newAppId();
    const oauthCreds: Partial<OktaApp["credentials"]["oauthClient"]> =
      app.credentials?.oauthClient ?? {};
    const oauthSettings: Partial<OktaApp["settings"]["oauthClient"]> =
      app.settings?.oauthClient ?? {};
    return {
      ...app,
      id,
      name: app.name ?? "oidc_client",
      label: app.label ?? id,
      status: app.status ?? "ACTIVE",
      created: (app.created as string | undefined) ?? ts,
      lastUpdated: ts,
      signOnMode: app.signOnMode ?? "OPENID_CONNECT",
      credentials: {
        ...(app.credentials ?? {}),
        oauthClient: {
          autoKeyRotation: true,
          pkce_required: false,
          ...oauthCreds,
          // Okta uses the app id as the client id for apps it creates.
          client_id: oauthCreds.client_id ?? id,
          token_endpoint_auth_method: oauthCreds.token_endpoint_auth_method ?? "private_key_jwt",
        },
      },
      settings: {
        ...(app.settings ?? {}),
        oauthClient: {
          ...oauthSettings,
          application_type: oauthSettings.application_type ?? "service",
          grant_types: oauthSettings.grant_types ?? ["client_credentials"],
          response_types: oauthSettings.response_types ?? ["token"],
          dpop_bound_access_tokens: oauthSettings.dpop_bound_access_tokens ?? false,
          ...(oauthSettings.jwks
            ? { jwks: { keys: this.normaliseKeys(oauthSettings.jwks.keys ?? []) } }
            : {}),
        },
      },
      grants: [...(app.grants ?? [])],
      roles: [...(app.roles ?? [])],
    };
  }

  putApp(app: OktaApp): OktaApp {
    this.apps.set(app.id, app);
    return app;
  }

  getApp(id: string): OktaApp | undefined {
    return this.apps.get(id);
  }

  getAppByClientId(clientId: string): OktaApp | undefined {
    for (const app of this.apps.values()) {
      if (app.credentials.oauthClient.client_id === clientId) return app;
    }
    return undefined;
  }

  grantStamp(appId: string, scopeId: string): Stamp {
    const key = `${appId} ${scopeId}`;
    let s = this.grantStamps.get(key);
    if (!s) {
      s = { id: `oag${randomId(17)}`, created: this.iso() };
      this.grantStamps.set(key, s);
    }
    return s;
  }

  roleStamp(clientId: string, roleType: string): Stamp {
    const key = `${clientId} ${roleType}`;
    let s = this.roleStamps.get(key);
    if (!s) {
      s = { id: "", created: this.iso() };
      this.roleStamps.set(key, s);
    }
    return s;
  }

  // ---- tokens --------------------------------------------------------------

  /** Forgets used `jti`s whose assertion has expired (it could not be replayed anyway). */
  pruneJtis(): void {
    const now = this.now();
    for (const [jti, exp] of this.usedJtis) if (exp < now) this.usedJtis.delete(jti);
  }
}
