/**
 * `aimctl plan`: reads both sides and prints what apply would write and
 * what stands in the way. Exit 0 nothing to do, 2 actions pending, 1 error
 * findings (or a failure); the plan is printed in every case.
 */
import { resolve } from "node:path";
import type { Plan } from "../../core/model/plan";
import { FINDING_ADVICE, renderPlanMarkdown, renderPlanText } from "../../core/reconcile/report";
import type { FindingCode } from "../../core/model/plan";
import { flag, parseArgs, str } from "../args";
import { INPUT_HELP, INPUT_OPTIONS } from "../inputs";
import type { CliIo, Printer } from "../io";
import { planToJson, writeFileAtomic } from "../planFile";
import { sessionFromArgs, readAndPlan } from "../session";

export const PLAN_HELP = `aimctl plan [--json | --markdown] [--out FILE] [inputs]

Reads Okta and the Databricks account and prints the reconciliation plan:
which Databricks identities get their Okta id as externalId, and the findings.

  --json        the plan exactly in the DESIGN.md format (deterministic)
  --markdown    a summary for a pull-request comment
  --out FILE    also save the JSON plan (for aimctl apply --plan FILE), atomically
Exit: 0 nothing to do, 2 actions pending, 1 error findings or a failure.

${INPUT_HELP}`;

export function planExitCode(plan: Plan): number {
  if (plan.findings.some((f) => f.severity === "error")) return 1;
  return plan.actions.length > 0 ? 2 : 0;
}

export async function planCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    { ...INPUT_OPTIONS, json: "boolean", markdown: "boolean", out: "string" },
    "plan",
  );
  if (flag(args, "help")) {
    printer.out(PLAN_HELP);
    return 0;
  }
  if (flag(args, "json") && flag(args, "markdown")) {
    printer.err("aimctl: --json and --markdown exclude each other: choose one output format.");
    return 1;
  }
  const session = sessionFromArgs(args, io, printer, {
    okta: { privateKey: false },
    databricks: true,
    verbose: flag(args, "verbose"),
  });
  const { plan } = await readAndPlan(session, printer);
  const out = str(args, "out");
  if (out) {
    const file = resolve(io.cwd, out);
    writeFileAtomic(file, planToJson(plan));
    printer.err(`Saved the plan to ${file}.`);
  }
  if (flag(args, "json")) printer.out(planToJson(plan));
  else if (flag(args, "markdown")) printer.out(renderPlanMarkdown(plan));
  else printer.out(renderPlanText(plan) + nextStep(plan));
  return planExitCode(plan);
}

function nextStep(plan: Plan): string {
  const errors = plan.findings.filter((f) => f.severity === "error").length;
  const parts: string[] = [];
  if (plan.actions.length > 0)
    parts.push(`Next: aimctl apply writes these ${plan.actions.length} link(s).`);
  else parts.push("Nothing to write: every matched identity already carries its Okta id.");
  if (errors > 0)
    parts.push(`${errors} error finding(s) block enabling AIM (not the links above).`);
  const advice = adviceLines(plan);
  if (advice.length) parts.push("", "What to do about each finding:", ...advice);
  return `\n${parts.join("\n")}\n`;
}

/** One line per finding code present: count by severity, then what to do. */
export function adviceLines(plan: Pick<Plan, "findings">, indent = "  "): string[] {
  const byCode = new Map<FindingCode, { error: number; warning: number; info: number }>();
  for (const f of plan.findings) {
    const c = byCode.get(f.code) ?? { error: 0, warning: 0, info: 0 };
    c[f.severity]++;
    byCode.set(f.code, c);
  }
  return [...byCode.keys()].sort().map((code) => {
    const c = byCode.get(code) as { error: number; warning: number; info: number };
    const sev = (["error", "warning", "info"] as const)
      .filter((s) => c[s] > 0)
      .map((s) => `${c[s]} ${s}`)
      .join(", ");
    return `${indent}${code} (${sev}): ${FINDING_ADVICE[code]}`;
  });
}
