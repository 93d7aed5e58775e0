/**
 * The "apply" step: writes a plan's externalId links through the write
 * engine (execute.ts: each identity re-read just before its own write, each
 * batch of writes read back). Safe to re-run: an identity
 * that already carries the desired externalId counts as `alreadyDone` (a
 * resumed run writes nothing twice), and an identity whose externalId changed
 * since planning is skipped and reported, never overwritten.
 */
import type { DatabricksIdentityReader, DatabricksIdentityWriter } from "../databricks/api";
import { ConfigError } from "../http/errors";
import type { Redactor } from "../http/redact";
import type { PaceReport } from "../http/pacing";
import type { Plan, PlanAction, WriteRoute } from "../model/plan";
import { externalIdOf } from "../model/tenant";
import type { DatabricksSnapshot } from "./plan";
import {
  decideAgainstLive,
  executeWrites,
  type BoundReached,
  type Decision,
  type ErrorInfo,
  type RunBound,
  type ItemOutcome,
  type WriteProgress,
} from "./execute";
import type { AccountLockOptions } from "./accountLock";

export type ApplyProgress = WriteProgress;
export type { ItemOutcome } from "./execute";

export interface ApplyOptions {
  route: WriteRoute;
  /** Writes in flight at once (default 4). The client paces them to the service's rate. */
  concurrency?: number;
  onProgress?: (p: ApplyProgress) => void;
  /**
   * JSON-lines journal of every write and the value it replaced, for `undo`.
   * Required when the plan overwrites existing externalIds.
   */
  undoFile?: string;
  signal?: AbortSignal;
  /** Writes per read-back (default 25, at most 100). */
  recheckBatchSize?: number;
  /** Stop issuing writes after this many failures in a row (default 10). */
  maxConsecutiveFailures?: number;
  /** fsync each journal record (default true). */
  journalSync?: boolean;
  now?: () => number;
  /** Waits between attempts after a 5xx or a dropped connection (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** AIMCTL_JOURNAL_KEY: the journal key's secret instead of the Databricks credential. */
  journalKey?: string;
  /** End the run cleanly after this many writes or at this time (the rest stays pending). */
  bound?: RunBound;
  /** The session's redactor, for the messages recorded with failures. */
  redactor?: Redactor;
  /** Hold the account's write lock while writing (core/reconcile/accountLock.ts). */
  lock?: AccountLockOptions;
}

export interface ApplyFailure {
  action: PlanAction;
  error: ErrorInfo;
}

export interface ApplySkip {
  action: PlanAction;
  /** "changed": the live externalId is no longer what the plan saw; "missing": the identity is gone. */
  reason: "changed" | "missing";
  currentExternalId: string | null;
}

export interface ApplyResult {
  applied: number;
  alreadyDone: number;
  skippedChanged: number;
  failed: ApplyFailure[];
  skipped: ApplySkip[];
  /** Actions not attempted because the run stopped early (see `aborted`). */
  notAttempted: number;
  aborted?: { reason: "signal" | "consecutiveFailures" | "journal"; message: string };
  /** The run reached its bound (`notAttempted` actions are left for the next run). */
  bounded?: BoundReached;
  /** Re-check reads issued (one per write attempt, immediately before it). */
  recheckReads: number;
  /** Read-backs of written identities (one per batch and kind). */
  verifyReads: number;
  /** Writes issued, successful or not, retries included. */
  writes: number;
  /** Writes answered 429 and tried again after a fresh re-check. */
  throttledWrites: number;
  /** The write pace it settled at (when the client adapts it). */
  pace?: PaceReport;
  durationMs: number;
  undoFile?: string;
  /** What happened to each action, in the plan's order. */
  outcomes: ItemOutcome[];
}

export async function applyPlan(
  plan: Pick<Plan, "actions">,
  deps: { reader: DatabricksIdentityReader; writer: DatabricksIdentityWriter },
  opts: ApplyOptions,
): Promise<ApplyResult> {
  const actions = validateActions(plan.actions);
  const overwrites = actions.filter((a) => externalIdOf(a.previousExternalId) !== null).length;
  if (overwrites > 0 && !opts.undoFile)
    throw new ConfigError(
      "undoFile",
      `the plan overwrites ${overwrites} existing externalId value(s); give undoFile (a path for the undo journal) so that they can be restored with undo.`,
    );

  const r = await executeWrites(
    actions,
    deps,
    {
      op: "apply",
      route: opts.route,
      concurrency: opts.concurrency,
      recheckBatchSize: opts.recheckBatchSize,
      maxConsecutiveFailures: opts.maxConsecutiveFailures,
      onProgress: opts.onProgress,
      signal: opts.signal,
      journalFile: opts.undoFile,
      journalSync: opts.journalSync,
      now: opts.now,
      redactor: opts.redactor,
      sleep: opts.sleep,
      journalKey: opts.journalKey,
      bound: opts.bound,
      lock: opts.lock,
    },
    decideLink,
  );
  const skipped = r.skipped.map((s) => ({
    action: s.item,
    reason: s.reason,
    currentExternalId: s.currentExternalId,
  }));
  return {
    applied: r.applied,
    alreadyDone: r.alreadyDone,
    skippedChanged: skipped.length,
    failed: r.failed.map((f) => ({ action: f.item, error: f.error })),
    skipped,
    notAttempted: r.notAttempted,
    ...(r.aborted ? { aborted: r.aborted } : {}),
    ...(r.bounded ? { bounded: r.bounded } : {}),
    recheckReads: r.recheckReads,
    verifyReads: r.verifyReads,
    writes: r.writes,
    throttledWrites: r.throttledWrites,
    ...(r.pace ? { pace: r.pace } : {}),
    durationMs: r.durationMs,
    ...(opts.undoFile ? { undoFile: opts.undoFile } : {}),
    outcomes: r.outcomes,
  };
}

/**
 * The Databricks side as the run left it, from its own results: an action
 * applied (written and read back) or already done carries its Okta id; a
 * skipped one what the re-check saw (or is gone); a failed or unattempted one
 * is as it was. Planning this again tells what is still pending without
 * reading every identity a second time.
 */
export function databricksAfterApply(
  databricks: DatabricksSnapshot,
  actions: readonly PlanAction[],
  result: Pick<ApplyResult, "outcomes" | "skipped">,
): DatabricksSnapshot {
  const key = (kind: string, id: string) => `${kind}:${id}`;
  const now = new Map<string, string | null | undefined>();
  actions.forEach((a, i) => {
    const o = result.outcomes[i];
    if (o === "applied" || o === "alreadyDone") now.set(key(a.kind, a.databricksId), a.oktaId);
  });
  for (const s of result.skipped)
    now.set(
      key(s.action.kind, s.action.databricksId),
      s.reason === "missing" ? undefined : s.currentExternalId,
    );
  if (now.size === 0) return databricks;
  const update = <T extends { id: string; externalId?: string | null }>(
    kind: string,
    list: readonly T[],
  ): T[] => {
    const out: T[] = [];
    for (const x of list) {
      const k = key(kind, x.id);
      if (!now.has(k)) out.push(x);
      else {
        const ext = now.get(k);
        if (ext !== undefined) out.push({ ...x, externalId: ext });
      }
    }
    return out;
  };
  return {
    users: update("user", databricks.users),
    groups: update("group", databricks.groups),
    servicePrincipals: update("servicePrincipal", databricks.servicePrincipals),
  };
}

/** Live state decides: done already, still as planned (write), or changed (skip). */
export function decideLink(
  action: PlanAction,
  current: { externalId?: string | null } | undefined,
): Decision {
  const planned = externalIdOf(action.previousExternalId);
  return decideAgainstLive(current, action.oktaId, (live) => live === planned);
}

function validateActions(actions: readonly PlanAction[]): PlanAction[] {
  if (!Array.isArray(actions))
    throw new ConfigError("plan.actions", "plan.actions must be an array of link actions.");
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    const where = `plan.actions[${i}]`;
    if (!a || !["user", "group", "servicePrincipal"].includes(a.kind))
      throw new ConfigError(
        `${where}.kind`,
        `${where}.kind must be "user", "group" or "servicePrincipal".`,
      );
    if (typeof a.databricksId !== "string" || !a.databricksId)
      throw new ConfigError(
        `${where}.databricksId`,
        `${where}.databricksId must be a non-empty string.`,
      );
    if (typeof a.oktaId !== "string" || !a.oktaId)
      throw new ConfigError(`${where}.oktaId`, `${where}.oktaId must be a non-empty Okta id.`);
    const key = `${a.kind}:${a.databricksId}`;
    if (seen.has(key))
      throw new ConfigError(
        `${where}.databricksId`,
        `${where} writes ${a.kind} ${a.databricksId} a second time; a plan links each identity at most once (re-create the plan).`,
      );
    seen.add(key);
  });
  return [...actions];
}
