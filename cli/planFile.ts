/**
 * The plan as a file: exactly DESIGN.md's format (summary, actions,
 * findings, each object's members in the declared order, nothing else), so
 * two plans of the same state are byte-identical; atomic saves; and loading
 * a saved plan back for `apply --plan`.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../core/http";
import type { Finding, KindSummary, Plan, PlanAction } from "../core/model/plan";

function kindSummary(s: KindSummary): KindSummary {
  return {
    link: s.link,
    alreadyLinked: s.alreadyLinked,
    conflict: s.conflict,
    ambiguous: s.ambiguous,
    duplicate: s.duplicate,
    unmatched: s.unmatched,
  };
}

/** The plan rebuilt in DESIGN.md's member order (drops anything extra). */
export function canonicalPlan(plan: Plan): Plan {
  return {
    summary: {
      users: kindSummary(plan.summary.users),
      groups: kindSummary(plan.summary.groups),
      servicePrincipals: kindSummary(plan.summary.servicePrincipals),
    },
    actions: plan.actions.map((a): PlanAction => ({
      kind: a.kind,
      databricksId: a.databricksId,
      databricksName: a.databricksName,
      oktaId: a.oktaId,
      matchedBy: a.matchedBy,
      previousExternalId: a.previousExternalId,
    })),
    findings: plan.findings.map((f): Finding => ({
      code: f.code,
      severity: f.severity,
      kind: f.kind,
      subjects: [...f.subjects],
      message: f.message,
    })),
  };
}

/** `aimctl plan --json`: two-space indented, one trailing newline. */
export function planToJson(plan: Plan): string {
  return `${JSON.stringify(canonicalPlan(plan), null, 2)}\n`;
}

/** Writes to a temporary file beside the target, then renames: readers never see half a file. */
export function writeFileAtomic(file: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    writeFileSync(tmp, text, { mode, flag: "wx" });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Reads a plan saved by `aimctl plan --out`; shape errors name the field. */
export function readPlanFile(file: string): Plan {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      "--plan",
      `--plan ${file} ${e.code ? `cannot be read (${e.code})` : `is not valid JSON (${e.message})`}: give a file written by aimctl plan --out.`,
    );
  }
  const p = doc as Partial<Plan> | null;
  if (
    !p ||
    typeof p !== "object" ||
    !p.summary ||
    typeof p.summary !== "object" ||
    !Array.isArray(p.actions) ||
    !Array.isArray(p.findings)
  )
    throw new ConfigError(
      "--plan",
      `--plan ${file} is not a plan ({"summary", "actions", "findings"}): give a file written by aimctl plan --out.`,
    );
  return p as Plan;
}
