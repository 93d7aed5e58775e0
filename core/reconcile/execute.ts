/**
 * The write engine shared by apply and undo. Per identity: wait for a write
 * slot (the client's adaptive pace), re-read that identity immediately before
 * its own write, journal the value seen at that moment, write once. A 429,
 * 5xx or dropped connection goes back to the slot and the re-check (a blind
 * retry could overwrite a change made while it waited). After each batch of
 * writes the written identities are read back: a value that is not there is a
 * failed write (ERR_WRITE_NOT_PERSISTED), whatever the write's answer said.
 * Bounded concurrency, progress with rate and ETA, and stopping on an abort
 * signal or after too many consecutive failures.
 */
import type {
  DatabricksIdentity,
  DatabricksIdentityReader,
  DatabricksIdentityWriter,
} from "../databricks/api";
import { AimError, ConfigError, ERROR_CODES, HttpError, type ErrorCode } from "../http/errors";
import { realSleep, type PaceReport } from "../http/pacing";
import { Redactor } from "../http/redact";
import type { IdentityKind, WriteRoute } from "../model/plan";
import { externalIdOf } from "../model/tenant";
import { lockAccount, type AccountLockOptions } from "./accountLock";
import { JournalWriter, newRunId, JOURNAL_VERSION } from "./journal";

export interface WriteProgress {
  done: number;
  total: number;
  /** Writes that succeeded (for undo: values restored). */
  applied: number;
  /** Targets that already had the desired value (a resumed run). */
  alreadyDone: number;
  /** Targets skipped because they changed since planning (or vanished). */
  skipped: number;
  failed: number;
  /** Completions per second over the recent window. */
  ratePerSec: number;
  /** Seconds left at the current rate; null until a rate is known. */
  etaSec: number | null;
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export interface ExecuteOptions {
  route: WriteRoute;
  concurrency?: number;
  /** Writes per read-back (default 25, at most 100: one SCIM filter). */
  recheckBatchSize?: number;
  maxConsecutiveFailures?: number;
  onProgress?: (p: WriteProgress) => void;
  signal?: AbortSignal;
  /** Append-only journal of every write (required by apply when it overwrites). */
  journalFile?: string;
  /** fsync each journal record (default true). */
  journalSync?: boolean;
  now?: () => number;
  /** Waits between attempts after a 5xx or a dropped connection (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** The session's redactor, for the messages recorded with failures (default: patterns only). */
  redactor?: Redactor;
  /** AIMCTL_JOURNAL_KEY: the journal key's secret instead of the writer's credential. */
  journalKey?: string;
  /**
   * Where this run ends cleanly, the rest left as it is (not attempted) for
   * the next run: after writing `maxWrites` identities, or once `deadlineMs`
   * (on `now`'s clock) has passed. Writes in flight finish and are read back.
   */
  bound?: RunBound;
  /** Hold the account's write lock for the run (accountLock.ts); absent: no lock. */
  lock?: AccountLockOptions;
}

export interface RunBound {
  maxWrites?: number;
  deadlineMs?: number;
}

/** Why a bounded run ended before its last item. */
export interface BoundReached {
  reason: "maxWrites" | "timeBudget";
  message: string;
}

/**
 * Attempts per identity, each after a fresh re-check, before its write counts
 * as failed: many after 429s (the pace adapts, and a 429 has no effect), a
 * few after 5xx and dropped connections (250 ms, 0.5 s, 1 s, 2 s apart).
 */
export const MAX_WRITE_ATTEMPTS = { throttled: 20, failed: 5 } as const;

export interface TargetRef {
  kind: IdentityKind;
  databricksId: string;
  databricksName: string;
}

/** What to do with one item once its live state is known. */
export type Decision =
  | { type: "write"; externalId: string | null; previousExternalId: string | null }
  | { type: "alreadyDone" }
  | { type: "skip"; reason: "changed" | "missing"; currentExternalId: string | null };

/**
 * The re-check both apply and undo make before a write: the identity is gone
 * (skip), already holds `target` (done), holds a value `expected` accepts
 * (write `target` over it), or holds anything else, changed since (skip).
 */
export function decideAgainstLive(
  current: { externalId?: string | null } | undefined,
  target: string | null,
  expected: (live: string | null) => boolean,
): Decision {
  if (!current) return { type: "skip", reason: "missing", currentExternalId: null };
  // "" counts as unset when deciding, but is kept as seen: undo restores "" as "", not as absent.
  const seen = current.externalId ?? null;
  const live = externalIdOf(seen);
  if (live === externalIdOf(target)) return { type: "alreadyDone" };
  if (!expected(live)) return { type: "skip", reason: "changed", currentExternalId: live };
  return { type: "write", externalId: target, previousExternalId: seen };
}

/** What happened to one item: written, already as desired, left alone, failed, or never reached. */
export type ItemOutcome = "applied" | "alreadyDone" | "skipped" | "failed" | "notAttempted";

export interface ExecuteResult<T> {
  applied: number;
  alreadyDone: number;
  skipped: Array<{ item: T; reason: "changed" | "missing"; currentExternalId: string | null }>;
  failed: Array<{ item: T; error: ErrorInfo }>;
  /** Items never attempted because the run stopped early. */
  notAttempted: number;
  aborted?: { reason: "signal" | "consecutiveFailures" | "journal"; message: string };
  /** The run reached its bound: the items not attempted are left for the next run. */
  bounded?: BoundReached;
  /** Re-check reads issued (one per write attempt, immediately before it). */
  recheckReads: number;
  /** Read-backs issued (one per kind per batch of writes). */
  verifyReads: number;
  /** Writes issued (successful or not), retries included. */
  writes: number;
  /** Writes answered 429 (each was re-checked and tried again). */
  throttledWrites: number;
  /** The write pace at the end (when the writer adapts its pace). */
  pace?: PaceReport;
  durationMs: number;
  /** Per item, in the order given. */
  outcomes: ItemOutcome[];
}

export const DEFAULTS = {
  concurrency: 4,
  recheckBatchSize: 25,
  maxConsecutiveFailures: 10,
} as const;

export function errorInfo(err: unknown, redactor: Redactor): ErrorInfo {
  const code = err instanceof AimError ? err.code : ERROR_CODES.unexpected;
  const raw = err instanceof Error ? err.message : String(err);
  return { code, message: redactor.redact(raw) };
}

export function validateExecuteOptions(
  opts: ExecuteOptions,
): Required<Pick<ExecuteOptions, "concurrency" | "recheckBatchSize" | "maxConsecutiveFailures">> {
  if (opts.route !== "scim" && opts.route !== "iamv2")
    throw new ConfigError(
      "route",
      `route must be "scim" or "iamv2" (got ${JSON.stringify(opts.route)}).`,
    );
  const int = (field: string, v: number | undefined, dflt: number, min: number, max: number) => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new ConfigError(field, `${field} must be an integer from ${min} to ${max} (got ${v}).`);
    return v;
  };
  return {
    concurrency: int("concurrency", opts.concurrency, DEFAULTS.concurrency, 1, 64),
    // SCIM filters allow at most 200 nodes (`id eq a or id eq b ...`): keep batches well below.
    recheckBatchSize: int(
      "recheckBatchSize",
      opts.recheckBatchSize,
      DEFAULTS.recheckBatchSize,
      1,
      100,
    ),
    maxConsecutiveFailures: int(
      "maxConsecutiveFailures",
      opts.maxConsecutiveFailures,
      DEFAULTS.maxConsecutiveFailures,
      1,
      1_000_000,
    ),
  };
}

/** Rate over the last `window` completions (or since the start while fewer). */
class RateMeter {
  private readonly stamps: number[] = [];
  constructor(
    private readonly start: number,
    private readonly window = 50,
  ) {}
  tick(t: number): void {
    this.stamps.push(t);
    if (this.stamps.length > this.window + 1) this.stamps.shift();
  }
  rate(now: number): number {
    const n = Math.min(this.stamps.length, this.window);
    if (n === 0) return 0;
    const from = this.stamps.length > this.window ? this.stamps[0] : this.start;
    const secs = (now - from) / 1000;
    return secs > 0 ? n / secs : 0;
  }
}

export async function executeWrites<T extends TargetRef>(
  items: readonly T[],
  deps: { reader: DatabricksIdentityReader; writer: DatabricksIdentityWriter },
  opts: ExecuteOptions & { op: "apply" | "undo" },
  decide: (item: T, current: DatabricksIdentity | undefined) => Decision,
): Promise<ExecuteResult<T>> {
  if (!opts.lock) return writeAll(items, deps, opts, decide);
  const account = deps.writer.journalAuth?.(opts.journalKey);
  if (!account)
    throw new ConfigError(
      "lock",
      "the account lock needs a Databricks writer that names its account.",
    );
  const release = await lockAccount(account.host, account.accountId, opts.lock);
  try {
    return await writeAll(items, deps, opts, decide);
  } finally {
    await release();
  }
}

async function writeAll<T extends TargetRef>(
  items: readonly T[],
  deps: { reader: DatabricksIdentityReader; writer: DatabricksIdentityWriter },
  opts: ExecuteOptions & { op: "apply" | "undo" },
  decide: (item: T, current: DatabricksIdentity | undefined) => Decision,
): Promise<ExecuteResult<T>> {
  const { concurrency, recheckBatchSize, maxConsecutiveFailures } = validateExecuteOptions(opts);
  const now = opts.now ?? Date.now;
  const redactor = opts.redactor ?? new Redactor();
  const started = now();
  const total = items.length;
  const result: ExecuteResult<T> = {
    applied: 0,
    alreadyDone: 0,
    skipped: [],
    failed: [],
    notAttempted: 0,
    recheckReads: 0,
    verifyReads: 0,
    writes: 0,
    throttledWrites: 0,
    durationMs: 0,
    outcomes: new Array<ItemOutcome>(total).fill("notAttempted"),
  };
  const sleep = opts.sleep ?? realSleep;
  const meter = new RateMeter(started);
  const progress = (): void => {
    if (!opts.onProgress) return;
    const t = now();
    const done = result.applied + result.alreadyDone + result.skipped.length + result.failed.length;
    const ratePerSec = meter.rate(t);
    opts.onProgress({
      done,
      total,
      applied: result.applied,
      alreadyDone: result.alreadyDone,
      skipped: result.skipped.length,
      failed: result.failed.length,
      ratePerSec,
      etaSec: ratePerSec > 0 ? (total - done) / ratePerSec : done === total ? 0 : null,
    });
  };

  const auth = opts.journalFile ? deps.writer.journalAuth?.(opts.journalKey) : undefined;
  if (opts.journalFile && !auth)
    throw new ConfigError(
      "undoFile",
      "the undo journal cannot be authenticated: the Databricks writer gives no journal key.",
    );
  const journal = opts.journalFile
    ? new JournalWriter(opts.journalFile, opts.journalSync ?? true, auth)
    : undefined;
  const runId = newRunId();
  let seq = 0;
  let consecutiveFailures = 0;
  const bound = opts.bound ?? {};
  /** Identities whose write has started (retries not counted again). */
  let writing = 0;
  /** The bound is reached: start nothing new (in-flight writes finish). */
  const bounded = (): boolean => {
    if (result.bounded) return true;
    if (bound.deadlineMs !== undefined && now() >= bound.deadlineMs)
      result.bounded = {
        reason: "timeBudget",
        message: `the time budget ended at ${iso(bound.deadlineMs)}`,
      };
    return result.bounded !== undefined;
  };
  const aborted = (): boolean => {
    if (result.aborted) return true;
    if (opts.signal?.aborted) {
      result.aborted = {
        reason: "signal",
        message: "stopped by an abort signal; in-flight writes finished",
      };
      return true;
    }
    return false;
  };
  const stop = (): boolean => aborted() || bounded();
  const completed = (): void => {
    meter.tick(now());
    progress();
  };
  const fail = (i: number, err: unknown): void => {
    const item = items[i];
    result.outcomes[i] = "failed";
    result.failed.push({ item, error: errorInfo(err, redactor) });
    consecutiveFailures++;
    if (consecutiveFailures >= maxConsecutiveFailures && !result.aborted)
      result.aborted = {
        reason: "consecutiveFailures",
        message: `stopped after ${consecutiveFailures} consecutive failures (last: ${errorInfo(err, redactor).code})`,
      };
    completed();
  };
  const succeeded = (): void => {
    consecutiveFailures = 0;
    completed();
  };

  if (total === 0) {
    result.durationMs = now() - started;
    progress();
    return result;
  }
  if (journal) {
    journal.open();
    journal.append({
      type: "run",
      v: JOURNAL_VERSION,
      runId,
      accountId: auth?.accountId,
      host: auth?.host,
      keyId: auth?.keyId,
      at: iso(now()),
      op: opts.op,
      route: opts.route,
      total,
    });
  }
  progress();

  /** Writes answered success, waiting for their read-back. */
  let unverified: Array<{ i: number; seq: number; externalId: string | null }> = [];
  const verify = async (): Promise<void> => {
    const batch = unverified;
    unverified = [];
    if (batch.length === 0) return;
    const byKind = new Map<IdentityKind, typeof batch>();
    for (const w of batch) {
      const kind = items[w.i].kind;
      byKind.set(kind, [...(byKind.get(kind) ?? []), w]);
    }
    await Promise.all(
      [...byKind].map(async ([kind, writes]) => {
        let live: Map<string, DatabricksIdentity> | undefined;
        let readError: unknown;
        try {
          result.verifyReads++;
          const found = await deps.reader.getByIds(
            kind,
            writes.map((w) => items[w.i].databricksId),
          );
          live = new Map(found.map((x) => [x.id, x]));
        } catch (err) {
          readError = err;
        }
        for (const w of writes) {
          const item = items[w.i];
          const seen = live?.get(item.databricksId);
          const there = externalIdOf(seen?.externalId);
          if (live && there === externalIdOf(w.externalId)) continue;
          const err =
            readError ??
            new AimError(
              ERROR_CODES.writeNotPersisted,
              `${item.kind} "${item.databricksName}" (${item.databricksId}): the write of externalId ${JSON.stringify(w.externalId)} was answered as a success, but reading it back ${seen ? `shows ${JSON.stringify(there)}` : "finds no such identity"}; the value is not there. Run again (it re-plans from live state); if this repeats, try the other write route.`,
            );
          result.applied--;
          journalOutcome({
            type: "failed",
            runId,
            seq: w.seq,
            at: iso(now()),
            ...errorInfo(err, redactor),
          });
          fail(w.i, err);
        }
      }),
    );
  };
  const journalOutcome = (record: Parameters<JournalWriter["append"]>[0]): void => {
    if (!journal) return;
    try {
      journal.append(record);
    } catch (err) {
      // The intent is on record, so undo still covers this write; stop issuing more.
      result.aborted ??= { reason: "journal", message: errorInfo(err, redactor).message };
    }
  };

  const work = async (i: number): Promise<void> => {
    const item = items[i];
    let throttles = 0;
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      // Pace first, then re-check: the value journalled is the one seen just before the write.
      await deps.writer.acquireWriteSlot?.();
      if (stop()) {
        result.notAttempted++;
        return;
      }
      let current: DatabricksIdentity | undefined;
      try {
        result.recheckReads++;
        [current] = await deps.reader.getByIds(item.kind, [item.databricksId]);
      } catch (err) {
        fail(i, err);
        return;
      }
      const d = decide(item, current);
      if (d.type === "alreadyDone") {
        // A write that was answered with an error may still have landed: then it is ours.
        const ours = attempt > 1;
        result.outcomes[i] = ours ? "applied" : "alreadyDone";
        if (ours) result.applied++;
        else result.alreadyDone++;
        succeeded();
        return;
      }
      if (d.type === "skip") {
        result.outcomes[i] = "skipped";
        result.skipped.push({ item, reason: d.reason, currentExternalId: d.currentExternalId });
        succeeded();
        return;
      }
      if (attempt === 1) {
        if (bound.maxWrites !== undefined && writing >= bound.maxWrites) {
          result.bounded ??= {
            reason: "maxWrites",
            message: `${bound.maxWrites} write(s) issued, the most allowed per run`,
          };
          result.notAttempted++;
          return;
        }
        writing++;
      }
      const mySeq = ++seq;
      if (journal) {
        try {
          journal.append({
            type: "intent",
            runId,
            seq: mySeq,
            at: iso(now()),
            kind: item.kind,
            databricksId: item.databricksId,
            databricksName: item.databricksName,
            externalId: d.externalId,
            previousExternalId: d.previousExternalId,
            route: opts.route,
            op: opts.op,
          });
        } catch (err) {
          result.aborted = { reason: "journal", message: errorInfo(err, redactor).message };
          fail(i, err);
          return;
        }
      }
      result.writes++;
      let writeError: unknown;
      try {
        await deps.writer.setExternalId(item.kind, item.databricksId, d.externalId, opts.route, {
          once: true,
        });
      } catch (err) {
        writeError = err ?? new Error("write failed");
      }
      if (writeError === undefined) {
        journalOutcome({ type: "done", runId, seq: mySeq, at: iso(now()) });
        result.outcomes[i] = "applied";
        result.applied++;
        succeeded();
        unverified.push({ i, seq: mySeq, externalId: d.externalId });
        if (unverified.length >= recheckBatchSize) await verify();
        return;
      }
      journalOutcome({
        type: "failed",
        runId,
        seq: mySeq,
        at: iso(now()),
        ...errorInfo(writeError, redactor),
      });
      const throttled = writeError instanceof HttpError && writeError.kind === "RATE_LIMITED";
      if (throttled) result.throttledWrites++;
      if (throttled) throttles++;
      else failures++;
      if (throttled && !aborted() && bounded() && result.bounded?.reason === "timeBudget") {
        // Refused (a 429 writes nothing) and the time is up: left as it was, for the next run.
        result.notAttempted++;
        return;
      }
      if (
        !retryable(writeError) ||
        throttles >= MAX_WRITE_ATTEMPTS.throttled ||
        failures >= MAX_WRITE_ATTEMPTS.failed ||
        aborted()
      ) {
        fail(i, writeError);
        return;
      }
      // A 429 holds the writer's pace until Retry-After; a 5xx or a drop backs off here.
      if (!throttled) await sleep(250 * 2 ** (failures - 1));
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !stop()) await work(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
    await verify();
  } finally {
    result.notAttempted += total - next;
    const pace = deps.writer.writePace?.();
    if (pace) result.pace = pace;
    result.durationMs = now() - started;
    if (journal) {
      try {
        journal.append({
          type: "end",
          runId,
          at: iso(now()),
          counts: {
            applied: result.applied,
            alreadyDone: result.alreadyDone,
            skipped: result.skipped.length,
            failed: result.failed.length,
            notAttempted: result.notAttempted,
          },
          ...(result.aborted ? { aborted: result.aborted.reason } : {}),
        });
      } catch {
        // Best effort: the end record is informational.
      } finally {
        journal.close();
      }
    }
  }
  progress();
  return result;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Worth another re-check and attempt: refused for now (429), a server error, or no answer. */
function retryable(err: unknown): boolean {
  return (
    err instanceof HttpError &&
    (err.kind === "RATE_LIMITED" ||
      err.kind === "SERVER" ||
      err.kind === "NETWORK" ||
      err.kind === "TIMEOUT")
  );
}
