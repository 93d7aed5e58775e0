/**
 * The plan as a file (docs/formats.md "Plan"): the format version and the
 * version of the aimctl that wrote it, then summary, actions and findings,
 * each object's members in the declared order and nothing else, so two plans
 * of the same state are byte-identical; atomic saves; and loading a saved
 * plan back for `apply --plan`, refusing a format this aimctl does not know.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { ConfigError } from "../core/http";
import {
  FINDING_CODES,
  IDENTITY_KINDS,
  MATCHED_BY,
  SEVERITIES,
  type Finding,
  type KindSummary,
  type Plan,
  type PlanAction,
} from "../core/model/plan";
import { BUCKETS } from "../core/reconcile/report";
import { readJsonFile } from "./files";
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
  const fix = "give a file written by aimctl plan --out, unedited";
  let doc: unknown;
  try {
    doc = readJsonFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      "--plan",
      `--plan ${file} ${e.code ? `cannot be read (${e.code})` : `is not valid JSON (${e.message})`}: ${fix}.`,
    );
  }
  const p = doc as Partial<PlanDocument> | null;
  if (!p || typeof p !== "object" || Array.isArray(p))
    throw new ConfigError(
      "--plan",
      `--plan ${file} is not a plan (a JSON object with formatVersion, toolVersion, summary, actions, findings): ${fix}.`,
    );
  checkFormatVersion(file, p);
  const problem = planShapeProblem(p);
  if (problem)
    throw new ConfigError("--plan", `--plan ${file} is not a valid plan: ${problem}: ${fix}.`);
  // What apply compares is the documented members alone (an extra one is not a difference of state).
  return canonicalPlan(p as Plan);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const oneOf = (list: readonly string[], v: unknown) => typeof v === "string" && list.includes(v);
const text = (v: unknown) => typeof v === "string" && v !== "";

/** The first thing in `p` that is not as plan --out writes it (path and what it should be), or undefined. */
function planShapeProblem(p: Partial<PlanDocument>): string | undefined {
  if (!isObject(p.summary)) return "summary must be an object";
  for (const kind of ["users", "groups", "servicePrincipals"] as const) {
    const s = p.summary[kind] as unknown;
    if (!isObject(s)) return `summary.${kind} must be an object`;
    for (const c of BUCKETS)
      if (!Number.isInteger(s[c]) || (s[c] as number) < 0)
        return `summary.${kind}.${c} must be a whole number`;
  }
  if (!Array.isArray(p.actions)) return "actions must be a list";
  for (const [i, a] of (p.actions as unknown[]).entries()) {
    const at = `actions[${i}]`;
    if (!isObject(a))
      return `${at} must be an action object (got ${a === null ? "null" : typeof a})`;
    if (!oneOf(IDENTITY_KINDS, a.kind))
      return `${at}.kind must be one of ${IDENTITY_KINDS.join(", ")}`;
    for (const f of ["databricksId", "databricksName", "oktaId"] as const)
      if (!text(a[f])) return `${at}.${f} must be a non-empty string`;
    if (!oneOf(MATCHED_BY, a.matchedBy))
      return `${at}.matchedBy must be one of ${MATCHED_BY.join(", ")}`;
    if (a.previousExternalId !== null && typeof a.previousExternalId !== "string")
      return `${at}.previousExternalId must be a string or null`;
  }
  if (!Array.isArray(p.findings)) return "findings must be a list";
  for (const [i, f] of (p.findings as unknown[]).entries()) {
    const at = `findings[${i}]`;
    if (!isObject(f)) return `${at} must be a finding object`;
    if (!oneOf(FINDING_CODES, f.code)) return `${at}.code must be a finding code`;
    if (!oneOf(SEVERITIES, f.severity))
      return `${at}.severity must be one of ${SEVERITIES.join(", ")}`;
    if (!oneOf([...IDENTITY_KINDS, "tenant"], f.kind))
      return `${at}.kind must be a kind or "tenant"`;
    if (!Array.isArray(f.subjects) || !f.subjects.every((x) => typeof x === "string"))
      return `${at}.subjects must be a list of names`;
    if (typeof f.message !== "string") return `${at}.message must be a string`;
  }
  return undefined;
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
