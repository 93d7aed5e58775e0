/**
 * `aimctl plan`: reads both sides and prints what apply would write and
 * what stands in the way. The exit code follows cli/exitCodes.ts (0 nothing
 * to do, 2 links pending, 3 blocked, 1 failure); the plan is printed in every
 * case the tool itself did not fail.
 */
import type { ConfigError } from "../../core/http";
import type { FindingCode, Plan, ReconcileRules } from "../../core/model/plan";
import { acceptedFindings, blockingFindings } from "../../core/reconcile/blocking";
import { planLinks } from "../../core/reconcile/plan";
import {
  FINDING_ADVICE,
  renderComparisonText,
  renderPlanMarkdown,
  renderPlanText,
} from "../../core/reconcile/report";
import { acceptFindingsOption, flag, parseArgs, str, type ParsedArgs } from "../args";
import { writableFileOption } from "../files";
import { EXIT, EXIT_CODES_HELP, outcomeExitCode, type ExitCode } from "../exitCodes";
import { INPUT_HELP, INPUT_OPTIONS, InputErrors, readRulesFile } from "../inputs";
import type { CliIo, Printer } from "../io";
import { planToJson, writeFileAtomic } from "../planFile";
import { sessionFromArgs, readAndPlan } from "../session";

export const PLAN_HELP = `aimctl plan [--json | --markdown] [--out FILE] [--accept-findings CODE,...] [--base-rules FILE] [inputs]

Reads Okta and the Databricks account and prints the reconciliation plan:
which Databricks identities get their Okta id as externalId, and the findings.

  --json                   the plan file (docs/formats.md): format and tool version, summary,
                           actions, findings; byte-identical for the same state
  --markdown               a summary for a pull-request comment
  --out FILE               also save the JSON plan (for aimctl apply --plan FILE), atomically
  --accept-findings CODES  error finding codes accepted knowingly (comma-separated): they are
                           still reported but no longer block (exit 3)
  --base-rules FILE        also plan the same state under these rules (e.g. the base branch's
                           aimctl.rules.json) and show what the rules given change: links added
                           or no longer planned, findings new or resolved (text and --markdown;
                           --json and --out hold this plan only, the exit code follows it)

${EXIT_CODES_HELP}

${INPUT_HELP}`;

export function planExitCode(plan: Plan, accepted: readonly FindingCode[] = []): ExitCode {
  return outcomeExitCode({
    blocking: blockingFindings(plan.findings, accepted).length,
    pending: plan.actions.length,
  });
}

export async function planCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...INPUT_OPTIONS,
      json: "boolean",
      markdown: "boolean",
      out: "string",
      "accept-findings": "string",
      "base-rules": "string",
    },
    "plan",
  );
  if (flag(args, "help")) {
    printer.out(PLAN_HELP);
    return EXIT.ok;
  }
  if (flag(args, "json") && flag(args, "markdown")) {
    printer.err("aimctl: --json and --markdown exclude each other: choose one output format.");
    return EXIT.failed;
  }
  const accepted = acceptFindingsOption(args);
  const baseRules = baseRulesOption(args, io.cwd);
  // Before anything is read: a plan that cannot be saved is refused at once, not after the read.
  const out = writableFileOption("--out", str(args, "out"), io.cwd, "plan.json");
  const session = sessionFromArgs(args, io, printer, {
    okta: { privateKey: false },
    databricks: true,
    verbose: flag(args, "verbose"),
  });
  const { plan, snapshot } = await readAndPlan(session, printer);
  // One read, two plans: the difference is the rules' alone, never a change of live state.
  const base = baseRules && planLinks(snapshot.okta, snapshot.databricks, baseRules);
  if (out) {
    writeFileAtomic(out, planToJson(plan));
    printer.err(`Saved the plan to ${out}.`);
  }
  if (flag(args, "json")) printer.out(planToJson(plan));
  else if (flag(args, "markdown"))
    printer.out(renderPlanMarkdown(plan, { acceptedFindings: accepted, base }));
  else
    printer.out(
      renderPlanText(plan) +
        (base ? `\n${renderComparisonText(base, plan)}` : "") +
        nextStep(plan, accepted),
    );
  return planExitCode(plan, accepted);
}

/** --base-rules, validated before anything is read. */
function baseRulesOption(args: ParsedArgs, cwd: string): ReconcileRules | undefined {
  const file = str(args, "base-rules");
  if (!file) return undefined;
  const errors: ConfigError[] = [];
  const rules = readRulesFile("--base-rules", file, cwd, errors);
  if (errors.length) throw new InputErrors(errors);
  return rules;
}

function nextStep(plan: Plan, accepted: readonly FindingCode[]): string {
  const blocking = blockingFindings(plan.findings, accepted).length;
  const acceptedNow = acceptedFindings(plan.findings, accepted).length;
  const parts: string[] = [];
  if (plan.actions.length > 0)
    parts.push(`Next: aimctl apply writes these ${plan.actions.length} link(s).`);
  else parts.push("Nothing to write: every matched identity already carries its Okta id.");
  if (blocking > 0)
    parts.push(`${blocking} error finding(s) block enabling AIM (not the links above).`);
  if (acceptedNow > 0)
    parts.push(
      `${acceptedNow} error finding(s) accepted (--accept-findings ${accepted.join(",")}): they no longer block.`,
    );
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
