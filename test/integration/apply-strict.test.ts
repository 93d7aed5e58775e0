/**
 * The apply path against the strict Databricks emulator through the real
 * client and core's reconcileAccount (the workflow aimctl and the provider
 * share):
 *
 * - a write answered `{}` but not persisted (accept-but-drop) is a failed
 *   write named with its identity, and the next plan still holds it;
 * - an identity changed while apply runs, just before its own write, is
 *   skipped and journalled with the value seen then, never overwritten;
 * - a write pace far above the service's limit finishes with no failed
 *   write and few extra requests, and reports the pace it settled at.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WriteRoute } from "../../core/model/plan";
import { OktaClient } from "../../core/okta";
import { readJournal, type IntentRecord } from "../../core/reconcile/journal";
import { planAccount, reconcileAccount } from "../../core/workflows";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { clientFor, countExternalIdWrites, smallTenant } from "../helpers/applyHarness";

let okta: OktaEmulator | undefined;
let dbx: DatabricksEmulator | undefined;
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "apply-strict-"));
});
afterEach(async () => {
  await dbx?.close();
  await okta?.close();
  dbx = okta = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(
  n: number,
  dbxOpts: Parameters<typeof startDatabricksEmulator>[0] = {},
  clientOpts: Parameters<typeof clientFor>[1] = { writeRatePerSecond: 1000 },
) {
  const fixture = smallTenant(n);
  okta = await startOktaEmulator({ fixture: fixture.okta, rateLimits: "off" });
  dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: "off",
    ...dbxOpts,
  });
  const databricks = clientFor(dbx, clientOpts);
  const oktaReader = new OktaClient({
    orgUrl: okta.url,
    auth: { kind: "apiToken", token: okta.apiToken },
  });
  return { fixture, clients: { okta: oktaReader, databricks } };
}

describe.each<WriteRoute>(["scim", "iamv2"])("reconcileAccount over %s", (route) => {
  it("counts a write as done only when it reads back: a dropped one fails, named, and stays planned", async () => {
    const { clients } = await start(12);
    const dropped = ["1001", "1007"];
    dbx!.behaviour.configure({ dropWrites: [{ kind: "Users", ids: dropped, route }] });
    const undoFile = path.join(dir, "undo.jsonl");
    const r = await reconcileAccount(clients, { rules: {}, route, undoFile });

    expect(r.status).toBe("failed");
    expect(r.counts.failed).toBe(2);
    const failed = r.apply!.failed.map((f) => [f.action.databricksId, f.error.code]);
    expect(failed.sort()).toEqual([
      ["1001", "ERR_WRITE_NOT_PERSISTED"],
      ["1007", "ERR_WRITE_NOT_PERSISTED"],
    ]);
    for (const f of r.apply!.failed) {
      expect(f.error.message).toContain(`"${f.action.databricksName}"`);
      expect(f.error.message).toContain(f.action.databricksId);
    }
    expect(r.counts.applied).toBe(r.counts.planned - 2);
    // The next plan still holds exactly the two writes that did not persist.
    const next = await planAccount(clients, { rules: {} });
    expect(next.plan.actions.map((a) => a.databricksId).sort()).toEqual(dropped);
    // The journal says so too.
    const failedRecords = readJournal(undoFile).records.filter(
      (x) => x.type === "failed" && "code" in x && x.code === "ERR_WRITE_NOT_PERSISTED",
    );
    expect(failedRecords).toHaveLength(2);
  });
});

describe("a change made while apply runs", () => {
  it("is seen just before that identity's own write: skipped, journalled as seen, never overwritten", async () => {
    const { clients } = await start(30);
    const undoFile = path.join(dir, "undo.jsonl");
    const writes = countExternalIdWrites(dbx!);
    // While the 3rd write happens, an admin links two identities that are written later.
    const late = ["1020", "1025"];
    let patches = 0;
    const write = clients.databricks.setExternalId.bind(clients.databricks);
    clients.databricks.setExternalId = async (...args) => {
      await write(...args);
      if (++patches === 3)
        for (const id of late) dbx!.store.users.get(id)!.externalId = `00u-admin-${id}`;
    };
    const r = await reconcileAccount(clients, {
      rules: {},
      route: "scim",
      undoFile,
      concurrency: 1,
    });

    for (const id of late) {
      expect(dbx!.store.users.get(id)!.externalId).toBe(`00u-admin-${id}`);
      expect(writes.get(`user:${id}`) ?? 0).toBe(1); // the admin's assignment, none of ours
    }
    expect(
      r.apply!.skipped.map((s) => [s.action.databricksId, s.currentExternalId]).sort(),
    ).toEqual(late.map((id) => [id, `00u-admin-${id}`]));
    // No intent for them: nothing to undo, so undo can never write over the admin's value.
    const intents = readJournal(undoFile).records.filter(
      (x): x is IntentRecord => x.type === "intent",
    );
    expect(intents.filter((x) => late.includes(x.databricksId))).toEqual([]);
    // Every journalled previous value is the value live just before that write.
    for (const x of intents)
      expect(x.previousExternalId === null || x.previousExternalId === "").toBe(true);
  });
});

describe("adaptive write pace", () => {
  it("finishes far above the service's PATCH limit with no failed write and few extra requests", async () => {
    // The emulator allows 20 PATCH/s; the client is told 200/s (10x).
    const { clients } = await start(
      100,
      { rateLimits: { patch: 20 } },
      { writeRatePerSecond: 200 },
    );
    const r = await reconcileAccount(clients, { rules: {}, route: "scim", verify: false });
    const a = r.apply!;
    expect(a.failed).toEqual([]);
    expect(a.applied).toBe(r.counts.planned);
    const patches = ["Users", "Groups"]
      .map((k) => dbx!.counter.get(`PATCH /api/2.0/accounts/:accountId/scim/v2/${k}/:id`) ?? 0)
      .reduce((x, y) => x + y, 0);
    const extra = patches - a.applied;
    expect(extra).toBe(a.throttledWrites);
    // At most a few percent of the writes, plus the first probes down from 10x.
    expect(extra).toBeLessThanOrEqual(Math.ceil(a.applied * 0.05) + 6);
    // It says what it met: the pace asked for, and the pace a 429 came at.
    expect(a.pace).toMatchObject({ maxRatePerSecond: 200, throttles: a.throttledWrites });
    if (a.throttledWrites > 0) expect(a.pace!.throttledAtPerSecond).toBeDefined();
  });
});
