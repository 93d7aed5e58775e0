/**
 * `npm run bench`: the engine at 10,000, 100,000 and 1,000,000 users
 * (groups 10% of users) against the emulators, the steady state (a preview
 * through the Okta snapshot cache, a whole `pulumi up` of the reconciliation
 * resource), planLinks' CPU curve, and the approach a platform engineer
 * would script, in one run. Prints a table per size, every target's figure,
 * and writes the figures to bench/results/latest.json. Method and formula:
 * docs/performance.md.
 *
 * Processes: the emulators run in a child (emulatorHost.ts), each scenario
 * in another child (worker.ts), so that CPU and RSS are the tool's own.
 *
 * Options: --sizes 10000,100000,1000000  --curve-sizes 10000,100000,250000,1000000
 * --script-sizes (default: the sizes up to 100000)  --up-size 10000 (the
 * `pulumi up` scenario; 0 = skip)  --up-writes 20 (its maxWritesPerRun)
 * --seed 1  --apply-links 80 (throughput
 * sample at the realistic PATCH limit)  --throughput-size N (default: the
 * smallest size)  --fast-apply-size N (default 10000: apply every link with
 * the PATCH limit raised)  --fast-rate 200  --page-cap 100 (Databricks
 * server page cap)  --script-concurrency 8  --script-max 20000 (above this
 * many identities the scripted approach runs over an evenly spread sample
 * and is scaled up; 0 = always every identity)  --no-script  --plan-limits
 * realistic|off  --ts-node (children under ts-node, as from a checkout;
 * default: compiled JavaScript, as the installed package)  --out FILE.
 */
import { execSync, fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
import { AIMCTL_NODE_FLAGS } from "../cli/relaunch";
import { compileForBench } from "./compile";
import { SCRIPT_BUCKETS } from "./scripted";
import type {
  ApplyWorkerResult,
  CurveWorkerResult,
  PlanWorkerResult,
  ScriptedWorkerResult,
  UpWorkerResult,
  WorkerResult,
} from "./worker";

interface Options {
  sizes: number[];
  curveSizes: number[];
  scriptSizes: number[];
  upSize: number;
  upWrites: number;
  seed: number;
  applyLinks: number;
  throughputSize: number;
  fastApplySize: number;
  fastRate: number;
  pageCap: number;
  scriptConcurrency: number;
  scriptMax: number;
  script: boolean;
  /** Run the children under ts-node instead of compiled. */
  tsNode: boolean;
  planLimits: "realistic" | "off";
  out: string;
}

const TARGET = {
  callRatio: 1.05,
  scriptFactor: 50,
  planCpuMs: 2000,
  /** Peak RSS of the planning process by users (issue 10: keep only what planning uses). */
  planRssMb: { 100_000: 300, 1_000_000: 1500 } as Record<number, number>,
  throughput: 0.9,
  /** Full reads of the tenants per `pulumi up`. */
  fullReadsPerUp: 2,
  /** Okta calls of a preview of an unchanged org, at 100,000 users. */
  previewOktaCalls: 5,
  /** CPU per identity at the largest curve size over that at 100,000: linear within this. */
  curveLinearity: 1.5,
};

/**
 * The bench's tenants: the generator's pathology rates, except fewer Okta-only
 * users, so that "N users" means at least N on both sides (1,000,000 Okta and
 * 1,003,000 Databricks users at the largest size).
 */
const TENANT_RATES = { oktaOnly: 0.03 };

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
  const list = (name: string, dflt: string): number[] =>
    (get(name) ?? dflt)
      .split(",")
      .filter((x) => x.trim() !== "")
      .map((x) => {
        const n = Number(x.trim());
        if (!Number.isInteger(n) || n < 1)
          throw new Error(`--${name}: "${x}" is not a positive integer`);
        return n;
      });
  const sizes = list("sizes", "10000,100000,1000000");
  const smallest = Math.min(...sizes);
  const planLimits = get("plan-limits") ?? "realistic";
  if (planLimits !== "realistic" && planLimits !== "off")
    throw new Error(`--plan-limits must be realistic or off (got ${planLimits})`);
  return {
    sizes,
    curveSizes: list("curve-sizes", "10000,100000,250000,1000000"),
    scriptSizes: list("script-sizes", sizes.filter((n) => n <= 100_000).join(",")),
    upSize: int("up-size", 10_000),
    upWrites: int("up-writes", 20),
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
    tsNode: argv.includes("--ts-node"),
    planLimits,
    out: get("out") ?? path.join(__dirname, "results", "latest.json"),
  };
}

// ------------------------------------------------------------------ processes

/**
 * How the children run: compiled JavaScript (the default, as the installed
 * package runs) or under ts-node (`--ts-node`, as from a checkout). Set once
 * in main, before the first child.
 */
const children = {
  dir: __dirname,
  ext: ".ts",
  execArgv: [] as string[],
  /** The compiled output, removed at the end of the run. */
  compiled: undefined as string | undefined,
  /** BENCH_CHILD_ARGS. */
  extra: [] as string[],
};

function useChildren(tsNode: boolean): void {
  const extra = (process.env.BENCH_CHILD_ARGS ?? "").split(" ").filter(Boolean);
  children.extra = extra;
  if (tsNode) {
    children.execArgv = TS_NODE.concat(extra);
    return;
  }
  const t0 = performance.now();
  const out = compileForBench(CHILD_ENTRIES);
  children.compiled = out;
  children.dir = path.join(out, "bench");
  children.ext = ".js";
  children.execArgv = extra;
  log(
    `children compiled to ${path.relative(process.cwd(), out)} in ${secs(performance.now() - t0)}`,
  );
}

const TS_NODE = ["-r", "ts-node/register/transpile-only"];
/** The children's entry points. */
const CHILD_ENTRIES = ["bench/worker.ts", "bench/emulatorHost.ts"];

/**
 * The `pulumi up` scenario's worker always runs from the sources under
 * ts-node: compiled, the dynamic provider loads core as the installed
 * package (`okta-databricks-aim/provider-api`, i.e. dist/), which a checkout
 * has not built. It counts calls, not memory.
 */
function workerFor(kind: Scenario["kind"]): { script: string; execArgv: string[] } {
  if (kind === "up")
    return { script: path.join(__dirname, "worker.ts"), execArgv: TS_NODE.concat(children.extra) };
  return {
    script: childScript("worker"),
    execArgv: kind === "curve" ? largeHeapOpts().execArgv : childOpts().execArgv,
  };
}

const childScript = (name: string) => path.join(children.dir, name + children.ext);
/** The plan worker keeps Node's default heap and runs with aimctl's Node flags, as aimctl does. */
const childOpts = () => ({ execArgv: [...AIMCTL_NODE_FLAGS, ...children.execArgv] });
/**
 * The emulators hold a million users of each side in full API shapes, and so
 * does the curve's worker while it generates its tenants: more than Node's
 * default heap.
 */
const largeHeapOpts = () => ({ execArgv: [...children.execArgv, "--max-old-space-size=12288"] });

class Host {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Extract<HostReply, { type: "counts" }>) => void>();
  private readyWaiter?: {
    resolve: (r: Extract<HostReply, { type: "ready" }>) => void;
    reject: (e: Error) => void;
  };

  constructor() {
    this.child = fork(childScript("emulatorHost"), [], largeHeapOpts());
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
  host: Host | undefined,
  connection: Connection | undefined,
  scenario: Scenario,
): Promise<{ result: T; marks: Marks }> {
  const marks: Marks = {};
  const w = workerFor(scenario.kind);
  const child = fork(w.script, [], { execArgv: w.execArgv });
  return new Promise((resolve, reject) => {
    child.on("message", (raw) => {
      const msg = raw as WorkerMessage;
      if (msg.type === "mark") {
        if (!host) throw new Error(`${scenario.kind} worker marked without emulators`);
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
    child.send({ type: "run", connection, scenario } as OrchestratorToWorker);
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
  /** The same read again through the Okta snapshot cache the plan wrote (a preview of an unchanged org). */
  preview: {
    rows: CountedRow[];
    totals: ReturnType<typeof totals>;
    oktaCalls: number;
    wallMs: number;
    cpuMs: number;
    peakRssMb: number;
    sameActions: boolean;
    oktaRead: PlanWorkerResult["oktaRead"];
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
    rates: TENANT_RATES,
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
      applyRows(result.linksByKind, "scim"),
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
    rates: TENANT_RATES,
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
    rates: TENANT_RATES,
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
      cacheFile: path.join(tmp, `okta-cache-${size}.jsonl`),
    });
    const rows = countRows(
      planRows(ready.tenant, o.pageCap),
      phaseCounts(marks, "plan:start", "plan:end"),
      clientMap(result.client.okta, result.client.databricks),
    );
    const previewRows = countRows(
      planRows(ready.tenant, o.pageCap),
      phaseCounts(marks, "preview:start", "preview:end"),
      clientMap(result.preview.client.okta, result.preview.client.databricks),
    );
    const pv = result.preview;
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
      preview: {
        rows: previewRows,
        totals: totals(previewRows),
        oktaCalls: previewRows
          .filter((r) => r.endpoint.startsWith("okta"))
          .reduce((n, r) => n + r.calls, 0),
        wallMs: pv.figures.wallMs,
        cpuMs: pv.figures.cpuMs,
        peakRssMb: pv.figures.peakRssMb,
        sameActions: pv.sameActions,
        oktaRead: pv.oktaRead,
      },
    };
  });
  const links = planPart.plan.linksByKind;
  const projectedRows = applyRows(links, "scim");
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
  if (o.script && o.scriptSizes.includes(size)) report.script = await scriptScenario(o, size);
  return report;
}

interface CurveReport {
  points: Array<CurveWorkerResult["points"][number] & { usPerIdentity: number }>;
  /** CPU per identity at the largest size over that at 100,000 (or the smallest above it). */
  linearity: number;
  reference: number;
  largest: number;
}

async function curveScenario(o: Options): Promise<CurveReport> {
  log(`planLinks curve at ${o.curveSizes.map(int).join(", ")} users (generated in the worker)…`);
  const { result } = await runWorker<CurveWorkerResult>(undefined, undefined, {
    kind: "curve",
    sizes: o.curveSizes,
    seed: o.seed,
    rates: TENANT_RATES,
  });
  const points = result.points.map((p) => ({
    ...p,
    usPerIdentity: (p.cpuMs * 1000) / p.databricksIdentities,
  }));
  const largest = points.reduce((a, b) => (b.users > a.users ? b : a));
  const reference =
    points.filter((p) => p.users >= 100_000).sort((a, b) => a.users - b.users)[0] ?? points[0];
  return {
    points,
    linearity: largest.usPerIdentity / reference.usPerIdentity,
    reference: reference.users,
    largest: largest.users,
  };
}

interface UpReport {
  users: number;
  maxWritesPerRun: number;
  phases: Array<{
    label: string;
    calls: string[];
    okta: Record<string, number>;
    databricks: Record<string, number>;
    /** Full reads of each side in the phase: list pages over the pages one full read takes. */
    databricksFullReads: number;
    oktaUserPages: number;
    oktaFullReads: number;
  }>;
  fullReads: { okta: number; databricks: number };
  status: string;
  written: number;
  pendingAfter: number;
  /** The provider's last log line (what the engine shows at the end of the update). */
  lastLogLine: string;
}

async function upScenario(o: Options, tmp: string): Promise<UpReport> {
  const size = o.upSize;
  const config: HostConfig = {
    users: size,
    seed: o.seed,
    rates: TENANT_RATES,
    okta: "realistic",
    databricks: "realistic",
    pageCap: o.pageCap,
  };
  return withHost(config, async (host, ready) => {
    log(
      `${size}: one pulumi up of the reconciliation resource, bounded to ${o.upWrites} write(s)…`,
    );
    const journalDir = fs.mkdtempSync(path.join(tmp, "up-"));
    const { result, marks } = await runWorker<UpWorkerResult>(host, ready.connection, {
      kind: "up",
      journalDir,
      maxWritesPerRun: o.upWrites,
    });
    const t = ready.tenant;
    // Service principals are listed by every full read and written by none: their pages count reads.
    const spPages = Math.max(
      1,
      Math.ceil(t.databricksServicePrincipals / Math.min(o.pageCap, 100)),
    );
    const oktaPages = Math.max(1, Math.ceil((t.oktaUsersListed + t.oktaDeprovisioned) / 200));
    const phases = result.phases.map((ph) => {
      const c = phaseCounts(marks, `up:${ph.label}:start`, `up:${ph.label}:end`);
      const sp = c.databricks["GET /api/2.0/accounts/:accountId/scim/v2/ServicePrincipals"] ?? 0;
      const users = c.okta["GET /api/v1/users"] ?? 0;
      return {
        label: ph.label,
        calls: ph.calls,
        okta: c.okta,
        databricks: c.databricks,
        databricksFullReads: sp / spPages,
        oktaUserPages: users,
        oktaFullReads: users >= oktaPages ? Math.round(users / oktaPages) : 0,
      };
    });
    return {
      users: size,
      maxWritesPerRun: o.upWrites,
      phases,
      fullReads: {
        databricks: phases.reduce((n, p) => n + p.databricksFullReads, 0),
        okta: phases.reduce((n, p) => n + p.oktaFullReads, 0),
      },
      status: result.status,
      written: result.written,
      pendingAfter: result.pendingAfter,
      lastLogLine: result.logged.at(-1) ?? "",
    };
  });
}

function printCurve(c: CurveReport): void {
  const out = [
    "",
    "PLANLINKS CPU CURVE (generated tenants in the readers' shapes; the lower of two runs)",
    "  users       Databricks identities   links      CPU      µs per identity",
  ];
  for (const p of c.points)
    out.push(
      `  ${int(p.users).padStart(9)}   ${int(p.databricksIdentities).padStart(21)}   ${int(p.actions).padStart(7)}   ${secs(p.cpuMs).padStart(7)}   ${p.usPerIdentity.toFixed(2).padStart(15)}`,
    );
  out.push(
    `  per-identity CPU at ${int(c.largest)} / at ${int(c.reference)}: ${c.linearity.toFixed(2)}× (1.00 is exactly linear)`,
  );
  process.stdout.write(out.join("\n") + "\n");
}

function printUp(u: UpReport): void {
  const out = [
    "",
    `ONE PULUMI UP of IdentityReconciliation at ${int(u.users)} users (preview host: check, diff; update host: check, diff, update; maxWritesPerRun ${u.maxWritesPerRun})`,
  ];
  for (const p of u.phases) {
    const total = (r: Record<string, number>) => Object.values(r).reduce((n, v) => n + v, 0);
    out.push(
      `  ${p.label.padEnd(8)} ${p.calls.join(" → ")}: Okta ${int(total(p.okta))} call(s) (users ${int(p.oktaUserPages)}: ${p.oktaFullReads} full read(s)), Databricks ${int(total(p.databricks))} call(s) (${p.databricksFullReads} full read(s))`,
    );
  }
  out.push(
    `  full reads per up (Okta snapshot cache off): Databricks ${u.fullReads.databricks}, Okta ${u.fullReads.okta} · update ${u.status}: ${int(u.written)} written, ${int(u.pendingAfter)} still pending for the next up`,
    `  the update's last log line: ${u.lastLogLine.replace(/^info: \[runtime\] /, "")}`,
  );
  process.stdout.write(out.join("\n") + "\n");
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
    `  Okta: ${r.plan.raw.oktaRead.mode} read (${r.plan.raw.oktaRead.reason}); the snapshot cache written for the preview below`,
    "",
    `PREVIEW OF THE UNCHANGED TENANT (new clients, the Okta snapshot cache the plan wrote; minimum: of a full read): Okta ${r.preview.oktaRead.mode} (${r.preview.oktaRead.reason}, ${int(r.preview.oktaRead.usersFetched)} user(s) fetched); Databricks read in full (no change filter)`,
    table(r.preview.rows),
    `  Okta calls ${int(r.preview.oktaCalls)} · wall ${secs(r.preview.wallMs)} · CPU ${secs(r.preview.cpuMs)} · peak RSS ${mb(r.preview.peakRssMb)} · same actions as the plan: ${r.preview.sameActions ? "yes" : "NO"}`,
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

function checkTargets(
  reports: SizeReport[],
  curve: CurveReport | undefined,
  up: UpReport | undefined,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  // 1. Honest minimum.
  for (const r of reports) {
    checks.push({
      target: `[1] plan calls ≤ ${TARGET.callRatio} × the physical minimum at ${int(r.users)} (documented page maxima)`,
      value: `${int(r.plan.totals.calls)} / ${int(r.plan.totals.minimum)} = ${ratio(r.plan.totals.ratio)}`,
      met: r.plan.totals.ratio <= TARGET.callRatio,
    });
    checks.push({
      target: `[1] no 429 in the plan at realistic limits at ${int(r.users)} (429s received)`,
      value: String(r.plan.totals.throttled),
      met: r.plan.rateLimits === "realistic" && r.plan.totals.throttled === 0,
    });
  }
  // 2. Two full reads per up.
  if (up)
    checks.push({
      target: `[2] full reads per pulumi up ≤ ${TARGET.fullReadsPerUp} at ${int(up.users)} (each side)`,
      value: `Databricks ${up.fullReads.databricks}, Okta ${up.fullReads.okta}`,
      met:
        up.fullReads.databricks <= TARGET.fullReadsPerUp &&
        up.fullReads.okta <= TARGET.fullReadsPerUp,
    });
  // 3. Incremental Okta reads.
  for (const r of reports) {
    if (r.users !== 100_000) continue;
    checks.push({
      target: `[3] a preview of the unchanged ${int(r.users)}-user org costs ≤ ${TARGET.previewOktaCalls} Okta calls`,
      value: `${int(r.preview.oktaCalls)} (${r.preview.oktaRead.mode})`,
      met: r.preview.oktaCalls <= TARGET.previewOktaCalls,
    });
  }
  for (const r of reports)
    checks.push({
      target: `[3] the incremental preview plans the same actions as the full read at ${int(r.users)}`,
      value: r.preview.sameActions ? "same" : "different",
      met: r.preview.sameActions && r.preview.oktaRead.mode === "incremental",
    });
  // 4. A million identities.
  for (const r of reports) {
    const limit = TARGET.planRssMb[r.users];
    if (limit === undefined) continue;
    checks.push({
      target: `[4] planning process peak RSS ≤ ${int(limit)} MB at ${int(r.users)}`,
      value: mb(r.plan.peakRssMb),
      met: r.plan.peakRssMb <= limit,
    });
  }
  if (curve)
    checks.push({
      target: `[4] planLinks CPU grows linearly: CPU per identity at ${int(curve.largest)} ≤ ${TARGET.curveLinearity}× that at ${int(curve.reference)}`,
      value: curve.points
        .map((p) => `${int(p.users)}: ${secs(p.cpuMs)} (${p.usPerIdentity.toFixed(2)} µs)`)
        .join(", "),
      met: curve.linearity <= TARGET.curveLinearity,
    });
  // 5. A bound per run.
  if (up)
    checks.push({
      target: `[5] a bounded pulumi up (maxWritesPerRun ${up.maxWritesPerRun}) ends cleanly with the rest pending`,
      value: `${up.status}: ${int(up.written)} written, ${int(up.pendingAfter)} pending`,
      met: up.status === "bounded" && up.written === up.maxWritesPerRun && up.pendingAfter > 0,
    });
  // Earlier targets, still measured.
  const hundred = reports.find((r) => r.users === 100_000);
  if (hundred) {
    checks.push({
      target: `planLinks CPU ≤ ${TARGET.planCpuMs / 1000} s at ${int(hundred.users)}`,
      value: secs(hundred.plan.planLinksCpuMs),
      met: hundred.plan.planLinksCpuMs <= TARGET.planCpuMs,
    });
    if (hundred.script)
      checks.push({
        target: `≥ ${TARGET.scriptFactor}× fewer read calls than the scripted approach at ${int(hundred.users)}`,
        value: `${int(hundred.script.readCalls)} / ${int(hundred.plan.totals.calls)} = ${(hundred.script.readCalls / hundred.plan.totals.calls).toFixed(1)}×`,
        met: hundred.script.readCalls / hundred.plan.totals.calls >= TARGET.scriptFactor,
      });
  }
  for (const r of reports) {
    for (const a of [r.applyThroughput, r.applyFast]) {
      if (!a) continue;
      checks.push({
        target: `apply calls ≤ ${TARGET.callRatio} × minimum (${a.label})`,
        value: `${int(a.totals.calls)} / ${int(a.totals.minimum)} = ${ratio(a.totals.ratio)}`,
        met: a.totals.ratio <= TARGET.callRatio,
      });
    }
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
  useChildren(o.tsNode);
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
    children: o.tsNode ? "ts-node" : "compiled JavaScript",
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    options: { ...o, out: path.relative(process.cwd(), o.out) },
    emulatedLimits: { okta: OKTA_LIMITS, databricks: DBX_LIMITS },
  };
  process.stdout.write(
    `okta-databricks-aim benchmark · node ${meta.node} · children ${meta.children} · ${meta.cpus} CPU(s) · load ${meta.loadAverageAtStart.join(" ")} · commit ${commit}\n` +
      `calls = requests the emulators received in the phase; client = requests the HttpClient sent (every attempt)\n`,
  );
  const reports: SizeReport[] = [];
  let curve: CurveReport | undefined;
  let up: UpReport | undefined;
  try {
    for (const size of o.sizes) {
      const r = await sizeScenario(o, size, tmp);
      reports.push(r);
      printSize(r);
    }
    if (o.upSize > 0) {
      up = await upScenario(o, tmp);
      printUp(up);
    }
    if (o.curveSizes.length > 0) {
      curve = await curveScenario(o);
      printCurve(curve);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (children.compiled) fs.rmSync(children.compiled, { recursive: true, force: true });
  }
  const checks = checkTargets(reports, curve, up);
  const lines = ["", "TARGETS"];
  for (const c of checks) lines.push(`  ${c.met ? "met    " : "NOT MET"}  ${c.target}: ${c.value}`);
  const totalMs = performance.now() - started;
  lines.push("", `whole run: ${secs(totalMs)}`);
  process.stdout.write(lines.join("\n") + "\n");
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  fs.writeFileSync(
    o.out,
    await asPrettierJson({
      meta: { ...meta, runMs: totalMs },
      sizes: reports,
      up,
      curve,
      targets: checks,
    }),
  );
  process.stdout.write(`figures written to ${path.relative(process.cwd(), o.out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
