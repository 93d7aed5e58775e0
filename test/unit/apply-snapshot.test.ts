import { describe, expect, it } from "vitest";
import { readSnapshot, type SnapshotProgress } from "../../core/reconcile/snapshot";
import { FakeDatabricks } from "../helpers/fakeDatabricks";
import { FakeOkta } from "../helpers/fakeOkta";
import type { DatabricksIdentityReader } from "../../core/databricks/api";

const oktaUsers = [
  { id: "00u1", status: "ACTIVE" as const, profile: { login: "a@x.com", email: "a@x.com" } },
  { id: "00u2", status: "DEPROVISIONED" as const, profile: { login: "b@x.com", email: "b@x.com" } },
];

describe("readSnapshot", () => {
  it("reads both sides, deprovisioned Okta users included, with progress and timing", async () => {
    const okta = new FakeOkta(oktaUsers, [
      { id: "00g1", type: "OKTA_GROUP", profile: { name: "eng" } },
    ]);
    const db = new FakeDatabricks({
      users: [{ id: "1", userName: "a@x.com" }],
      groups: [{ id: "2", displayName: "eng" }],
      servicePrincipals: [{ id: "3", applicationId: "app", displayName: "bot" }],
    });
    const events: SnapshotProgress[] = [];
    const s = await readSnapshot(okta, db, { onProgress: (p) => events.push(p) });
    expect(s.okta.users.map((u) => u.id)).toEqual(["00u1", "00u2"]);
    expect(okta.listUsersCalls).toEqual([{ includeDeprovisioned: true }]);
    expect(s.okta.groups).toHaveLength(1);
    expect(s.databricks.users).toHaveLength(1);
    expect(s.databricks.groups).toHaveLength(1);
    expect(s.databricks.servicePrincipals).toHaveLength(1);
    const finished = events
      .filter((e) => e.done)
      .map((e) => `${e.source}=${e.count}`)
      .sort();
    expect(finished).toEqual([
      "databricks.groups=1",
      "databricks.servicePrincipals=1",
      "databricks.users=1",
      "okta.groups=1",
      "okta.users=2",
    ]);
    expect(Object.keys(s.timing.perSource).sort()).toHaveLength(5);
  });

  it("reads Okta and Databricks concurrently", async () => {
    const okta = new FakeOkta(oktaUsers, []);
    okta.listLatencyMs = 150;
    const db = new FakeDatabricks();
    const slow: DatabricksIdentityReader = {
      listUsers: async () => (await new Promise((r) => setTimeout(r, 150)), db.listUsers()),
      listGroups: async () => (await new Promise((r) => setTimeout(r, 150)), db.listGroups()),
      listServicePrincipals: async () => (
        await new Promise((r) => setTimeout(r, 150)),
        db.listServicePrincipals()
      ),
      getByIds: db.getByIds.bind(db),
    };
    const t0 = Date.now();
    const s = await readSnapshot(okta, slow);
    const wall = Date.now() - t0;
    // Five 150 ms reads: sequential would be >= 750 ms.
    expect(wall).toBeLessThan(500);
    expect(s.timing.oktaMs).toBeGreaterThanOrEqual(140);
    expect(s.timing.databricksMs).toBeGreaterThanOrEqual(140);
    expect(s.timing.totalMs).toBeLessThan(500);
  });

  it("fails with the failing side's error", async () => {
    const okta = new FakeOkta();
    const db = new FakeDatabricks();
    const broken: DatabricksIdentityReader = {
      ...db,
      listUsers: db.listUsers.bind(db),
      listGroups: async () => {
        throw new Error("groups unavailable");
      },
      listServicePrincipals: db.listServicePrincipals.bind(db),
      getByIds: db.getByIds.bind(db),
    };
    await expect(readSnapshot(okta, broken)).rejects.toThrow("groups unavailable");
  });
});
