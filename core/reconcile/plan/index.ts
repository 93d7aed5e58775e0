/**
 * The pure match + plan step (docs/matching.md, the exact contract): a
 * function of (Okta snapshot, Databricks snapshot, rules) that decides which
 * Databricks identities get an Okta id as externalId and which failure modes
 * of AIM matching are present (docs/domain.md says why each matters). No I/O.
 * The decisions taken where the product documentation is silent are marked
 * in docs/matching.md.
 *
 * The steps, one module each: index the Okta side (oktaIndex.ts), resolve
 * each Databricks identity to its Okta identity (resolve.ts), decide the
 * externalId and find duplicates (externalId.ts), the drift and tenant-wide
 * checks (checks.ts); findings are worded in messages.ts and ordered in
 * findings.ts. Cost is linear: Okta users are indexed once by normalised
 * login and email, every Databricks identity is looked up in those maps.
 */
import type { KindSummary, Plan, ReconcileRules } from "../../model/plan";
import { checkDrift, checkTenant } from "./checks";
import { excludedUsers, type DatabricksSnapshot, type PlanContext } from "./context";
import { decide, markDuplicates, withdrawSharedLinks } from "./externalId";
import { Findings, KIND_ORDER } from "./findings";
import type { Identity } from "./identity";
import { cmp } from "./messages";
import { OktaIndex, type OktaSnapshot } from "./oktaIndex";
import { resolveGroups, resolveServicePrincipals, resolveUsers } from "./resolve";

export type { DatabricksSnapshot } from "./context";
export type { OktaSnapshot } from "./oktaIndex";

/**
 * Plans the externalId links and preflight findings. Pure and deterministic:
 * the same snapshots (in any order) and rules give a byte-identical plan.
 */
export function planLinks(
  okta: OktaSnapshot,
  databricks: DatabricksSnapshot,
  rules: ReconcileRules = {},
): Plan {
  const ctx: PlanContext = {
    rules,
    databricks,
    okta: new OktaIndex(okta, rules.caseInsensitiveGroupNames === true),
    findings: new Findings(),
    actions: [],
    overwrite: rules.onConflict === "overwrite",
    excludeUsers: excludedUsers(rules),
  };
  const users = resolveUsers(ctx);
  const groups = resolveGroups(ctx);
  const sps = resolveServicePrincipals(ctx);
  const all = users.concat(groups, sps);
  const owners = markDuplicates(ctx, all);
  for (const ident of all) decide(ctx, ident);
  withdrawSharedLinks(ctx, all, owners);
  checkDrift(ctx, users);
  checkTenant(ctx, users);
  return {
    summary: { users: count(users), groups: count(groups), servicePrincipals: count(sps) },
    actions: ctx.actions.sort(
      (a, b) =>
        // Most pairs are of one kind: compare kinds by identity first (no table look-up).
        (a.kind === b.kind ? 0 : KIND_ORDER[a.kind] - KIND_ORDER[b.kind]) ||
        cmp(a.databricksName, b.databricksName) ||
        cmp(a.databricksId, b.databricksId),
    ),
    findings: ctx.findings.sorted(),
  };
}

/** Every identity in exactly one bucket (none set: unmatched). */
function count(idents: readonly Identity[]): KindSummary {
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
}
