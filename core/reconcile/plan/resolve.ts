/**
 * Which Okta identity each Databricks identity is: one resolver for users
 * and groups (exclusion, override, a unique match by name, else an
 * externalId that already names a linkable Okta identity), and the explicit
 * mappings of service principals. Overrides are validated on the way.
 */
import type { IdentityKind, MatchedBy } from "../../model/plan";
import type { DatabricksServicePrincipal, OktaGroup, OktaUser } from "../../model/tenant";
import { compileMatcher, type NameMatcher } from "../glob";
import { normalizeName } from "../normalize";
import type { PlanContext } from "./context";
import { choose, newIdentity, type Identity } from "./identity";
import { cmp, listPlain } from "./messages";
import { isMany, type Found } from "./oktaIndex";

/** How one kind (users, groups) is matched by name; C: an Okta identity the name finds. */
interface NameRule<C extends object> {
  kind: "user" | "group";
  /** How names compare (and override keys with them). */
  key: (name: string) => string;
  exclude: NameMatcher;
  overrides: Record<string, string> | undefined;
  /** Whether `id` may be linked (override targets, existing externalIds). */
  linkable: (id: string) => boolean;
  /** What a valid override target is, for OVERRIDE_INVALID. */
  linkableText: string;
  /** matchUsers / matchGroups (default true). */
  matchByName: boolean;
  /** The Okta identities named `key`. */
  named: (key: string) => Found<C>;
  idOf: (c: C) => string;
  /** How `c`, found under `key`, matched. */
  byOf: (c: C, key: string) => MatchedBy;
  /** The AMBIGUOUS_MATCH message for `name` (compared as `key`), matched by these candidates. */
  ambiguous: (name: string, key: string, candidates: readonly C[]) => string;
  /** Said when no live Okta identity has the name (users: a DEPROVISIONED-only match). */
  noneNamed?: (ident: Identity) => void;
}

/**
 * Resolves every Databricks identity of one kind by `rule`: one Identity
 * each, read straight from the snapshot (no intermediate copy per identity).
 */
function resolveByName<C extends object, T extends { id: string; externalId?: string | null }>(
  ctx: PlanContext,
  rule: NameRule<C>,
  identities: readonly T[],
  nameOf: (x: T) => string,
): Identity[] {
  const overrides = validateOverrides(ctx, rule, identities, nameOf);
  const out = new Array<Identity>(identities.length);
  for (let i = 0; i < identities.length; i++) {
    const x = identities[i] as T;
    const name = nameOf(x);
    const ident = newIdentity(rule.kind, x.id, name, rule.key(name), x.externalId);
    resolveOne(ctx, rule, ident, overrides);
    out[i] = ident;
  }
  return out;
}

function resolveOne<C extends object>(
  ctx: PlanContext,
  rule: NameRule<C>,
  ident: Identity,
  overrides: Map<string, string | null>,
): void {
  if (rule.exclude.matches(ident.name)) {
    ident.bucket = "unmatched"; // excluded: left alone by every rule
    return;
  }
  const override = overrides.size > 0 ? overrides.get(ident.key) : undefined;
  if (override !== undefined) {
    if (override === null)
      ident.bucket = "unmatched"; // invalid override, reported already
    else choose(ident, override, "override");
    return;
  }
  if (rule.matchByName) {
    const found = rule.named(ident.key);
    if (isMany(found)) {
      ident.bucket = "ambiguous";
      ctx.findings.add(
        "AMBIGUOUS_MATCH",
        "error",
        rule.kind,
        [ident.name],
        rule.ambiguous(ident.name, ident.key, found),
        ident.name,
      );
      return;
    }
    if (found !== undefined) {
      choose(ident, rule.idOf(found), rule.byOf(found, ident.key));
      return;
    }
    rule.noneNamed?.(ident);
  }
  // No name match: linked only if its externalId already names a linkable Okta identity.
  if (ident.externalId !== null && rule.linkable(ident.externalId)) {
    ident.target = ident.externalId;
  } else {
    ident.bucket = "unmatched";
  }
}

export function resolveUsers(ctx: PlanContext): Identity[] {
  const { okta, rules } = ctx;
  const rule: NameRule<OktaUser> = {
    kind: "user",
    key: normalizeName,
    exclude: ctx.excludeUsers,
    overrides: rules.userOverrides,
    linkable: (id) => okta.linkableUser(id) !== undefined,
    linkableText: "an Okta user id that exists and is not DEPROVISIONED",
    matchByName: rules.matchUsers !== false,
    named: (key) => okta.usersNamed(key),
    idOf: (u) => u.id,
    byOf: (u, key) => okta.matchedBy(u, key),
    ambiguous: (userName, key, candidates) => {
      const described = [...candidates]
        .sort((a, b) => cmp(a.profile.login, b.profile.login) || cmp(a.id, b.id))
        .map((u) => `"${u.profile.login}" (${u.id}, by ${okta.matchedBy(u, key)})`);
      return (
        `Databricks user "${userName}" matches ${candidates.length} Okta users by login or email: ` +
        `${listPlain(described)}. AIM cannot tell which one signs in with this username. ` +
        `Make the Okta login/email unique, or add a userOverrides entry.`
      );
    },
    noneNamed: (ident) => {
      const deprovisioned = okta.deprovisionedNamed(ident.key);
      if (deprovisioned === undefined) return;
      const logins = deprovisioned.map((d) => `"${d.profile.login}" (${d.id})`).sort(cmp);
      ctx.findings.add(
        "OKTA_USER_DEPROVISIONED",
        "info",
        "user",
        [ident.name],
        `Databricks user "${ident.name}" matches only DEPROVISIONED Okta user(s) ${listPlain(logins)}; ` +
          `it is left unlinked. Remove or deactivate the Databricks user if the person has left.`,
        ident.name,
      );
    },
  };
  return resolveByName(ctx, rule, ctx.databricks.users, (u) => u.userName);
}

export function resolveGroups(ctx: PlanContext): Identity[] {
  const { okta, rules } = ctx;
  const key = (s: string) => okta.groupKey(s);
  const rule: NameRule<OktaGroup> = {
    kind: "group",
    key,
    exclude: compileMatcher(rules.exclude?.groups, key),
    overrides: rules.groupOverrides,
    linkable: (id) => okta.linkableGroup(id) !== undefined,
    linkableText: "an Okta group id that exists and is not BUILT_IN",
    matchByName: rules.matchGroups !== false,
    named: (k) => okta.groupsNamed(k),
    idOf: (g) => g.id,
    byOf: () => "name",
    ambiguous: (displayName, _key, candidates) => {
      const described = [...candidates]
        .sort((a, b) => cmp(a.id, b.id))
        .map((c) => `${c.id} (${c.type} "${c.profile.name}")`);
      return (
        `Databricks group "${displayName}" matches ${candidates.length} Okta groups by name: ` +
        `${listPlain(described)}. Rename one in Okta, or add a groupOverrides entry.`
      );
    },
  };
  return resolveByName(ctx, rule, ctx.databricks.groups, (g) => g.displayName);
}

/**
 * Validates overrides, reporting OVERRIDE_INVALID for a key that names no
 * Databricks identity, a target that is not a linkable Okta identity, or two
 * keys that meet under normalisation with different targets. Returns
 * key → Okta id, or null for an invalid override (the identity is then
 * left unmatched rather than falling back to rules the operator overrode).
 */
function validateOverrides<C extends object, T>(
  ctx: PlanContext,
  rule: NameRule<C>,
  identities: readonly T[],
  nameOf: (x: T) => string,
): Map<string, string | null> {
  const { kind } = rule;
  const field = kind === "user" ? "userOverrides" : "groupOverrides";
  const out = new Map<string, string | null>();
  const entries = Object.entries(rule.overrides ?? {}).sort((a, b) => cmp(a[0], b[0]));
  if (entries.length === 0) return out;
  // Which override keys name a Databricks identity (a set of the few keys, not of every name).
  const wanted = new Set(entries.map(([name]) => rule.key(name)));
  const present = new Set<string>();
  for (const x of identities) {
    const k = rule.key(nameOf(x));
    if (wanted.has(k)) present.add(k);
  }
  const firstName = new Map<string, string>();
  for (const [name, oktaId] of entries) {
    const k = rule.key(name);
    if (rule.exclude.matches(name)) continue; // exclusion wins over an override
    if (!present.has(k)) {
      ctx.findings.add(
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
        ctx.findings.add(
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
    if (!rule.linkable(oktaId)) {
      ctx.findings.add(
        "OVERRIDE_INVALID",
        "error",
        kind,
        [name],
        `${field}["${name}"] points at "${oktaId}", which is not ${rule.linkableText}. ` +
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

/** Service principals are linked only by an explicit mapping (AIM syncs users and groups). */
export function resolveServicePrincipals(ctx: PlanContext): Identity[] {
  const { okta, rules, findings } = ctx;
  const exclude = compileMatcher(rules.exclude?.servicePrincipals);
  const excluded = (sp: DatabricksServicePrincipal) =>
    exclude.matches(sp.displayName) || exclude.matches(sp.applicationId);
  const byAppId = new Map<string, DatabricksServicePrincipal>();
  for (const sp of ctx.databricks.servicePrincipals) byAppId.set(sp.applicationId, sp);
  const valid = new Map<string, string>();
  const mappings = Object.entries(rules.servicePrincipalMappings ?? {});
  for (const [appId, oktaId] of mappings) {
    const sp = byAppId.get(appId);
    if (sp === undefined) {
      findings.add(
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
    if (excluded(sp)) continue; // exclusion wins over a mapping
    if (okta.linkableUser(oktaId) === undefined && okta.linkableGroup(oktaId) === undefined) {
      findings.add(
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
  return ctx.databricks.servicePrincipals.map((sp): Identity => {
    const kind: IdentityKind = "servicePrincipal";
    const ident = newIdentity(kind, sp.id, sp.displayName, sp.displayName, sp.externalId);
    const target = excluded(sp) ? undefined : valid.get(sp.applicationId);
    if (target === undefined) ident.bucket = "unmatched";
    else choose(ident, target, "mapping");
    return ident;
  });
}
