/** validateRules: the one shape check of ReconcileRules (aimctl and the IdentityReconciliation provider). */
import { describe, expect, it } from "vitest";
import { RULE_KEYS, validateRules } from "../../core/reconcile/rules";

describe("validateRules", () => {
  it("absent rules are the defaults; good rules come back as given", () => {
    expect(validateRules(undefined)).toEqual({ rules: {}, problems: [] });
    const good = {
      matchGroups: false,
      onConflict: "overwrite",
      groupOverrides: { "Data Engineers": "00g1" },
      exclude: { servicePrincipals: ["ci-*"] },
    };
    expect(validateRules(good)).toEqual({ rules: good, problems: [] });
  });

  it("names every problem by its path, with the fix; with any problem the rules are {}", () => {
    const r = validateRules({
      toString: true, // an inherited name is still not a rule
      caseInsensitiveGroupNames: 1,
      servicePrincipalMappings: ["00u1"],
      groupOverrides: { Admins: 7 },
      exclude: [],
    });
    expect(r.rules).toEqual({});
    expect(r.problems).toEqual([
      {
        field: "rules.toString",
        message:
          "rules.toString is not a rule: use one of matchUsers, matchGroups, caseInsensitiveGroupNames, onConflict, userOverrides, groupOverrides, servicePrincipalMappings, exclude.",
      },
      {
        field: "rules.caseInsensitiveGroupNames",
        message: "rules.caseInsensitiveGroupNames must be true or false; got 1.",
      },
      {
        field: "rules.groupOverrides",
        message:
          'rules.groupOverrides must map names to Okta ids, e.g. {"Data Engineers": "00g…"} (Databricks group displayName → Okta group id); "Admins" maps to 7.',
      },
      {
        field: "rules.servicePrincipalMappings",
        message:
          'rules.servicePrincipalMappings must map names to Okta ids, e.g. {"<applicationId>": "00u…"} (service principal applicationId → Okta user or group id); got a list.',
      },
      {
        field: "rules.exclude",
        message:
          'rules.exclude must be an object such as {"users": ["break-glass-*"], "groups": [...], "servicePrincipals": [...]}; got a list.',
      },
    ]);
  });

  it("null and scalars are not rules; a long value is cut in the message", () => {
    expect(validateRules(null).problems.map((p) => [p.field, p.message])).toEqual([
      [
        "rules",
        'rules must be an object of matching rules such as {"onConflict": "report", "exclude": {"users": ["break-glass-*"]}}; got null.',
      ],
    ]);
    const long = "x".repeat(100);
    expect(validateRules({ onConflict: long }).problems[0]?.message).toMatch(
      new RegExp(`; got "${"x".repeat(39)}…"\\.$`),
    );
  });

  it("the rule list is ReconcileRules' fields", () => {
    expect(RULE_KEYS).toEqual([
      "matchUsers",
      "matchGroups",
      "caseInsensitiveGroupNames",
      "onConflict",
      "userOverrides",
      "groupOverrides",
      "servicePrincipalMappings",
      "exclude",
    ]);
  });
});
