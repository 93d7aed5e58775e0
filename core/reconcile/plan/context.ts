/** What every step of planning shares: the rules, the Okta index, the findings and actions so far. */
import type { PlanAction, ReconcileRules } from "../../model/plan";
import { compileMatcher, type NameMatcher } from "../glob";
import { normalizeName } from "../normalize";
import type { Findings } from "./findings";
import type { OktaIndex } from "./oktaIndex";
import type {
  DatabricksUser,
  DatabricksGroup,
  DatabricksServicePrincipal,
} from "../../model/tenant";

export interface DatabricksSnapshot {
  users: readonly DatabricksUser[];
  groups: readonly DatabricksGroup[];
  servicePrincipals: readonly DatabricksServicePrincipal[];
}

export interface PlanContext {
  readonly rules: ReconcileRules;
  readonly databricks: DatabricksSnapshot;
  readonly okta: OktaIndex;
  readonly findings: Findings;
  /** The links planned so far (a later step may withdraw some). */
  readonly actions: PlanAction[];
  /** onConflict "overwrite". */
  readonly overwrite: boolean;
  /** rules.exclude.users, compared by normalised userName. */
  readonly excludeUsers: NameMatcher;
}

export function excludedUsers(rules: ReconcileRules): NameMatcher {
  return compileMatcher(rules.exclude?.users, normalizeName);
}
