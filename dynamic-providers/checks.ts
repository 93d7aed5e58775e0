/**
 * `check` failures the providers share: where they connect. Each returns []
 * for a good value or one not known yet (checked again once the engine knows
 * it), else one failure naming the property and the fix.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadCore } from "./loadCore";
import { containsUnknown } from "./unknown";

type CheckFailure = pulumi.dynamic.CheckFailure;

/** An Okta org URL, by core's one rule (core/okta/orgUrl.ts). */
export function oktaOrgUrlProblems(property: string, value: unknown): CheckFailure[] {
  if (containsUnknown(value)) return [];
  const reason = loadCore().oktaOrgUrlProblem(value, `[${property}]`);
  return reason ? [{ property, reason }] : [];
}

/** `databricksHost`: the Databricks accounts host, by core's one rule (not a workspace URL, no query…). */
export function databricksHostProblems(value: unknown): CheckFailure[] {
  if (containsUnknown(value)) return [];
  const reason = loadCore().accountsHostProblem(value, "[databricksHost]");
  return reason ? [{ property: "databricksHost", reason }] : [];
}

/** `accountId`: the Databricks account id (core checks the UUID form when it connects). */
export function accountIdProblems(value: unknown): CheckFailure[] {
  if (containsUnknown(value) || (typeof value === "string" && /^[A-Za-z0-9_-]+$/.test(value)))
    return [];
  return [
    {
      property: "accountId",
      reason:
        "[accountId] must be the Databricks account id (a UUID, shown in the account console's user menu).",
    },
  ];
}
