/**
 * `IdentityReconciliation`: gives every existing Databricks account identity
 * that corresponds to an Okta identity the Okta id as its `externalId`,
 * through core's use cases (core/workflows: `planAccount` for check and
 * refresh, `reconcileAccount` for create and update). No domain logic here.
 *
 * What a reviewer sees (docs/pulumi.md): the host forwards no detailed diff,
 * so a preview shows the engine's diff of the stored inputs against the new
 * ones. `check`
 * therefore reads live state and puts into the inputs the state this resource
 * converges to (`target`: per kind how many identities will be linked and how
 * many stay unlinkable and why; `findings` per severity and code), never what
 * is merely pending: the stored inputs are written before the writes, so a
 * "pending" input would lag one `up` (after an up that wrote 37 links a drift
 * preview showed `37 => 1`, and an up-to-date tenant looked changed). The
 * target holds after a successful up, so an unchanged tenant previews as
 * unchanged and a new unlinked identity shows as `target.users.linked:
 * 1837 => 1838`. What is pending comes from the same live read: `diff`
 * reports a change while any link is pending and says which in an info line
 * ("aim-reconciliation: 1 link(s) to write: users 1 (alice@acme.com)"), also
 * when the target did not move (an externalId cleared out of band). The live
 * read made in `check` is kept in the host's process (./liveReads.ts) and
 * reused by `diff` and by `create`/`update`, which start from it (every write
 * is re-checked against live state just before it is made).
 *
 * State holds counts, a digest and at most five names per kind, never one
 * entry per identity. create/update apply the live plan and log progress to
 * the Pulumi log (in the provider host `pulumi.log` has no engine connection
 * and prints to stdout, which the engine shows as info lines).
 *
 * Delete leaves externalIds alone unless `revertOnDelete`. Every apply writes
 * an undo journal (JSON lines, one record per write with the value it
 * replaced) at `journalPath`, a file beside the project, not in state; revert
 * is core's `undo` of that journal: each identity gets back its value from
 * before the first write, and only while it still holds a value this resource
 * wrote. Links that existed before (e.g. written by the Okta SCIM app) are
 * never touched. In CI keep the journal as an artifact: without it, delete
 * with `revertOnDelete` fails and says so rather than guessing.
 *
 * Credentials: ./credentials.ts (stack config via `configure`, or environment).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Plan, PlanSummary, ReconcileRules, WriteRoute } from "../core/model/plan";
import type { PendingCounts, PlanStateSummary } from "../core/reconcile/report";
import type { ReconcileCounts } from "../core/workflows";
import {
  databricksClient,
  logInfo,
  oktaAdminClient,
  oktaAdminConfigured,
  rememberCredentials,
  type AimAppKey,
} from "./credentials";
import { initFailed } from "./initFailed";
import { keepLiveRead, recallLiveRead } from "./liveReads";
import { forEngine } from "./forEngine";
import { loadCore } from "./loadCore";
import { accountIdProblems, databricksHostProblems, oktaOrgUrlProblems } from "./checks";
import { UNKNOWN_INPUT, containsUnknown, isUnknown } from "./unknown";

/**
 * Every version must read state written by earlier ones (refresh and destroy
 * run the stored provider).
 * v1: inputs held the live plan's summary (pending, buckets, digest, firstPending, findings).
 * v2: inputs hold the post-apply `target` and `findings`; pending, buckets, digest and
 *     firstPending are outputs only. v1 state updates once (its outputs have no target).
 */
export const IDENTITY_RECONCILIATION_PROVIDER_VERSION = "2";

/** Where the undo journal goes unless `journalPath` says otherwise (relative to the project). */
export const DEFAULT_JOURNAL_DIR = ".okta-databricks-aim";

export interface IdentityReconciliationArgs {
  /** Okta org URL, https://{yourOktaDomain}. */
  readonly oktaOrgUrl: pulumi.Input<string>;
  /** Databricks accounts host, e.g. https://accounts.cloud.databricks.com. */
  readonly databricksHost: pulumi.Input<string>;
  /** Databricks account id (a UUID). */
  readonly accountId: pulumi.Input<string>;
  /** Matching rules: overrides, exclusions, onConflict, service principal mappings. */
  readonly rules?: pulumi.Input<ReconcileRules>;
  /** "scim" (default; the documented account SCIM PATCH) or "iamv2". */
  readonly writeRoute?: pulumi.Input<WriteRoute>;
  /** On delete, restore the externalIds this resource wrote (default false: leave them). */
  readonly revertOnDelete?: pulumi.Input<boolean>;
  /** Undo journal path, relative to the project (default `.okta-databricks-aim/journal-<accountId>.jsonl`). */
  readonly journalPath?: pulumi.Input<string>;
  /**
   * Writes per second (default 2, the published account SCIM PATCH limit).
   * Raise it only when Databricks raised your account's limit.
   */
  readonly writeRatePerSecond?: pulumi.Input<number>;
  /**
   * Write at most this many links per `pulumi up` (a long backfill spread
   * over pipeline jobs): the update then ends cleanly with the rest pending,
   * and the next `pulumi up` continues. Default: no bound.
   */
  readonly maxWritesPerRun?: pulumi.Input<number>;
  /** Start no write once this many seconds have passed since the first of the run. Default: no bound. */
  readonly writeTimeBudgetSeconds?: pulumi.Input<number>;
  /**
   * Keep the Okta users of the last read in a local file in the journal's
   * folder (never in state) and ask Okta only for changes (default true).
   */
  readonly oktaSnapshotCache?: pulumi.Input<boolean>;
  /** Read Okta in full when the cache is older than this (default 86400: a day). */
  readonly oktaSnapshotCacheMaxAgeSeconds?: pulumi.Input<number>;
  /**
   * The AIM app's own client id and private key (a secret): users and groups
   * are read with it when no Okta admin credential is configured (that app
   * holds okta.users.read and okta.groups.read). DatabricksAim passes it.
   */
  readonly oktaReadKey?: pulumi.Input<AimAppKey>;
}

/** Findings counts as kept in state: per severity, per code, and the codes of error findings. */
export interface FindingsSummary {
  error: number;
  warning: number;
  info: number;
  byCode: PlanStateSummary["findings"]["byCode"];
  /** Codes with at least one error-severity finding, sorted (what AimConnection gates on). */
  errorCodes: string[];
}

export interface PendingSummary {
  users: PendingCounts;
  groups: PendingCounts;
  servicePrincipals: PendingCounts;
}

/** Per kind, the identities once every pending link is written. */
export interface TargetCounts {
  /** Linked: already linked plus pending links. */
  linked: number;
  conflict: number;
  ambiguous: number;
  duplicate: number;
  unmatched: number;
}

export interface TargetSummary {
  users: TargetCounts;
  groups: TargetCounts;
  servicePrincipals: TargetCounts;
}

/** What `check` and `read` bring into the inputs: the state this resource converges to. */
export interface TargetFields {
  /** "read", or "skipped: …" when inputs were not known yet. */
  liveRead: string;
  target?: TargetSummary;
  findings?: FindingsSummary;
}

/** What the outputs add: the live state after the last apply (in v1 state these were inputs too). */
export interface LivePlanFields extends TargetFields {
  pending?: PendingSummary;
  buckets?: PlanSummary;
  /** sha256 of the pending actions (canonical JSON). */
  digest?: string;
  firstPending?: PlanStateSummary["firstPending"];
}

export interface ResolvedIdentityReconciliationInputs extends Partial<LivePlanFields> {
  oktaOrgUrl: string;
  databricksHost: string;
  accountId: string;
  rules: ReconcileRules;
  writeRoute: WriteRoute;
  revertOnDelete: boolean;
  journalPath: string;
  /** Absent in state written before it existed: the default pace. */
  writeRatePerSecond?: number;
  /** Absent: no bound (and in state written before it existed). */
  maxWritesPerRun?: number;
  writeTimeBudgetSeconds?: number;
  /** Absent: on. */
  oktaSnapshotCache?: boolean;
  oktaSnapshotCacheMaxAgeSeconds?: number;
  /** Absent in state written before it existed: reads need an admin credential. A secret. */
  oktaReadKey?: AimAppKey;
  providerVersion: string;
}

/** Counts of the last apply (create or update). */
export type LastApplyCounts = ReconcileCounts;

export interface ResolvedIdentityReconciliationOutputs extends ResolvedIdentityReconciliationInputs {
  lastApply?: LastApplyCounts;
  /** Links written by this resource over its lifetime. */
  linksWritten?: number;
}

/** Inputs the program sets (everything else in the inputs comes from check). */
const PROGRAM_INPUTS = [
  "oktaOrgUrl",
  "databricksHost",
  "accountId",
  "rules",
  "writeRoute",
  "revertOnDelete",
  "journalPath",
  "writeRatePerSecond",
  "maxWritesPerRun",
  "writeTimeBudgetSeconds",
  "oktaSnapshotCache",
  "oktaSnapshotCacheMaxAgeSeconds",
  "providerVersion",
] as const;
const LIVE_FIELDS = [
  "liveRead",
  "target",
  "pending",
  "findings",
  "buckets",
  "digest",
  "firstPending",
] as const;
/** A different org or account is a different reconciliation. */
const REPLACING_INPUTS = ["oktaOrgUrl", "databricksHost", "accountId"] as const;
/** Inputs without which nothing can be read. */
const READ_INPUTS = ["oktaOrgUrl", "databricksHost", "accountId", "rules"] as const;

type Inputs = ResolvedIdentityReconciliationInputs;
type Outputs = ResolvedIdentityReconciliationOutputs;

/** Stable JSON (sorted keys) for comparing rules. */
function stable(v: unknown): string {
  return loadCore().canonicalJson(v ?? null);
}

function defaultJournalPath(accountId: string): string {
  return `${DEFAULT_JOURNAL_DIR}/journal-${accountId.replace(/[^A-Za-z0-9_-]/g, "_")}.jsonl`;
}

function resolveJournal(journalPath: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where the method runs
  const path = require("node:path") as typeof import("node:path");
  return path.resolve(process.env.OKTA_AIM_PROJECT_ROOT || process.cwd(), journalPath);
}

/** The Okta snapshot cache in the journal's folder (one per org and client), unless switched off. */
function oktaCache(inputs: Inputs, cacheKey: string) {
  if (inputs.oktaSnapshotCache === false || isUnknown(inputs.journalPath)) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where the method runs
  const path = require("node:path") as typeof import("node:path");
  return {
    file: path.join(
      path.dirname(resolveJournal(inputs.journalPath)),
      loadCore().oktaCacheFileName(cacheKey),
    ),
    ...(inputs.oktaSnapshotCacheMaxAgeSeconds !== undefined
      ? { maxAgeMs: inputs.oktaSnapshotCacheMaxAgeSeconds * 1000 }
      : {}),
  };
}

/** Problems with the program's inputs, each naming its field; unknown values are checked later. */
function inputProblems(news: Inputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const bad = (property: string, reason: string) => failures.push({ property, reason });
  const known = (k: keyof Inputs) => !isUnknown(news[k]);
  failures.push(
    ...oktaOrgUrlProblems("oktaOrgUrl", news.oktaOrgUrl),
    ...databricksHostProblems(news.databricksHost),
    ...accountIdProblems(news.accountId),
  );
  if (known("writeRoute") && news.writeRoute !== "scim" && news.writeRoute !== "iamv2")
    bad(
      "writeRoute",
      `[writeRoute] must be "scim" (account SCIM PATCH, what the documentation prescribes) or "iamv2"; got ${JSON.stringify(news.writeRoute)}.`,
    );
  if (known("revertOnDelete") && typeof news.revertOnDelete !== "boolean")
    bad("revertOnDelete", "[revertOnDelete] must be true or false.");
  if (known("journalPath") && (typeof news.journalPath !== "string" || !news.journalPath.trim()))
    bad(
      "journalPath",
      "[journalPath] must be a file path for the undo journal, e.g. .okta-databricks-aim/journal.jsonl.",
    );
  if (
    known("writeRatePerSecond") &&
    news.writeRatePerSecond !== undefined &&
    (typeof news.writeRatePerSecond !== "number" ||
      !Number.isFinite(news.writeRatePerSecond) ||
      news.writeRatePerSecond <= 0)
  )
    bad(
      "writeRatePerSecond",
      `[writeRatePerSecond] must be a positive number of writes per second (the published limit is 2); got ${JSON.stringify(news.writeRatePerSecond)}.`,
    );
  for (const [k, what] of [
    ["maxWritesPerRun", "links written per pulumi up"],
    ["writeTimeBudgetSeconds", "seconds of writing per pulumi up"],
    [
      "oktaSnapshotCacheMaxAgeSeconds",
      "seconds before the Okta snapshot cache is read again in full",
    ],
  ] as const) {
    const v = news[k];
    if (known(k) && v !== undefined && !(Number.isInteger(v) && (v as number) > 0))
      bad(
        k,
        `[${k}] must be a whole number above zero (${what}), or unset; got ${JSON.stringify(v)}.`,
      );
  }
  if (
    known("oktaSnapshotCache") &&
    news.oktaSnapshotCache !== undefined &&
    typeof news.oktaSnapshotCache !== "boolean"
  )
    bad("oktaSnapshotCache", "[oktaSnapshotCache] must be true or false.");
  if (!containsUnknown(news.rules)) failures.push(...rulesProblems(news.rules));
  return failures;
}

/** The shape of ReconcileRules, checked by core (the engine validates the ids it names against live data). */
function rulesProblems(rules: unknown): pulumi.dynamic.CheckFailure[] {
  const { validateRules } = loadCore();
  return validateRules(rules).problems.map((p) => ({ property: p.field, reason: p.message }));
}

/** The clients, built from config/environment (./credentials.ts). */
function clients(inputs: Inputs) {
  return {
    okta: oktaAdminClient(inputs.oktaOrgUrl, "identities", inputs.oktaReadKey),
    databricks: databricksClient(inputs.databricksHost, inputs.accountId, {
      writeRatePerSecond: inputs.writeRatePerSecond,
    }),
  };
}

/** The key of a live read: the same tenants read with the same rules. */
function liveReadKey(inputs: Inputs): string {
  return `IdentityReconciliation ${stable({
    oktaOrgUrl: inputs.oktaOrgUrl,
    databricksHost: inputs.databricksHost,
    accountId: inputs.accountId,
    rules: inputs.rules ?? {},
  })}`;
}

type LiveRead = import("../core/workflows").AccountPlan;

/** core's planAccount: reads both sides and plans; kept for the rest of this operation. */
async function readLive(inputs: Inputs): Promise<LiveRead> {
  const c = clients(inputs);
  const read = await loadCore().planAccount(c, {
    rules: inputs.rules ?? {},
    oktaCache: oktaCache(inputs, c.okta.cacheKey),
  });
  keepLiveRead(liveReadKey(inputs), read);
  return read;
}

/** The live read of this operation when there is one, else a new one. */
async function currentLive(inputs: Inputs): Promise<LiveRead> {
  return recallLiveRead<LiveRead>(liveReadKey(inputs)) ?? (await readLive(inputs));
}

/** The state the plan converges to: what the inputs hold (stable across a successful up). */
function targetFields(plan: Plan): TargetFields {
  const { summarizePlan, errorFindingCodes } = loadCore();
  const s = summarizePlan(plan);
  const kind = (k: PlanSummary["users"]) => ({
    linked: k.alreadyLinked + k.link,
    conflict: k.conflict,
    ambiguous: k.ambiguous,
    duplicate: k.duplicate,
    unmatched: k.unmatched,
  });
  return {
    liveRead: "read",
    target: {
      users: kind(s.buckets.users),
      groups: kind(s.buckets.groups),
      servicePrincipals: kind(s.buckets.servicePrincipals),
    },
    findings: {
      error: s.findings.error,
      warning: s.findings.warning,
      info: s.findings.info,
      byCode: s.findings.byCode,
      errorCodes: errorFindingCodes(plan.findings),
    },
  };
}

/** The plan as state fields: the target plus counts, digest and first names (never one entry per identity). */
function liveFields(plan: Plan): LivePlanFields {
  const s = loadCore().summarizePlan(plan);
  return {
    ...targetFields(plan),
    pending: s.pending,
    buckets: s.buckets,
    digest: s.digest,
    firstPending: s.firstPending,
  };
}

/** "1 link(s) to write: users 1 (alice@acme.com)": what a preview says is pending. */
function pendingLine(plan: Plan): string {
  const s = loadCore().summarizePlan(plan);
  const parts = (["users", "groups", "servicePrincipals"] as const)
    .filter((k) => s.pending[k].link > 0)
    .map((k) => {
      const more = s.pending[k].link - s.firstPending[k].length;
      const names = s.firstPending[k].map((n) => JSON.stringify(n)).join(", ");
      return `${k} ${s.pending[k].link} (${names}${more > 0 ? `, and ${more} more` : ""})`;
    });
  return `${plan.actions.length} link(s) to write: ${parts.join("; ")}`;
}

function withoutLive<T extends Partial<LivePlanFields>>(
  v: T,
): Omit<T, (typeof LIVE_FIELDS)[number]> {
  const copy: Record<string, unknown> = { ...v };
  for (const k of LIVE_FIELDS) delete copy[k];
  return copy as Omit<T, (typeof LIVE_FIELDS)[number]>;
}

/** core's reconcileAccount, progress to the Pulumi log; the outputs. Throws on failures (state kept). */
async function reconcile(id: string, inputs: Inputs, previouslyWritten: number): Promise<Outputs> {
  const label = `IdentityReconciliation ${inputs.accountId}`;
  let lastLogAt = Date.now();
  const c = clients(inputs);
  const run = await loadCore().reconcileAccount(c, {
    rules: inputs.rules ?? {},
    // The read `check` made for this operation, if any: writes are re-checked live anyway.
    snapshot: recallLiveRead<LiveRead>(liveReadKey(inputs))?.snapshot,
    oktaCache: oktaCache(inputs, c.okta.cacheKey),
    route: inputs.writeRoute,
    undoFile: resolveJournal(inputs.journalPath),
    // One writer per account, whether aimctl or another stack's up.
    lock: { command: `pulumi (${label})` },
    maxWritesPerRun: inputs.maxWritesPerRun,
    writeTimeBudgetMs:
      inputs.writeTimeBudgetSeconds === undefined
        ? undefined
        : inputs.writeTimeBudgetSeconds * 1000,
    observer: {
      applyStart: (plan) =>
        logInfo(
          `${label}: writing ${plan.actions.length} externalId link(s) via ${inputs.writeRoute} (journal ${inputs.journalPath})`,
        ),
      writeProgress: (p) => {
        // Every 10 s at most: a backfill paced at 2 writes/s runs for minutes.
        if (p.done < p.total && Date.now() - lastLogAt < 10_000) return;
        lastLogAt = Date.now();
        const eta = p.etaSec === null ? "" : `, about ${Math.ceil(p.etaSec)} s left`;
        logInfo(
          `${label}: ${p.done}/${p.total} (written ${p.applied}, already done ${p.alreadyDone}, skipped ${p.skipped}, failed ${p.failed}${eta})`,
        );
      },
    },
  });
  const planned = run.counts.planned;
  const result = run.apply;
  // The live plan after the writes (verify): what remains pending is what the next preview sees.
  const after = run.verified ?? run.planned;
  keepLiveRead(liveReadKey(inputs), after);
  const outs: Outputs = {
    ...withoutLive(inputs),
    ...liveFields(after.plan),
    lastApply: run.counts,
    linksWritten: previouslyWritten + run.counts.applied,
  };
  if (result?.bounded)
    logInfo(
      `${label}: stopped at the per-run bound (${result.bounded.message}): ${after.plan.actions.length} link(s) still pending; the next pulumi up continues from live state.`,
    );
  if (result && run.status === "failed") {
    const first = result.failed
      .slice(0, 3)
      .map(
        (f) => `${f.action.kind} "${f.action.databricksName}": ${f.error.code} ${f.error.message}`,
      );
    const why = result.aborted ? ` Stopped early: ${result.aborted.message}.` : "";
    throw initFailed(
      `${label}: ${result.failed.length} of ${planned} link(s) failed, ${result.notAttempted} not attempted.${why} ${first.join("; ")}. Run pulumi up again to resume from live state.`,
      id,
      outs,
    );
  }
  return outs;
}

export const identityReconciliationProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> =
  forEngine({
    async configure(req) {
      rememberCredentials(req.config);
    },

    async check(_olds, news) {
      const inputs: Inputs = {
        ...news,
        rules: news.rules ?? {},
        writeRoute: news.writeRoute ?? "scim",
        revertOnDelete: news.revertOnDelete ?? false,
        journalPath:
          news.journalPath ??
          (isUnknown(news.accountId)
            ? UNKNOWN_INPUT
            : defaultJournalPath(String(news.accountId ?? ""))),
      };
      const failures = inputProblems(inputs);
      if (failures.length > 0) return { inputs, failures };
      const unknown: string[] = READ_INPUTS.filter((k) => containsUnknown(inputs[k]));
      // Read with the AIM app's key: not known before that app's key exists.
      if (containsUnknown(inputs.oktaReadKey) && !oktaAdminConfigured("identities"))
        unknown.push("oktaReadKey");
      if (unknown.length > 0) {
        // First preview: these come from resources not created yet. Say so in the inputs.
        return {
          inputs: {
            ...withoutLive(inputs),
            liveRead: `skipped: ${unknown.join(", ")} not known until other resources exist; the live plan is read when this resource is applied`,
          },
        };
      }
      return { inputs: { ...withoutLive(inputs), ...targetFields((await readLive(inputs)).plan) } };
    },

    async diff(_id, olds, news) {
      const replaces = REPLACING_INPUTS.filter((k) => olds[k] !== news[k]);
      if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
      if (PROGRAM_INPUTS.some((k) => containsUnknown(news[k])) || readKeyChanged(olds, news))
        return { changes: true, replaces: [] };
      const settings =
        stable(olds.rules ?? {}) !== stable(news.rules ?? {}) ||
        (olds.writeRoute ?? "scim") !== news.writeRoute ||
        (olds.revertOnDelete ?? false) !== news.revertOnDelete ||
        olds.journalPath !== news.journalPath ||
        olds.writeRatePerSecond !== news.writeRatePerSecond ||
        olds.maxWritesPerRun !== news.maxWritesPerRun ||
        olds.writeTimeBudgetSeconds !== news.writeTimeBudgetSeconds ||
        (olds.oktaSnapshotCache ?? true) !== (news.oktaSnapshotCache ?? true) ||
        olds.oktaSnapshotCacheMaxAgeSeconds !== news.oktaSnapshotCacheMaxAgeSeconds ||
        olds.providerVersion !== news.providerVersion ||
        readKeyChanged(olds, news);
      // Not read in check (unknown inputs): the plan is read at apply time.
      const unread = news.liveRead !== "read";
      // olds are the outputs: the target as verified after the last apply.
      const moved =
        stable(olds.target ?? null) !== stable(news.target ?? null) ||
        stable(findingCounts(olds.findings)) !== stable(findingCounts(news.findings));
      let pending = 0;
      if (!unread) {
        const { plan } = await currentLive(news);
        pending = plan.actions.length;
        if (pending > 0) logInfo(`IdentityReconciliation ${news.accountId}: ${pendingLine(plan)}`);
      }
      return {
        changes: settings || unread || moved || pending > 0,
        replaces: [],
        deleteBeforeReplace: false,
      };
    },

    async create(inputs) {
      const id = `${inputs.accountId}@${new URL(inputs.oktaOrgUrl).host}`;
      return { id, outs: await reconcile(id, inputs, 0) };
    },

    async read(id, props) {
      if (!props) return { id, props };
      const { plan } = await readLive(props);
      const inputs: Record<string, unknown> = {};
      for (const k of [...PROGRAM_INPUTS, "oktaReadKey"] as const)
        if (props[k] !== undefined) inputs[k] = props[k];
      return {
        id,
        props: { ...props, ...liveFields(plan) },
        // Refresh records the live target as inputs too, so the next preview diffs from it.
        // ReadResult types inputs as outputs; they are the input subset here.
        inputs: { ...inputs, ...targetFields(plan) } as Outputs,
      };
    },

    async update(id, olds, news) {
      return { outs: await reconcile(id, news, olds.linksWritten ?? 0) };
    },

    async delete(_id, props) {
      if (!props.revertOnDelete) return;
      const { undo } = loadCore();
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where the method runs
      const fs = require("node:fs") as typeof import("node:fs");
      const file = resolveJournal(props.journalPath);
      if ((props.linksWritten ?? 0) === 0 && !fs.existsSync(file)) return; // nothing was ever written
      if (!fs.existsSync(file))
        throw new Error(
          `revertOnDelete is set but the undo journal ${props.journalPath} is missing, so the ${props.linksWritten} externalId link(s) this resource wrote cannot be restored. Put the journal back (e.g. from the CI artifacts of the run that applied), or set revertOnDelete to false and run pulumi up before destroying to leave the links in place.`,
        );
      const dbx = databricksClient(props.databricksHost, props.accountId, {
        writeRatePerSecond: props.writeRatePerSecond,
      });
      logInfo(
        `IdentityReconciliation ${props.accountId}: restoring the externalIds recorded in ${props.journalPath}`,
      );
      const r = await undo(file, { reader: dbx, writer: dbx }, { route: props.writeRoute });
      logInfo(
        `IdentityReconciliation ${props.accountId}: restored ${r.restored}, already restored ${r.alreadyRestored}, changed since (left alone) ${r.skippedChanged}, failed ${r.failed.length}`,
      );
      if (r.failed.length > 0 || r.aborted)
        throw new Error(
          `revertOnDelete: ${r.failed.length} restore(s) failed${r.aborted ? ` (${r.aborted.message})` : ""}; run pulumi destroy again to retry (undo only restores values this resource wrote). ${r.failed
            .slice(0, 3)
            .map((f) => `${f.entry.kind} "${f.entry.databricksName}": ${f.error.message}`)
            .join("; ")}`,
        );
    },
  });

/**
 * A new AIM app key (a rotation) is a change only when reads use it: with an
 * admin credential the stored key is never used, and an update would be noise.
 */
function readKeyChanged(olds: Inputs, news: Inputs): boolean {
  if (oktaAdminConfigured("identities")) return false;
  return containsUnknown(news.oktaReadKey) || stable(olds.oktaReadKey) !== stable(news.oktaReadKey);
}

/** The counts diff compares (errorCodes follow from byCode and severities). */
function findingCounts(f: FindingsSummary | undefined): unknown {
  return f ? { error: f.error, warning: f.warning, info: f.info, byCode: f.byCode } : null;
}

/** Links Databricks identities to their Okta identities (externalId), before AIM is enabled. */
export class IdentityReconciliation extends pulumi.dynamic.Resource {
  /** Links still to write, per kind. */
  declare readonly pending: pulumi.Output<PendingSummary>;
  /** Findings per severity and code; errorCodes gate enabling AIM. */
  declare readonly findings: pulumi.Output<FindingsSummary>;
  /** Every Databricks identity's bucket, counted per kind. */
  declare readonly buckets: pulumi.Output<PlanSummary>;
  /** sha256 of the pending actions. */
  declare readonly digest: pulumi.Output<string>;
  /** Up to five pending names per kind. */
  declare readonly firstPending: pulumi.Output<PlanStateSummary["firstPending"]>;
  /** "read", or why the live plan was not read (first preview). */
  declare readonly liveRead: pulumi.Output<string>;
  /** Per kind, the identities linked and unlinkable once every pending link is written. */
  declare readonly target: pulumi.Output<TargetSummary>;
  declare readonly lastApply: pulumi.Output<LastApplyCounts>;
  declare readonly linksWritten: pulumi.Output<number>;

  constructor(name: string, args: IdentityReconciliationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      identityReconciliationProvider,
      name,
      {
        oktaOrgUrl: args.oktaOrgUrl,
        databricksHost: args.databricksHost,
        accountId: args.accountId,
        rules: args.rules ?? {},
        writeRoute: args.writeRoute ?? "scim",
        revertOnDelete: args.revertOnDelete ?? false,
        journalPath: args.journalPath,
        writeRatePerSecond: args.writeRatePerSecond,
        maxWritesPerRun: args.maxWritesPerRun,
        writeTimeBudgetSeconds: args.writeTimeBudgetSeconds,
        oktaSnapshotCache: args.oktaSnapshotCache,
        oktaSnapshotCacheMaxAgeSeconds: args.oktaSnapshotCacheMaxAgeSeconds,
        oktaReadKey: args.oktaReadKey === undefined ? undefined : pulumi.secret(args.oktaReadKey),
        providerVersion: IDENTITY_RECONCILIATION_PROVIDER_VERSION,
        liveRead: undefined,
        target: undefined,
        pending: undefined,
        findings: undefined,
        buckets: undefined,
        digest: undefined,
        firstPending: undefined,
        lastApply: undefined,
        linksWritten: undefined,
      },
      {
        ...opts,
        // The AIM app's key stays a secret in the outputs too (refresh reads with it).
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "oktaReadKey"],
      },
      "okta-databricks-aim",
      "IdentityReconciliation",
    );
  }
}
