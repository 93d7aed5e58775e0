/**
 * The write engine shared by apply and undo: bounded concurrency (the
 * client paces to the service's rate limit; this only bounds how many writes
 * are in flight), a re-check of live state in batches just before writing,
 * an undo journal written before each write, progress with rate and ETA,
 * and stopping on an abort signal or after too many consecutive failures.
 */
import type {
  DatabricksIdentity,
  DatabricksIdentityReader,
  DatabricksIdentityWriter,
} from "../databricks/api";
import { AimError, ConfigError, ERROR_CODES, type ErrorCode } from "../http/errors";
import { globalRedactor } from "../http/redact";
import type { IdentityKind, WriteRoute } from "../model/plan";
import { externalIdOf } from "../model/tenant";
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
  recheckBatchSize?: number;
  maxConsecutiveFailures?: number;
  onProgress?: (p: WriteProgress) => void;
  signal?: AbortSignal;
  /** Append-only journal of every write (required by apply when it overwrites). */
  journalFile?: string;
  /** fsync each journal record (default true). */
  journalSync?: boolean;
  now?: () => number;
}

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
  /** Re-check reads issued (one per kind per batch). */
  recheckReads: number;
  /** Writes issued (successful or not). */
  writes: number;
  durationMs: number;
  /** Per item, in the order given. */
  outcomes: ItemOutcome[];
}

export const DEFAULTS = {
  concurrency: 4,
  recheckBatchSize: 25,
  maxConsecutiveFailures: 10,
} as const;

export function errorInfo(err: unknown): ErrorInfo {
  const code = err instanceof AimError ? err.code : ERROR_CODES.unexpected;
  const raw = err instanceof Error ? err.message : String(err);
  return { code, message: globalRedactor.redact(raw) };
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

/**
 * Re-reads targets lazily, one batch at a time: the first worker that needs
 * an item of batch k reads the whole batch; the others wait for that read.
 * So the re-check happens just before the batch's writes, and the worker
 * pool never drains at a batch boundary.
 */
class BatchRechecker<T extends TargetRef> {
  private readonly batches = new Map<number, Promise<Map<string, DatabricksIdentity>>>();
  reads = 0;
  constructor(
    private readonly items: readonly T[],
    private readonly batchSize: number,
    private readonly reader: DatabricksIdentityReader,
  ) {}

  async get(index: number): Promise<DatabricksIdentity | undefined> {
    const b = Math.floor(index / this.batchSize);
    let p = this.batches.get(b);
    if (!p) {
      p = this.load(b);
      this.batches.set(b, p);
    }
    const item = this.items[index];
    return (await p).get(`${item.kind}:${item.databricksId}`);
  }

  private async load(b: number): Promise<Map<string, DatabricksIdentity>> {
    const slice = this.items.slice(b * this.batchSize, (b + 1) * this.batchSize);
    const byKind = new Map<IdentityKind, string[]>();
    for (const it of slice) byKind.set(it.kind, [...(byKind.get(it.kind) ?? []), it.databricksId]);
    const out = new Map<string, DatabricksIdentity>();
    await Promise.all(
      [...byKind].map(async ([kind, ids]) => {
        this.reads++;
        for (const found of await this.reader.getByIds(kind, ids))
          out.set(`${kind}:${found.id}`, found);
      }),
    );
    return out;
  }
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
  const { concurrency, recheckBatchSize, maxConsecutiveFailures } = validateExecuteOptions(opts);
  const now = opts.now ?? Date.now;
  const started = now();
  const total = items.length;
  const result: ExecuteResult<T> = {
    applied: 0,
    alreadyDone: 0,
    skipped: [],
    failed: [],
    notAttempted: 0,
    recheckReads: 0,
    writes: 0,
    durationMs: 0,
    outcomes: new Array<ItemOutcome>(total).fill("notAttempted"),
  };
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

  const journal = opts.journalFile
    ? new JournalWriter(opts.journalFile, opts.journalSync ?? true)
    : undefined;
  const runId = newRunId();
  let seq = 0;
  let consecutiveFailures = 0;
  const stop = (): boolean => {
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
  const completed = (): void => {
    meter.tick(now());
    progress();
  };
  const fail = (i: number, err: unknown): void => {
    const item = items[i];
    result.outcomes[i] = "failed";
    result.failed.push({ item, error: errorInfo(err) });
    consecutiveFailures++;
    if (consecutiveFailures >= maxConsecutiveFailures && !result.aborted)
      result.aborted = {
        reason: "consecutiveFailures",
        message: `stopped after ${consecutiveFailures} consecutive failures (last: ${errorInfo(err).code})`,
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
      at: iso(now()),
      op: opts.op,
      route: opts.route,
      total,
    });
  }
  const rechecker = new BatchRechecker(items, recheckBatchSize, deps.reader);
  progress();

  const work = async (i: number): Promise<void> => {
    const item = items[i];
    let current: DatabricksIdentity | undefined;
    try {
      current = await rechecker.get(i);
    } catch (err) {
      fail(i, err);
      return;
    }
    const d = decide(item, current);
    if (d.type === "alreadyDone") {
      result.outcomes[i] = "alreadyDone";
      result.alreadyDone++;
      succeeded();
      return;
    }
    if (d.type === "skip") {
      result.outcomes[i] = "skipped";
      result.skipped.push({ item, reason: d.reason, currentExternalId: d.currentExternalId });
      succeeded();
      return;
    }
    // The re-check may have waited: do not start a write after a stop.
    if (stop()) {
      result.notAttempted++;
      return;
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
        result.aborted = { reason: "journal", message: errorInfo(err).message };
        fail(i, err);
        return;
      }
    }
    result.writes++;
    let writeError: unknown;
    try {
      await deps.writer.setExternalId(item.kind, item.databricksId, d.externalId, opts.route);
    } catch (err) {
      writeError = err ?? new Error("write failed");
    }
    if (journal) {
      try {
        journal.append(
          writeError === undefined
            ? { type: "done", runId, seq: mySeq, at: iso(now()) }
            : { type: "failed", runId, seq: mySeq, at: iso(now()), ...errorInfo(writeError) },
        );
      } catch (err) {
        // The intent is on record, so undo still covers this write; stop issuing more.
        result.aborted ??= { reason: "journal", message: errorInfo(err).message };
      }
    }
    if (writeError !== undefined) fail(i, writeError);
    else {
      result.outcomes[i] = "applied";
      result.applied++;
      succeeded();
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total && !stop()) await work(next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  } finally {
    result.notAttempted += total - next;
    result.recheckReads = rechecker.reads;
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
