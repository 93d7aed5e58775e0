import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyPlan } from "../../core/reconcile/apply";
import { undo, undoEntries } from "../../core/reconcile/undo";
import {
  JOURNAL_VERSION,
  JournalWriter,
  readJournal,
  type JournalRecord,
} from "../../core/reconcile/journal";
import { ConfigError } from "../../core/http/errors";
import type { PlanAction } from "../../core/model/plan";
import { journalAuth } from "../../core/reconcile/journal";
import { FakeDatabricks } from "../helpers/fakeDatabricks";

let dir: string;
let undoFile: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-undo-"));
  undoFile = path.join(dir, "undo.jsonl");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const link = (
  id: string,
  oktaId: string,
  previousExternalId: string | null,
  kind: PlanAction["kind"] = "user",
): PlanAction => ({
  kind,
  databricksId: id,
  databricksName: `name-${id}`,
  oktaId,
  matchedBy: kind === "group" ? "name" : "login",
  previousExternalId,
});

function tenant() {
  return new FakeDatabricks({
    users: [
      { id: "u1", userName: "a@x.com", externalId: null },
      { id: "u2", userName: "b@x.com", externalId: "legacy-2" },
      { id: "u3", userName: "c@x.com", externalId: "" },
    ],
    groups: [{ id: "g1", displayName: "eng", externalId: null }],
    servicePrincipals: [],
  });
}
const plan = {
  actions: [
    link("u1", "00u1", null),
    link("u2", "00u2", "legacy-2"),
    link("u3", "00u3", null),
    link("g1", "00g1", null, "group"),
  ],
};

describe("undo", () => {
  it("restores every previous value, clearing the ones that were unset", async () => {
    const db = tenant();
    await applyPlan(plan, { reader: db, writer: db }, { route: "iamv2", undoFile });
    expect(db.externalIdOf("user", "u2")).toBe("00u2");
    const r = await undo(undoFile, { reader: db, writer: db });
    expect(r).toMatchObject({
      restored: 4,
      alreadyRestored: 0,
      skippedChanged: 0,
      failed: [],
      entries: 4,
      badLines: [],
    });
    expect(db.externalIdOf("user", "u1")).toBeNull();
    expect(db.externalIdOf("user", "u2")).toBe("legacy-2");
    // An empty externalId comes back as it was, not as absent.
    expect(db.externalIdOf("user", "u3")).toBe("");
    expect(db.externalIdOf("group", "g1")).toBeNull();
    // Undo writes through the route apply used.
    expect(db.writes.slice(4).map((w) => w.route)).toEqual(["iamv2", "iamv2", "iamv2", "iamv2"]);
  });

  it("is idempotent: a second undo writes nothing", async () => {
    const db = tenant();
    await applyPlan(plan, { reader: db, writer: db }, { route: "scim", undoFile });
    await undo(undoFile, { reader: db, writer: db });
    const writes = db.writes.length;
    const r2 = await undo(undoFile, { reader: db, writer: db });
    expect(r2).toMatchObject({ restored: 0, alreadyRestored: 4, skippedChanged: 0 });
    expect(db.writes).toHaveLength(writes);
  });

  it("skips an identity changed since apply wrote it", async () => {
    const db = tenant();
    await applyPlan(plan, { reader: db, writer: db }, { route: "scim", undoFile });
    (db.store.user.get("u1") as { externalId?: string | null }).externalId = "00u-someone-else";
    (db.store.user.get("u3") as { externalId?: string | null }).externalId = null;
    const r = await undo(undoFile, { reader: db, writer: db });
    expect(r.restored).toBe(2);
    // u3 was cleared by someone else, which is also its pre-apply value: nothing to do.
    expect(r.alreadyRestored).toBe(1);
    expect(r.skipped.map((s) => [s.entry.databricksId, s.reason, s.currentExternalId])).toEqual([
      ["u1", "changed", "00u-someone-else"],
    ]);
    expect(db.externalIdOf("user", "u1")).toBe("00u-someone-else");
  });

  it("covers a write whose process died between intent and outcome, and ignores a torn last line", async () => {
    const db = tenant();
    await applyPlan(
      { actions: [plan.actions[0]] },
      { reader: db, writer: db },
      { route: "scim", undoFile },
    );
    // Simulate a kill: an apply run whose intent for u2 landed, no outcome, then a torn line.
    const auth = db.journalAuth();
    const killed = new JournalWriter(undoFile, false, auth);
    killed.append({
      type: "run",
      v: JOURNAL_VERSION,
      runId: "killed",
      at: new Date().toISOString(),
      op: "apply",
      route: "scim",
      total: 1,
      accountId: auth.accountId,
      host: auth.host,
      keyId: auth.keyId,
    });
    const intent: JournalRecord = {
      type: "intent",
      runId: "killed",
      seq: 1,
      at: new Date().toISOString(),
      kind: "user",
      databricksId: "u2",
      databricksName: "b@x.com",
      externalId: "00u2",
      previousExternalId: "legacy-2",
      route: "scim",
      op: "apply",
    };
    killed.append(intent);
    killed.close();
    fs.appendFileSync(undoFile, `{"type":"done","runId":"kil`);
    (db.store.user.get("u2") as { externalId?: string | null }).externalId = "00u2";
    const r = await undo(undoFile, { reader: db, writer: db });
    expect(r.restored).toBe(2);
    expect(r.badLines).toHaveLength(1);
    expect(db.externalIdOf("user", "u2")).toBe("legacy-2");
    expect(db.externalIdOf("user", "u1")).toBeNull();
  });

  it("restores the value before the FIRST write when several runs wrote the same identity", () => {
    const base = {
      type: "intent" as const,
      runId: "r",
      at: "",
      kind: "user" as const,
      databricksId: "u9",
      databricksName: "n",
      route: "scim" as const,
      op: "apply" as const,
    };
    const entries = undoEntries([
      { ...base, seq: 1, externalId: "A", previousExternalId: "orig" },
      { ...base, seq: 2, externalId: "B", previousExternalId: "A" },
      { ...base, seq: 3, externalId: "orig", previousExternalId: "B", op: "undo" },
    ]);
    expect(entries).toEqual([
      {
        kind: "user",
        databricksId: "u9",
        databricksName: "n",
        restoreTo: "orig",
        written: ["A", "B"],
        route: "scim",
      },
    ]);
  });

  it("appends its own writes to the journal, and can be told not to", async () => {
    const db = tenant();
    await applyPlan(plan, { reader: db, writer: db }, { route: "scim", undoFile });
    const before = readJournal(undoFile).records.length;
    await undo(undoFile, { reader: db, writer: db });
    const after = readJournal(undoFile).records;
    const undoIntents = after.slice(before).filter((r) => r.type === "intent");
    expect(undoIntents).toHaveLength(4);
    expect(undoIntents.every((r) => r.type === "intent" && r.op === "undo")).toBe(true);
    // Still undoes the apply, not the undo.
    expect(undoEntries(after)).toHaveLength(4);
  });

  it("rejects a file that is not a journal, naming the field", async () => {
    const db = tenant();
    fs.writeFileSync(undoFile, '{"hello":"world"}\n');
    const err = await undo(undoFile, { reader: db, writer: db }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ field: "undoFile", code: "ERR_CONFIG" });
    expect((err as Error).message).toMatch(/is not an undo journal \(no run record\)/);
    const missing = await undo(path.join(dir, "nope.jsonl"), { reader: db, writer: db }).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ field: "undoFile" });
    expect((missing as Error).message).toMatch(
      /cannot read the undo file .*nope\.jsonl \(ENOENT\)/,
    );
  });
});

describe("undo treats the journal as untrusted input", () => {
  async function applied() {
    const db = tenant();
    await applyPlan(plan, { reader: db, writer: db }, { route: "scim", undoFile });
    return db;
  }
  const lines = () => fs.readFileSync(undoFile, "utf8").trimEnd().split("\n");
  const write = (ls: string[]) => fs.writeFileSync(undoFile, `${ls.join("\n")}\n`);
  async function refused(db: FakeDatabricks, pattern: RegExp, key?: string) {
    const before = db.writes.length;
    const err = (await undo(undoFile, { reader: db, writer: db }, { journalKey: key }).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.field).toBe("undoFile");
    expect(err.message).toMatch(pattern);
    expect(db.writes.length).toBe(before); // nothing written
  }

  it("refuses an intent whose previous value was edited (another Okta id), naming the line", async () => {
    const db = await applied();
    const ls = lines();
    const i = ls.findIndex((l) => l.includes('"databricksId":"u1"') && l.includes('"intent"'));
    ls[i] = ls[i].replace('"previousExternalId":null', '"previousExternalId":"00u-attacker"');
    write(ls);
    await refused(db, new RegExp(`line ${i + 1} was altered`));
    expect(db.externalIdOf("user", "u1")).toBe("00u1");
  });

  it("refuses an intent added for an identity apply never touched, and an empty record", async () => {
    const db = await applied();
    const ls = lines();
    const forged = JSON.parse(ls[1]) as Record<string, unknown>;
    write([...ls, JSON.stringify({ ...forged, databricksId: "u9", seq: 99 })]);
    await refused(db, /was altered, or a record before it was removed/);
    write([...ls.slice(0, 2), "{}", ...ls.slice(2)]);
    await refused(db, /line 3 is not a journal record/);
  });

  it("refuses a record removed from the middle of a run", async () => {
    const db = await applied();
    const ls = lines();
    write([...ls.slice(0, 2), ...ls.slice(3)]);
    await refused(db, /line 3 was altered, or a record before it was removed or reordered/);
  });

  it("refuses an unknown or unauthenticated journal version", async () => {
    const db = await applied();
    const ls = lines();
    const run = JSON.parse(ls[0]) as Record<string, unknown>;
    write([JSON.stringify({ ...run, v: 1 }), ...ls.slice(1)]);
    await refused(db, /journal version 1, and this aimctl reads only version 2/);
    write(ls.map((l) => JSON.stringify({ ...(JSON.parse(l) as object), mac: undefined })));
    await refused(db, /line 1 carries no authentication/);
  });

  it("refuses a journal written for another account, or with another key", async () => {
    const db = await applied();
    const other = tenant();
    other.journalAuth = (k?: string) =>
      journalAuth(k ?? "fake-databricks-credential", "acc-other", "x");
    await refused(other, /written for Databricks account "acc-fake", not acc-other/);
    await refused(db, /written with another journal key .* set AIMCTL_JOURNAL_KEY/, "rotated-key");
  });

  it("restores an untouched journal, authenticated with AIMCTL_JOURNAL_KEY when that is what apply used", async () => {
    const db = tenant();
    await applyPlan(
      plan,
      { reader: db, writer: db },
      { route: "scim", undoFile, journalKey: "k1-0123456789" },
    );
    await refused(db, /another journal key/);
    const r = await undo(undoFile, { reader: db, writer: db }, { journalKey: "k1-0123456789" });
    expect(r.restored).toBe(4);
  });
});
