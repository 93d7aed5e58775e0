/**
 * `aimctl undo --file FILE`: restores the externalId values an apply
 * replaced (or cleared the ones it set), from its undo journal. Identities
 * changed since are skipped and reported, never overwritten.
 */
import { resolve } from "node:path";
import { ConfigError } from "../../core/http";
import { undo } from "../../core/reconcile/undo";
import { flag, intOption, parseArgs, str, writeRateOptions } from "../args";
import { EXIT } from "../exitCodes";
import { INPUT_HELP, INPUT_OPTIONS } from "../inputs";
import { interruptSignal, type CliIo, type Printer } from "../io";
import { formatDuration, writeReporter } from "../progress";
import { sessionFromArgs } from "../session";
import { quoted, terminalSafe } from "../../core/reconcile/escape";

export const UNDO_HELP = `aimctl undo --file FILE [--write-rate N] [--concurrency N] [inputs]

Restores every externalId that the apply which wrote FILE changed, to its value
before that apply (unset for new links). Identities whose externalId changed
since are skipped and reported. Running undo twice restores nothing twice.
Needs only the Databricks inputs. --write-rate N: writes per second (default 2).
Exit: 0 everything restored (or already), 1 otherwise.

${INPUT_HELP}`;

export async function undoCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    { ...INPUT_OPTIONS, file: "string", concurrency: "string", "write-rate": "string" },
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
  printer.err(`Undoing the writes recorded in ${file}…`);
  const progress = writeReporter(printer, "restored");
  let r;
  try {
    r = await undo(
      file,
      { reader: dbx, writer: dbx },
      { concurrency, onProgress: progress.onProgress, signal: interruptSignal(io) },
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
