/**
 * Undo an apply from its journal: every identity apply wrote (or may have
 * written: an `intent` without `done` after a kill) gets back the value it
 * had before the first recorded write, but only while it still holds a value
 * that apply wrote. Anything changed since is skipped and reported. Running
 * undo twice restores nothing the second time.
 */
import type { DatabricksIdentityReader, DatabricksIdentityWriter } from "../databricks/api";
import { ConfigError } from "../http/errors";
import type { Redactor } from "../http/redact";
import type { IdentityKind, WriteRoute } from "../model/plan";
import { externalIdOf } from "../model/tenant";
import {
  decideAgainstLive,
  executeWrites,
  type Decision,
  type ErrorInfo,
  type WriteProgress,
} from "./execute";
import { readJournal, verifyJournal, type IntentRecord, type JournalRecord } from "./journal";
import type { AccountLockOptions } from "./accountLock";

export interface UndoEntry {
  kind: IdentityKind;
  databricksId: string;
  databricksName: string;
  /** The value before the first recorded write (null: absent; "" is restored as ""). */
  restoreTo: string | null;
  /** Every value apply wrote (or tried to write) to this identity. */
  written: string[];
  /** The route of the last recorded write. */
  route: WriteRoute;
}

export interface UndoOptions {
  /** Route for the restoring writes; default: the route each write was made with. */
  route?: WriteRoute;
  concurrency?: number;
  recheckBatchSize?: number;
  maxConsecutiveFailures?: number;
  onProgress?: (p: WriteProgress) => void;
  signal?: AbortSignal;
  /** AIMCTL_JOURNAL_KEY: the journal key's secret instead of the Databricks credential. */
  journalKey?: string;
  /** Hold the account's write lock while writing (core/reconcile/accountLock.ts). */
  lock?: AccountLockOptions;
  /** Append the restoring writes to the same journal (default true), so undo is audited too. */
  journal?: boolean;
  journalSync?: boolean;
  now?: () => number;
  /** The session's redactor, for the messages recorded with failures. */
  redactor?: Redactor;
}

export interface UndoResult {
  restored: number;
  alreadyRestored: number;
  skippedChanged: number;
  skipped: Array<{
    entry: UndoEntry;
    reason: "changed" | "missing";
    currentExternalId: string | null;
  }>;
  failed: Array<{ entry: UndoEntry; error: ErrorInfo }>;
  notAttempted: number;
  aborted?: { reason: "signal" | "consecutiveFailures" | "journal"; message: string };
  /** Identities the journal names. */
  entries: number;
  /** Journal lines that did not parse (a torn last line after a kill). */
  badLines: number[];
  recheckReads: number;
  verifyReads: number;
  writes: number;
  throttledWrites: number;
  durationMs: number;
}

/** What undo would restore, from the journal's apply intents (pure). */
export function undoEntries(records: readonly JournalRecord[]): UndoEntry[] {
  const byKey = new Map<string, UndoEntry>();
  for (const r of records) {
    if (r.type !== "intent" || (r as IntentRecord).op === "undo") continue;
    const key = `${r.kind}:${r.databricksId}`;
    const e = byKey.get(key);
    const wrote = externalIdOf(r.externalId);
    if (!e) {
      byKey.set(key, {
        kind: r.kind,
        databricksId: r.databricksId,
        databricksName: r.databricksName,
        // As seen before the write: "" stays "" (it is not the same as absent to every reader).
        restoreTo: r.previousExternalId ?? null,
        written: wrote === null ? [] : [wrote],
        route: r.route,
      });
    } else {
      if (wrote !== null && !e.written.includes(wrote)) e.written.push(wrote);
      e.route = r.route;
    }
  }
  return [...byKey.values()];
}

export function decideRestore(
  entry: UndoEntry,
  current: { externalId?: string | null } | undefined,
): Decision {
  // Restore only over a value apply wrote: anything else changed since.
  return decideAgainstLive(
    current,
    entry.restoreTo,
    (live) => live !== null && entry.written.includes(live),
  );
}

/**
 * Reads and authenticates the journal (verifyJournal), then says what undo
 * would restore; nothing is written. A journal that is not this account's,
 * authenticated, unchanged, is refused.
 */
export function loadUndo(
  file: string,
  writer: DatabricksIdentityWriter,
  opts: Pick<UndoOptions, "journalKey"> = {},
): { entries: UndoEntry[]; badLines: number[] } {
  if (!file) throw new ConfigError("undoFile", "give the undo file that apply wrote.");
  const parsed = readJournal(file);
  if (!parsed.records.some((r) => r.type === "run"))
    throw new ConfigError(
      "undoFile",
      `${file} is not an undo journal (no run record): give the undoFile that apply wrote.`,
    );
  const auth = writer.journalAuth?.(opts.journalKey);
  if (!auth)
    throw new ConfigError(
      "undoFile",
      "the undo journal cannot be authenticated: the Databricks writer gives no journal key.",
    );
  verifyJournal(file, parsed, auth);
  return { entries: undoEntries(parsed.records), badLines: parsed.badLines };
}

export async function undo(
  file: string,
  deps: { reader: DatabricksIdentityReader; writer: DatabricksIdentityWriter },
  opts: UndoOptions = {},
): Promise<UndoResult> {
  const { entries, badLines } = loadUndo(file, deps.writer, opts);
  // One route per execution: group when no route is forced.
  const routes: WriteRoute[] = opts.route
    ? [opts.route]
    : [...new Set(entries.map((e) => e.route))];
  const out: UndoResult = {
    restored: 0,
    alreadyRestored: 0,
    skippedChanged: 0,
    skipped: [],
    failed: [],
    notAttempted: 0,
    entries: entries.length,
    badLines,
    recheckReads: 0,
    verifyReads: 0,
    writes: 0,
    throttledWrites: 0,
    durationMs: 0,
  };
  const started = (opts.now ?? Date.now)();
  for (const route of routes) {
    const mine = opts.route ? entries : entries.filter((e) => e.route === route);
    if (out.aborted) {
      out.notAttempted += mine.length;
      continue;
    }
    const r = await executeWrites(
      mine,
      deps,
      {
        op: "undo",
        route,
        concurrency: opts.concurrency,
        recheckBatchSize: opts.recheckBatchSize,
        maxConsecutiveFailures: opts.maxConsecutiveFailures,
        onProgress: opts.onProgress,
        signal: opts.signal,
        journalFile: opts.journal === false ? undefined : file,
        journalSync: opts.journalSync,
        journalKey: opts.journalKey,
        lock: opts.lock,
        now: opts.now,
        redactor: opts.redactor,
      },
      decideRestore,
    );
    out.restored += r.applied;
    out.alreadyRestored += r.alreadyDone;
    // Loops, not push(...): a spread of a tenant-sized list overflows the call stack.
    for (const s of r.skipped)
      out.skipped.push({
        entry: s.item,
        reason: s.reason,
        currentExternalId: s.currentExternalId,
      });
    for (const f of r.failed) out.failed.push({ entry: f.item, error: f.error });
    out.notAttempted += r.notAttempted;
    out.recheckReads += r.recheckReads;
    out.verifyReads += r.verifyReads;
    out.throttledWrites += r.throttledWrites;
    out.writes += r.writes;
    if (r.aborted) out.aborted = r.aborted;
  }
  out.skippedChanged = out.skipped.length;
  out.durationMs = (opts.now ?? Date.now)() - started;
  return out;
}
