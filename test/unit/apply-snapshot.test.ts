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

  it("reads Okta and Databricks concurrently: every list starts before any finishes", async () => {
    const log: string[] = [];
    const gate = (() => {
      let open!: () => void;
      const p = new Promise<void>((r) => (open = r));
      // A sequential reader would wait here forever: open anyway so that the test fails, not hangs.
      const fallback = setTimeout(() => open(), 2000);
      return { p: p.finally(() => clearTimeout(fallback)), open };
    })();
    const held = async <T>(name: string, read: () => Promise<T>): Promise<T> => {
      log.push(`start ${name}`);
      if (log.filter((l) => l.startsWith("start")).length === 5) gate.open();
      await gate.p; // no list can finish until all five have started
      log.push(`end ${name}`);
      return read();
    };
    const okta = new FakeOkta(oktaUsers, []);
    const db = new FakeDatabricks();
    const oktaReader = {
      ...okta,
      listUsers: (o?: Parameters<FakeOkta["listUsers"]>[0]) =>
        held("okta.users", () => okta.listUsers(o)),
      listGroups: () => held("okta.groups", () => okta.listGroups()),
      getUser: okta.getUser.bind(okta),
      getGroup: okta.getGroup.bind(okta),
    };
    const dbReader: DatabricksIdentityReader = {
      listUsers: () => held("databricks.users", () => db.listUsers()),
      listGroups: () => held("databricks.groups", () => db.listGroups()),
      listServicePrincipals: () =>
        held("databricks.servicePrincipals", () => db.listServicePrincipals()),
      getByIds: db.getByIds.bind(db),
    };
    const s = await readSnapshot(oktaReader, dbReader);
    expect(log.slice(0, 5).every((l) => l.startsWith("start"))).toBe(true);
    expect(log).toHaveLength(10);
    expect(s.okta.users).toHaveLength(2);
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
