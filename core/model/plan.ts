/**
 * The plan (docs/formats.md "Plan file", less the two version members of the
 * file): what `aimctl plan --json` prints and the reconciliation resource
 * computes. Field order matters for
 * byte-identical output: build objects in the order declared here.
 */

/** Each list is the one statement of its values (the plan file reader checks against them). */
export const IDENTITY_KINDS = ["user", "group", "servicePrincipal"] as const;
export const SEVERITIES = ["error", "warning", "info"] as const;
export const MATCHED_BY = ["login", "email", "name", "override", "mapping"] as const;

export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export type FindingKind = IdentityKind | "tenant";
export type Severity = (typeof SEVERITIES)[number];
export type MatchedBy = (typeof MATCHED_BY)[number];

/** Every finding code, in the order reports list them; the type follows from the list. */
export const FINDING_CODES = [
  "AMBIGUOUS_MATCH",
  "EXTERNAL_ID_CONFLICT",
  "EXTERNAL_ID_FOREIGN",
  "DUPLICATE_IDENTITY",
  "USERNAME_DRIFT",
  "OKTA_EMAIL_NOT_UNIQUE",
  "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
  "OKTA_USER_DEPROVISIONED",
  "OVERRIDE_INVALID",
  "MAPPING_INVALID",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export interface KindSummary {
  link: number;
  alreadyLinked: number;
  conflict: number;
  ambiguous: number;
  duplicate: number;
  unmatched: number;
}

export interface PlanSummary {
  users: KindSummary;
  groups: KindSummary;
  servicePrincipals: KindSummary;
}

export interface PlanAction {
  kind: IdentityKind;
  databricksId: string;
  databricksName: string;
  oktaId: string;
  matchedBy: MatchedBy;
  /** The externalId this action replaces (only under onConflict "overwrite"), else null. */
  previousExternalId: string | null;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  kind: FindingKind;
  subjects: string[];
  message: string;
}

export interface Plan {
  summary: PlanSummary;
  actions: PlanAction[];
  findings: Finding[];
}

/** Matching rules: everything that is not live data. */
export interface ReconcileRules {
  /** Match users by Okta login/email (default true). */
  matchUsers?: boolean;
  /** Match groups by name (default true). */
  matchGroups?: boolean;
  /** Compare group names case-insensitively (default false). */
  caseInsensitiveGroupNames?: boolean;
  /** "report" (default): never overwrite an existing externalId. */
  onConflict?: "report" | "overwrite";
  /** Explicit Databricks userName -> Okta user id. */
  userOverrides?: Record<string, string>;
  /** Explicit Databricks group displayName -> Okta group id. */
  groupOverrides?: Record<string, string>;
  /** Service principal applicationId -> Okta id (user or group id). */
  servicePrincipalMappings?: Record<string, string>;
  /** Exact names or globs (`*`, `?`) of Databricks identities to leave alone. */
  exclude?: { users?: string[]; groups?: string[]; servicePrincipals?: string[] };
}

/** Which API writes `externalId`. */
export type WriteRoute = "scim" | "iamv2";
