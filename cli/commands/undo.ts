/**
 * `aimctl undo --file FILE`: restores the externalId values an apply
 * replaced (or cleared the ones it set), from its undo journal. Identities
 * changed since are skipped and reported, never overwritten.
 */
import { resolve } from "node:path";
import { ConfigError } from "../../core/http";
import { loadUndo, undo } from "../../core/reconcile/undo";
import { flag, intOption, parseArgs, str, writeRateOptions } from "../args";
import { EXIT } from "../exitCodes";
import { INPUT_HELP, INPUT_OPTIONS } from "../inputs";
import { confirmOnTerminal, interruptSignal, type CliIo, type Printer } from "../io";
import { formatDuration, writeReporter } from "../progress";
import { sessionFromArgs } from "../session";
import { quoted, terminalSafe } from "../../core/reconcile/escape";

export const UNDO_HELP = `aimctl undo --file FILE [--yes] [--break-lock] [--write-rate N] [--concurrency N] [inputs]

Restores every externalId that the apply which wrote FILE changed, to its value
before that apply (unset for new links). Identities whose externalId changed
since are skipped and reported. Running undo twice restores nothing twice.
The journal is checked first: a journal altered, of another account, written
with another key (AIMCTL_JOURNAL_KEY) or of an unknown version is refused.
Asks before writing on a terminal (--yes to skip; without a terminal it
refuses without --yes), and warns while AIM may be on.
Needs only the Databricks inputs. --write-rate N: writes per second (default 2).
Exit: 0 everything restored (or already), 1 otherwise.

${INPUT_HELP}`;

export async function undoCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...INPUT_OPTIONS,
      file: "string",
      yes: "boolean",
      "break-lock": "boolean",
      concurrency: "string",
      "write-rate": "string",
    },
    "undo",
  );
  if (flag(args, "help")) {
    printer.out(UNDO_HELP);
    return EXIT.ok;
  }
  const fileArg = str(args, "file") ?? args.positionals[0];
  if (!fileArg)
    throw new ConfigError(
      "--file",
      "--file is missing: give the undo journal that apply wrote (aimctl undo --file .aimctl/undo-<timestamp>.jsonl).",
    );
  const concurrency = intOption(args, "concurrency", { min: 1, max: 64 });
  const session = sessionFromArgs(args, io, printer, {
    databricks: true,
    verbose: flag(args, "verbose"),
    databricksClient: writeRateOptions(args),
  });
  const dbx = session.databricks;
  if (!dbx) return EXIT.failed;
  const file = resolve(io.cwd, fileArg);
  const journalKey = io.env.AIMCTL_JOURNAL_KEY || undefined;
  // Refused here, before anything is written, when it is not this account's authentic journal.
  const { entries } = loadUndo(file, dbx, { journalKey });
  printer.out(
    `${file}: an authenticated journal of Databricks account ${dbx.accountId}; ${entries.length} identit(ies) to restore:`,
  );
  for (const e of entries.slice(0, 10))
    printer.out(
      `  ${e.kind} ${quoted(e.databricksName)}: back to ${e.restoreTo === null ? "unset" : quoted(e.restoreTo)} (if it still holds a value apply wrote)`,
    );
  if (entries.length > 10) printer.out(`  … and ${entries.length - 10} more`);
  const aim = await dbx.aimStatusDetail().catch(() => undefined);
  if (aim?.status !== "off")
    printer.err(
      `aimctl: warning: AIM ${aim?.status === "on" ? "is on" : "may be on (the iamv2 probe cannot tell)"}: an externalId decides which Okta user signs in as that Databricks identity; restoring an old one re-points it, and clearing one makes AIM create a duplicate at the next login.`,
    );
  if (!flag(args, "yes") && entries.length > 0) {
    const ok = await confirmOnTerminal(
      io,
      printer,
      `Restore ${entries.length} externalId value(s) in Databricks account ${dbx.accountId}?`,
    );
    if (ok === "no-tty") {
      printer.err(
        "aimctl: refusing to write without confirmation: there is no terminal to ask on. Review the list above, then re-run with --yes.",
      );
      return EXIT.failed;
    }
    if (!ok) {
      printer.err("Nothing written.");
      return EXIT.failed;
    }
  }
  printer.err(`Undoing the writes recorded in ${file}…`);
  const progress = writeReporter(printer, "restored");
  let r;
  try {
    r = await undo(
      file,
      { reader: dbx, writer: dbx },
      {
        concurrency,
        journalKey,
        onProgress: progress.onProgress,
        signal: interruptSignal(io),
        redactor: printer.redactor,
        lock: {
          command: "aimctl undo",
          dir: io.env.AIMCTL_LOCK_DIR || undefined,
          breakLock: flag(args, "break-lock"),
        },
      },
    );
  } finally {
    progress.stop();
  }
  printer.out(
    `Restored ${r.restored} of ${r.entries} identit(ies), ${r.alreadyRestored} already restored, ` +
      `${r.skippedChanged} skipped, ${r.failed.length} failed, ${r.notAttempted} not attempted in ${formatDuration(r.durationMs)}.`,
  );
  if (r.badLines.length)
    printer.out(
      `  ${r.badLines.length} unreadable journal line(s) ignored (a torn last line after a kill): ${r.badLines.join(", ")}`,
    );
  for (const s of r.skipped.slice(0, 20))
    printer.out(
      `  skipped ${s.entry.kind} ${quoted(s.entry.databricksName)}: ${s.reason === "missing" ? "it no longer exists" : `its externalId is now ${s.currentExternalId === null ? "unset" : quoted(s.currentExternalId)}, not a value apply wrote`} (left alone)`,
    );
  for (const f of r.failed.slice(0, 20))
    printer.out(
      `  failed ${f.entry.kind} ${quoted(f.entry.databricksName)}: ${f.error.code}: ${terminalSafe(f.error.message)}`,
    );
  if (r.aborted)
    printer.out(
      `Stopped early (${r.aborted.reason}): ${r.aborted.message}. Run aimctl undo again to finish.`,
    );
  return r.failed.length === 0 && r.skipped.length === 0 && r.notAttempted === 0 && !r.aborted
    ? EXIT.ok
    : EXIT.failed;
}
