/**
 * The embedded demo tenant: a few thousand users, a few hundred groups, every
 * pathological case of docs/domain.md present, deterministic. `sampleRules` adds
 * the rule-side cases (valid and invalid overrides and mappings, exclusions)
 * so that planning the sample shows every finding code and every bucket.
 */

import type { ReconcileRules } from "../../core/model/plan";
import type { TenantFixture } from "../../core/model/tenant";
import { generateTenant } from "./synthetic";

export const SAMPLE_SEED = 20240611;
export const SAMPLE_ACCOUNT_ID = "8f2c1a9e-4b7d-4e61-9c3a-5d0e7b2f6a14";
/** Shaped like an Okta user id, absent from the sample tenant. */
export const SAMPLE_MISSING_OKTA_ID = "00uMISSING0000000000";

export function sampleTenant(): TenantFixture {
  return generateTenant({
    users: 3000,
    groups: 300,
    servicePrincipals: 12,
    seed: SAMPLE_SEED,
    accountId: SAMPLE_ACCOUNT_ID,
  });
}

/**
 * Rules for the sample: overrides and mappings onto Okta identities that no
 * Databricks identity matches by itself, one invalid entry of each, and
 * exclusions by glob. Derived from the tenant, so deterministic too.
 */
export function sampleRules(tenant: TenantFixture = sampleTenant()): ReconcileRules {
  const dbNames = new Set<string>();
  const dbExternalIds = new Set<string>();
  for (const u of tenant.databricks.users) {
    dbNames.add(u.userName.trim().normalize("NFKC").toLowerCase());
    if (u.externalId) dbExternalIds.add(u.externalId);
  }
  for (const g of tenant.databricks.groups) {
    dbNames.add(g.displayName);
    if (g.externalId) dbExternalIds.add(g.externalId);
  }
  const oktaOnlyUsers = tenant.okta.users.filter(
    (o) =>
      o.status !== "DEPROVISIONED" &&
      !dbExternalIds.has(o.id) &&
      !dbNames.has(o.profile.login.toLowerCase()) &&
      !dbNames.has(o.profile.email.toLowerCase()),
  );
  const oktaOnlyGroups = tenant.okta.groups.filter(
    (g) => g.type !== "BUILT_IN" && !dbExternalIds.has(g.id) && !dbNames.has(g.profile.name),
  );
  const localUsers = tenant.databricks.users.filter((u) => u.userName.startsWith("local-"));
  const localGroups = tenant.databricks.groups.filter((g) => g.displayName.startsWith("db-local-"));
  const sps = tenant.databricks.servicePrincipals.filter((s) => !s.externalId);
  const [u0, u1] = oktaOnlyUsers;
  const [g0] = oktaOnlyGroups;
  const [lu0, lu1] = localUsers;
  const [lg0] = localGroups;
  const [sp0, sp1, sp2] = sps;
  if (!u0 || !u1 || !g0 || !lu0 || !lu1 || !lg0 || !sp0 || !sp1 || !sp2) {
    throw new Error("sampleRules: the tenant lacks Okta-only or local identities to map");
  }
  return {
    onConflict: "report",
    userOverrides: {
      [lu0.userName]: u0.id, // valid: a local account that is really this Okta user
      [lu1.userName]: SAMPLE_MISSING_OKTA_ID, // invalid: no such Okta user
      "left.company@example.com": u1.id, // invalid: no such Databricks user
    },
    groupOverrides: {
      [lg0.displayName]: g0.id,
    },
    servicePrincipalMappings: {
      [sp0.applicationId]: u1.id, // valid: the Okta service account behind the pipeline
      [sp1.applicationId]: "00g" + "0".repeat(17), // invalid: no such Okta group
    },
    exclude: {
      users: ["break-glass-*"],
      groups: ["db-local-*-1?"],
      servicePrincipals: [sp2.displayName],
    },
  };
}
