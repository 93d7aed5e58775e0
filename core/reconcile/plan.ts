/**
 * The pure match + plan step (docs/matching.md, the exact contract): a
 * function of (Okta snapshot, Databricks snapshot, rules) that decides which
 * Databricks identities get an Okta id as externalId and which failure modes
 * of AIM matching are present (docs/domain.md says why each matters). No I/O.
 * The decisions taken where the product documentation is silent are marked
 * in docs/matching.md.
 *
 * Cost is linear: Okta users are indexed once by normalised login and email,
 * every Databricks identity is looked up in those maps.
 */

import type {
  Finding,
  FindingCode,
  FindingKind,
  IdentityKind,
  KindSummary,
  MatchedBy,
  Plan,
  PlanAction,
  ReconcileRules,
  Severity,
} from "../model/plan";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  OktaGroup,
  OktaUser,
} from "../model/tenant";
import { compileMatcher, type NameMatcher } from "./glob";
import { externalIdOf } from "../model/tenant";
import { groupNameKey, normalizeName, OKTA_ID_PATTERN } from "./normalize";

export interface OktaSnapshot {
  users: readonly OktaUser[];
  groups: readonly OktaGroup[];
}

export interface DatabricksSnapshot {
  users: readonly DatabricksUser[];
  groups: readonly DatabricksGroup[];
  servicePrincipals: readonly DatabricksServicePrincipal[];
}

type Bucket = keyof KindSummary;

/** Declared order of kinds: the first sort key of actions and findings. */
const KIND_ORDER: Record<FindingKind, number> = {
  user: 0,
  group: 1,
  servicePrincipal: 2,
  tenant: 3,
};

/** Messages list at most this many names, then "and N more". */
const MAX_NAMES_IN_MESSAGE = 5;

/** A Databricks identity as the planner sees it. */
interface Identity {
  kind: IdentityKind;
  id: string;
  /** userName / displayName: what actions and findings call it. */
  name: string;
  /** The name as compared: normalised userName, group name key, or displayName. */
  key: string;
  externalId: string | null;
  bucket?: Bucket;
  /** The Okta id this identity is (or would be) linked to. */
  target?: string;
  matchedBy?: MatchedBy;
  /** The action this plan takes for it, if any. */
  action?: PlanAction;
  /** Linked only through its existing externalId (no name/override/mapping match). */
  linkedByExternalId?: boolean;
}

interface Candidate {
  user: OktaUser;
  by: "login" | "email";
}

interface SortedFinding {
  finding: Finding;
  sortName: string;
}

/** Code-unit order: independent of locale and ICU version. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort(cmp);
}

/** Quoted names, cut after MAX_NAMES_IN_MESSAGE. */
function listNames(names: readonly string[]): string {
  return listPlain(names.map((n) => `"${n}"`));
}

/** Already formatted items (e.g. `user "a@x.com" (12)`), cut after MAX_NAMES_IN_MESSAGE. */
function listPlain(items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMES_IN_MESSAGE);
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

function kindLabel(kind: IdentityKind): string {
  return kind === "servicePrincipal" ? "service principal" : kind;
}

/** Adds `value` to the list under `key`, creating it on first use. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

class Planner {
  private readonly findings: SortedFinding[] = [];
  private readonly actions: PlanAction[] = [];
  private readonly overwrite: boolean;
  private readonly caseInsensitiveGroups: boolean;
  private readonly excludeUsers: NameMatcher;

  private readonly oktaUserById = new Map<string, OktaUser>();
  private readonly oktaGroupById = new Map<string, OktaGroup>();
  /** norm(login|email) → non-DEPROVISIONED Okta users, each at most once per key. */
  private readonly activeByName = new Map<string, Candidate | Candidate[]>();
  /** norm(login|email) → DEPROVISIONED Okta users. */
  private readonly deprovisionedByName = new Map<string, OktaUser[]>();
  /** group name key → non-BUILT_IN Okta groups. */
  private readonly groupsByName = new Map<string, OktaGroup[]>();

  constructor(
    private readonly okta: OktaSnapshot,
    private readonly databricks: DatabricksSnapshot,
    private readonly rules: ReconcileRules,
  ) {
    this.overwrite = rules.onConflict === "overwrite";
    this.caseInsensitiveGroups = rules.caseInsensitiveGroupNames === true;
    this.excludeUsers = compileMatcher(rules.exclude?.users, normalizeName);
    this.indexOkta();
  }

  private indexOkta(): void {
    for (const u of this.okta.users) {
      this.oktaUserById.set(u.id, u);
      const login = normalizeName(u.profile.login);
      const email = normalizeName(u.profile.email);
      if (u.status === "DEPROVISIONED") {
        push(this.deprovisionedByName, login, u);
        if (email !== login) push(this.deprovisionedByName, email, u);
      } else {
        this.addCandidate(login, { user: u, by: "login" });
        // A user whose email is its login is one candidate, matched by login.
        if (email !== login) this.addCandidate(email, { user: u, by: "email" });
      }
    }
    for (const g of this.okta.groups) {
      this.oktaGroupById.set(g.id, g);
      if (g.type === "BUILT_IN") continue;
      push(this.groupsByName, groupNameKey(g.profile.name, this.caseInsensitiveGroups), g);
    }
  }

  /** Most names have one candidate: an array only on collision keeps 200k allocations away. */
  private addCandidate(key: string, c: Candidate): void {
    const entry = this.activeByName.get(key);
    if (entry === undefined) this.activeByName.set(key, c);
    else if (Array.isArray(entry)) entry.push(c);
    else this.activeByName.set(key, [entry, c]);
  }

  private candidatesAt(key: string): readonly Candidate[] {
    const entry = this.activeByName.get(key);
    return entry === undefined ? [] : Array.isArray(entry) ? entry : [entry];
  }

  private finding(
    code: FindingCode,
    severity: Severity,
    kind: FindingKind,
    subjects: Iterable<string>,
    message: string,
    sortName: string,
  ): void {
    this.findings.push({
      finding: { code, severity, kind, subjects: sortedUnique(subjects), message },
      sortName,
    });
  }

  private describeOktaId(id: string): string | null {
    const u = this.oktaUserById.get(id);
    if (u !== undefined) return `Okta user ${id} ("${u.profile.login}")`;
    const g = this.oktaGroupById.get(id);
    if (g !== undefined) return `Okta group ${id} ("${g.profile.name}")`;
    return null;
  }

  /** An Okta user that can be linked: present and not DEPROVISIONED. */
  private linkableUser(id: string): OktaUser | undefined {
    const u = this.oktaUserById.get(id);
    return u !== undefined && u.status !== "DEPROVISIONED" ? u : undefined;
  }

  /** An Okta group that can be linked: present and not BUILT_IN. */
  private linkableGroup(id: string): OktaGroup | undefined {
    const g = this.oktaGroupById.get(id);
    return g !== undefined && g.type !== "BUILT_IN" ? g : undefined;
  }

  run(): Plan {
    const users = this.resolveUsers();
    const groups = this.resolveGroups();
    const sps = this.resolveServicePrincipals();
    const all = [...users, ...groups, ...sps];
    this.markDuplicates(all);
    for (const ident of all) this.decide(ident);
    this.withdrawSharedLinks(all);
    this.checkDrift(users);
    this.checkTenant(users);
    return this.build(users, groups, sps);
  }

  // --- users -------------------------------------------------------------

  private resolveUsers(): Identity[] {
    const exclude = this.excludeUsers;
    const keys = this.databricks.users.map((u) => normalizeName(u.userName));
    const present = new Set<string>(keys);
    const overrides = this.validateOverrides(
      "user",
      this.rules.userOverrides,
      normalizeName,
      present,
      exclude,
      (id) => this.linkableUser(id) !== undefined,
      "an Okta user id that exists and is not DEPROVISIONED",
    );
    const matchUsers = this.rules.matchUsers !== false;
    const out: Identity[] = [];
    this.databricks.users.forEach((u, index) => {
      const key = keys[index] as string;
      const ident: Identity = {
        kind: "user",
        id: u.id,
        name: u.userName,
        key,
        externalId: externalIdOf(u.externalId),
      };
      out.push(ident);
      this.resolveUser(ident, overrides, matchUsers);
    });
    return out;
  }

  private resolveUser(
    ident: Identity,
    overrides: Map<string, string | null>,
    matchUsers: boolean,
  ): void {
    const userName = ident.name;
    if (this.excludeUsers.matches(userName)) {
      ident.bucket = "unmatched"; // excluded: left alone by every rule
      return;
    }
    const override = overrides.get(ident.key);
    if (override !== undefined) {
      if (override === null)
        ident.bucket = "unmatched"; // invalid override, reported already
      else this.choose(ident, override, "override");
      return;
    }
    if (matchUsers) {
      const candidates = this.candidatesAt(ident.key);
      if (candidates.length >= 2) {
        ident.bucket = "ambiguous";
        const described = [...candidates]
          .sort(
            (a, b) => cmp(a.user.profile.login, b.user.profile.login) || cmp(a.user.id, b.user.id),
          )
          .map((c) => `"${c.user.profile.login}" (${c.user.id}, by ${c.by})`);
        this.finding(
          "AMBIGUOUS_MATCH",
          "error",
          "user",
          [userName],
          `Databricks user "${userName}" matches ${candidates.length} Okta users by login or email: ` +
            `${listPlain(described)}. AIM cannot tell which one signs in with this username. ` +
            `Make the Okta login/email unique, or add a userOverrides entry.`,
          userName,
        );
        return;
      }
      const only = candidates[0];
      if (only !== undefined) {
        this.choose(ident, only.user.id, only.by);
        return;
      }
      const deprovisioned = this.deprovisionedByName.get(ident.key);
      if (deprovisioned !== undefined) {
        const logins = deprovisioned.map((d) => `"${d.profile.login}" (${d.id})`).sort(cmp);
        this.finding(
          "OKTA_USER_DEPROVISIONED",
          "info",
          "user",
          [userName],
          `Databricks user "${userName}" matches only DEPROVISIONED Okta user(s) ${listPlain(logins)}; ` +
            `it is left unlinked. Remove or deactivate the Databricks user if the person has left.`,
          userName,
        );
      }
    }
    // No name match: linked only if its externalId already names a live Okta user.
    if (ident.externalId !== null && this.linkableUser(ident.externalId) !== undefined) {
      ident.target = ident.externalId;
      ident.linkedByExternalId = true;
    } else {
      ident.bucket = "unmatched";
    }
  }

  // --- groups ------------------------------------------------------------

  private resolveGroups(): Identity[] {
    const key = (s: string) => groupNameKey(s, this.caseInsensitiveGroups);
    const exclude = compileMatcher(this.rules.exclude?.groups, key);
    const present = new Set<string>();
    for (const g of this.databricks.groups) present.add(key(g.displayName));
    const overrides = this.validateOverrides(
      "group",
      this.rules.groupOverrides,
      key,
      present,
      exclude,
      (id) => this.linkableGroup(id) !== undefined,
      "an Okta group id that exists and is not BUILT_IN",
    );
    const matchGroups = this.rules.matchGroups !== false;
    const out: Identity[] = [];
    for (const g of this.databricks.groups) {
      const ident: Identity = {
        kind: "group",
        id: g.id,
        name: g.displayName,
        key: key(g.displayName),
        externalId: externalIdOf(g.externalId),
      };
      out.push(ident);
      if (exclude.matches(g.displayName)) {
        ident.bucket = "unmatched";
        continue;
      }
      const k = ident.key;
      const override = overrides.get(k);
      if (override !== undefined) {
        if (override === null) ident.bucket = "unmatched";
        else this.choose(ident, override, "override");
        continue;
      }
      if (matchGroups) {
        const candidates = this.groupsByName.get(k) ?? [];
        if (candidates.length >= 2) {
          ident.bucket = "ambiguous";
          const described = [...candidates]
            .sort((a, b) => cmp(a.id, b.id))
            .map((c) => `${c.id} (${c.type} "${c.profile.name}")`);
          this.finding(
            "AMBIGUOUS_MATCH",
            "error",
            "group",
            [g.displayName],
            `Databricks group "${g.displayName}" matches ${candidates.length} Okta groups by name: ` +
              `${listPlain(described)}. Rename one in Okta, or add a groupOverrides entry.`,
            g.displayName,
          );
          continue;
        }
        const only = candidates[0];
        if (only !== undefined) {
          this.choose(ident, only.id, "name");
          continue;
        }
      }
      if (ident.externalId !== null && this.linkableGroup(ident.externalId) !== undefined) {
        ident.target = ident.externalId;
        ident.linkedByExternalId = true;
      } else {
        ident.bucket = "unmatched";
      }
    }
    return out;
  }

  // --- service principals --------------------------------------------------

  private resolveServicePrincipals(): Identity[] {
    const exclude = compileMatcher(this.rules.exclude?.servicePrincipals);
    const byAppId = new Map<string, DatabricksServicePrincipal>();
    for (const sp of this.databricks.servicePrincipals) byAppId.set(sp.applicationId, sp);
    const valid = new Map<string, string>();
    const mappings = Object.entries(this.rules.servicePrincipalMappings ?? {});
    for (const [appId, oktaId] of mappings) {
      const sp = byAppId.get(appId);
      if (sp === undefined) {
        this.finding(
          "MAPPING_INVALID",
          "error",
          "servicePrincipal",
          [appId],
          `servicePrincipalMappings["${appId}"]: no Databricks service principal has this applicationId. ` +
            `Fix the applicationId or remove the mapping.`,
          appId,
        );
        continue;
      }
      if (this.isExcludedSp(exclude, sp)) continue; // exclusion wins over a mapping
      if (this.linkableUser(oktaId) === undefined && this.linkableGroup(oktaId) === undefined) {
        this.finding(
          "MAPPING_INVALID",
          "error",
          "servicePrincipal",
          [sp.displayName],
          `servicePrincipalMappings["${appId}"] (service principal "${sp.displayName}") points at ` +
            `"${oktaId}", which is not an Okta user (not DEPROVISIONED) or group (not BUILT_IN) in this org. ` +
            `Use the id of the Okta identity that stands for this service principal.`,
          sp.displayName,
        );
        continue;
      }
      valid.set(appId, oktaId);
    }
    const out: Identity[] = [];
    for (const sp of this.databricks.servicePrincipals) {
      const ident: Identity = {
        kind: "servicePrincipal",
        id: sp.id,
        name: sp.displayName,
        key: sp.displayName,
        externalId: externalIdOf(sp.externalId),
      };
      out.push(ident);
      const target = this.isExcludedSp(exclude, sp) ? undefined : valid.get(sp.applicationId);
      if (target === undefined) ident.bucket = "unmatched";
      else this.choose(ident, target, "mapping");
    }
    return out;
  }

  private isExcludedSp(exclude: NameMatcher, sp: DatabricksServicePrincipal): boolean {
    return exclude.matches(sp.displayName) || exclude.matches(sp.applicationId);
  }

  // --- shared --------------------------------------------------------------

  private choose(ident: Identity, oktaId: string, by: MatchedBy): void {
    ident.target = oktaId;
    ident.matchedBy = by;
  }

  /**
   * Validates overrides, reporting OVERRIDE_INVALID for a key that names no
   * Databricks identity, a target that is not a linkable Okta identity, or two
   * keys that meet under normalisation with different targets. Returns
   * key → Okta id, or null for an invalid override (the identity is then
   * left unmatched rather than falling back to rules the operator overrode).
   */
  private validateOverrides(
    kind: "user" | "group",
    overrides: Record<string, string> | undefined,
    key: (s: string) => string,
    present: ReadonlySet<string>,
    exclude: NameMatcher,
    linkable: (id: string) => boolean,
    expected: string,
  ): Map<string, string | null> {
    const field = kind === "user" ? "userOverrides" : "groupOverrides";
    const out = new Map<string, string | null>();
    const firstName = new Map<string, string>();
    const entries = Object.entries(overrides ?? {}).sort((a, b) => cmp(a[0], b[0]));
    for (const [name, oktaId] of entries) {
      const k = key(name);
      if (exclude.matches(name)) continue; // exclusion wins over an override
      if (!present.has(k)) {
        this.finding(
          "OVERRIDE_INVALID",
          "error",
          kind,
          [name],
          `${field}["${name}"]: no Databricks ${kind} is named "${name}". Fix the name or remove the override.`,
          name,
        );
        continue;
      }
      const earlier = firstName.get(k);
      if (earlier !== undefined) {
        if (out.get(k) !== oktaId) {
          this.finding(
            "OVERRIDE_INVALID",
            "error",
            kind,
            [earlier, name],
            `${field}["${earlier}"] and ${field}["${name}"] name the same Databricks ${kind} with ` +
              `different Okta ids. Keep one of them.`,
            name,
          );
          out.set(k, null);
        }
        continue;
      }
      firstName.set(k, name);
      if (!linkable(oktaId)) {
        this.finding(
          "OVERRIDE_INVALID",
          "error",
          kind,
          [name],
          `${field}["${name}"] points at "${oktaId}", which is not ${expected}. ` +
            `Use the Okta id of the ${kind} this Databricks ${kind} belongs to, or remove the override.`,
          name,
        );
        out.set(k, null);
        continue;
      }
      out.set(k, oktaId);
    }
    return out;
  }

  /** One Okta identity chosen by several Databricks identities: all of them are duplicates. */
  private markDuplicates(all: Identity[]): void {
    // Count first: only the rare shared targets get a list (no array per identity).
    const count = new Map<string, number>();
    for (const ident of all) {
      if (ident.bucket === undefined && ident.target !== undefined) {
        count.set(ident.target, (count.get(ident.target) ?? 0) + 1);
      }
    }
    const byTarget = new Map<string, Identity[]>();
    for (const ident of all) {
      if (ident.bucket !== undefined || ident.target === undefined) continue;
      if ((count.get(ident.target) ?? 0) >= 2) push(byTarget, ident.target, ident);
    }
    for (const [oktaId, idents] of byTarget) {
      const who = this.describeOktaId(oktaId) ?? `Okta id ${oktaId}`;
      const names = idents.map((i) => `${kindLabel(i.kind)} "${i.name}" (${i.id})`).sort(cmp);
      for (const ident of idents) {
        ident.bucket = "duplicate";
        this.finding(
          "DUPLICATE_IDENTITY",
          "error",
          ident.kind,
          [ident.name],
          `${who} is chosen by ${idents.length} Databricks identities: ${listPlain(names)}. ` +
            `Only one may carry its id; merge or remove the extra identities, or exclude them.`,
          ident.name,
        );
      }
    }
  }

  /**
   * A link must not hand an Okta id to a second Databricks identity: when
   * another identity keeps carrying that id (one in conflict, ambiguous,
   * excluded, ...), AIM resolves the Okta identity to either of them at
   * login. Such a link is withdrawn and reported as DUPLICATE_IDENTITY.
   * Decision (docs/matching.md, "Duplicates"): "carried" is the externalId
   * each identity has once the plan is applied.
   */
  private withdrawSharedLinks(all: Identity[]): void {
    if (this.actions.length === 0) return;
    // Count carriers only of Okta ids that some action writes; list them only when shared.
    const carried = new Map<string, number>();
    for (const a of this.actions) carried.set(a.oktaId, 0);
    const after = (ident: Identity) => ident.action?.oktaId ?? ident.externalId;
    for (const ident of all) {
      const id = after(ident);
      if (id === null) continue;
      const n = carried.get(id);
      if (n !== undefined) carried.set(id, n + 1);
    }
    const carriers = new Map<string, Identity[]>();
    for (const ident of all) {
      const id = after(ident);
      if (id !== null && (carried.get(id) ?? 0) >= 2) push(carriers, id, ident);
    }
    const withdrawn = new Set<PlanAction>();
    for (const [oktaId, idents] of carriers) {
      for (const ident of idents) {
        const action = ident.action;
        if (action === undefined || action.oktaId !== oktaId) continue;
        withdrawn.add(action);
        ident.bucket = "duplicate";
        ident.action = undefined;
        const others = idents
          .filter((o) => o !== ident)
          .map((o) => `${kindLabel(o.kind)} "${o.name}" (${o.id})`)
          .sort(cmp);
        this.finding(
          "DUPLICATE_IDENTITY",
          "error",
          ident.kind,
          [ident.name],
          `${this.describeOktaId(oktaId) ?? `Okta id ${oktaId}`} matches Databricks ${kindLabel(ident.kind)} "${ident.name}" ` +
            `but is already the externalId of ${listPlain(others)}; linking both would give AIM two identities for it. ` +
            `Correct or clear the other externalId, or merge the identities, then plan again.`,
          ident.name,
        );
      }
    }
    if (withdrawn.size === 0) return;
    const kept = this.actions.filter((a) => !withdrawn.has(a));
    this.actions.length = 0;
    this.actions.push(...kept);
  }

  /** The externalId rules for an identity with exactly one chosen Okta identity. */
  private decide(ident: Identity): void {
    if (ident.bucket !== undefined || ident.target === undefined) return;
    const target = ident.target;
    const ext = ident.externalId;
    if (ext === target) {
      ident.bucket = "alreadyLinked";
      return;
    }
    if (ext === null) {
      this.link(ident, target, null);
      return;
    }
    const owner = this.describeOktaId(ext);
    const oktaShaped = owner !== null || OKTA_ID_PATTERN.test(ext);
    const code: FindingCode = oktaShaped ? "EXTERNAL_ID_CONFLICT" : "EXTERNAL_ID_FOREIGN";
    const what = `Databricks ${kindLabel(ident.kind)} "${ident.name}" matches ${this.describeOktaId(target) ?? target}`;
    const has =
      owner !== null
        ? `but its externalId is the id of ${owner}`
        : oktaShaped
          ? `but its externalId "${ext}" looks like an Okta id that is not in this org (deleted, or another org)`
          : `but its externalId "${ext}" is not an Okta id (another identity provider?)`;
    if (this.overwrite) {
      this.link(ident, target, ext);
      this.finding(
        code,
        "warning",
        ident.kind,
        [ident.name],
        `${what} ${has}; onConflict "overwrite": it will be replaced (previous value recorded in the action).`,
        ident.name,
      );
      return;
    }
    ident.bucket = "conflict";
    this.finding(
      code,
      oktaShaped ? "error" : "warning",
      ident.kind,
      [ident.name],
      `${what} ${has}. AIM will not match it; clear or correct the externalId, ` +
        `or set onConflict "overwrite" to replace it.`,
      ident.name,
    );
  }

  private link(ident: Identity, oktaId: string, previous: string | null): void {
    ident.bucket = "link";
    const action: PlanAction = {
      kind: ident.kind,
      databricksId: ident.id,
      databricksName: ident.name,
      oktaId,
      matchedBy: ident.matchedBy ?? "override",
      previousExternalId: previous,
    };
    ident.action = action;
    this.actions.push(action);
  }

  /**
   * USERNAME_DRIFT: the externalId names a live Okta user whose login and
   * email both differ from the Databricks userName. Not reported for an
   * identity whose externalId this plan replaces, nor for one in `conflict`.
   */
  private checkDrift(users: Identity[]): void {
    for (const ident of users) {
      if (ident.externalId === null || ident.bucket === "link" || this.excludedUser(ident))
        continue;
      // A conflict already names the Okta user its externalId belongs to; the fix is
      // to correct the externalId, not a username migration.
      if (ident.bucket === "conflict") continue;
      const o = this.linkableUser(ident.externalId);
      if (o === undefined) continue;
      if (
        ident.key === normalizeName(o.profile.login) ||
        ident.key === normalizeName(o.profile.email)
      ) {
        continue;
      }
      this.finding(
        "USERNAME_DRIFT",
        "warning",
        "user",
        [ident.name],
        `Databricks user "${ident.name}" is linked to Okta user ${o.id}, whose login is now ` +
          `"${o.profile.login}" (email "${o.profile.email}"). AIM would create a new user at the next ` +
          `login: ask Databricks support for a username migration; this tool does not rename users.`,
        ident.name,
      );
    }
  }

  /**
   * Tenant-wide Okta checks over non-DEPROVISIONED users. Error when a
   * (non-excluded) Databricks userName equals the contested value, else
   * warning: the username claim would not map to exactly one Okta user.
   *
   * Both findings need two Okta users under one normalised value, so only
   * the few keys of the name index with two or more entries are examined.
   */
  private checkTenant(users: Identity[]): void {
    interface Contested {
      value: string;
      /** Users whose email is the value. */
      emailOwners: OktaUser[];
      /** Users whose login is the value. */
      loginOwners: OktaUser[];
      /** Users whose email is the value and whose login is not. */
      others: OktaUser[];
    }
    const contested = new Map<string, Contested>();
    for (const [value, entry] of this.activeByName) {
      if (!Array.isArray(entry)) continue;
      const c: Contested = { value, emailOwners: [], loginOwners: [], others: [] };
      for (const { user, by } of entry) {
        if (by === "login") {
          c.loginOwners.push(user);
          if (normalizeName(user.profile.email) === value) c.emailOwners.push(user);
        } else {
          c.emailOwners.push(user);
          c.others.push(user);
        }
      }
      const shared = c.emailOwners.length >= 2;
      const equalsLogin = c.loginOwners.length > 0 && c.others.length > 0;
      if (shared || equalsLogin) contested.set(value, c);
    }
    if (contested.size === 0) return;
    const affectedBy = new Map<string, string[]>();
    for (const ident of users) {
      if (contested.has(ident.key) && !this.excludedUser(ident))
        push(affectedBy, ident.key, ident.name);
    }
    for (const c of contested.values()) {
      const affected = (affectedBy.get(c.value) ?? []).sort(cmp);
      const severity: Severity = affected.length > 0 ? "error" : "warning";
      if (c.emailOwners.length >= 2) {
        const logins = c.emailOwners.map((o) => o.profile.login).sort(cmp);
        this.finding(
          "OKTA_EMAIL_NOT_UNIQUE",
          severity,
          "tenant",
          [c.value, ...logins, ...affected],
          `${c.emailOwners.length} Okta users share the email "${c.value}": ${listNames(logins)}. ` +
            (affected.length > 0
              ? `Databricks user(s) ${listNames(affected)} cannot be matched to exactly one Okta user. `
              : `No Databricks username is this email today, but one created by AIM would be ambiguous. `) +
            `Give each Okta user its own email.`,
          c.value,
        );
      }
      if (c.loginOwners.length > 0 && c.others.length > 0) {
        const otherLogins = c.others.map((o) => o.profile.login).sort(cmp);
        const ownerLogins = c.loginOwners.map((o) => o.profile.login).sort(cmp);
        this.finding(
          "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
          severity,
          "tenant",
          [c.value, ...ownerLogins, ...otherLogins, ...affected],
          `"${c.value}" is the login of Okta user ${listNames(ownerLogins)} and the email of ` +
            `${listNames(otherLogins)}. ` +
            (affected.length > 0
              ? `Databricks user(s) ${listNames(affected)} would match both. `
              : `A Databricks username equal to it would match both. `) +
            `Change the email of the other user(s) in Okta.`,
          c.value,
        );
      }
    }
  }

  private excludedUser(ident: Identity): boolean {
    return this.excludeUsers.matches(ident.name);
  }

  private build(users: Identity[], groups: Identity[], sps: Identity[]): Plan {
    const count = (idents: Identity[]): KindSummary => {
      const s: KindSummary = {
        link: 0,
        alreadyLinked: 0,
        conflict: 0,
        ambiguous: 0,
        duplicate: 0,
        unmatched: 0,
      };
      for (const i of idents) s[i.bucket ?? "unmatched"]++;
      return s;
    };
    const actions = this.actions.sort(
      (a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        cmp(a.databricksName, b.databricksName) ||
        cmp(a.databricksId, b.databricksId),
    );
    const findings = this.findings
      .sort(
        (a, b) =>
          KIND_ORDER[a.finding.kind] - KIND_ORDER[b.finding.kind] ||
          cmp(a.sortName, b.sortName) ||
          cmp(a.finding.code, b.finding.code) ||
          cmp(a.finding.message, b.finding.message) ||
          cmp(a.finding.subjects.join("\n"), b.finding.subjects.join("\n")) ||
          cmp(a.finding.severity, b.finding.severity),
      )
      .map((f) => f.finding);
    return {
      summary: { users: count(users), groups: count(groups), servicePrincipals: count(sps) },
      actions,
      findings,
    };
  }
}

/**
 * Plans the externalId links and preflight findings. Pure and deterministic:
 * the same snapshots (in any order) and rules give a byte-identical plan.
 */
export function planLinks(
  okta: OktaSnapshot,
  databricks: DatabricksSnapshot,
  rules: ReconcileRules = {},
): Plan {
  return new Planner(okta, databricks, rules).run();
}
