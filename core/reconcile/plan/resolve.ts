/**
 * Which Okta identity each Databricks identity is: one resolver for users
 * and groups (exclusion, override, a unique match by name, else an
 * externalId that already names a linkable Okta identity), and the explicit
 * mappings of service principals. Overrides are validated on the way.
 */
import type { IdentityKind, MatchedBy } from "../../model/plan";
import type { DatabricksServicePrincipal, OktaGroup } from "../../model/tenant";
import { externalIdOf } from "../../model/tenant";
import { compileMatcher, type NameMatcher } from "../glob";
import { normalizeName } from "../normalize";
import type { PlanContext } from "./context";
import { choose, type Identity } from "./identity";
import { cmp, listPlain } from "./messages";
import type { Candidate } from "./oktaIndex";

/** How one kind (users, groups) is matched by name; C: an Okta identity the name finds. */
interface NameRule<C> {
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
  named: (key: string) => readonly C[];
  idOf: (c: C) => string;
  byOf: (c: C) => MatchedBy;
  /** The AMBIGUOUS_MATCH message for `name`, matched by these candidates. */
  ambiguous: (name: string, candidates: readonly C[]) => string;
  /** Said when no live Okta identity has the name (users: a DEPROVISIONED-only match). */
  noneNamed?: (ident: Identity) => void;
}

interface Named {
  id: string;
  name: string;
  externalId?: string | null;
}

/** Resolves every Databricks identity of one kind by `rule`. */
function resolveByName<C>(
  ctx: PlanContext,
  rule: NameRule<C>,
  identities: readonly Named[],
): Identity[] {
  const keys = identities.map((x) => rule.key(x.name));
  const overrides = validateOverrides(ctx, rule, new Set(keys));
  return identities.map((x, index): Identity => {
    const ident: Identity = {
      kind: rule.kind,
      id: x.id,
      name: x.name,
      key: keys[index] as string,
      externalId: externalIdOf(x.externalId),
    };
    resolveOne(ctx, rule, ident, overrides);
    return ident;
  });
}

function resolveOne<C>(
  ctx: PlanContext,
  rule: NameRule<C>,
  ident: Identity,
  overrides: Map<string, string | null>,
): void {
  if (rule.exclude.matches(ident.name)) {
    ident.bucket = "unmatched"; // excluded: left alone by every rule
    return;
  }
  const override = overrides.get(ident.key);
  if (override !== undefined) {
    if (override === null)
      ident.bucket = "unmatched"; // invalid override, reported already
    else choose(ident, override, "override");
    return;
  }
  if (rule.matchByName) {
    const candidates = rule.named(ident.key);
    if (candidates.length >= 2) {
      ident.bucket = "ambiguous";
      ctx.findings.add(
        "AMBIGUOUS_MATCH",
        "error",
        rule.kind,
        [ident.name],
        rule.ambiguous(ident.name, candidates),
        ident.name,
      );
      return;
    }
    const only = candidates[0];
    if (only !== undefined) {
      choose(ident, rule.idOf(only), rule.byOf(only));
      return;
    }
    rule.noneNamed?.(ident);
  }
  // No name match: linked only if its externalId already names a linkable Okta identity.
  if (ident.externalId !== null && rule.linkable(ident.externalId)) {
    ident.target = ident.externalId;
    ident.linkedByExternalId = true;
  } else {
    ident.bucket = "unmatched";
  }
}

export function resolveUsers(ctx: PlanContext): Identity[] {
  const { okta, rules } = ctx;
  const rule: NameRule<Candidate> = {
    kind: "user",
    key: normalizeName,
    exclude: ctx.excludeUsers,
    overrides: rules.userOverrides,
    linkable: (id) => okta.linkableUser(id) !== undefined,
    linkableText: "an Okta user id that exists and is not DEPROVISIONED",
    matchByName: rules.matchUsers !== false,
    named: (key) => okta.usersNamed(key),
    idOf: (c) => c.user.id,
    byOf: (c) => c.by,
    ambiguous: (userName, candidates) => {
      const described = [...candidates]
        .sort(
          (a, b) => cmp(a.user.profile.login, b.user.profile.login) || cmp(a.user.id, b.user.id),
        )
        .map((c) => `"${c.user.profile.login}" (${c.user.id}, by ${c.by})`);
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
  return resolveByName(
    ctx,
    rule,
    ctx.databricks.users.map((u) => ({ id: u.id, name: u.userName, externalId: u.externalId })),
  );
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
    ambiguous: (displayName, candidates) => {
      const described = [...candidates]
        .sort((a, b) => cmp(a.id, b.id))
        .map((c) => `${c.id} (${c.type} "${c.profile.name}")`);
      return (
        `Databricks group "${displayName}" matches ${candidates.length} Okta groups by name: ` +
        `${listPlain(described)}. Rename one in Okta, or add a groupOverrides entry.`
      );
    },
  };
  return resolveByName(
    ctx,
    rule,
    ctx.databricks.groups.map((g) => ({ id: g.id, name: g.displayName, externalId: g.externalId })),
  );
}

/**
 * Validates overrides, reporting OVERRIDE_INVALID for a key that names no
 * Databricks identity, a target that is not a linkable Okta identity, or two
 * keys that meet under normalisation with different targets. Returns
 * key → Okta id, or null for an invalid override (the identity is then
 * left unmatched rather than falling back to rules the operator overrode).
 */
function validateOverrides<C>(
  ctx: PlanContext,
  rule: NameRule<C>,
  present: ReadonlySet<string>,
): Map<string, string | null> {
  const { kind } = rule;
  const field = kind === "user" ? "userOverrides" : "groupOverrides";
  const out = new Map<string, string | null>();
  const firstName = new Map<string, string>();
  const entries = Object.entries(rule.overrides ?? {}).sort((a, b) => cmp(a[0], b[0]));
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
    const ident: Identity = {
      kind,
      id: sp.id,
      name: sp.displayName,
      key: sp.displayName,
      externalId: externalIdOf(sp.externalId),
    };
    const target = excluded(sp) ? undefined : valid.get(sp.applicationId);
    if (target === undefined) ident.bucket = "unmatched";
    else choose(ident, target, "mapping");
    return ident;
  });
}
