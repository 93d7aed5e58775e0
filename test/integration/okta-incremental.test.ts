/**
 * Incremental Okta reads (core/okta/snapshotCache.ts through readSnapshot)
 * against the Okta emulator: over random sequences of changes the plan from
 * an incremental read equals the plan from a full read, an unchanged org
 * costs a handful of calls, and every reason for a full read (no cache, a
 * corrupt one, one of another org or client, one too old, users created or
 * deleted) leads to one.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DatabricksIdentityReader } from "../../core/databricks/api";
import type { OktaUser, OktaUserStatus } from "../../core/model/tenant";
import { OktaClient } from "../../core/okta";
import { OKTA_CACHE_DEFAULTS, oktaCacheFileName } from "../../core/okta/snapshotCache";
import { canonicalJson } from "../../core/reconcile/report";
import { planLinks } from "../../core/reconcile/plan";
import { readSnapshot, type Snapshot } from "../../core/reconcile/snapshot";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { FakeDatabricks } from "../helpers/fakeDatabricks";

const T0 = Date.parse("2026-03-02T09:00:00.000Z");
const MIN = 60_000;

let dir: string;
let emulators: OktaEmulator[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "okta-cache-"));
});
afterEach(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  emulators = [];
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Org {
  e: OktaEmulator;
  clock: { t: number };
  dbx: FakeDatabricks;
  fixture: ReturnType<typeof generateTenant>;
  cacheFile: string;
  client(): OktaClient;
  read(cached: boolean): Promise<Snapshot>;
}

async function org(users = 40, seed = 3): Promise<Org> {
  const fixture = generateTenant({ users, groups: 8, seed });
  const clock = { t: T0 };
  const e = await startOktaEmulator({
    fixture: fixture.okta,
    rateLimits: "off",
    now: () => clock.t,
  });
  emulators.push(e);
  const dbx = new FakeDatabricks(fixture.databricks);
  const client = () =>
    new OktaClient({ orgUrl: e.url, auth: { kind: "apiToken", token: e.apiToken } });
  const cacheFile = path.join(dir, oktaCacheFileName(client().cacheKey));
  return {
    e,
    clock,
    dbx,
    fixture,
    cacheFile,
    client,
    read: (cached) =>
      readSnapshot(client(), dbx as DatabricksIdentityReader, {
        oktaCache: cached ? { file: cacheFile } : undefined,
        now: () => clock.t,
      }),
  };
}

/** Users of the emulated org whose lastUpdated is after the incremental read's "since". */
function changedSince(o: Org, s: Snapshot): number {
  const since = Date.parse(/since (\S+)$/.exec(s.oktaRead.reason)?.[1] ?? "");
  expect(Number.isFinite(since)).toBe(true);
  return o.e.store.users.values().filter((u) => Date.parse(u.lastUpdated ?? "") > since).length;
}

const userKey = (u: OktaUser) => `${u.id} ${u.status} ${u.profile.login} ${u.profile.email}`;
const usersOf = (s: Snapshot) => s.okta.users.map(userKey).sort();

type Change =
  | { op: "create"; name: number; emailName: number }
  | { op: "rename" | "email"; who: number; name: number }
  | { op: "status"; who: number; status: OktaUserStatus }
  | { op: "deprovision" | "delete"; who: number }
  | { op: "groupRename"; who: number; name: number }
  | { op: "groupDelete"; who: number }
  | { op: "groupCreate"; name: number };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    op: fc.constant("create" as const),
    name: fc.nat(60),
    emailName: fc.nat(60),
  }),
  fc.record({
    op: fc.constantFrom("rename" as const, "email" as const),
    who: fc.nat(),
    name: fc.nat(60),
  }),
  fc.record({
    op: fc.constant("status" as const),
    who: fc.nat(),
    status: fc.constantFrom<OktaUserStatus>("ACTIVE", "SUSPENDED", "LOCKED_OUT", "PROVISIONED"),
  }),
  fc.record({ op: fc.constantFrom("deprovision" as const, "delete" as const), who: fc.nat() }),
  fc.record({ op: fc.constant("groupRename" as const), who: fc.nat(), name: fc.nat(8) }),
  fc.record({ op: fc.constant("groupDelete" as const), who: fc.nat() }),
  fc.record({ op: fc.constant("groupCreate" as const), name: fc.nat(8) }),
);

/** A step: some changes (seconds apart, maybe in the same second), then time passes, then both reads. */
const stepArb = fc.record({
  changes: fc.array(fc.tuple(changeArb, fc.constantFrom(0, 0, 1, 7)), { maxLength: 4 }),
  gapMs: fc.constantFrom(0, 0, 1_000, 30_000, 10 * MIN, 3 * MIN, 25 * 3_600_000),
});

/** Names drawn from the Databricks side, so that changes move matches (and findings). */
function applyChange(o: Org, names: { users: string[]; groups: string[] }, c: Change): void {
  const s = o.e.store;
  const users = s.users.values();
  const pickUser = (n: number) => users[n % Math.max(1, users.length)];
  const nameOf = (n: number) => names.users[n % names.users.length];
  const groupName = (n: number) => names.groups[n % names.groups.length];
  switch (c.op) {
    case "create":
      s.addUser({ profile: { login: `new-${c.name}@x.example`, email: nameOf(c.emailName) } });
      return;
    case "rename":
    case "email": {
      const u = pickUser(c.who);
      if (u)
        s.updateUser(u.id, {
          profile: { [c.op === "rename" ? "login" : "email"]: nameOf(c.name) },
        });
      return;
    }
    case "status": {
      const u = pickUser(c.who);
      if (u) s.updateUser(u.id, { status: c.status });
      return;
    }
    case "deprovision": {
      const u = pickUser(c.who);
      if (u) s.updateUser(u.id, { status: "DEPROVISIONED" });
      return;
    }
    case "delete": {
      // Deactivated and deleted between two reads: the filter sees neither step.
      const u = pickUser(c.who);
      if (u) s.removeUser(u.id);
      return;
    }
    case "groupRename": {
      const g = s.groups.values().filter((x) => x.type !== "BUILT_IN")[c.who % 8];
      if (g) s.updateGroup(g.id, { name: groupName(c.name) });
      return;
    }
    case "groupDelete": {
      const g = s.groups.values().filter((x) => x.type !== "BUILT_IN")[c.who % 8];
      if (g) s.removeGroup(g.id);
      return;
    }
    case "groupCreate":
      s.addGroup({ profile: { name: groupName(c.name) } });
      return;
  }
}

describe("incremental Okta reads", () => {
  it("plan(incremental) equals plan(full) over random sequences of changes", async () => {
    const modes = { full: 0, incremental: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 6 }), async (steps) => {
        const o = await org();
        const dbx = o.fixture.databricks;
        const names = {
          users: [
            ...dbx.users.map((u) => u.userName),
            ...o.e.store.users.values().map((u) => u.profile.login),
          ],
          groups: dbx.groups.map((g) => g.displayName),
        };
        try {
          await o.read(true); // the first read fills the cache
          for (const step of steps) {
            for (const [change, seconds] of step.changes) {
              o.clock.t += seconds * 1000;
              applyChange(o, names, change);
            }
            o.clock.t += step.gapMs;
            const inc = await o.read(true);
            const full = await o.read(false);
            modes[inc.oktaRead.mode]++;
            expect(usersOf(inc)).toEqual(usersOf(full));
            expect(canonicalJson(planLinks(inc.okta, dbx))).toBe(
              canonicalJson(planLinks(full.okta, dbx)),
            );
          }
        } finally {
          await o.e.close();
          emulators = emulators.filter((x) => x !== o.e);
        }
      }),
      { numRuns: 60, seed: Number(process.env.FC_SEED ?? 20260302) },
    );
    // Both paths were exercised: equality did not come from reading in full every time.
    expect(modes.incremental).toBeGreaterThan(20);
    expect(modes.full).toBeGreaterThan(5);
  }, 120_000);

  it("an unchanged org costs one groups page and one users page (plus the token with OAuth)", async () => {
    const o = await org(400);
    const first = await o.read(true);
    expect(first.oktaRead).toMatchObject({ mode: "full", reason: `no cache at ${o.cacheFile}` });
    o.clock.t += 10 * MIN;
    const before = o.e.counter.snapshot();
    const again = await o.read(true);
    const after = o.e.counter.snapshot();
    const calls = Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
        .filter(([, v]) => v > 0),
    );
    expect(calls).toEqual({ "GET /api/v1/groups": 1, "GET /api/v1/users": 1 });
    expect(again.oktaRead.mode).toBe("incremental");
    // Only what changed since shortly before the last change seen (the overlap).
    expect(again.oktaRead.usersFetched).toBe(changedSince(o, again));
    expect(again.oktaRead.usersFetched).toBeLessThan(10);
    expect(usersOf(again)).toEqual(usersOf(first));
    // The file is the owner's alone: it lists logins and emails.
    expect(fs.statSync(o.cacheFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(o.cacheFile)).mode & 0o777).toBe(0o700);
  });

  it("a changed user is fetched alone; a created or deleted one makes the users read in full", async () => {
    const o = await org(60);
    await o.read(true);
    o.clock.t += 10 * MIN;
    const someone = o.e.store.users.values()[5];
    o.e.store.updateUser(someone.id, { profile: { email: "moved@x.example" } });
    o.clock.t += 10 * MIN;
    const inc = await o.read(true);
    expect(inc.oktaRead.mode).toBe("incremental");
    expect(inc.oktaRead.usersFetched).toBe(changedSince(o, inc));
    expect(inc.oktaRead.usersFetched).toBeLessThan(5);
    expect(inc.okta.users.find((u) => u.id === someone.id)?.profile.email).toBe("moved@x.example");

    o.e.store.removeUser(o.e.store.users.values()[9].id);
    o.clock.t += 10 * MIN;
    const afterDelete = await o.read(true);
    expect(afterDelete.oktaRead.mode).toBe("full");
    expect(afterDelete.oktaRead.reason).toMatch(/^users were created or deleted since /);
    expect(usersOf(afterDelete)).toEqual(usersOf(await o.read(false)));
  });

  it("a deletion in the second of the cached read is not missed (Okta's timestamps have whole seconds)", async () => {
    const o = await org(30);
    o.e.store.addUser({ profile: { login: "joiner@x.example", email: "joiner@x.example" } });
    const first = await o.read(true); // same second as the creation: Everyone says T0
    expect(first.oktaRead.mode).toBe("full");
    const leaver = o.e.store.users.values()[4];
    o.e.store.removeUser(leaver.id); // still T0: Everyone's timestamp does not move
    o.clock.t += 10 * MIN;
    const next = await o.read(true);
    expect(next.oktaRead.mode).toBe("full");
    expect(next.oktaRead.reason).toMatch(/within 2 min of the cached read; too close to tell/);
    expect(next.okta.users.some((u) => u.id === leaver.id)).toBe(false);
    o.clock.t += 10 * MIN;
    expect((await o.read(true)).oktaRead.mode).toBe("incremental");
  });

  it("reads in full when the cache is corrupt, cut short, of another org or client, or too old", async () => {
    const o = await org(30);
    await o.read(true);
    const good = fs.readFileSync(o.cacheFile, "utf8");
    const lines = good.trimEnd().split("\n");
    const cases: Array<[string, string, RegExp]> = [
      ["garbage", "not json\n", /is unusable \(line 1 is not JSON\)$/],
      [
        "cut short",
        lines.slice(0, -3).join("\n") + "\n",
        /is unusable \(no end record: cut short\)$/,
      ],
      [
        "another key",
        [
          JSON.stringify({ ...JSON.parse(lines[0]), key: "other.okta.com/0oa1" }),
          ...lines.slice(1),
        ].join("\n") + "\n",
        / is of other\.okta\.com\/0oa1, not 127\.0\.0\.1:\d+\/api-token$/,
      ],
      [
        "a bad user line",
        [lines[0], JSON.stringify(["00u1", "GONE", "a", "b"]), ...lines.slice(2)].join("\n") + "\n",
        /is unusable \(user line 1\)$/,
      ],
    ];
    for (const [what, text, reason] of cases) {
      fs.writeFileSync(o.cacheFile, text);
      o.clock.t += 10 * MIN;
      const r = await o.read(true);
      expect({ what, mode: r.oktaRead.mode }).toEqual({ what, mode: "full" });
      expect(r.oktaRead.reason).toMatch(reason);
    }
    o.clock.t += OKTA_CACHE_DEFAULTS.maxAgeMs + MIN;
    const old = await o.read(true);
    expect(old.oktaRead.mode).toBe("full");
    expect(old.oktaRead.reason).toMatch(/is older than 24 h$/);
    // A shorter maxAge is an option.
    o.clock.t += 10 * MIN;
    const shortAge = await readSnapshot(o.client(), o.dbx as DatabricksIdentityReader, {
      oktaCache: { file: o.cacheFile, maxAgeMs: 5 * MIN },
      now: () => o.clock.t,
    });
    expect(shortAge.oktaRead.reason).toMatch(/is older than 5 min$/);
  });

  it("without a cache nothing is kept and the read is the full one", async () => {
    const o = await org(20);
    const r = await o.read(false);
    expect(r.oktaRead).toEqual({
      mode: "full",
      reason: "no snapshot cache",
      usersFetched: r.okta.users.length,
    });
    expect(fs.existsSync(o.cacheFile)).toBe(false);
  });
});
