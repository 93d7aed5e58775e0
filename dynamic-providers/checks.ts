/**
 * `check` failures the providers share: where they connect. Each returns []
 * for a good value or one not known yet (checked again once the engine knows
 * it), else one failure naming the property and the fix.
 */
import type * as pulumi from "@pulumi/pulumi";
import { containsUnknown } from "./unknown";

type CheckFailure = pulumi.dynamic.CheckFailure;

/** An Okta org URL: scheme and host only, e.g. https://example.okta.com. */
export function oktaOrgUrlProblems(property: string, value: unknown): CheckFailure[] {
  if (containsUnknown(value)) return [];
  if (typeof value === "string" && /^https?:\/\/[^/\s]+\/?$/.test(value)) return [];
  return [
    {
      property,
      reason: `[${property}] must be the Okta org URL such as https://example.okta.com; got ${JSON.stringify(value)}.`,
    },
  ];
}

/** `databricksHost`: the Databricks accounts host. */
export function databricksHostProblems(value: unknown): CheckFailure[] {
  if (containsUnknown(value) || (typeof value === "string" && value.trim())) return [];
  return [
    {
      property: "databricksHost",
      reason:
        "[databricksHost] must be the Databricks accounts host, e.g. https://accounts.cloud.databricks.com.",
    },
  ];
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
