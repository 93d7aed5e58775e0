/**
 * `aimctl apply`: core's reconcileAccount (plan afresh, or check that a saved
 * plan still matches live state; ask before writing; write every link with
 * progress and an undo journal), then optionally core's
 * convergeAimConnection to enable AIM once no link is pending and no
 * unaccepted error finding remains. This file only prints: the workflows and
 * their order live in core/workflows. Error findings never stop the safe links.
 */
import { join, resolve } from "node:path";
import { aimAdapterLine } from "../../core/databricks/aimAdapter";
import { ConfigError } from "../../core/http";
import type { AppPrivateKey } from "../../core/keys/privateKey";
import type { FindingCode, Plan } from "../../core/model/plan";
import type { ApplyResult } from "../../core/reconcile/apply";
import { acceptedFindings, blockingFindings } from "../../core/reconcile/blocking";
import {
  actionsDigest,
  canonicalJson,
  errorFindingCodes,
  FINDING_ADVICE,
  renderPlanText,
} from "../../core/reconcile/report";
import {
  convergeAimConnection,
  enableBlockers,
  isBlocked,
  linkedProbeId,
  reconcileAccount,
  type AccountPlan,
  type ReconcileAccountOptions,
  type ReconcileAccountResult,
} from "../../core/workflows";
import {
  acceptFindingsOption,
  durationOption,
  flag,
  intOption,
  parseArgs,
  str,
  writeRateOptions,
} from "../args";
import { EXIT } from "../exitCodes";
import { assertWritableFile } from "../files";
import { INPUT_HELP, INPUT_OPTIONS } from "../inputs";
import { confirmOnTerminal, interruptSignal, type CliIo, type Printer } from "../io";
import { readPlanFile } from "../planFile";
import { formatDuration, ReconcileReporter } from "../progress";
import {
  accountClients,
  aimAdminFor,
  oktaCacheFor,
  sessionFromArgs,
  type Session,
} from "../session";
import { quoted, terminalSafe } from "../../core/reconcile/escape";

export const APPLY_HELP = `aimctl apply [--plan FILE] [--yes] [--undo-file FILE] [--max-writes N] [--time-budget DUR] [--enable-aim [--accept-findings CODE,...]] [inputs]

Writes each planned link (the Okta id as the Databricks identity's externalId),
re-checking live state just before writing; identities changed since planning
are skipped and reported, never overwritten. Error findings do not stop these
safe links; they block enabling AIM.

  --plan FILE              apply a plan saved by aimctl plan --out, after re-planning and
                           checking that the actions are still the same (refused otherwise)
  --yes, -y                do not ask for confirmation (required without a terminal)
  --break-lock             remove the account's write lock first (another run's, when that
                           run is gone; a killed run's lock goes stale after 30 s anyway)
  --undo-file FILE         the undo journal (default .aimctl/undo-<timestamp>.jsonl)
  --write-rate N           writes per second (default 2, the published PATCH limit)
  --concurrency N          writes in flight (default 4; the client paces to the rate limit)
  --max-writes N           write at most N links in this run, then stop cleanly (a long
                           backfill across pipeline jobs: the next run resumes)
  --time-budget DUR        start no write once DUR has passed since the first (e.g. 5h, 50m)
  --enable-aim             after a clean apply, test + configure + enable AIM when no
                           link is pending and no error finding remains
  --accept-findings CODES  error finding codes to accept for --enable-aim (comma-separated)
Exit: ${EXIT.ok} every action applied (and AIM enabled when asked); ${EXIT.linksPending} the run reached
--max-writes or --time-budget cleanly, links still pending (run it again); ${EXIT.failed} otherwise.

${INPUT_HELP}`;

export async function applyCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...INPUT_OPTIONS,
      plan: "string",
      yes: "boolean",
      "undo-file": "string",
      "break-lock": "boolean",
      concurrency: "string",
      "write-rate": "string",
      "max-writes": "string",
      "time-budget": "string",
      "enable-aim": "boolean",
      "accept-findings": "string",
    },
    "apply",
  );
  if (flag(args, "help")) {
    printer.out(APPLY_HELP);
    return EXIT.ok;
  }
  const accepted = acceptFindingsOption(args);
  const enableAim = flag(args, "enable-aim");
  if (accepted.length && !enableAim)
    throw new ConfigError(
      "--accept-findings",
      "--accept-findings only matters with --enable-aim: add --enable-aim, or drop it.",
    );
  const concurrency = intOption(args, "concurrency", { min: 1, max: 64 });
  const maxWritesPerRun = intOption(args, "max-writes", { min: 1 });
  const writeTimeBudgetMs = durationOption(args, "time-budget");
  const planFile = str(args, "plan");
  const saved = planFile ? readPlanFile(resolve(io.cwd, planFile)) : undefined;
  // Checked before anything is read: a journal that cannot be written would stop the run mid-way.
  const undoFile = resolve(
    io.cwd,
    str(args, "undo-file") ??
      join(".aimctl", `undo-${new Date(printer.now()).toISOString().replace(/[:.]/g, "-")}.jsonl`),
  );
  assertWritableFile("--undo-file", undoFile, "undo.jsonl");
  const session = sessionFromArgs(args, io, printer, {
    okta: { privateKey: enableAim },
    databricks: true,
    verbose: flag(args, "verbose"),
    databricksClient: writeRateOptions(args),
  });

  const run = await reconcileWithProgress(session, printer, io, {
    undoFile,
    concurrency,
    maxWritesPerRun,
    writeTimeBudgetMs,
    // What is pending after writing: what enabling AIM is gated on, and what a bounded run leaves.
    verify: enableAim || maxWritesPerRun !== undefined || writeTimeBudgetMs !== undefined,
    lock: {
      command: "aimctl apply",
      dir: io.env.AIMCTL_LOCK_DIR || undefined,
      breakLock: flag(args, "break-lock"),
    },
    approve: async ({ plan }) => {
      if (saved && !savedPlanStillMatches(saved, plan, planFile as string, printer)) return false;
      printer.out(renderPlanText(plan));
      if (plan.actions.length === 0 || flag(args, "yes")) return true;
      const ok = await confirmOnTerminal(
        io,
        printer,
        `Write ${plan.actions.length} externalId link(s) to Databricks account ${session.inputs.databricks.accountId ?? ""}?`,
      );
      if (ok === "no-tty")
        printer.err(
          "aimctl: refusing to write without confirmation: there is no terminal to ask on. Review the plan above (or aimctl plan), then re-run with --yes.",
        );
      else if (!ok) printer.err("Nothing written.");
      return ok === true;
    },
  });
  if (run.status === "declined") return EXIT.failed;
  if (run.status === "bounded" && run.apply) {
    reportApply(run.apply, printer);
    const left = run.verified?.plan.actions.length ?? run.apply.notAttempted;
    printer.out(
      `Stopped at the per-run bound (${run.apply.bounded?.message}): ${left} link(s) still pending. Run aimctl apply again to continue; it resumes from live state.`,
    );
    return EXIT.linksPending;
  }
  if (run.apply) {
    if (!reportApply(run.apply, printer)) return EXIT.failed;
  } else {
    printer.out("Nothing to apply: every matched identity already carries its Okta id.");
  }
  if (!enableAim) return EXIT.ok;
  return (await enableAimWith(session, io, printer, accepted, run.verified ?? run.planned))
    ? EXIT.ok
    : EXIT.failed;
}

/** Refuses (false, says why) a saved plan whose actions differ from the live plan's. */
function savedPlanStillMatches(
  saved: Pick<Plan, "actions">,
  plan: Plan,
  planFile: string,
  printer: Printer,
): boolean {
  const was = actionsDigest(saved.actions);
  const now = actionsDigest(plan.actions);
  if (was !== now) {
    printer.err(
      `aimctl: refusing to apply ${planFile}: it no longer matches live state ` +
        `(saved: ${saved.actions.length} action(s), digest ${was.slice(0, 12)}; ` +
        `now: ${plan.actions.length} action(s), digest ${now.slice(0, 12)}; ${countDifferences(saved, plan)} differ). ` +
        "Run aimctl plan again, review it, and apply the new plan.",
    );
    return false;
  }
  printer.err(`The saved plan ${planFile} still matches live state (digest ${now.slice(0, 12)}).`);
  return true;
}

/** Actions in one plan and not the other, compared whole (as the digest is): never 0 when the digests differ. */
function countDifferences(a: Pick<Plan, "actions">, b: Pick<Plan, "actions">): number {
  const key = (x: Plan["actions"][number]) => canonicalJson(x);
  const sa = new Set(a.actions.map(key));
  const sb = new Set(b.actions.map(key));
  let n = 0;
  for (const k of sa) if (!sb.has(k)) n++;
  for (const k of sb) if (!sa.has(k)) n++;
  return n;
}

/**
 * core's reconcileAccount with the session's clients and inputs, progress on
 * stderr, the undo journal, and Ctrl-C stopping the writes cleanly.
 */
export async function reconcileWithProgress(
  session: Session,
  printer: Printer,
  io: CliIo,
  opts: Pick<
    ReconcileAccountOptions,
    | "concurrency"
    | "journalSync"
    | "verify"
    | "approve"
    | "snapshot"
    | "maxWritesPerRun"
    | "writeTimeBudgetMs"
    | "lock"
  > & { undoFile: string },
): Promise<ReconcileAccountResult> {
  const reporter = new ReconcileReporter(printer, {
    route: session.inputs.writeRoute,
    undoFile: opts.undoFile,
  });
  try {
    return await reconcileAccount(accountClients(session), {
      ...opts,
      rules: session.inputs.rules,
      route: session.inputs.writeRoute,
      oktaCache: oktaCacheFor(session, session.oktaReader),
      journalKey: io.env.AIMCTL_JOURNAL_KEY || undefined,
      observer: reporter,
      redactor: session.redactor,
      // Read when the writes start: until then Ctrl-C ends the process as usual.
      get signal() {
        return interruptSignal(io);
      },
    });
  } finally {
    reporter.stop();
  }
}

/** Where the adaptive write pace settled, and what it met on the way. */
export function writePaceLine(r: ApplyResult): string {
  const p = r.pace;
  if (!p) return "";
  const achieved = r.durationMs > 0 ? (r.writes * 1000) / r.durationMs : 0;
  const met =
    p.throttledAtPerSecond !== undefined
      ? `; the service answered 429 at ${p.throttledAtPerSecond.toFixed(1)}/s, so it slowed down`
      : "";
  return `Write pace: settled at ${Math.min(p.ratePerSecond, p.maxRatePerSecond).toFixed(1)}/s (asked ${p.maxRatePerSecond}/s, achieved ${achieved.toFixed(1)}/s${met}).`;
}

/** Prints the outcome; true when every action is applied (or was already). */
export function reportApply(
  r: ApplyResult,
  printer: Printer,
  opts: { showUndoFile?: boolean } = {},
): boolean {
  printer.out(
    `Applied ${r.applied} link(s), ${r.alreadyDone} already done, ${r.skippedChanged} skipped, ` +
      `${r.failed.length} failed, ${r.notAttempted} not attempted in ${formatDuration(r.durationMs)} ` +
      `(${r.writes} write(s), ${r.throttledWrites} answered 429 and retried, ${r.recheckReads} re-check read(s), ${r.verifyReads} read-back(s)).`,
  );
  if (r.pace && r.writes > 0) printer.out(writePaceLine(r));
  if (r.undoFile && opts.showUndoFile !== false)
    printer.out(`Undo journal: ${r.undoFile} (aimctl undo --file ${r.undoFile})`);
  for (const s of r.skipped.slice(0, 20))
    printer.out(
      `  skipped ${s.action.kind} ${quoted(s.action.databricksName)}: ${s.reason === "missing" ? "it no longer exists" : `its externalId is now ${s.currentExternalId === null ? "unset" : quoted(s.currentExternalId)}, not what the plan saw`} (left alone)`,
    );
  for (const f of r.failed.slice(0, 20))
    printer.out(
      `  failed ${f.action.kind} ${quoted(f.action.databricksName)}: ${f.error.code}: ${terminalSafe(f.error.message)}`,
    );
  const more =
    r.skipped.length +
    r.failed.length -
    Math.min(20, r.skipped.length) -
    Math.min(20, r.failed.length);
  if (more > 0) printer.out(`  … and ${more} more (see the undo journal)`);
  if (r.aborted)
    printer.out(
      `Stopped early (${r.aborted.reason}): ${r.aborted.message}. Run aimctl apply again: it resumes from live state and writes nothing twice.`,
    );
  const clean =
    r.failed.length === 0 && r.skipped.length === 0 && r.notAttempted === 0 && !r.aborted;
  if (!clean && !r.aborted && !r.bounded)
    printer.out("Not every action was applied: run aimctl plan to see what remains.");
  return clean;
}

/**
 * core's convergeAimConnection towards "on", gated on the live plan `after`
 * (read after the writes): pending links and unaccepted error findings
 * refuse enabling. True when AIM is on.
 */
export async function enableAimWith(
  session: Session,
  io: CliIo,
  printer: Printer,
  accepted: readonly FindingCode[],
  after: AccountPlan,
): Promise<boolean> {
  const { plan } = after;
  const gate = {
    errorCodes: errorFindingCodes(plan.findings),
    pendingLinks: plan.actions.length,
    accepted,
  };
  const acceptedNow = acceptedFindings(plan.findings, accepted);
  if (acceptedNow.length && !isBlocked(enableBlockers(gate)))
    printer.out(
      `Accepting ${acceptedNow.length} error finding(s) as asked (${errorFindingCodes(acceptedNow).join(", ")}).`,
    );
  const o = session.inputs.okta;
  const { admin: aim, choice } = await aimAdminFor(session, io.env, linkedProbeId(after.snapshot));
  printer.out(aimAdapterLine(choice));
  printer.err(
    aim.mode === "api"
      ? "Testing the AIM connection, configuring it, enabling AIM…"
      : "Testing the AIM connection…",
  );
  const r = await convergeAimConnection(aim, {
    config: {
      oktaOrgUrl: o.orgUrl as string,
      clientId: o.clientId as string,
      privateKey: o.privateKey as AppPrivateKey,
    },
    enabled: true,
    gate,
  });
  printTest(printer, r.test);
  switch (r.outcome) {
    case "testFailed":
      printer.out(
        "AIM not enabled: the connection test failed (see the steps above), so nothing was configured; run aimctl check for the fix.",
      );
      return false;
    case "blocked":
      printBlocked(printer, plan, accepted, r.blockers.pendingLinks);
      return false;
    case "console": {
      const c = r.console;
      printer.out(
        `AIM not enabled by aimctl: the console adapter configures nothing remotely. In the Databricks account console:`,
      );
      c?.instructions.forEach((step, i) => printer.out(`  ${i + 1}. ${step}`));
      printer.out(
        `  Values: Okta org URL ${c?.consoleValues.oktaOrgUrl}, Client ID ${c?.consoleValues.clientId}, Client Private key: the key from ${o.privateKeySource ?? "OKTA_PRIVATE_KEY"}.`,
      );
      return false;
    }
    case "enabled": {
      const state = r.state;
      printer.out(
        `AIM enabled: connection ${state?.configured ? "configured" : "not configured"}, iamv2 probe says AIM is ${state?.aimStatus} (${state?.aimStatusReason}).`,
      );
      return true;
    }
    default:
      // "configured" / "disabled" answer enabled: false, which is never asked here.
      return false;
  }
}

/** Why enabling was refused: links pending again, or the error findings not accepted. */
function printBlocked(
  printer: Printer,
  plan: Plan,
  accepted: readonly FindingCode[],
  pendingLinks: number,
): void {
  if (pendingLinks > 0) {
    printer.out(
      `AIM not enabled: ${pendingLinks} link(s) are pending again (identities changed meanwhile); run aimctl apply again.`,
    );
    return;
  }
  const blocking = blockingFindings(plan.findings, accepted);
  const codes = errorFindingCodes(blocking);
  printer.out(`AIM not enabled: ${blocking.length} error finding(s) remain:`);
  for (const code of codes)
    printer.out(
      `  ${code} (${blocking.filter((f) => f.code === code).length}): ${FINDING_ADVICE[code]}`,
    );
  printer.out(
    `Resolve them and re-run, or accept them explicitly: --enable-aim --accept-findings ${codes.join(",")}`,
  );
}

function printTest(
  printer: Printer,
  t: { success: boolean; steps: Array<{ name: string; ok: boolean; message: string }> },
): void {
  printer.out(`Connection test ${t.success ? "passed" : "FAILED"}:`);
  for (const s of t.steps) printer.out(`  ${s.ok ? "ok  " : "FAIL"} ${s.name}: ${s.message}`);
}
