/** The findings a plan collects, in the plan's stable order (kind, name, code, message, …). */
import type { Finding, FindingCode, FindingKind, Severity } from "../../model/plan";
import { cmp, sortedUnique } from "./messages";

/** Declared order of kinds: the first sort key of actions and findings. */
export const KIND_ORDER: Record<FindingKind, number> = {
  user: 0,
  group: 1,
  servicePrincipal: 2,
  tenant: 3,
};

export class Findings {
  private readonly items: Array<{ finding: Finding; sortName: string }> = [];

  add(
    code: FindingCode,
    severity: Severity,
    kind: FindingKind,
    subjects: Iterable<string>,
    message: string,
    sortName: string,
  ): void {
    this.items.push({
      finding: { code, severity, kind, subjects: sortedUnique(subjects), message },
      sortName,
    });
  }

  /** Sorted so that two plans of the same state are byte-identical. */
  sorted(): Finding[] {
    return this.items
      .sort(
        (a, b) =>
          KIND_ORDER[a.finding.kind] - KIND_ORDER[b.finding.kind] ||
          cmp(a.sortName, b.sortName) ||
          cmp(a.finding.code, b.finding.code) ||
          cmp(a.finding.message, b.finding.message) ||
          cmp(a.finding.subjects.join("\n"), b.finding.subjects.join("\n")) ||
          cmp(a.finding.severity, b.finding.severity),
      )
      .map((f) => f.finding);
  }
}
