/**
 * Two plans of the same live state under two sets of rules (a pull request's
 * and its base branch's): which links and findings the change adds or takes
 * away. Pure; both plans are sorted already, so the lists come out sorted.
 */
import type { Finding, Plan, PlanAction, Severity } from "../model/plan";

export interface PlanTotals {
  links: number;
  findings: Record<Severity, number>;
}

export interface PlanComparison {
  base: PlanTotals;
  head: PlanTotals;
  /** Links the head plans and the base does not (or plans with another Okta id). */
  linksAdded: PlanAction[];
  /** Links the base plans and the head no longer does. */
  linksRemoved: PlanAction[];
  findingsAdded: Finding[];
  findingsResolved: Finding[];
}

/** The same write: same identity, same value, same value replaced (how it was matched aside). */
function actionKey(a: PlanAction): string {
  return JSON.stringify([a.kind, a.databricksId, a.oktaId, a.previousExternalId]);
}

function findingKey(f: Finding): string {
  return JSON.stringify([f.code, f.severity, f.kind, f.subjects, f.message]);
}

function totals(plan: Plan): PlanTotals {
  const findings: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of plan.findings) findings[f.severity]++;
  return { links: plan.actions.length, findings };
}

function only<T>(from: readonly T[], notIn: readonly T[], key: (x: T) => string): T[] {
  const other = new Set(notIn.map(key));
  return from.filter((x) => !other.has(key(x)));
}

export function comparePlans(base: Plan, head: Plan): PlanComparison {
  return {
    base: totals(base),
    head: totals(head),
    linksAdded: only(head.actions, base.actions, actionKey),
    linksRemoved: only(base.actions, head.actions, actionKey),
    findingsAdded: only(head.findings, base.findings, findingKey),
    findingsResolved: only(base.findings, head.findings, findingKey),
  };
}

/** True when the change makes no difference to what would be written or reported. */
export function samePlans(c: PlanComparison): boolean {
  return (
    c.linksAdded.length === 0 &&
    c.linksRemoved.length === 0 &&
    c.findingsAdded.length === 0 &&
    c.findingsResolved.length === 0
  );
}
