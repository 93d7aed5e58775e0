/**
 * A child process that runs applyPlan against a Databricks emulator, so a
 * test can SIGKILL it half-way. Config: a JSON file named by argv[2]
 * ({host, accountId, token, planFile, undoFile, route, concurrency,
 * writeRatePerSecond}). Prints one JSON line per progress event and a final
 * {"result": …} line.
 */
import fs from "node:fs";
import { DatabricksAccountClient } from "../../core/databricks/client";
import type { Plan, WriteRoute } from "../../core/model/plan";
import { applyPlan } from "../../core/reconcile/apply";

interface ChildConfig {
  host: string;
  accountId: string;
  token: string;
  planFile: string;
  undoFile?: string;
  route: WriteRoute;
  concurrency?: number;
  writeRatePerSecond?: number;
}

async function main(): Promise<void> {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as ChildConfig;
  const plan = JSON.parse(fs.readFileSync(cfg.planFile, "utf8")) as Plan;
  const client = new DatabricksAccountClient(
    { host: cfg.host, accountId: cfg.accountId, auth: { kind: "token", token: cfg.token } },
    { writeRatePerSecond: cfg.writeRatePerSecond ?? 2 },
  );
  const result = await applyPlan(
    plan,
    { reader: client, writer: client },
    {
      route: cfg.route,
      concurrency: cfg.concurrency,
      undoFile: cfg.undoFile,
      onProgress: (p) => process.stdout.write(`${JSON.stringify({ progress: p })}\n`),
    },
  );
  process.stdout.write(`${JSON.stringify({ result })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
