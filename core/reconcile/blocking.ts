/**
 * What keeps AIM off: the plan's error findings whose code the operator has
 * not accepted. One rule for `aimctl plan`, `check` and `apply --enable-aim`.
 */
import type { Finding, FindingCode } from "../model/plan";

export function blockingFindings(
  findings: readonly Finding[],
  accepted: readonly FindingCode[] = [],
): Finding[] {
  return findings.filter((f) => f.severity === "error" && !accepted.includes(f.code));
}

/** The error findings that are present only because they were accepted (for the reports). */
export function acceptedFindings(
  findings: readonly Finding[],
  accepted: readonly FindingCode[] = [],
): Finding[] {
  return findings.filter((f) => f.severity === "error" && accepted.includes(f.code));
}
