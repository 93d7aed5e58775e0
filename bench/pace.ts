/**
 * Extra requests per write when `--write-rate` is above the service's PATCH
 * limit: the Databricks emulator at its realistic limit (2 PATCH/s, fixed
 * one-second windows, Retry-After), the real client and core's applyPlan,
 * at 2x, 4x and 10x the limit. Counts come from the emulator's request
 * counter (the server's view).
 *
 *   node -r ts-node/register/transpile-only bench/pace.ts [--writes 60] [--multipliers 2,4,10]
 *
 * Bounded: each run writes `--writes` links and stops.
 */
import { DatabricksAccountClient } from "../core/databricks/client";
import type { PlanAction } from "../core/model/plan";
import { applyPlan } from "../core/reconcile/apply";
import { REALISTIC_RATE_LIMITS, startDatabricksEmulator } from "../emulators/databricks";

const PATCH_ROUTE = "PATCH /api/2.0/accounts/:accountId/scim/v2/Users/:id";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

export interface PaceRow {
  multiplier: number;
  writeRate: number;
  limit: number;
  writes: number;
  applied: number;
  failed: number;
  patches: number;
  throttled: number;
  extraPerWrite: number;
  settledAt: number;
  throttledAt?: number;
  seconds: number;
}

export async function measurePace(multiplier: number, writes: number): Promise<PaceRow> {
  const limit = REALISTIC_RATE_LIMITS.patch;
  const users = Array.from({ length: writes }, (_, i) => ({
    id: String(100000 + i),
    userName: `user${i}@example.com`,
    active: true,
    externalId: null,
  }));
  const emu = await startDatabricksEmulator({
    fixture: { accountId: "acc-pace-bench", users, groups: [], servicePrincipals: [] },
    rateLimits: "realistic",
  });
  try {
    const client = new DatabricksAccountClient(
      { host: emu.url, accountId: emu.accountId, auth: { kind: "token", token: emu.token } },
      { writeRatePerSecond: limit * multiplier },
    );
    const actions: PlanAction[] = users.map((u, i) => ({
      kind: "user",
      databricksId: u.id,
      databricksName: u.userName,
      oktaId: `00u${String(i).padStart(17, "0")}`,
      matchedBy: "login",
      previousExternalId: null,
    }));
    const started = performance.now();
    const r = await applyPlan({ actions }, { reader: client, writer: client }, { route: "scim" });
    const seconds = (performance.now() - started) / 1000;
    const patches = emu.counter.get(PATCH_ROUTE) ?? 0;
    return {
      multiplier,
      writeRate: limit * multiplier,
      limit,
      writes,
      applied: r.applied,
      failed: r.failed.length,
      patches,
      throttled: r.throttledWrites,
      extraPerWrite: (patches - r.applied) / Math.max(1, r.applied),
      settledAt: r.pace?.ratePerSecond ?? 0,
      ...(r.pace?.throttledAtPerSecond !== undefined
        ? { throttledAt: r.pace.throttledAtPerSecond }
        : {}),
      seconds,
    };
  } finally {
    await emu.close();
  }
}

async function main(): Promise<void> {
  const writes = Number(arg("writes", "60"));
  const multipliers = arg("multipliers", "2,4,10").split(",").map(Number);
  const rows: PaceRow[] = [];
  for (const m of multipliers) {
    process.stderr.write(`pace: ${m}x the PATCH limit, ${writes} writes…\n`);
    rows.push(await measurePace(m, writes));
  }
  console.log(
    "| --write-rate | limit | writes | failed | PATCH requests | 429s | extra per write | settled at | first 429 at | wall |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    console.log(
      `| ${r.writeRate}/s (${r.multiplier}x) | ${r.limit}/s | ${r.applied} | ${r.failed} | ${r.patches} | ${r.throttled} | ${r.extraPerWrite.toFixed(3)} | ${r.settledAt.toFixed(2)}/s | ${r.throttledAt?.toFixed(1) ?? "-"}/s | ${r.seconds.toFixed(1)} s |`,
    );
  console.log(JSON.stringify(rows));
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
