/**
 * What every engine test starts from: both emulators on loopback holding one
 * tenant, and a stack of this repository's program configured with exactly
 * the keys a user sets for a real org (README "Use with Pulumi"), only with
 * the emulators' URLs. Limits are the realistic ones except the Databricks
 * PATCH limit, raised so that thousands of links take seconds (the program's
 * oktaAim:writeRatePerSecond is raised to match, as a user with a raised
 * account limit would).
 */
import * as path from "node:path";
import type { ReconcileRules } from "../../core/model/plan";
import type { TenantFixture } from "../../core/model/tenant";
import { planLinks } from "../../core/reconcile/plan";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { EngineStack, engineVersions } from "./harness";

/** Synthetic-tenant rates with no pathology at all: every Databricks identity has one clear Okta match. */
export const CLEAN_RATES = Object.fromEntries(
  [
    "oktaOnly", "emailOnly", "caseVariant", "whitespaceVariant", "unicodeVariant", "sharedEmail",
    "emailEqualsOtherLogin", "deprovisionedOnly", "usernameDrift", "foreignExternalId",
    "conflictingExternalId", "emptyExternalId", "duplicateIdentity", "databricksOnly",
    "groupOktaOnly", "groupCaseVariant", "groupDuplicateName", "groupForeignExternalId",
    "groupConflictingExternalId", "groupEmptyExternalId", "groupDuplicateIdentity",
    "groupDatabricksOnly", "servicePrincipalForeignExternalId",
  ].map((k) => [k, 0]),
); // prettier-ignore

export const PATCH_LIMIT_PER_SECOND = 400;
export const PROGRAM_WRITE_RATE = 300;

export interface EngineTenant {
  fixture: TenantFixture;
  rules: ReconcileRules;
  okta: OktaEmulator;
  dbx: DatabricksEmulator;
  stack: EngineStack;
  journal: string;
  /** Error finding codes of the tenant's plan (what acceptFindings must list to enable AIM). */
  errorCodes: string[];
  /** The Okta apps the program created (labelled as the program labels them). */
  aimApps(): ReturnType<OktaEmulator["store"]["apps"]["get"]>[];
  /** The stored AIM connection's own test (what AIM does before a sync): true when Okta accepts it. */
  storedConnectionTest(): Promise<boolean>;
  close(): Promise<void>;
}

export interface EngineTenantOptions {
  /**
   * The Databricks credentials as a pipeline passes them: environment for
   * every command (e.g. the workflow's `env:` with its secrets). Given, the
   * stack config holds no Databricks credential.
   */
  databricksEnv?: (dbx: DatabricksEmulator) => Record<string, string>;
}

export async function startEngineTenant(
  fixture: TenantFixture,
  rules: ReconcileRules,
  opts: EngineTenantOptions = {},
): Promise<EngineTenant> {
  console.log(`[engine] ${JSON.stringify(engineVersions())}`);
  const okta = await startOktaEmulator({ fixture: fixture.okta });
  const dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: { get: 20, list: 240, patch: PATCH_LIMIT_PER_SECOND, write: 5 },
    // An account with the assumed AIM admin API, so that the default adapter (auto) takes the
    // `api` path and up enables AIM; a real account answers it 404 today (the emulator's default).
    behaviour: { aimAdminApi: "on" },
  });
  const stack = new EngineStack(opts.databricksEnv ? { env: opts.databricksEnv(dbx) } : {});
  const journal = path.join(stack.dir, "journal.jsonl");
  await stack.init();
  await stack.setConfig("oktaAim:oktaOrgUrl", okta.url);
  await stack.setConfig("oktaAim:databricksHost", dbx.url);
  await stack.setConfig("oktaAim:databricksAccountId", dbx.accountId);
  await stack.setConfig("oktaAim:oktaApiToken", okta.apiToken, true);
  if (!opts.databricksEnv) {
    await stack.setConfig("oktaAim:databricksClientId", dbx.clientId);
    await stack.setConfig("oktaAim:databricksClientSecret", dbx.clientSecret, true);
  }
  await stack.setConfig("oktaAim:journalPath", journal);
  await stack.setConfig("oktaAim:writeRatePerSecond", String(PROGRAM_WRITE_RATE));
  stack.setObjectConfig("oktaAim:rules", rules);
  const plan = planLinks(fixture.okta, fixture.databricks, rules);
  const errorCodes = [
    ...new Set(plan.findings.filter((f) => f.severity === "error").map((f) => f.code)),
  ].sort();
  return {
    fixture,
    rules,
    okta,
    dbx,
    stack,
    journal,
    errorCodes,
    aimApps: () => [...okta.store.apps.values()].filter((a) => a.label === "Databricks AIM"),
    async storedConnectionTest() {
      const res = await fetch(
        `${dbx.url}/api/2.0/accounts/${dbx.accountId}/aim/okta/connection/test`,
        { method: "POST", headers: { Authorization: `Bearer ${dbx.token}` } },
      );
      const body = (await res.json()) as { success?: boolean };
      return res.status === 200 && body.success === true;
    },
    async close() {
      console.log(`[engine] commands: ${JSON.stringify(stack.history)}`);
      await okta.close();
      await dbx.close();
      stack.cleanup();
    },
  };
}
