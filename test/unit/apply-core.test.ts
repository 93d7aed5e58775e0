import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPlan, type ApplyProgress } from "../../core/reconcile/apply";
import { readJournal, type IntentRecord } from "../../core/reconcile/journal";
import { ConfigError } from "../../core/http/errors";
import { Redactor } from "../../core/http/redact";
import type { PlanAction } from "../../core/model/plan";
import { FakeDatabricks, serverError } from "../helpers/fakeDatabricks";

function users(n: number, externalId: (i: number) => string | null = () => null) {
  return Array.from({ length: n }, (_, i) => ({
    id: `u${i}`,
    userName: `user${i}@example.com`,
    externalId: externalId(i),
  }));
}
function links(n: number, previous: (i: number) => string | null = () => null): PlanAction[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "user" as const,
    databricksId: `u${i}`,
    databricksName: `user${i}@example.com`,
    oktaId: `00u${i}`,
    matchedBy: "login" as const,
    previousExternalId: previous(i),
  }));
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-core-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("applyPlan", () => {
  it("writes exactly the plan's actions through the chosen route, re-checking each just before its write and reading back each batch", async () => {
    const db = new FakeDatabricks({
      users: users(60),
      groups: [{ id: "g1", displayName: "eng" }],
      servicePrincipals: [],
    });
    const actions = [
      ...links(60),
      {
        kind: "group" as const,
        databricksId: "g1",
        databricksName: "eng",
        oktaId: "00g1",
        matchedBy: "name" as const,
        previousExternalId: null,
      },
    ];
    const r = await applyPlan(
      { actions },
      { reader: db, writer: db },
      { route: "iamv2", recheckBatchSize: 25 },
    );
    expect(r).toMatchObject({
      applied: 61,
      alreadyDone: 0,
      skippedChanged: 0,
      failed: [],
      notAttempted: 0,
      writes: 61,
    });
    expect(r.aborted).toBeUndefined();
    expect(db.writes).toHaveLength(61);
    expect(new Set(db.writes.map((w) => w.route))).toEqual(new Set(["iamv2"]));
    for (let i = 0; i < 60; i++) expect(db.externalIdOf("user", `u${i}`)).toBe(`00u${i}`);
    expect(db.externalIdOf("group", "g1")).toBe("00g1");
    // One re-check of each identity alone, immediately before its write...
    expect(r.recheckReads).toBe(61);
    // ...and a read-back per batch of 25 written (the last holds 10 users and the group).
    const readBacks = db.getByIdsCalls
      .slice(0)
      .filter((c) => c.ids.length > 1 || c.kind === "group");
    expect(readBacks.map((c) => `${c.kind}:${c.ids.length}`).sort()).toEqual(
      ["group:1", "group:1", "user:10", "user:25", "user:25"].sort(),
    );
    expect(r.verifyReads).toBe(4);
  });

  it("counts a target that already has the desired externalId as alreadyDone and does not write it", async () => {
    const db = new FakeDatabricks({
      users: users(4, (i) => (i % 2 ? `00u${i}` : null)),
      groups: [],
      servicePrincipals: [],
    });
    const r = await applyPlan({ actions: links(4) }, { reader: db, writer: db }, { route: "scim" });
    expect(r.applied).toBe(2);
    expect(r.alreadyDone).toBe(2);
    expect(db.writes.map((w) => w.id)).toEqual(["u0", "u2"]);
  });

  it("skips, never overwrites, a target whose externalId changed since planning or that vanished", async () => {
    const db = new FakeDatabricks({ users: users(3), groups: [], servicePrincipals: [] });
    (db.store.user.get("u1") as { externalId?: string | null }).externalId = "someone-else";
    db.store.user.delete("u2");
    const r = await applyPlan({ actions: links(3) }, { reader: db, writer: db }, { route: "scim" });
    expect(r.applied).toBe(1);
    expect(r.skippedChanged).toBe(2);
    expect(r.skipped.map((s) => [s.action.databricksId, s.reason, s.currentExternalId])).toEqual([
      ["u1", "changed", "someone-else"],
      ["u2", "missing", null],
    ]);
    expect(db.writes.map((w) => w.id)).toEqual(["u0"]);
    expect(db.externalIdOf("user", "u1")).toBe("someone-else");
  });

  it("treats an empty-string externalId as unset", async () => {
    const db = new FakeDatabricks({ users: users(1, () => ""), groups: [], servicePrincipals: [] });
    const r = await applyPlan({ actions: links(1) }, { reader: db, writer: db }, { route: "scim" });
    expect(r.applied).toBe(1);
    expect(db.externalIdOf("user", "u0")).toBe("00u0");
  });

  it("overwrites only a value the plan named, and refuses to overwrite without an undo file", async () => {
    const db = new FakeDatabricks({
      users: users(2, (i) => `old${i}`),
      groups: [],
      servicePrincipals: [],
    });
    const plan = { actions: links(2, (i) => `old${i}`) };
    const err = await applyPlan(plan, { reader: db, writer: db }, { route: "scim" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: "ERR_CONFIG", field: "undoFile" });
    expect((err as Error).message).toMatch(
      /overwrites 2 existing externalId value\(s\); give undoFile/,
    );
    expect(db.writes).toHaveLength(0);

    const undoFile = path.join(dir, "undo.jsonl");
    (db.store.user.get("u1") as { externalId?: string | null }).externalId = "changed-meanwhile";
    const r = await applyPlan(plan, { reader: db, writer: db }, { route: "scim", undoFile });
    expect(r.applied).toBe(1);
    expect(r.skippedChanged).toBe(1);
    expect(db.externalIdOf("user", "u0")).toBe("00u0");
    expect(db.externalIdOf("user", "u1")).toBe("changed-meanwhile");
    const intents = readJournal(undoFile).records.filter(
      (x): x is IntentRecord => x.type === "intent",
    );
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({
      databricksId: "u0",
      externalId: "00u0",
      previousExternalId: "old0",
      op: "apply",
      route: "scim",
    });
  });

  it("records the intent durably before the write is issued and the outcome after", async () => {
    const db = new FakeDatabricks({ users: users(3), groups: [], servicePrincipals: [] });
    const undoFile = path.join(dir, "journal.jsonl");
    const seenAtWrite: string[][] = [];
    db.beforeWrite = (call) => {
      const recs = readJournal(undoFile).records;
      const mine = recs.filter(
        (x) => x.type === "intent" && x.databricksId === call.id,
      ) as IntentRecord[];
      // The latest intent for this identity is on disk, with no outcome yet.
      const last = mine[mine.length - 1];
      seenAtWrite.push(recs.filter((x) => "seq" in x && x.seq === last.seq).map((x) => x.type));
      expect(seenAtWrite[seenAtWrite.length - 1]).toEqual(["intent"]);
      if (call.id === "u1") throw serverError();
    };
    const r = await applyPlan(
      { actions: links(3) },
      { reader: db, writer: db },
      { route: "scim", undoFile, concurrency: 1, sleep: async () => {} },
    );
    // u1 fails every attempt: each is its own intent (re-checked first), then its failure.
    expect(seenAtWrite.length).toBe(7);
    const types = readJournal(undoFile).records.map((x) => x.type);
    expect(types).toEqual([
      "run",
      "intent",
      "done",
      ...Array(5).fill(["intent", "failed"]).flat(),
      "intent",
      "done",
      "end",
    ]);
    expect(r.failed.map((f) => [f.action.databricksId, f.error.code])).toEqual([
      ["u1", "ERR_DATABRICKS_SERVER"],
    ]);
    expect(fs.statSync(undoFile).mode & 0o777).toBe(0o600);
  });

  it("bounds writes in flight by concurrency", async () => {
    const db = new FakeDatabricks({ users: users(20), groups: [], servicePrincipals: [] });
    db.writeLatencyMs = 5;
    await applyPlan(
      { actions: links(20) },
      { reader: db, writer: db },
      { route: "scim", concurrency: 3 },
    );
    expect(db.maxInFlight).toBe(3);
    const db1 = new FakeDatabricks({ users: users(5), groups: [], servicePrincipals: [] });
    db1.writeLatencyMs = 2;
    await applyPlan(
      { actions: links(5) },
      { reader: db1, writer: db1 },
      { route: "scim", concurrency: 1 },
    );
    expect(db1.maxInFlight).toBe(1);
  });

  it("keeps going after a failed action, and stops after too many consecutive failures", async () => {
    const db = new FakeDatabricks({ users: users(10), groups: [], servicePrincipals: [] });
    db.beforeWrite = (call) => {
      if (call.id === "u2") throw serverError();
    };
    const r = await applyPlan(
      { actions: links(10) },
      { reader: db, writer: db },
      { route: "scim", concurrency: 1, sleep: async () => {} },
    );
    expect(r.applied).toBe(9);
    // A 5xx is tried again after a fresh re-check, a bounded number of times.
    expect(db.writesTo("user", "u2")).toBe(5);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0].error).toEqual({
      code: "ERR_DATABRICKS_SERVER",
      message: "PATCH returned 503 (TEMPORARILY_UNAVAILABLE)",
    });

    const down = new FakeDatabricks({ users: users(50), groups: [], servicePrincipals: [] });
    down.beforeWrite = () => {
      throw serverError();
    };
    const r2 = await applyPlan(
      { actions: links(50) },
      { reader: down, writer: down },
      { route: "scim", concurrency: 1, maxConsecutiveFailures: 5, sleep: async () => {} },
    );
    expect(r2.failed).toHaveLength(5);
    expect(r2.notAttempted).toBe(45);
    expect(r2.aborted).toEqual({
      reason: "consecutiveFailures",
      message: "stopped after 5 consecutive failures (last: ERR_DATABRICKS_SERVER)",
    });
    expect(down.writes).toHaveLength(5 * 5);
  });

  it("fails an action whose re-check read fails, and writes none of it", async () => {
    const db = new FakeDatabricks({ users: users(4), groups: [], servicePrincipals: [] });
    let calls = 0;
    const reader = {
      ...db,
      listUsers: db.listUsers.bind(db),
      listGroups: db.listGroups.bind(db),
      listServicePrincipals: db.listServicePrincipals.bind(db),
      getByIds: async (kind: "user", ids: string[]) => {
        if (calls++ === 0) throw serverError("GET /scim/v2/Users returned 503");
        return db.getByIds(kind, ids);
      },
    };
    const r = await applyPlan(
      { actions: links(4) },
      { reader, writer: db },
      { route: "scim", recheckBatchSize: 2, concurrency: 1 },
    );
    expect(r.failed.map((f) => f.action.databricksId).sort()).toEqual(["u0"]);
    expect(r.failed[0].error.message).toBe("GET /scim/v2/Users returned 503");
    expect(r.applied).toBe(3);
    expect(db.writes.map((w) => w.id).sort()).toEqual(["u1", "u2", "u3"]);
  });

  it("never lets a secret reach an error message", async () => {
    // Not shaped like a token: only the session's redactor knows it is one.
    const secret = "registered-secret-0123456789abcdef";
    const redactor = new Redactor().add(secret);
    const db = new FakeDatabricks({ users: users(1), groups: [], servicePrincipals: [] });
    db.beforeWrite = () => {
      throw new Error(`upstream said the secret is ${secret}`);
    };
    const r = await applyPlan(
      { actions: links(1) },
      { reader: db, writer: db },
      { route: "scim", redactor },
    );
    expect(r.failed[0].error.code).toBe("ERR_UNEXPECTED");
    expect(r.failed[0].error.message).not.toContain(secret);
    expect(r.failed[0].error.message).toContain("[REDACTED]");
  });

  it("stops on an abort signal, and a second run resumes without writing anything twice", async () => {
    const db = new FakeDatabricks({ users: users(30), groups: [], servicePrincipals: [] });
    const ctl = new AbortController();
    db.beforeWrite = () => {
      if (db.writes.length === 7) ctl.abort();
    };
    const r1 = await applyPlan(
      { actions: links(30) },
      { reader: db, writer: db },
      { route: "scim", concurrency: 2, signal: ctl.signal },
    );
    expect(r1.aborted?.reason).toBe("signal");
    expect(r1.applied).toBeGreaterThanOrEqual(7);
    expect(r1.applied + r1.notAttempted).toBe(30);

    db.beforeWrite = undefined;
    const r2 = await applyPlan(
      { actions: links(30) },
      { reader: db, writer: db },
      { route: "scim", concurrency: 2 },
    );
    expect(r2.alreadyDone).toBe(r1.applied);
    expect(r2.applied).toBe(30 - r1.applied);
    for (let i = 0; i < 30; i++) expect(db.writesTo("user", `u${i}`)).toBe(1);
  });

  it("reports progress with monotonic counts, a rate and an ETA", async () => {
    const db = new FakeDatabricks({
      users: users(12, (i) => (i < 2 ? `00u${i}` : null)),
      groups: [],
      servicePrincipals: [],
    });
    db.writeLatencyMs = 3;
    const seen: ApplyProgress[] = [];
    await applyPlan(
      { actions: links(12) },
      { reader: db, writer: db },
      { route: "scim", onProgress: (p) => seen.push(p) },
    );
    expect(seen[0]).toMatchObject({ done: 0, total: 12, applied: 0 });
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({
      done: 12,
      total: 12,
      applied: 10,
      alreadyDone: 2,
      skipped: 0,
      failed: 0,
      etaSec: 0,
    });
    for (let i = 1; i < seen.length; i++)
      expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
    const mid = seen.find((p) => p.done === 6);
    expect(mid?.ratePerSec).toBeGreaterThan(0);
    expect(mid?.etaSec).toBeCloseTo(6 / (mid?.ratePerSec ?? 1), 5);
  });

  it("rejects bad options and malformed plans with the field named", async () => {
    const db = new FakeDatabricks();
    const cases: Array<
      [Parameters<typeof applyPlan>[0], Parameters<typeof applyPlan>[2], string, RegExp]
    > = [
      [
        { actions: links(1) },
        { route: "rest" as never },
        "route",
        /route must be "scim" or "iamv2" \(got "rest"\)/,
      ],
      [
        { actions: links(1) },
        { route: "scim", concurrency: 0 },
        "concurrency",
        /concurrency must be an integer from 1 to 64 \(got 0\)/,
      ],
      [
        { actions: links(1) },
        { route: "scim", recheckBatchSize: 500 },
        "recheckBatchSize",
        /from 1 to 100/,
      ],
      [
        { actions: [...links(1), ...links(1)] },
        { route: "scim" },
        "plan.actions[1].databricksId",
        /writes user u0 a second time/,
      ],
      [
        { actions: [{ ...links(1)[0], oktaId: "" }] },
        { route: "scim" },
        "plan.actions[0].oktaId",
        /non-empty Okta id/,
      ],
    ];
    for (const [plan, opts, field, msg] of cases) {
      const err = await applyPlan(plan, { reader: db, writer: db }, opts).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      expect((err as Error).message).toMatch(msg);
    }
  });

  it("does nothing for an empty plan", async () => {
    const db = new FakeDatabricks();
    const r = await applyPlan(
      { actions: [] },
      { reader: db, writer: db },
      { route: "scim", undoFile: path.join(dir, "none.jsonl") },
    );
    expect(r).toMatchObject({ applied: 0, writes: 0, recheckReads: 0 });
    expect(fs.existsSync(path.join(dir, "none.jsonl"))).toBe(false);
  });
});
