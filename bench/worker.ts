/**
 * Child process: one scenario, run the way `aimctl` runs it (the same
 * clients, snapshot, planner and apply engine), measuring its own wall time,
 * CPU and RSS. At each phase boundary it asks the orchestrator to snapshot
 * the emulators' request counters ("mark"), so calls are counted per phase
 * on the server side as well as by the clients' HttpClient stats.
 */
import fs from "node:fs";
import {
  DatabricksAccountClient,
  projectGroup,
  projectServicePrincipal,
  projectUser,
  type ListStats,
  type ScimResource,
} from "../core/databricks/client";
import type { BucketStats, HttpEvent } from "../core/http";
import type { IdentityKind, Plan } from "../core/model/plan";
import { OktaClient, projectOktaGroup, projectOktaUser } from "../core/okta/client";
import { applyPlan } from "../core/reconcile/apply";
import { DEFAULTS as EXECUTE_DEFAULTS } from "../core/reconcile/execute";
import { planLinks } from "../core/reconcile/plan";
import { actionsDigest } from "../core/reconcile/report";
import { readSnapshot, type OktaReadReport } from "../core/reconcile/snapshot";
import { forgetLiveReads } from "../dynamic-providers/liveReads";
import { generateTenant } from "../emulators/tenant/synthetic";
import { measurePhase, measureSync, type PhaseFigures } from "./measure";
import {
  databricksConfig,
  type Connection,
  type OrchestratorToWorker,
  type Scenario,
  type WorkerMessage,
} from "./protocol";
import { runScriptedApproach, scriptedClients, type ScriptedCounts } from "./scripted";

export interface PlanWorkerResult {
  kind: "plan";
  figures: PhaseFigures;
  readMs: number;
  planLinks: { cpuMs: number; wallMs: number };
  oktaRead: OktaReadReport;
  /** The same read again in new clients (a new process): incremental for Okta. */
  preview: {
    figures: PhaseFigures;
    oktaRead: OktaReadReport;
    actions: number;
    sameActions: boolean;
    client: { okta: Record<string, BucketStats>; databricks: Record<string, BucketStats> };
  };
  snapshot: Record<string, number>;
  actions: number;
  linksByKind: Record<IdentityKind, number>;
  summary: Plan["summary"];
  findings: number;
  lists: Partial<Record<ScimResource, ListStats>>;
  client: { okta: Record<string, BucketStats>; databricks: Record<string, BucketStats> };
  events: { throttled: number; retries: number; pacedMs: number };
}

export interface ApplyWorkerResult {
  kind: "apply";
  figures: PhaseFigures;
  actions: number;
  linksByKind: Record<IdentityKind, number>;
  applied: number;
  alreadyDone: number;
  skipped: number;
  failed: number;
  writes: number;
  recheckReads: number;
  recheckBatchSize: number;
  concurrency: number;
  writeRatePerSecond: number;
  /** Writes per second between the first and the last completed write: (n - 1) / span. */
  steadyWriteRate: number;
  /** Writes per second over the whole apply (re-checks and the token included). */
  overallWriteRate: number;
  client: { databricks: Record<string, BucketStats> };
  events: { throttled: number; retries: number };
}

export interface ScriptedWorkerResult {
  kind: "scripted";
  figures: PhaseFigures;
  counts: ScriptedCounts;
  client: { okta: Record<string, BucketStats>; databricks: Record<string, BucketStats> };
  events: { throttled: number; retries: number };
}

export interface CurvePoint {
  users: number;
  oktaUsers: number;
  databricksIdentities: number;
  actions: number;
  /** The lower of two runs (the first also warms the JIT up). */
  cpuMs: number;
  wallMs: number;
}

export interface CurveWorkerResult {
  kind: "curve";
  points: CurvePoint[];
}

export interface UpPhase {
  label: string;
  /** What each provider call returned, briefly. */
  calls: string[];
}

export interface UpWorkerResult {
  kind: "up";
  phases: UpPhase[];
  /** What the provider logged (the Pulumi log). */
  logged: string[];
  status: string;
  written: number;
  pendingAfter: number;
  lastApply?: Record<string, number>;
}

export type WorkerResult =
  PlanWorkerResult | ApplyWorkerResult | ScriptedWorkerResult | CurveWorkerResult | UpWorkerResult;

const waiting = new Map<string, () => void>();

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

/** Asks the orchestrator to snapshot the emulators' counters now, and waits until it has. */
function mark(label: string): Promise<void> {
  return new Promise((resolve) => {
    waiting.set(label, resolve);
    send({ type: "mark", label });
  });
}

function statsOf(m: Map<string, BucketStats>): Record<string, BucketStats> {
  return Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]));
}

function eventCounter() {
  const e = { throttled: 0, retries: 0, pacedMs: 0 };
  const onEvent = (ev: HttpEvent) => {
    if (ev.type === "throttled") e.throttled++;
    else if (ev.type === "retry") e.retries++;
    else e.pacedMs += ev.waitMs;
  };
  return { e, onEvent };
}

function countByKind(actions: Plan["actions"]): Record<IdentityKind, number> {
  const n: Record<IdentityKind, number> = { user: 0, group: 0, servicePrincipal: 0 };
  for (const a of actions) n[a.kind]++;
  return n;
}

function databricksClient(
  conn: Connection,
  onEvent: (e: HttpEvent) => void,
  writeRatePerSecond?: number,
): DatabricksAccountClient {
  return new DatabricksAccountClient(databricksConfig(conn), {
    writeRatePerSecond,
    http: { onEvent },
  });
}

function oktaClient(conn: Connection, onEvent: (e: HttpEvent) => void): OktaClient {
  return new OktaClient(
    {
      orgUrl: conn.okta.orgUrl,
      auth: {
        kind: "privateKeyJwt",
        clientId: conn.okta.clientId,
        privateKey: conn.okta.privateKeyPem,
        keyId: conn.okta.keyId,
      },
    },
    { onEvent },
  );
}

async function runPlan(
  conn: Connection,
  s: Extract<Scenario, { kind: "plan" }>,
): Promise<PlanWorkerResult> {
  const { e, onEvent } = eventCounter();
  const okta = oktaClient(conn, onEvent);
  const dbx = databricksClient(conn, onEvent);
  const oktaCache = { file: s.cacheFile };
  await mark("plan:start");
  const { value, figures } = await measurePhase(async () => {
    const t0 = performance.now();
    const snap = await readSnapshot(okta, dbx, { oktaCache });
    const readMs = performance.now() - t0;
    const planned = measureSync(() => planLinks(snap.okta, snap.databricks));
    return { snap, readMs, planned };
  });
  await mark("plan:end");
  const { readMs, planned } = value;
  const snapshotCounts = {
    oktaUsers: value.snap.okta.users.length,
    oktaGroups: value.snap.okta.groups.length,
    databricksUsers: value.snap.databricks.users.length,
    databricksGroups: value.snap.databricks.groups.length,
    databricksServicePrincipals: value.snap.databricks.servicePrincipals.length,
  };
  const oktaRead = value.snap.oktaRead;
  const plan = planned.value;
  const digest = actionsDigest(plan.actions);
  fs.writeFileSync(s.planOut, JSON.stringify(plan));
  const planResult = {
    actions: plan.actions.length,
    linksByKind: countByKind(plan.actions),
    summary: plan.summary,
    findings: plan.findings.length,
  };
  const client = { okta: statsOf(okta.http.stats), databricks: statsOf(dbx.http.stats) };
  const lists = Object.fromEntries(dbx.lastList);
  // Nothing of the first read is kept into the preview (a new process would hold none of it).
  value.snap = undefined as never;
  planned.value = undefined as never;

  // The preview: new clients (a new token each, as a new process), the cache the plan wrote.
  const okta2 = oktaClient(conn, onEvent);
  const dbx2 = databricksClient(conn, onEvent);
  await mark("preview:start");
  const preview = await measurePhase(async () => {
    const snap = await readSnapshot(okta2, dbx2, { oktaCache });
    const again = planLinks(snap.okta, snap.databricks);
    return {
      oktaRead: snap.oktaRead,
      actions: again.actions.length,
      digest: actionsDigest(again.actions),
    };
  });
  await mark("preview:end");
  return {
    kind: "plan",
    figures,
    readMs,
    planLinks: { cpuMs: planned.cpuMs, wallMs: planned.wallMs },
    oktaRead,
    preview: {
      figures: preview.figures,
      oktaRead: preview.value.oktaRead,
      actions: preview.value.actions,
      sameActions: preview.value.digest === digest,
      client: { okta: statsOf(okta2.http.stats), databricks: statsOf(dbx2.http.stats) },
    },
    snapshot: snapshotCounts,
    ...planResult,
    lists,
    client,
    events: e,
  };
}

/**
 * planLinks alone on generated tenants, in the shapes the readers produce
 * (the clients' projections), so CPU is the planner's and nothing else's.
 */
async function runCurve(s: Extract<Scenario, { kind: "curve" }>): Promise<CurveWorkerResult> {
  const points: CurvePoint[] = [];
  for (const users of s.sizes) {
    let fixture: ReturnType<typeof generateTenant> | undefined = generateTenant({
      users,
      seed: s.seed,
      rates: s.rates,
    });
    const okta = {
      users: fixture.okta.users.map((u) => projectOktaUser(u)!),
      groups: fixture.okta.groups.map((g) => projectOktaGroup(g)!),
    };
    const dbx = {
      users: fixture.databricks.users.map((u) => projectUser({ ...u })!),
      groups: fixture.databricks.groups.map((g) => projectGroup({ ...g })!),
      servicePrincipals: fixture.databricks.servicePrincipals.map((sp) =>
        projectServicePrincipal({ ...sp })!,
      ),
    };
    fixture = undefined;
    let best: { cpuMs: number; wallMs: number; actions: number } | undefined;
    for (let run = 0; run < 2; run++) {
      const r = measureSync(() => planLinks(okta, dbx));
      if (!best || r.cpuMs < best.cpuMs)
        best = { cpuMs: r.cpuMs, wallMs: r.wallMs, actions: r.value.actions.length };
    }
    points.push({
      users,
      oktaUsers: okta.users.length,
      databricksIdentities: dbx.users.length + dbx.groups.length + dbx.servicePrincipals.length,
      actions: best!.actions,
      cpuMs: best!.cpuMs,
      wallMs: best!.wallMs,
    });
    process.stderr.write(`[bench curve] ${users}: planLinks CPU ${Math.round(best!.cpuMs)} ms\n`);
  }
  return { kind: "curve", points };
}

/**
 * One `pulumi up` as the engine makes it, against the emulators: the
 * preview's host process (check, diff), then the update's (check, diff,
 * update), each starting with no live read kept (a new process). Counted by
 * the emulators between marks.
 */
async function runUp(
  conn: Connection,
  s: Extract<Scenario, { kind: "up" }>,
): Promise<UpWorkerResult> {
  // Loaded here only: @pulumi/pulumi would add to every other scenario's RSS.
  type ProviderModule = typeof import("../dynamic-providers/identityReconciliation");
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  const mod = require("../dynamic-providers/identityReconciliation") as ProviderModule;
  const provider = mod.identityReconciliationProvider;
  const config: Record<string, string> = {
    "oktaAim:oktaApiToken": conn.okta.apiToken,
    "oktaAim:databricksClientId": conn.databricks.clientId,
    "oktaAim:databricksClientSecret": conn.databricks.clientSecret,
  };
  const newProcess = async () => {
    // What a new dynamic-provider host starts with: no live read, configured from stack config.
    forgetLiveReads();
    await provider.configure!({ config: { get: (k: string) => config[k], require: () => "" } });
  };
  const news = {
    oktaOrgUrl: conn.okta.orgUrl,
    databricksHost: conn.databricks.host,
    accountId: conn.databricks.accountId,
    rules: {},
    writeRoute: "scim",
    revertOnDelete: false,
    journalPath: `${s.journalDir}/journal.jsonl`,
    maxWritesPerRun: s.maxWritesPerRun,
    // Without the Okta snapshot cache: the full reads an up makes by its own structure.
    oktaSnapshotCache: false,
    providerVersion: mod.IDENTITY_RECONCILIATION_PROVIDER_VERSION,
  } as import("../dynamic-providers/identityReconciliation").ResolvedIdentityReconciliationInputs;
  const id = `${conn.databricks.accountId}@bench`;
  const phases: UpPhase[] = [];
  // The provider logs to the Pulumi log (stdout in a host): kept, not printed.
  const logged: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void logged.push(args.map(String).join(" "));

  // The state an earlier up left: the target as of now, nothing written by this resource yet.
  await newProcess();
  const earlier = (await provider.check!({} as never, news)).inputs!;
  const olds = { ...earlier, linksWritten: 0 } as never;

  await mark("up:preview:start");
  await newProcess();
  const checked = (await provider.check!(olds, news)).inputs!;
  const diff = await provider.diff!(id, olds, checked);
  phases.push({ label: "preview", calls: [`check`, `diff: changes ${diff.changes}`] });
  await mark("up:preview:end");

  await mark("up:update:start");
  await newProcess();
  const checked2 = (await provider.check!(olds, news)).inputs!;
  const diff2 = await provider.diff!(id, olds, checked2);
  const outs = (await provider.update!(id, olds, checked2)).outs!;
  phases.push({
    label: "update",
    calls: [`check`, `diff: changes ${diff2.changes}`, `update`],
  });
  await mark("up:update:end");
  console.log = log;
  const p = outs.pending;
  return {
    kind: "up",
    phases,
    logged,
    status: (outs.lastApply?.notAttempted ?? 0) > 0 ? "bounded" : "complete",
    written: outs.lastApply?.applied ?? 0,
    pendingAfter: p ? p.users.link + p.groups.link + p.servicePrincipals.link : 0,
    lastApply: outs.lastApply ? { ...outs.lastApply } : undefined,
  };
}

async function runApply(
  conn: Connection,
  s: Extract<Scenario, { kind: "apply" }>,
): Promise<ApplyWorkerResult> {
  const plan = JSON.parse(fs.readFileSync(s.planFile, "utf8")) as Plan;
  const actions = s.limit === undefined ? plan.actions : plan.actions.slice(0, s.limit);
  const { e, onEvent } = eventCounter();
  const dbx = databricksClient(conn, onEvent, s.writeRatePerSecond);
  const writeTimes: number[] = [];
  let applied = 0;
  await mark("apply:start");
  const { value: r, figures } = await measurePhase(() =>
    applyPlan(
      { actions },
      { reader: dbx, writer: dbx },
      {
        route: "scim",
        concurrency: s.concurrency,
        onProgress: (p) => {
          if (p.applied > applied) {
            applied = p.applied;
            writeTimes.push(performance.now());
          }
        },
      },
    ),
  );
  await mark("apply:end");
  const span = (writeTimes[writeTimes.length - 1] - writeTimes[0]) / 1000;
  return {
    kind: "apply",
    figures,
    actions: actions.length,
    linksByKind: countByKind(actions),
    applied: r.applied,
    alreadyDone: r.alreadyDone,
    skipped: r.skipped.length,
    failed: r.failed.length,
    writes: r.writes,
    recheckReads: r.recheckReads,
    recheckBatchSize: EXECUTE_DEFAULTS.recheckBatchSize,
    concurrency: s.concurrency ?? EXECUTE_DEFAULTS.concurrency,
    writeRatePerSecond: s.writeRatePerSecond,
    steadyWriteRate: writeTimes.length > 1 && span > 0 ? (writeTimes.length - 1) / span : 0,
    overallWriteRate: r.durationMs > 0 ? r.applied / (r.durationMs / 1000) : 0,
    client: { databricks: statsOf(dbx.http.stats) },
    events: { throttled: e.throttled, retries: e.retries },
  };
}

async function runScripted(
  conn: Connection,
  s: Extract<Scenario, { kind: "scripted" }>,
): Promise<ScriptedWorkerResult> {
  const { e, onEvent } = eventCounter();
  // The emulators run with rate limits off for this scenario: no client-side pacing either.
  const clients = scriptedClients(conn, {
    concurrency: s.concurrency,
    writeRatePerSecond: 1_000_000,
    listRatePerSecond: 1_000_000,
    onEvent,
  });
  await mark("scripted:start");
  const { value: counts, figures } = await measurePhase(() =>
    runScriptedApproach(conn, clients, s.concurrency, s.sampleMax),
  );
  await mark("scripted:end");
  return {
    kind: "scripted",
    figures,
    counts,
    client: {
      okta: statsOf(clients.okta.stats),
      databricks: statsOf(clients.databricks.http.stats),
    },
    events: { throttled: e.throttled, retries: e.retries },
  };
}

async function run(conn: Connection | undefined, s: Scenario): Promise<WorkerResult> {
  if (s.kind === "curve") return runCurve(s);
  if (!conn) throw new Error(`the ${s.kind} scenario needs the emulators' connection`);
  if (s.kind === "plan") return runPlan(conn, s);
  if (s.kind === "apply") return runApply(conn, s);
  if (s.kind === "up") return runUp(conn, s);
  return runScripted(conn, s);
}

process.on("message", (raw) => {
  const msg = raw as OrchestratorToWorker;
  if (msg.type === "marked") {
    const resolve = waiting.get(msg.label);
    waiting.delete(msg.label);
    resolve?.();
  } else if (msg.type === "run") {
    run(msg.connection, msg.scenario).then(
      (result) => send({ type: "result", result }),
      (err: unknown) =>
        send({ type: "error", message: err instanceof Error ? err.message : String(err) }),
    );
  }
});
process.on("disconnect", () => process.exit(0));
