/**
 * The plan as a file (docs/formats.md "Plan"): the format version and the
 * version of the aimctl that wrote it, then summary, actions and findings,
 * each object's members in the declared order and nothing else, so two plans
 * of the same state are byte-identical; atomic saves; and loading a saved
 * plan back for `apply --plan`, refusing a format this aimctl does not know.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../core/http";
import type { Finding, KindSummary, Plan, PlanAction } from "../core/model/plan";
import { TOOL_VERSION } from "./version";

/**
 * The version of the plan file format. Raise it when a change would make an
 * older aimctl misread a plan (a member renamed, removed or with a new
 * meaning); `apply --plan` refuses every version it does not know.
 */
export const PLAN_FORMAT_VERSION = 1;

/** What `aimctl plan --json` prints and `--out` saves. */
export interface PlanDocument extends Plan {
  formatVersion: number;
  /** The aimctl (package) version that wrote the plan. */
  toolVersion: string;
}

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

/** The plan rebuilt in the documented member order (drops anything extra). */
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
  const doc: PlanDocument = {
    formatVersion: PLAN_FORMAT_VERSION,
    toolVersion: TOOL_VERSION,
    ...canonicalPlan(plan),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
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

/** Reads a plan saved by `aimctl plan --out`; format and shape errors name the field. */
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
  const p = doc as Partial<PlanDocument> | null;
  if (!p || typeof p !== "object" || Array.isArray(p))
    throw new ConfigError(
      "--plan",
      `--plan ${file} is not a plan (a JSON object with formatVersion, toolVersion, summary, actions, findings): give a file written by aimctl plan --out.`,
    );
  checkFormatVersion(file, p);
  if (
    !p.summary ||
    typeof p.summary !== "object" ||
    !Array.isArray(p.actions) ||
    !Array.isArray(p.findings)
  )
    throw new ConfigError(
      "--plan",
      `--plan ${file} is not a plan (summary, actions and findings are missing or malformed): give a file written by aimctl plan --out.`,
    );
  return p as Plan;
}

/** A plan of another format version could mean something else: never guess. */
function checkFormatVersion(file: string, p: Partial<PlanDocument>): void {
  if (p.formatVersion === PLAN_FORMAT_VERSION) return;
  const here = `this aimctl (${TOOL_VERSION}) reads plan format ${PLAN_FORMAT_VERSION}`;
  const replan = `run aimctl plan --out ${file} again with this aimctl and apply that file`;
  if (p.formatVersion === undefined)
    throw new ConfigError(
      "--plan",
      `--plan ${file} has no formatVersion (it was written by an aimctl older than the versioned plan format, or by hand); ${here}: ${replan}.`,
    );
  const writer = typeof p.toolVersion === "string" ? `aimctl ${p.toolVersion}` : "an unknown tool";
  throw new ConfigError(
    "--plan",
    `--plan ${file} has formatVersion ${JSON.stringify(p.formatVersion)} (written by ${writer}), which ${here}: ${replan}, or apply it with the aimctl that wrote it.`,
  );
}
