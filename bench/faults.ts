/**
 * The fault scenarios of issue 12, rerun end to end through aimctl against
 * the emulators (loopback, realistic Databricks limits): 5% injected 429,
 * 5xx and dropped responses; a SIGKILL mid-apply; two concurrent applies;
 * identities changed by someone else while apply runs. Each scenario runs
 * apply until nothing is pending (at most 4 runs), then counts, per planned
 * identity, from the emulator's store and its per-identity write counts:
 *
 * - lost: a planned link not there at the end, or a change made meanwhile
 *   overwritten (its value gone);
 * - doubled: an identity whose externalId was accepted more than once;
 * - wrong: a value written that the plan did not hold (or to an identity it
 *   did not plan).
 *
 * Bounded: a 20-user tenant per scenario, every run with a time limit.
 * Usage: npx ts-node bench/faults.ts
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../cli/aimctl";
import { startEmulatedTenant, type EmulatedTenant } from "../cli/emulated";
import type { CliIo } from "../cli/io";
import type { PlanAction } from "../core/model/plan";
import { smallTenant } from "../test/helpers/applyHarness";

const ROOT = resolve(__dirname, "..");
const USERS = 20;

interface Figures {
  scenario: string;
  planned: number;
  runs: number;
  lost: number;
  doubled: number;
  wrong: number;
  note: string;
}

async function aimctl(
  t: EmulatedTenant,
  argv: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
    env: { ...t.env, ...extraEnv },
    cwd,
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const dir = () => mkdtempSync(join(tmpdir(), "aim-faults-"));

async function plannedActions(t: EmulatedTenant): Promise<PlanAction[]> {
  const r = await aimctl(t, ["plan", "--json", "--no-okta-cache"], dir());
  return (JSON.parse(r.stdout) as { actions: PlanAction[] }).actions;
}

function externalIdOf(t: EmulatedTenant, a: PlanAction): string | null {
  const s = t.databricks.store;
  const x = a.kind === "group" ? s.groups.get(a.databricksId) : s.users.get(a.databricksId);
  return x?.externalId ?? null;
}

/** Apply until nothing is pending (exit 0) or 4 runs. */
async function converge(t: EmulatedTenant, cwd: string, first = 0): Promise<number> {
  let runs = first;
  while (runs < 4) {
    runs++;
    const r = await aimctl(t, ["apply", "--yes", "--no-okta-cache"], cwd);
    if (r.code === 0 && /Nothing to apply/.test(r.stdout)) break;
  }
  return runs;
}

function count(
  t: EmulatedTenant,
  actions: PlanAction[],
  changed: Map<string, string> = new Map(),
): Pick<Figures, "lost" | "doubled" | "wrong"> {
  const planned = new Set(actions.map((a) => a.databricksId));
  let lost = 0;
  let doubled = 0;
  let wrong = 0;
  for (const a of actions) {
    const now = externalIdOf(t, a);
    const theirs = changed.get(a.databricksId);
    if (theirs !== undefined) {
      if (now !== theirs) lost++;
    } else if (now !== a.oktaId) {
      if (now === null) lost++;
      else wrong++;
    }
    if ((t.databricks.store.writeCounts.get(a.databricksId) ?? 0) > 1) doubled++;
  }
  for (const id of t.databricks.store.writeCounts.keys()) if (!planned.has(id)) wrong++;
  return { lost, doubled, wrong };
}

async function tenant(): Promise<EmulatedTenant> {
  return startEmulatedTenant(smallTenant(USERS), {
    oktaRateLimits: "off",
    databricksRateLimits: "realistic",
  });
}

async function injectedFaults(): Promise<Figures> {
  const t = await tenant();
  try {
    const actions = await plannedActions(t);
    t.databricks.faults.configure({
      rate429: 0.05,
      rate500: 0.025,
      rate503: 0.025,
      rateDrop: 0.05,
      seed: 12,
    });
    const runs = await converge(t, dir());
    const inj = t.databricks.faults.injected;
    t.databricks.faults.clear();
    return {
      scenario: "5% 429 + 5% 5xx + 5% dropped",
      planned: actions.length,
      runs,
      ...count(t, actions),
      note: `injected 429 ${inj["429"]}, 500 ${inj["500"]}, 503 ${inj["503"]}, dropped ${inj.drop}`,
    };
  } finally {
    await t.close();
  }
}

async function sigkill(): Promise<Figures> {
  const t = await tenant();
  try {
    const actions = await plannedActions(t);
    const cwd = dir();
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin", "aimctl.js"), "apply", "--yes", "--no-okta-cache"],
      { cwd, env: { ...process.env, ...t.env }, stdio: "ignore" },
    );
    const total = () => [...t.databricks.store.writeCounts.values()].reduce((a, b) => a + b, 0);
    const deadline = Date.now() + 60_000;
    while (total() < Math.floor(actions.length / 2) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const writtenBeforeKill = total();
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    // The killed run's lock goes stale; --break-lock is what an operator would run.
    await aimctl(t, ["apply", "--yes", "--no-okta-cache", "--break-lock"], cwd);
    const runs = await converge(t, cwd, 2);
    return {
      scenario: "SIGKILL mid-apply",
      planned: actions.length,
      runs,
      ...count(t, actions),
      note: `killed after ${writtenBeforeKill} accepted writes; next run with --break-lock`,
    };
  } finally {
    await t.close();
  }
}

async function concurrent(): Promise<Figures> {
  const t = await tenant();
  try {
    const actions = await plannedActions(t);
    const lockDir = dir();
    const env = { AIMCTL_LOCK_DIR: lockDir };
    const both = await Promise.all([
      aimctl(t, ["apply", "--yes", "--no-okta-cache"], dir(), env),
      aimctl(t, ["apply", "--yes", "--no-okta-cache"], dir(), env),
    ]);
    const refused = both.filter((r) => /ERR_ACCOUNT_LOCKED|locked/i.test(r.stderr)).length;
    const runs = await converge(t, dir(), 2);
    return {
      scenario: "two concurrent applies",
      planned: actions.length,
      runs,
      ...count(t, actions),
      note: `${refused} of 2 refused by the account lock; exits ${both.map((r) => r.code).join(", ")}`,
    };
  } finally {
    await t.close();
  }
}

async function changedDuringApply(): Promise<Figures> {
  const t = await tenant();
  try {
    const actions = await plannedActions(t);
    // Someone else links the last two planned users by hand while apply runs.
    const targets = actions.filter((a) => a.kind === "user").slice(-2);
    const changed = new Map(targets.map((a, i) => [a.databricksId, `changed-by-hand-${i}`]));
    const run = aimctl(t, ["apply", "--yes", "--no-okta-cache"], dir());
    while ((t.databricks.store.writeCounts.size ?? 0) < 2)
      await new Promise((r) => setTimeout(r, 20));
    for (const a of targets) {
      const u = t.databricks.store.users.get(a.databricksId);
      if (u)
        t.databricks.store.users.set(a.databricksId, {
          ...u,
          externalId: changed.get(a.databricksId),
        });
    }
    const r = await run;
    const skipped = /skipped/i.test(r.stdout) ? (r.stdout.match(/(\d+) skipped/)?.[1] ?? "?") : "0";
    return {
      scenario: "2 identities changed during apply",
      planned: actions.length,
      runs: 1,
      ...count(t, actions, changed),
      note: `changed after 2 writes; apply exit ${r.code}, skipped ${skipped}`,
    };
  } finally {
    await t.close();
  }
}

async function run(): Promise<void> {
  const results: Figures[] = [];
  for (const s of [injectedFaults, sigkill, concurrent, changedDuringApply]) {
    const f = await s();
    results.push(f);
    console.log(JSON.stringify(f));
  }
  console.log(
    "\n| scenario | planned | runs | lost | doubled | wrong | note |\n|---|---|---|---|---|---|---|",
  );
  for (const f of results)
    console.log(
      `| ${f.scenario} | ${f.planned} | ${f.runs} | ${f.lost} | ${f.doubled} | ${f.wrong} | ${f.note} |`,
    );
}

void run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
