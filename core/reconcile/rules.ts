/**
 * The shape of ReconcileRules, checked in one place for every front end
 * (aimctl's --rules file or config "rules", the IdentityReconciliation
 * resource's `rules` input). Each problem names its field by the path from
 * `rules` and says what to write instead. The ids the rules name are checked
 * against live data by the planner (OVERRIDE_INVALID, MAPPING_INVALID), not
 * here.
 *
 * Loaded by name from dynamic-providers (loadCore "core/reconcile/rules"):
 * keep this path and `validateRules` (state names them).
 */
import type { ReconcileRules } from "../model/plan";

type ExcludeKind = keyof NonNullable<ReconcileRules["exclude"]>;

// Records over the type's keys: adding a rule to ReconcileRules without adding it here fails to compile.
const RULES: Record<keyof ReconcileRules, true> = {
  matchUsers: true,
  matchGroups: true,
  caseInsensitiveGroupNames: true,
  onConflict: true,
  userOverrides: true,
  groupOverrides: true,
  servicePrincipalMappings: true,
  exclude: true,
};
const EXCLUDE_KINDS: Record<ExcludeKind, true> = {
  users: true,
  groups: true,
  servicePrincipals: true,
};

/** Every rule, in ReconcileRules order. */
export const RULE_KEYS = Object.keys(RULES) as ReadonlyArray<keyof ReconcileRules>;

const SWITCHES = ["matchUsers", "matchGroups", "caseInsensitiveGroupNames"] as const;

/** Each name → Okta id map, with an example entry for its message. */
const MAPS = {
  userOverrides: `{"alice@example.com": "00u…"} (Databricks userName → Okta user id)`,
  groupOverrides: `{"Data Engineers": "00g…"} (Databricks group displayName → Okta group id)`,
  servicePrincipalMappings: `{"<applicationId>": "00u…"} (service principal applicationId → Okta user or group id)`,
} as const;

export interface RuleProblem {
  /** Path of the field: "rules", "rules.onConflict", "rules.exclude.users". */
  field: string;
  /** A sentence that names the field and the fix. */
  message: string;
}

export interface ValidatedRules {
  /** The rules when there is no problem; `{}` (the defaults) when absent or when there are problems. */
  rules: ReconcileRules;
  problems: RuleProblem[];
}

/** A short description of a value for "got …" (never a whole object). */
function shown(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  return String(v);
}

/** Checks the shape of `raw` as ReconcileRules; `undefined` means no rules (the defaults). */
export function validateRules(raw: unknown): ValidatedRules {
  const problems: RuleProblem[] = [];
  const bad = (field: string, message: string) =>
    problems.push({ field: field ? `rules.${field}` : "rules", message });
  if (raw === undefined) return { rules: {}, problems };
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    bad(
      "",
      `rules must be an object of matching rules such as {"onConflict": "report", "exclude": {"users": ["break-glass-*"]}}; got ${shown(raw)}.`,
    );
    return { rules: {}, problems };
  }
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r))
    if (!Object.hasOwn(RULES, k))
      bad(k, `rules.${k} is not a rule: use one of ${RULE_KEYS.join(", ")}.`);
  for (const k of SWITCHES)
    if (r[k] !== undefined && typeof r[k] !== "boolean")
      bad(k, `rules.${k} must be true or false; got ${shown(r[k])}.`);
  if (r.onConflict !== undefined && r.onConflict !== "report" && r.onConflict !== "overwrite")
    bad(
      "onConflict",
      `rules.onConflict must be "report" (the default: never overwrite an externalId) or "overwrite" (replace it; the old value goes to the undo journal); got ${shown(r.onConflict)}.`,
    );
  for (const [k, example] of Object.entries(MAPS)) {
    const v = r[k];
    if (v === undefined) continue;
    const isMap = Boolean(v) && typeof v === "object" && !Array.isArray(v);
    const wrong = isMap
      ? Object.entries(v as Record<string, unknown>).find(([, x]) => typeof x !== "string" || !x)
      : undefined;
    if (!isMap || wrong)
      bad(
        k,
        `rules.${k} must map names to Okta ids, e.g. ${example}; ${wrong ? `${JSON.stringify(wrong[0])} maps to ${shown(wrong[1])}` : `got ${shown(v)}`}.`,
      );
  }
  if (r.exclude !== undefined) {
    const ex = r.exclude;
    if (!ex || typeof ex !== "object" || Array.isArray(ex))
      bad(
        "exclude",
        `rules.exclude must be an object such as {"users": ["break-glass-*"], "groups": [...], "servicePrincipals": [...]}; got ${shown(ex)}.`,
      );
    else
      for (const [k, v] of Object.entries(ex as Record<string, unknown>)) {
        if (!Object.hasOwn(EXCLUDE_KINDS, k))
          bad(
            `exclude.${k}`,
            `rules.exclude.${k} is not a kind of identity: use users, groups or servicePrincipals.`,
          );
        else if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
          bad(
            `exclude.${k}`,
            `rules.exclude.${k} must be a list of names or globs, e.g. ["break-glass-*"].`,
          );
      }
  }
  return { rules: problems.length ? {} : (r as ReconcileRules), problems };
}
