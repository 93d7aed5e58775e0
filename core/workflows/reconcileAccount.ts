/**
 * The reconciliation use cases, one workflow each, called by `aimctl` (which
 * prints) and the IdentityReconciliation provider (which translates to and
 * from Pulumi):
 *
 * - `planAccount`: read both sides (or take a snapshot already read), plan;
 * - `reconcileAccount`: plan → approve → apply (re-checked writes, read
 *   back, undo journal; optionally bounded per run) → what is still pending
 *   (planned again from the write results, not from another read) → summary.
 *
 * Nothing here prints or knows Pulumi; callers observe the steps through
 * `ReconcileObserver` and get a structured result back.
 */
import type { DatabricksIdentityReader, DatabricksIdentityWriter } from "../databricks/api";
import type { Redactor } from "../http/redact";
import type { Plan, PlanAction, ReconcileRules, WriteRoute } from "../model/plan";
import type { OktaReader } from "../okta/api";
import type { OktaSnapshotCacheOptions } from "../okta/snapshotCache";
import {
  applyPlan,
  databricksAfterApply,
  type ApplyProgress,
  type ApplyResult,
  type ItemOutcome,
} from "../reconcile/apply";
import { runBound, runBoundProblems, type RunBoundOptions } from "./runBound";
import { planLinks } from "../reconcile/plan";
import { readSnapshot, type Snapshot, type SnapshotProgress } from "../reconcile/snapshot";
import type { AccountLockOptions } from "../reconcile/accountLock";

/** The two services a reconciliation reads (and, for apply, writes). */
export interface AccountReaders {
  okta: OktaReader;
  databricks: DatabricksIdentityReader;
}

export interface AccountClients extends AccountReaders {
  databricks: DatabricksIdentityReader & DatabricksIdentityWriter;
}

/** Hooks to show progress; every one optional, none may throw. */
export interface ReconcileObserver {
  readStart?(): void;
  readProgress?(p: SnapshotProgress): void;
  /** The read finished (not called when it failed). */
  readDone?(snapshot: Snapshot): void;
  /** Writing starts: `plan.actions` are about to be applied. */
  applyStart?(plan: Plan): void;
  writeProgress?(p: ApplyProgress): void;
}

export interface PlanAccountOptions {
  rules: ReconcileRules;
  /** A snapshot already read (e.g. by `check`): planned from as is, nothing is read again. */
  snapshot?: Snapshot;
  /** Read Okta users incrementally through this cache file (absent: full read, nothing kept). */
  oktaCache?: OktaSnapshotCacheOptions;
  observer?: ReconcileObserver;
  now?: () => number;
}

/** What was read and what it plans. */
export interface AccountPlan {
  snapshot: Snapshot;
  plan: Plan;
}

/** Read (unless given a snapshot) → plan. Pure apart from the reads. */
export async function planAccount(
  clients: AccountReaders,
  opts: PlanAccountOptions,
): Promise<AccountPlan> {
  const snapshot = opts.snapshot ?? (await read(clients, opts));
  return { snapshot, plan: planLinks(snapshot.okta, snapshot.databricks, opts.rules) };
}

async function read(clients: AccountReaders, opts: PlanAccountOptions): Promise<Snapshot> {
  const o = opts.observer;
  o?.readStart?.();
  const snapshot = await readSnapshot(clients.okta, clients.databricks, {
    onProgress: o?.readProgress ? (p) => o.readProgress?.(p) : undefined,
    oktaCache: opts.oktaCache,
    now: opts.now,
  });
  o?.readDone?.(snapshot);
  return snapshot;
}

export interface ReconcileAccountOptions extends PlanAccountOptions, RunBoundOptions {
  route: WriteRoute;
  /** The undo journal (JSON lines); required when the plan overwrites existing externalIds. */
  undoFile?: string;
  /** fsync each journal record (default true). */
  journalSync?: boolean;
  /** AIMCTL_JOURNAL_KEY: the journal key's secret instead of the Databricks credential. */
  journalKey?: string;
  /** Hold the account's write lock while writing (core/reconcile/accountLock.ts). */
  lock?: AccountLockOptions;
  /** Writes in flight at once (default 4; the client paces them to the service's rate). */
  concurrency?: number;
  recheckBatchSize?: number;
  maxConsecutiveFailures?: number;
  signal?: AbortSignal;
  /** The session's redactor, for the messages recorded with failures. */
  redactor?: Redactor;
  /**
   * Called with the plan before anything is written, also when nothing is
   * pending; false writes nothing (the CLI's confirmation, a saved plan that
   * no longer matches live state). Default: go ahead.
   */
  approve?: (planned: AccountPlan) => boolean | Promise<boolean>;
  /**
   * Plan again after writing, from the snapshot and the write results (each
   * write is read back), to report what remains pending (default true). No
   * second read: an identity changed by someone else meanwhile shows at the
   * next read.
   */
  verify?: boolean;
  // maxWritesPerRun / writeTimeBudgetMs (RunBoundOptions): a run that reaches one ends
  // cleanly, status `bounded`, the rest pending for the next run, which resumes from live state.
}

/**
 * - `nothingToDo`: no link was pending;
 * - `declined`: `approve` said no, nothing written;
 * - `complete`: every action applied or already done;
 * - `incomplete`: some skipped (they changed since planning), none failed;
 * - `bounded`: the run reached `maxWritesPerRun` or `writeTimeBudgetMs`
 *   with nothing failed; the actions not attempted are pending for the next run;
 * - `failed`: writes failed, or the run stopped early (see `apply.aborted`).
 */
export type ReconcileStatus =
  "nothingToDo" | "declined" | "complete" | "incomplete" | "bounded" | "failed";

/** What happened to one planned link; `notApproved` when nothing was written. */
export interface ActionOutcome {
  action: PlanAction;
  outcome: ItemOutcome | "notApproved";
}

/** Counts of one run, small enough for Pulumi state. */
export interface ReconcileCounts {
  planned: number;
  applied: number;
  alreadyDone: number;
  skippedChanged: number;
  failed: number;
  notAttempted: number;
  durationMs: number;
}

export interface ReconcileAccountResult {
  status: ReconcileStatus;
  /** What was read and planned before writing. */
  planned: AccountPlan;
  /** The write run (absent when nothing was written: `nothingToDo`, `declined`). */
  apply?: ApplyResult;
  /** Per planned action, in the plan's order. */
  outcomes: ActionOutcome[];
  /**
   * The plan after the run: the snapshot with what the writes did (read
   * back) put in, planned again; the plan itself when nothing was pending.
   * Absent with `verify: false` and when `declined`.
   */
  verified?: AccountPlan;
  counts: ReconcileCounts;
}

/** Plan → approve → apply → verify → summary. Throws only when reading or the plan's shape fails. */
export async function reconcileAccount(
  clients: AccountClients,
  opts: ReconcileAccountOptions,
): Promise<ReconcileAccountResult> {
  // Checked before anything is read.
  const problem = runBoundProblems(opts)[0];
  if (problem) throw problem;
  const planned = await planAccount(clients, opts);
  const { plan } = planned;
  if (opts.approve && !(await opts.approve(planned))) return finish("declined", planned);
  if (plan.actions.length === 0)
    return finish("nothingToDo", planned, undefined, opts.verify === false ? undefined : planned);
  opts.observer?.applyStart?.(plan);
  const apply = await applyPlan(
    plan,
    { reader: clients.databricks, writer: clients.databricks },
    {
      route: opts.route,
      undoFile: opts.undoFile,
      journalSync: opts.journalSync,
      journalKey: opts.journalKey,
      lock: opts.lock,
      concurrency: opts.concurrency,
      recheckBatchSize: opts.recheckBatchSize,
      maxConsecutiveFailures: opts.maxConsecutiveFailures,
      signal: opts.signal,
      onProgress: (p) => opts.observer?.writeProgress?.(p),
      now: opts.now,
      bound: runBound(opts, (opts.now ?? Date.now)()),
      redactor: opts.redactor,
    },
  );
  return finish(applyStatus(apply), planned, apply, opts.verify === false ? undefined : after());

  function after(): AccountPlan {
    const { snapshot } = planned;
    const databricks = databricksAfterApply(snapshot.databricks, plan.actions, apply);
    return {
      snapshot: { ...snapshot, databricks },
      plan: planLinks(snapshot.okta, databricks, opts.rules),
    };
  }
}

/** How a write run ended (see ReconcileStatus). */
export function applyStatus(r: ApplyResult): "complete" | "incomplete" | "bounded" | "failed" {
  if (r.failed.length > 0 || r.aborted) return "failed";
  if (r.bounded) return "bounded";
  if (r.notAttempted > 0) return "failed";
  return r.skipped.length > 0 ? "incomplete" : "complete";
}

function finish(
  status: ReconcileStatus,
  planned: AccountPlan,
  apply?: ApplyResult,
  verified?: AccountPlan,
): ReconcileAccountResult {
  const actions = planned.plan.actions;
  return {
    status,
    planned,
    ...(apply ? { apply } : {}),
    outcomes: actions.map((action, i) => ({
      action,
      outcome: apply ? (apply.outcomes[i] ?? "notAttempted") : "notApproved",
    })),
    ...(verified ? { verified } : {}),
    counts: {
      planned: actions.length,
      applied: apply?.applied ?? 0,
      alreadyDone: apply?.alreadyDone ?? 0,
      skippedChanged: apply?.skippedChanged ?? 0,
      failed: apply?.failed.length ?? 0,
      notAttempted: apply?.notAttempted ?? 0,
      durationMs: apply?.durationMs ?? 0,
    },
  };
}
