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
  type ListStats,
  type ScimResource,
} from "../core/databricks/client";
import type { BucketStats, HttpEvent } from "../core/http";
import type { IdentityKind, Plan } from "../core/model/plan";
import { OktaClient } from "../core/okta/client";
import { applyPlan } from "../core/reconcile/apply";
import { DEFAULTS as EXECUTE_DEFAULTS } from "../core/reconcile/execute";
import { planLinks } from "../core/reconcile/plan";
import { readSnapshot } from "../core/reconcile/snapshot";
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

export type WorkerResult = PlanWorkerResult | ApplyWorkerResult | ScriptedWorkerResult;

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

async function runPlan(
  conn: Connection,
  s: Extract<Scenario, { kind: "plan" }>,
): Promise<PlanWorkerResult> {
  const { e, onEvent } = eventCounter();
  const okta = new OktaClient(
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
  const dbx = databricksClient(conn, onEvent);
  await mark("plan:start");
  const { value, figures } = await measurePhase(async () => {
    const t0 = performance.now();
    const snap = await readSnapshot(okta, dbx);
    const readMs = performance.now() - t0;
    const planned = measureSync(() => planLinks(snap.okta, snap.databricks));
    return { snap, readMs, planned };
  });
  await mark("plan:end");
  const { snap, readMs, planned } = value;
  const plan = planned.value;
  fs.writeFileSync(s.planOut, JSON.stringify(plan));
  return {
    kind: "plan",
    figures,
    readMs,
    planLinks: { cpuMs: planned.cpuMs, wallMs: planned.wallMs },
    snapshot: {
      oktaUsers: snap.okta.users.length,
      oktaGroups: snap.okta.groups.length,
      databricksUsers: snap.databricks.users.length,
      databricksGroups: snap.databricks.groups.length,
      databricksServicePrincipals: snap.databricks.servicePrincipals.length,
    },
    actions: plan.actions.length,
    linksByKind: countByKind(plan.actions),
    summary: plan.summary,
    findings: plan.findings.length,
    lists: Object.fromEntries(dbx.lastList),
    client: { okta: statsOf(okta.http.stats), databricks: statsOf(dbx.http.stats) },
    events: e,
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

async function run(conn: Connection, s: Scenario): Promise<WorkerResult> {
  if (s.kind === "plan") return runPlan(conn, s);
  if (s.kind === "apply") return runApply(conn, s);
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
