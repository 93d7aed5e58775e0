/**
 * `npm run bench`: the engine at 10,000 and 100,000 users (groups 10% of
 * users) against the emulators, and the approach a platform engineer would
 * script, in one run. Prints a table per size and writes the figures to
 * bench/results/latest.json. Method and formula: docs/performance.md.
 *
 * Processes: the emulators run in a child (emulatorHost.ts), each scenario
 * in another child (worker.ts), so that CPU and RSS are the tool's own.
 *
 * Options: --sizes 10000,100000  --seed 1  --apply-links 80 (throughput
 * sample at the realistic PATCH limit)  --throughput-size N (default: the
 * smallest size)  --fast-apply-size N (default 10000: apply every link with
 * the PATCH limit raised)  --fast-rate 200  --page-cap 100 (Databricks
 * server page cap)  --script-concurrency 8  --script-max 20000 (above this
 * many identities the scripted approach runs over an evenly spread sample
 * and is scaled up; 0 = always every identity)  --no-script  --plan-limits
 * realistic|off  --out FILE.
 */
import { execSync, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS as EXECUTE_DEFAULTS } from "../core/reconcile/execute";
import { REALISTIC_RATE_LIMITS as DBX_LIMITS } from "../emulators/databricks";
import { REALISTIC_RATE_LIMITS as OKTA_LIMITS } from "../emulators/okta";
import {
  applyRows,
  countRows,
  delta,
  planRows,
  scriptRows,
  totals,
  type BucketStatsLike,
  type CountedRow,
  type EndpointRow,
} from "./minimum";
import type {
  Connection,
  HostConfig,
  HostReply,
  HostRequest,
  OrchestratorToWorker,
  Scenario,
  TenantCounts,
  WorkerMessage,
} from "./protocol";
import { SCRIPT_BUCKETS } from "./scripted";
import type {
  ApplyWorkerResult,
  PlanWorkerResult,
  ScriptedWorkerResult,
  WorkerResult,
} from "./worker";

interface Options {
  sizes: number[];
  seed: number;
  applyLinks: number;
  throughputSize: number;
  fastApplySize: number;
  fastRate: number;
  pageCap: number;
  scriptConcurrency: number;
  scriptMax: number;
  script: boolean;
  planLimits: "realistic" | "off";
  out: string;
}

const TARGET = {
  callRatio: 1.05,
  scriptFactor: 50,
  planCpuMs: 2000,
  planRssMb: 400,
  throughput: 0.9,
};

function parseOptions(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  const int = (name: string, dflt: number): number => {
    const v = get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a whole number (got ${v})`);
    return n;
  };
  const sizes = (get("sizes") ?? "10000,100000").split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`--sizes: "${s}" is not a positive integer`);
    return n;
  });
  const smallest = Math.min(...sizes);
  const planLimits = get("plan-limits") ?? "realistic";
  if (planLimits !== "realistic" && planLimits !== "off")
    throw new Error(`--plan-limits must be realistic or off (got ${planLimits})`);
  return {
    sizes,
    seed: int("seed", 1),
    applyLinks: int("apply-links", 80),
    throughputSize: int("throughput-size", smallest),
    fastApplySize: int("fast-apply-size", sizes.includes(10_000) ? 10_000 : smallest),
    fastRate: int("fast-rate", 200),
    // The client asks for the documented maximum, 100: a larger server page changes nothing.
    pageCap: Math.min(int("page-cap", 100), 100),
    scriptConcurrency: int("script-concurrency", 8),
    scriptMax: int("script-max", 20_000),
    script: !argv.includes("--no-script"),
    planLimits,
    out: get("out") ?? path.join(__dirname, "results", "latest.json"),
  };
}

// ------------------------------------------------------------------ processes

const CHILD_OPTS = {
  execArgv: [
    "-r",
    "ts-node/register/transpile-only",
    ...(process.env.BENCH_CHILD_ARGS ?? "").split(" ").filter(Boolean),
  ],
};

class Host {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Extract<HostReply, { type: "counts" }>) => void>();
  private readyWaiter?: {
    resolve: (r: Extract<HostReply, { type: "ready" }>) => void;
    reject: (e: Error) => void;
  };

  constructor() {
    this.child = fork(path.join(__dirname, "emulatorHost.ts"), [], CHILD_OPTS);
    this.child.on("message", (raw) => {
      const msg = raw as HostReply;
      if (msg.type === "ready") this.readyWaiter?.resolve(msg);
      else if (msg.type === "counts") {
        this.pending.get(msg.id)?.(msg);
        this.pending.delete(msg.id);
      } else this.readyWaiter?.reject(new Error(`emulator host: ${msg.message}`));
    });
    this.child.on("exit", (code) => {
      if (code) this.readyWaiter?.reject(new Error(`emulator host exited with ${code}`));
    });
  }

  start(config: HostConfig): Promise<Extract<HostReply, { type: "ready" }>> {
    return new Promise((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
      this.send({ cmd: "start", config });
    });
  }

  counts(): Promise<Extract<HostReply, { type: "counts" }>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ cmd: "counts", id });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.send({ cmd: "close" });
    });
  }

  private send(msg: HostRequest): void {
    this.child.send(msg);
  }
}

interface Marks {
  [label: string]: Extract<HostReply, { type: "counts" }>;
}

/** Runs one scenario in a fresh worker process; marks snapshot the host's counters. */
function runWorker<T extends WorkerResult>(
  host: Host,
  connection: Connection,
  scenario: Scenario,
): Promise<{ result: T; marks: Marks }> {
  const marks: Marks = {};
  const child = fork(path.join(__dirname, "worker.ts"), [], CHILD_OPTS);
  return new Promise((resolve, reject) => {
    child.on("message", (raw) => {
      const msg = raw as WorkerMessage;
      if (msg.type === "mark") {
        void host.counts().then((c) => {
          marks[msg.label] = c;
          child.send({ type: "marked", label: msg.label } satisfies OrchestratorToWorker);
        });
      } else if (msg.type === "result") {
        child.disconnect(); // the worker exits on disconnect (and writes a --cpu-prof profile)
        resolve({ result: msg.result as T, marks });
      } else {
        child.disconnect();
        reject(new Error(`${scenario.kind} worker: ${msg.message}`));
      }
    });
    child.on("exit", (code) => {
      if (code) reject(new Error(`${scenario.kind} worker exited with ${code}`));
    });
    child.send({ type: "run", connection, scenario } satisfies OrchestratorToWorker);
  });
}

function phaseCounts(marks: Marks, from: string, to: string) {
  return {
    okta: delta(marks[from].okta, marks[to].okta),
    databricks: delta(marks[from].databricks, marks[to].databricks),
  };
}

function clientMap(...sides: Array<Record<string, BucketStatsLike>>): Map<string, BucketStatsLike> {
  const m = new Map<string, BucketStatsLike>();
  for (const side of sides) for (const [k, v] of Object.entries(side)) m.set(k, v);
  return m;
}

// ------------------------------------------------------------------ formatting

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const mb = (n: number) => `${Math.round(n)} MB`;
const ratio = (r: number) => (Number.isFinite(r) ? r.toFixed(3) : "–");
const duration = (s: number): string => {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
};

function table(rows: CountedRow[], withMinimum = true): string {
  const head = withMinimum
    ? ["endpoint", "calls", "client", "429s", "minimum", "ratio"]
    : ["endpoint", "calls", "client", "429s"];
  const body = rows.map((r) => {
    const cells = [r.endpoint, int(r.calls), int(r.client), int(r.throttled)];
    if (withMinimum) cells.push(int(r.minimum), r.minimum ? ratio(r.calls / r.minimum) : "–");
    return cells;
  });
  const t = totals(rows);
  const foot = ["total", int(t.calls), int(t.client), int(t.throttled)];
  if (withMinimum) foot.push(int(t.minimum), ratio(t.ratio));
  const all = [head, ...body, foot];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "  " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const rule = "  " + widths.map((w) => "-".repeat(w)).join("  ");
  return [line(head), rule, ...body.map(line), rule, line(foot)].join("\n");
}

function figuresLine(f: {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  rssStartMb: number;
}): string {
  return `wall ${secs(f.wallMs)} · CPU ${secs(f.cpuMs)} · peak RSS ${mb(f.peakRssMb)} (at start ${mb(f.rssStartMb)})`;
}

// ------------------------------------------------------------------ scenarios

interface SizeReport {
  users: number;
  tenant: TenantCounts;
  plan: {
    rateLimits: string;
    rows: CountedRow[];
    totals: ReturnType<typeof totals>;
    wallMs: number;
    readMs: number;
    cpuMs: number;
    peakRssMb: number;
    rssStartMb: number;
    planLinksCpuMs: number;
    planLinksWallMs: number;
    actions: number;
    linksByKind: PlanWorkerResult["linksByKind"];
    summary: PlanWorkerResult["summary"];
    emulatorCpuMs: number;
    raw: PlanWorkerResult;
  };
  applyProjected: {
    note: string;
    rows: EndpointRow[];
    minimum: number;
    hoursAt2PerSecond: number;
  };
  applyThroughput?: ApplyReport;
  applyFast?: ApplyReport;
  script?: ScriptReport;
}

interface ApplyReport {
  label: string;
  emulatedPatchPerSecond: number;
  rows: CountedRow[];
  totals: ReturnType<typeof totals>;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  rssStartMb: number;
  steadyWriteRate: number;
  overallWriteRate: number;
  throughputOfLimit: number;
  throttled: number;
  raw: ApplyWorkerResult;
}

interface ScriptReport {
  concurrency: number;
  /** Calls the emulators received (for the sample, when sampled). */
  rows: CountedRow[];
  measured: { readCalls: number; writeCalls: number; totalCalls: number };
  /** Calls at the full size: measured, or scaled up from the sample. */
  readCalls: number;
  writeCalls: number;
  totalCalls: number;
  sampled: boolean;
  sampleStep: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  rssStartMb: number;
  projected: {
    lookupsAtOktaLimitsS: number;
    lookupsAt600PerMinS: number;
    writesAt2PerSecondS: number;
  };
  skipLinkedLookups: number;
  raw: ScriptedWorkerResult;
}

async function withHost<T>(
  config: HostConfig,
  fn: (host: Host, ready: Extract<HostReply, { type: "ready" }>) => Promise<T>,
): Promise<T> {
  const host = new Host();
  try {
    const ready = await host.start(config);
    return await fn(host, ready);
  } finally {
    await host.close();
  }
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function applyScenario(
  o: Options,
  size: number,
  planFile: string,
  label: string,
  patchPerSecond: number,
  limit: number | undefined,
): Promise<ApplyReport> {
  const config: HostConfig = {
    users: size,
    seed: o.seed,
    okta: "realistic",
    databricks: patchPerSecond === DBX_LIMITS.patch ? "realistic" : { patchPerSecond },
    pageCap: o.pageCap,
  };
  return withHost(config, async (host, ready) => {
    log(`${label}: applying ${limit ?? "all"} link(s) at ${patchPerSecond} PATCH/s…`);
    const { result, marks } = await runWorker<ApplyWorkerResult>(host, ready.connection, {
      kind: "apply",
      planFile,
      limit,
      writeRatePerSecond: patchPerSecond,
    });
    const rows = countRows(
      applyRows(result.linksByKind, result.recheckBatchSize, "scim"),
      phaseCounts(marks, "apply:start", "apply:end"),
      clientMap(result.client.databricks),
    );
    const t = totals(rows);
    return {
      label,
      emulatedPatchPerSecond: patchPerSecond,
      rows,
      totals: t,
      wallMs: result.figures.wallMs,
      cpuMs: result.figures.cpuMs,
      peakRssMb: result.figures.peakRssMb,
      rssStartMb: result.figures.rssStartMb,
      steadyWriteRate: result.steadyWriteRate,
      overallWriteRate: result.overallWriteRate,
      throughputOfLimit: result.steadyWriteRate / patchPerSecond,
      throttled: t.throttled,
      raw: result,
    };
  });
}

async function scriptScenario(o: Options, size: number): Promise<ScriptReport> {
  const config: HostConfig = {
    users: size,
    seed: o.seed,
    okta: "off",
    databricks: "off",
    pageCap: o.pageCap,
  };
  return withHost(config, async (host, ready) => {
    log(`${size}: scripted approach (rate limits off)…`);
    const { result, marks } = await runWorker<ScriptedWorkerResult>(host, ready.connection, {
      kind: "scripted",
      concurrency: o.scriptConcurrency,
      sampleMax: o.scriptMax,
    });
    const rows = countRows(
      scriptRows({ user: SCRIPT_BUCKETS.userLookup, group: SCRIPT_BUCKETS.groupLookup }),
      phaseCounts(marks, "scripted:start", "scripted:end"),
      clientMap(result.client.okta, result.client.databricks),
    );
    const c = result.counts;
    const measuredWrites = rows
      .filter((r) => r.emulatorKey.startsWith("PATCH "))
      .reduce((n, r) => n + r.calls, 0);
    const measuredTotal = rows.reduce((n, r) => n + r.calls, 0);
    const measuredLookups = c.userLookups + c.groupLookups;
    // Lists and token were made in full; look-ups are one per identity; PATCHes scale with the sample's matches.
    const sampled = c.sampleStep > 1;
    const scale = (n: number, part: number, whole: number) =>
      part > 0 ? Math.round((n * whole) / part) : 0;
    const lookups = sampled ? c.databricksUsers + c.databricksGroups : measuredLookups;
    const writeCalls = sampled
      ? scale(c.userPatches, c.sampledUsers, c.databricksUsers) +
        scale(c.groupPatches, c.sampledGroups, c.databricksGroups)
      : measuredWrites;
    const readCalls = measuredTotal - measuredWrites - measuredLookups + lookups;
    const userLookups = sampled ? c.databricksUsers : c.userLookups;
    const groupLookups = sampled ? c.databricksGroups : c.groupLookups;
    const linkedLookups = sampled
      ? scale(c.alreadyHadExternalId, c.sampledUsers + c.sampledGroups, lookups)
      : c.alreadyHadExternalId;
    return {
      concurrency: o.scriptConcurrency,
      rows,
      measured: {
        readCalls: measuredTotal - measuredWrites,
        writeCalls: measuredWrites,
        totalCalls: measuredTotal,
      },
      readCalls,
      writeCalls,
      totalCalls: readCalls + writeCalls,
      sampled,
      sampleStep: c.sampleStep,
      wallMs: result.figures.wallMs,
      cpuMs: result.figures.cpuMs,
      peakRssMb: result.figures.peakRssMb,
      rssStartMb: result.figures.rssStartMb,
      projected: {
        // Users by login and groups by name use separate Okta buckets: a parallel script overlaps them.
        lookupsAtOktaLimitsS: Math.max(
          (userLookups / OKTA_LIMITS.userById) * 60,
          (groupLookups / OKTA_LIMITS.groups) * 60,
        ),
        lookupsAt600PerMinS: (lookups / OKTA_LIMITS.users) * 60,
        writesAt2PerSecondS: writeCalls / DBX_LIMITS.patch,
      },
      skipLinkedLookups: lookups - linkedLookups,
      raw: result,
    };
  });
}

async function sizeScenario(o: Options, size: number, tmp: string): Promise<SizeReport> {
  const planFile = path.join(tmp, `plan-${size}.json`);
  const planConfig: HostConfig = {
    users: size,
    seed: o.seed,
    okta: o.planLimits,
    databricks: o.planLimits,
    pageCap: o.pageCap,
  };
  const planPart = await withHost(planConfig, async (host, ready) => {
    log(
      `${size}: tenant generated in ${secs(ready.generateMs)}, emulators up in ${secs(ready.startMs)}; planning…`,
    );
    const { result, marks } = await runWorker<PlanWorkerResult>(host, ready.connection, {
      kind: "plan",
      planOut: planFile,
    });
    const rows = countRows(
      planRows(ready.tenant, o.pageCap),
      phaseCounts(marks, "plan:start", "plan:end"),
      clientMap(result.client.okta, result.client.databricks),
    );
    return {
      tenant: ready.tenant,
      plan: {
        rateLimits: o.planLimits,
        rows,
        totals: totals(rows),
        wallMs: result.figures.wallMs,
        readMs: result.readMs,
        cpuMs: result.figures.cpuMs,
        peakRssMb: result.figures.peakRssMb,
        rssStartMb: result.figures.rssStartMb,
        planLinksCpuMs: result.planLinks.cpuMs,
        planLinksWallMs: result.planLinks.wallMs,
        actions: result.actions,
        linksByKind: result.linksByKind,
        summary: result.summary,
        emulatorCpuMs: marks["plan:end"].usage.cpuMs - marks["plan:start"].usage.cpuMs,
        raw: result,
      },
    };
  });
  const links = planPart.plan.linksByKind;
  const projectedRows = applyRows(links, EXECUTE_DEFAULTS.recheckBatchSize, "scim");
  const report: SizeReport = {
    users: size,
    ...planPart,
    applyProjected: {
      note: "formula only (not run at this size unless applyFast is present)",
      rows: projectedRows,
      minimum: projectedRows.reduce((n, r) => n + r.minimum, 0),
      hoursAt2PerSecond: planPart.plan.actions / DBX_LIMITS.patch / 3600,
    },
  };
  if (size === o.throughputSize && o.applyLinks > 0)
    report.applyThroughput = await applyScenario(
      o,
      size,
      planFile,
      `${size}: throughput sample`,
      DBX_LIMITS.patch,
      o.applyLinks,
    );
  if (size === o.fastApplySize)
    report.applyFast = await applyScenario(
      o,
      size,
      planFile,
      `${size}: every link, PATCH limit raised`,
      o.fastRate,
      undefined,
    );
  if (o.script) report.script = await scriptScenario(o, size);
  return report;
}

// ------------------------------------------------------------------ report

function printSize(r: SizeReport): void {
  const out: string[] = [];
  const t = r.tenant;
  out.push(
    "",
    `=== ${int(r.users)} users · Okta: ${int(t.oktaUsersListed)} listed users + ${int(t.oktaDeprovisioned)} deprovisioned, ${int(t.oktaGroups)} groups · Databricks: ${int(t.databricksUsers)} users, ${int(t.databricksGroups)} groups, ${int(t.databricksServicePrincipals)} SPs ===`,
    "",
    `PLAN (read both sides + planLinks), rate limits ${r.plan.rateLimits}; ${int(r.plan.actions)} links planned (users ${int(r.plan.linksByKind.user)}, groups ${int(r.plan.linksByKind.group)})`,
    table(r.plan.rows),
    `  ${figuresLine(r.plan)} · read ${secs(r.plan.readMs)}`,
    `  planLinks alone: CPU ${secs(r.plan.planLinksCpuMs)}, wall ${secs(r.plan.planLinksWallMs)} · emulators' CPU meanwhile ${secs(r.plan.emulatorCpuMs)} (other process)`,
  );
  for (const a of [r.applyThroughput, r.applyFast]) {
    if (!a) continue;
    out.push(
      "",
      `APPLY — ${a.label}: ${int(a.raw.actions)} link(s), emulated PATCH limit ${a.emulatedPatchPerSecond}/s, client pace ${a.raw.writeRatePerSecond}/s, concurrency ${a.raw.concurrency}, re-check batch ${a.raw.recheckBatchSize}`,
      table(a.rows),
      `  ${figuresLine(a)}`,
      `  writes ${int(a.raw.writes)} (applied ${int(a.raw.applied)}, failed ${a.raw.failed}, skipped ${a.raw.skipped}) · steady write rate ${a.steadyWriteRate.toFixed(2)}/s = ${(a.throughputOfLimit * 100).toFixed(1)}% of the emulated limit · overall ${a.overallWriteRate.toFixed(2)}/s · 429s received ${a.throttled}`,
    );
  }
  if (!r.applyFast)
    out.push(
      "",
      `APPLY at this size: not run in full (${int(r.plan.actions)} writes at 2/s = ${r.applyProjected.hoursAt2PerSecond.toFixed(1)} h); minimum calls by the formula: ${int(r.applyProjected.minimum)}`,
    );
  if (r.script) {
    const s = r.script;
    const c = s.raw.counts;
    const ours = r.plan.totals.calls;
    const oursAll = ours + r.applyProjected.minimum;
    out.push(
      "",
      `SCRIPTED APPROACH (one Okta look-up per Databricks user/group, a PATCH per match), rate limits OFF, concurrency ${s.concurrency}`,
      s.sampled
        ? `  bounded run: every ${s.sampleStep}th identity (${int(c.sampledUsers)} users, ${int(c.sampledGroups)} groups of ${int(c.databricksUsers)} + ${int(c.databricksGroups)}); lists read in full`
        : `  every identity: ${int(c.databricksUsers)} users, ${int(c.databricksGroups)} groups`,
      table(s.rows, false),
      `  ${figuresLine(s)} (measured${s.sampled ? ", for the sample" : ""}, limits off)`,
      s.sampled
        ? `  AT FULL SIZE (scaled from the sample: look-ups exactly one per identity, PATCHes by the sample's match rate): reads ${int(s.readCalls)}, writes ${int(s.writeCalls)}, total ${int(s.totalCalls)}`
        : `  at full size (measured): reads ${int(s.readCalls)}, writes ${int(s.writeCalls)}, total ${int(s.totalCalls)}`,
      `  PROJECTED at realistic limits: look-ups ${duration(s.projected.lookupsAtOktaLimitsS)} at Okta's ${OKTA_LIMITS.userById}/min (user by login) and ${OKTA_LIMITS.groups}/min (groups), ${duration(s.projected.lookupsAt600PerMinS)} if each look-up were a search (${OKTA_LIMITS.users}/min); writes ${duration(s.projected.writesAt2PerSecondS)} at ${DBX_LIMITS.patch}/s (about the same for both approaches)`,
      `  READ calls: scripted ${int(s.readCalls)} vs ours ${int(ours)} → ${(s.readCalls / ours).toFixed(1)}× fewer`,
      `  ALL calls (reads + writes): scripted ${int(s.totalCalls)} vs ours ${int(oursAll)} (our apply by the formula) → ${(s.totalCalls / oursAll).toFixed(1)}× fewer`,
      `  a script that skipped identities already carrying an externalId would make ${int(s.skipLinkedLookups)} look-ups → reads ${((s.readCalls - c.databricksUsers - c.databricksGroups + s.skipLinkedLookups) / ours).toFixed(1)}× ours`,
    );
  }
  process.stdout.write(out.join("\n") + "\n");
}

interface TargetCheck {
  target: string;
  value: string;
  met: boolean;
}

function checkTargets(reports: SizeReport[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const r of reports) {
    checks.push({
      target: `plan calls ≤ ${TARGET.callRatio} × minimum at ${int(r.users)}`,
      value: `${int(r.plan.totals.calls)} / ${int(r.plan.totals.minimum)} = ${ratio(r.plan.totals.ratio)}`,
      met: r.plan.totals.ratio <= TARGET.callRatio,
    });
    for (const a of [r.applyThroughput, r.applyFast]) {
      if (!a) continue;
      checks.push({
        target: `apply calls ≤ ${TARGET.callRatio} × minimum (${a.label})`,
        value: `${int(a.totals.calls)} / ${int(a.totals.minimum)} = ${ratio(a.totals.ratio)}`,
        met: a.totals.ratio <= TARGET.callRatio,
      });
    }
  }
  const largest = reports.reduce((a, b) => (b.users > a.users ? b : a));
  if (largest.script)
    checks.push({
      target: `≥ ${TARGET.scriptFactor}× fewer read calls than the scripted approach at ${int(largest.users)}`,
      value: `${int(largest.script.readCalls)} / ${int(largest.plan.totals.calls)} = ${(largest.script.readCalls / largest.plan.totals.calls).toFixed(1)}×`,
      met: largest.script.readCalls / largest.plan.totals.calls >= TARGET.scriptFactor,
    });
  checks.push(
    {
      target: `planLinks CPU ≤ ${TARGET.planCpuMs / 1000} s at ${int(largest.users)}`,
      value: secs(largest.plan.planLinksCpuMs),
      met: largest.plan.planLinksCpuMs <= TARGET.planCpuMs,
    },
    {
      target: `planning process peak RSS ≤ ${TARGET.planRssMb} MB at ${int(largest.users)}`,
      value: mb(largest.plan.peakRssMb),
      met: largest.plan.peakRssMb <= TARGET.planRssMb,
    },
  );
  for (const r of reports) {
    const a = r.applyThroughput;
    if (!a) continue;
    checks.push(
      {
        target: `apply write rate ≥ ${TARGET.throughput * 100}% of the emulated limit (${a.emulatedPatchPerSecond}/s)`,
        value: `${a.steadyWriteRate.toFixed(2)}/s = ${(a.throughputOfLimit * 100).toFixed(1)}%`,
        met: a.throughputOfLimit >= TARGET.throughput,
      },
      {
        target: "no 429 storm during apply (429s received)",
        value: String(a.throttled),
        met: a.throttled <= 2,
      },
    );
  }
  return checks;
}

/** JSON as the repository's `prettier --check` wants it (a dev dependency; plain JSON without it). */
async function asPrettierJson(value: unknown): Promise<string> {
  const text = JSON.stringify(value, null, 2) + "\n";
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional dev dependency, loaded only here
    const prettier = require("prettier") as { format(t: string, o: object): Promise<string> };
    return await prettier.format(text, { parser: "json" });
  } catch {
    return text;
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aim-bench-"));
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", {
      cwd: __dirname,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    // not a git checkout
  }
  const meta = {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    options: { ...o, out: path.relative(process.cwd(), o.out) },
    emulatedLimits: { okta: OKTA_LIMITS, databricks: DBX_LIMITS },
  };
  process.stdout.write(
    `okta-databricks-aim benchmark · node ${meta.node} · ${meta.cpus} CPU(s) · load ${meta.loadAverageAtStart.join(" ")} · commit ${commit}\n` +
      `calls = requests the emulators received in the phase; client = requests the HttpClient sent (every attempt)\n`,
  );
  const reports: SizeReport[] = [];
  try {
    for (const size of o.sizes) {
      const r = await sizeScenario(o, size, tmp);
      reports.push(r);
      printSize(r);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const checks = checkTargets(reports);
  const lines = ["", "TARGETS"];
  for (const c of checks) lines.push(`  ${c.met ? "met    " : "NOT MET"}  ${c.target}: ${c.value}`);
  const totalMs = performance.now() - started;
  lines.push("", `whole run: ${secs(totalMs)}`);
  process.stdout.write(lines.join("\n") + "\n");
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(
    o.out,
    await asPrettierJson({ meta: { ...meta, runMs: totalMs }, sizes: reports, targets: checks }),
  );
  process.stdout.write(`figures written to ${path.relative(process.cwd(), o.out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
