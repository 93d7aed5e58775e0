/**
 * applyPlan against the Databricks emulator through the real client: both
 * write routes write exactly the plan's links (one PATCH per link, one
 * filtered re-check GET per batch and kind), and a target changed between
 * plan and apply is skipped and reported, not overwritten.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { applyPlan } from "../../core/reconcile/apply";
import type { WriteRoute } from "../../core/model/plan";
import {
  clientFor,
  countExternalIdWrites,
  externalIdIn,
  linkActions,
  smallTenant,
} from "../helpers/applyHarness";

const SCIM = "/api/2.0/accounts/:accountId/scim/v2";
const IAMV2 = "/api/2.0/identity/accounts/:accountId";

let emu: DatabricksEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe.each<[WriteRoute, string, string]>([
  ["scim", `PATCH ${SCIM}/Users/:id`, `PATCH ${SCIM}/Groups/:id`],
  ["iamv2", `PATCH ${IAMV2}/users/:id`, `PATCH ${IAMV2}/groups/:id`],
])("applyPlan over the %s route", (route, userPatch, groupPatch) => {
  it("writes exactly the plan's links, one PATCH each, re-checking each alone and reading back per batch and kind", async () => {
    const fixture = smallTenant(30);
    emu = await startDatabricksEmulator({ fixture: fixture.databricks, rateLimits: "off" });
    const writes = countExternalIdWrites(emu);
    const before = new Map(
      [
        ...emu.store.users.values(),
        ...emu.store.groups.values(),
        ...emu.store.servicePrincipals.values(),
      ].map((x) => [x.id, x.externalId ?? null]),
    );
    const actions = linkActions(fixture);
    expect(actions).toHaveLength(32); // 2 groups + 30 users (6 of them with "" externalId)
    const client = clientFor(emu, { writeRatePerSecond: 1000 });

    const r = await applyPlan(
      { actions },
      { reader: client, writer: client },
      { route, recheckBatchSize: 25 },
    );

    expect(r).toMatchObject({
      applied: 32,
      alreadyDone: 0,
      skippedChanged: 0,
      failed: [],
      notAttempted: 0,
      writes: 32,
      recheckReads: 32,
    });
    const counts = emu.counter.snapshot();
    expect(counts[userPatch]).toBe(30);
    expect(counts[groupPatch]).toBe(2);
    // One filtered GET per identity just before its write, plus one read-back per batch
    // of 25 and kind (in completion order: at most two batches, each one or two kinds).
    const readBacks = r.verifyReads;
    expect(readBacks).toBeGreaterThanOrEqual(2);
    expect(readBacks).toBeLessThanOrEqual(4);
    expect((counts[`GET ${SCIM}/Users`] ?? 0) + (counts[`GET ${SCIM}/Groups`] ?? 0)).toBe(
      32 + readBacks,
    );
    expect(counts[`GET ${SCIM}/ServicePrincipals`]).toBeUndefined();
    const other = route === "scim" ? `PATCH ${IAMV2}/users/:id` : `PATCH ${SCIM}/Users/:id`;
    expect(counts[other]).toBeUndefined();
    expect(emu.counter.total()).toBe(32 + 32 + readBacks);

    for (const a of actions) {
      expect(externalIdIn(emu, a.kind, a.databricksId)).toBe(a.oktaId);
      expect(writes.get(`${a.kind}:${a.databricksId}`)).toBe(1);
    }
    // Nothing outside the plan was touched.
    const planned = new Set(actions.map((a) => `${a.kind}:${a.databricksId}`));
    expect([...writes.keys()].filter((k) => !planned.has(k))).toEqual([]);
    expect(emu.store.users.get("9999")?.externalId ?? null).toBe(before.get("9999"));
    expect(emu.store.servicePrincipals.get("7000")?.externalId ?? null).toBeNull();

    // A second run finds everything done and writes nothing.
    emu.counter.reset();
    const again = await applyPlan({ actions }, { reader: client, writer: client }, { route });
    expect(again).toMatchObject({ applied: 0, alreadyDone: 32, writes: 0 });
    expect(emu.counter.snapshot()[userPatch]).toBeUndefined();
  });

  it("skips and reports a target changed between plan and apply", async () => {
    const fixture = smallTenant(6);
    emu = await startDatabricksEmulator({ fixture: fixture.databricks, rateLimits: "off" });
    const actions = linkActions(fixture);
    const changed = actions.find((a) => a.kind === "user")!;
    const vanished = actions.find((a) => a.kind === "user" && a !== changed)!;
    // Someone (the OIN SCIM app, an admin) sets an externalId meanwhile; another user is deleted.
    emu.store.users.get(changed.databricksId)!.externalId = "00u-set-by-someone-else";
    emu.store.users.delete(vanished.databricksId);
    const writes = countExternalIdWrites(emu);
    const client = clientFor(emu, { writeRatePerSecond: 1000 });

    const r = await applyPlan({ actions }, { reader: client, writer: client }, { route });

    expect(r.applied).toBe(actions.length - 2);
    expect(r.skippedChanged).toBe(2);
    // In completion order, which concurrent re-checks make any order: compare as a set.
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(
      r.skipped.map((s) => [s.action.databricksName, s.reason, s.currentExternalId]).sort(byName),
    ).toEqual(
      [
        [changed.databricksName, "changed", "00u-set-by-someone-else"],
        [vanished.databricksName, "missing", null],
      ].sort(byName),
    );
    expect(externalIdIn(emu, "user", changed.databricksId)).toBe("00u-set-by-someone-else");
    expect(writes.get(`user:${changed.databricksId}`)).toBeUndefined();
    expect(emu.counter.snapshot()[userPatch]).toBe(
      actions.filter((a) => a.kind === "user").length - 2,
    );
  });
});
