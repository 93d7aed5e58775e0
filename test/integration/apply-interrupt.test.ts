/**
 * Interrupted applies: (a) a child process running apply is SIGKILLed
 * half-way; (b) the emulator fails mid-run beyond the client's retry budget.
 * In both cases the next run completes with no lost and no doubled write
 * (counted per identity in the emulator's store), and undo restores the
 * values from before the first run.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { applyPlan } from "../../core/reconcile/apply";
import { undo } from "../../core/reconcile/undo";
import { readJournal } from "../../core/reconcile/journal";
import type { PlanAction } from "../../core/model/plan";
import {
  clientFor,
  countExternalIdWrites,
  externalIdIn,
  linkActions,
  smallTenant,
} from "../helpers/applyHarness";

const ROOT = path.resolve(__dirname, "../..");
let emu: DatabricksEmulator | undefined;
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-interrupt-"));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

function expectEachWrittenOnce(writes: Map<string, number>, actions: PlanAction[]): void {
  const wrong = actions
    .map((a) => `${a.kind}:${a.databricksId}`)
    .filter((k) => writes.get(k) !== 1);
  expect(wrong).toEqual([]);
  expect(writes.size).toBe(actions.length);
}

describe("apply interrupted", () => {
  it("SIGKILLed half-way: the next run completes with each identity written exactly once; undo restores", async () => {
    const fixture = smallTenant(10);
    // Realistic limits: PATCH 2/s, so the child is killed with writes still to do.
    emu = await startDatabricksEmulator({ fixture: fixture.databricks, rateLimits: "realistic" });
    const original = new Map(
      [...emu.store.users.values(), ...emu.store.groups.values()].map((x) => [
        x.id,
        x.externalId ?? null,
      ]),
    );
    const writes = countExternalIdWrites(emu);
    const actions = linkActions(fixture);
    expect(actions).toHaveLength(12);
    const planFile = path.join(dir, "plan.json");
    const undoFile = path.join(dir, "undo.jsonl");
    const cfgFile = path.join(dir, "child.json");
    fs.writeFileSync(planFile, JSON.stringify({ actions }));
    fs.writeFileSync(
      cfgFile,
      JSON.stringify({
        host: emu.url,
        accountId: emu.accountId,
        token: emu.token,
        planFile,
        undoFile,
        route: "scim",
        concurrency: 2,
        writeRatePerSecond: 2,
      }),
    );

    const child = spawn(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "test/helpers/applyChild.ts", cfgFile],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 60_000;
    while (sum(writes) < 4) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`child did not write: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");
    const writtenByFirst = sum(writes);
    expect(writtenByFirst).toBeGreaterThanOrEqual(4);
    expect(writtenByFirst).toBeLessThan(12);
    expect(stdout).toContain('"progress"');
    expect(stdout).not.toContain('"result"');

    // The journal holds an intent for every write that landed, and no end record.
    const j1 = readJournal(undoFile);
    const intents = j1.records.filter((r) => r.type === "intent");
    expect(intents.length).toBeGreaterThanOrEqual(writtenByFirst);
    expect(intents.length).toBeLessThanOrEqual(writtenByFirst + 2); // at most `concurrency` in flight
    expect(j1.records.some((r) => r.type === "end")).toBe(false);
    for (const k of writes.keys()) {
      const [kind, id] = k.split(":");
      expect(
        intents.some((r) => r.type === "intent" && r.kind === kind && r.databricksId === id),
      ).toBe(true);
    }

    // Resume from live state.
    const client = clientFor(emu, { writeRatePerSecond: 2 });
    const r2 = await applyPlan(
      { actions },
      { reader: client, writer: client },
      { route: "scim", concurrency: 2, undoFile },
    );
    expect(r2.alreadyDone).toBe(writtenByFirst);
    expect(r2.applied).toBe(12 - writtenByFirst);
    expect(r2.failed).toEqual([]);
    expectEachWrittenOnce(writes, actions);
    for (const a of actions) expect(externalIdIn(emu, a.kind, a.databricksId)).toBe(a.oktaId);

    // Undo both runs: back to the values before the first.
    const u = await undo(undoFile, { reader: client, writer: client });
    expect(u).toMatchObject({
      restored: 12,
      alreadyRestored: 0,
      skippedChanged: 0,
      failed: [],
      entries: 12,
    });
    for (const [id, v] of original) {
      const now =
        emu.store.users.get(id)?.externalId ?? emu.store.groups.get(id)?.externalId ?? null;
      expect(now || null).toBe(v || null);
    }
    const again = await undo(undoFile, { reader: client, writer: client });
    expect(again).toMatchObject({ restored: 0, alreadyRestored: 12, writes: 0 });
  });

  it("the emulator failing mid-run (503s, then dropped connections): each next run resumes, nothing doubled", async () => {
    const fixture = smallTenant(10);
    emu = await startDatabricksEmulator({ fixture: fixture.databricks, rateLimits: "off" });
    const writes = countExternalIdWrites(emu);
    const actions = linkActions(fixture); // 2 groups, then 10 users
    const client = clientFor(emu, {
      writeRatePerSecond: 1000,
      http: { maxRetries: 2, baseDelayMs: 5 },
    });
    const deps = { reader: client, writer: client };
    const undoFile = path.join(dir, "undo.jsonl");
    const userPatch = /^\/api\/2\.0\/identity\/accounts\/[^/]+\/users\//;

    // Run 1: user PATCHes answer 503 after the 4th, for good.
    emu.faults.configure({
      script: [{ method: "PATCH", path: userPatch, fault: "503", after: 4, times: Infinity }],
    });
    const r1 = await applyPlan({ actions }, deps, {
      route: "iamv2",
      concurrency: 1,
      maxConsecutiveFailures: 3,
      undoFile,
      sleep: async () => {},
    });
    expect(r1.applied).toBe(6);
    expect(r1.failed).toHaveLength(3);
    expect(r1.failed[0].error.code).toBe("ERR_DATABRICKS_SERVER");
    expect(r1.failed[0].error.message).toMatch(
      /PATCH .*\/users\/\d+\?update_mask=external_id returned 503 \(TEMPORARILY_UNAVAILABLE/,
    );
    expect(r1.aborted).toEqual({
      reason: "consecutiveFailures",
      message: "stopped after 3 consecutive failures (last: ERR_DATABRICKS_SERVER)",
    });
    expect(r1.notAttempted).toBe(3);
    // 3 writes x 5 attempts, each after a fresh re-check (the write itself is sent once).
    expect(emu.faults.injected["503"]).toBe(15);
    expect(sum(writes)).toBe(6);

    // Run 2: connections dropped after 2 more user PATCHes.
    emu.faults.configure({
      script: [{ method: "PATCH", path: userPatch, fault: "drop", after: 2, times: Infinity }],
    });
    const r2 = await applyPlan({ actions }, deps, {
      route: "iamv2",
      concurrency: 1,
      maxConsecutiveFailures: 2,
      undoFile,
      sleep: async () => {},
    });
    expect(r2.alreadyDone).toBe(6);
    expect(r2.applied).toBe(2);
    expect(r2.failed.map((f) => f.error.code)).toEqual([
      "ERR_DATABRICKS_NETWORK",
      "ERR_DATABRICKS_NETWORK",
    ]);
    expect(r2.aborted?.reason).toBe("consecutiveFailures");
    expect(sum(writes)).toBe(8);

    // Run 3: the service is back.
    emu.faults.clear();
    const r3 = await applyPlan({ actions }, deps, { route: "iamv2", concurrency: 3, undoFile });
    expect(r3).toMatchObject({ alreadyDone: 8, applied: 4, failed: [], notAttempted: 0 });
    expect(r3.aborted).toBeUndefined();
    expectEachWrittenOnce(writes, actions);

    // Failed attempts are on record too; undo restores everything exactly once.
    const types = readJournal(undoFile).records.map((r) => r.type);
    // 3 + 2 failed writes, 5 attempts each.
    expect(types.filter((t) => t === "failed")).toHaveLength(25);
    const u = await undo(undoFile, deps);
    expect(u).toMatchObject({ restored: 12, skippedChanged: 0, failed: [] });
    for (const a of actions) expect(externalIdIn(emu, a.kind, a.databricksId)).toBeNull();
  });
});
