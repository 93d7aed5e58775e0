/**
 * core's use cases with in-memory services: reconcileAccount (plan → approve
 * → apply → what is pending after, from the write results → summary,
 * per-identity outcomes, a snapshot handed in instead of a read, a per-run
 * bound) and convergeAimConnection (the order of its calls, the
 * gate, switching off never gated, the console adapter).
 */
import { describe, expect, it } from "vitest";
import type { AimConnectionTestResult } from "../../core/databricks/api";
import type { AimAdminState, AimConnectionConfig } from "../../core/databricks/aimAdmin";
import type { OktaAppKeys } from "../../core/okta/api";
import type { OktaAppJwk } from "../../core/model/tenant";
import { readSnapshot } from "../../core/reconcile/snapshot";
import {
  CONSOLE_KEY_SWITCH_INSTRUCTION,
  convergeAimConnection,
  enableBlockers,
  linkedProbeId,
  reconcileAccount,
  UNKNOWN_ERROR_FINDINGS,
  type ReconcileObserver,
} from "../../core/workflows";
import { smallTenant } from "../helpers/applyHarness";
import { FakeDatabricks, serverError } from "../helpers/fakeDatabricks";
import { FakeOkta } from "../helpers/fakeOkta";

/** 3 users and 1 group to link, 1 user linked already (smallTenant). */
function services() {
  const f = smallTenant(3, { linked: 1, groups: 1 });
  return {
    fixture: f,
    okta: new FakeOkta(f.okta.users, f.okta.groups),
    databricks: new FakeDatabricks(f.databricks),
  };
}

describe("reconcileAccount", () => {
  it("plans, applies, verifies: every action applied, nothing pending after, counts and outcomes", async () => {
    const s = services();
    const events: string[] = [];
    const observer: ReconcileObserver = {
      readStart: () => events.push("readStart"),
      readDone: () => events.push("readDone"),
      applyStart: (plan) => events.push(`applyStart ${plan.actions.length}`),
      writeProgress: (p) => {
        // The last count may be reported more than once; the order of steps is what matters.
        if (p.done === p.total && events.at(-1) !== `written ${p.applied}`)
          events.push(`written ${p.applied}`);
      },
    };
    const r = await reconcileAccount(s, { rules: {}, route: "scim", observer });
    expect(r.status).toBe("complete");
    expect(r.planned.plan.actions.map((a) => a.databricksName)).toEqual([
      "user0@example.com",
      "user1@example.com",
      "user2@example.com",
      "team-0",
    ]);
    expect(r.outcomes.map((o) => o.outcome)).toEqual(["applied", "applied", "applied", "applied"]);
    expect(r.verified?.plan.actions).toEqual([]);
    expect(r.counts).toMatchObject({ planned: 4, applied: 4, alreadyDone: 0, failed: 0 });
    // One read: what is pending after the writes comes from their results and read-backs.
    expect(events).toEqual(["readStart", "readDone", "applyStart 4", "written 4"]);
    expect(s.databricks.listCalls).toBe(3);
    expect(r.verified?.plan.summary.users).toMatchObject({ link: 0, alreadyLinked: 4 });
    expect(r.verified?.plan.summary.groups).toMatchObject({ link: 0, alreadyLinked: 1 });
    expect(s.databricks.externalIdOf("user", "1000")).toBe(s.fixture.okta.users[0]!.id);
  });

  it("plans from a snapshot handed in (read once, e.g. by check) and reads nothing before writing", async () => {
    const s = services();
    const snapshot = await readSnapshot(s.okta, s.databricks);
    const listsBefore = s.databricks.listCalls;
    const oktaBefore = s.okta.listUsersCalls.length;
    const r = await reconcileAccount(s, { rules: {}, route: "scim", snapshot, verify: false });
    expect(r.status).toBe("complete");
    expect(r.planned.snapshot).toBe(snapshot);
    expect(r.verified).toBeUndefined();
    expect(s.databricks.listCalls).toBe(listsBefore);
    expect(s.okta.listUsersCalls.length).toBe(oktaBefore);
    expect(s.databricks.writes).toHaveLength(4);
  });

  it("approve sees the plan first; declining writes nothing and says so per identity", async () => {
    const s = services();
    const seen: number[] = [];
    const r = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      approve: ({ plan }) => {
        seen.push(plan.actions.length);
        return false;
      },
    });
    expect(seen).toEqual([4]);
    expect(r.status).toBe("declined");
    expect(r.apply).toBeUndefined();
    expect(r.verified).toBeUndefined();
    expect(r.outcomes.every((o) => o.outcome === "notApproved")).toBe(true);
    expect(s.databricks.writes).toEqual([]);
  });

  it("nothing pending: approve is still asked, and the plan read is the verified state (one read)", async () => {
    const s = services();
    await reconcileAccount(s, { rules: {}, route: "scim" });
    const lists = s.databricks.listCalls;
    let asked = false;
    const r = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      approve: () => (asked = true),
    });
    expect(asked).toBe(true);
    expect(r.status).toBe("nothingToDo");
    expect(r.verified).toBe(r.planned);
    expect(s.databricks.listCalls - lists).toBe(3); // users, groups, service principals once
  });

  it("a failed write and a concurrent change: status failed, each identity's own outcome", async () => {
    const s = services();
    s.databricks.beforeWrite = (call) => {
      if (call.id === "1001") throw serverError();
    };
    // user2 gets another externalId after planning, before its write.
    const r = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      recheckBatchSize: 1,
      approve: () => {
        s.databricks.store.user.get("1002")!.externalId = "set-elsewhere";
        return true;
      },
    });
    expect(r.status).toBe("failed");
    const byName = Object.fromEntries(r.outcomes.map((o) => [o.action.databricksName, o.outcome]));
    expect(byName).toEqual({
      "team-0": "applied",
      "user0@example.com": "applied",
      "user1@example.com": "failed",
      "user2@example.com": "skipped",
    });
    expect(r.counts).toMatchObject({ applied: 2, failed: 1, skippedChanged: 1 });
    // From the results, no second read: user1 is still pending; user2 carries what its
    // re-check saw (a foreign value: a conflict now, not a link).
    expect(r.verified?.plan.actions.map((a) => a.databricksName)).toEqual(["user1@example.com"]);
    expect(r.verified?.plan.summary.users).toMatchObject({ link: 1, conflict: 1 });
    expect(r.verified?.plan.findings.map((f) => [f.code, f.subjects])).toContainEqual([
      "EXTERNAL_ID_FOREIGN",
      ["user2@example.com"],
    ]);
    expect(s.databricks.listCalls).toBe(3);
  });

  it("maxWritesPerRun ends each run cleanly (status bounded, the rest pending); the next runs resume", async () => {
    const s = services();
    const first = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      maxWritesPerRun: 3,
      concurrency: 2,
    });
    expect(first.status).toBe("bounded");
    expect(first.apply?.bounded).toEqual({
      reason: "maxWrites",
      message: "3 write(s) issued, the most allowed per run",
    });
    expect(s.databricks.writes).toHaveLength(3);
    expect(first.outcomes.map((o) => o.outcome)).toEqual([
      "applied",
      "applied",
      "applied",
      "notAttempted",
    ]);
    expect(first.counts).toMatchObject({ planned: 4, applied: 3, notAttempted: 1, failed: 0 });
    expect(first.verified?.plan.actions.map((a) => a.databricksName)).toEqual(["team-0"]);

    const second = await reconcileAccount(s, { rules: {}, route: "scim", maxWritesPerRun: 3 });
    expect(second.status).toBe("complete");
    expect(second.planned.plan.actions.map((a) => a.databricksName)).toEqual(["team-0"]);
    expect(s.databricks.writes).toHaveLength(4);
    const third = await reconcileAccount(s, { rules: {}, route: "scim", maxWritesPerRun: 3 });
    expect(third.status).toBe("nothingToDo");
  });

  it("writeTimeBudgetMs: no write starts once the budget from the first write has passed", async () => {
    const s = services();
    const clock = { t: 1_000_000 };
    // Reading takes 60 s of this clock: the budget counts from the first write, not the start.
    s.databricks.beforeWrite = () => {
      clock.t += 1_000;
    };
    const r = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      concurrency: 1,
      writeTimeBudgetMs: 1_500,
      now: () => clock.t,
      approve: () => {
        clock.t += 60_000;
        return true;
      },
    });
    expect(r.status).toBe("bounded");
    expect(r.apply?.bounded?.reason).toBe("timeBudget");
    expect(s.databricks.writes).toHaveLength(2);
    expect(r.counts).toMatchObject({ applied: 2, notAttempted: 2 });
    expect(r.verified?.plan.actions).toHaveLength(2);
  });

  it("a bound that is not a whole number above zero is refused by name before anything is read", async () => {
    const s = services();
    for (const [opts, field] of [
      [{ maxWritesPerRun: 0 }, "maxWritesPerRun"],
      [{ writeTimeBudgetMs: 1.5 }, "writeTimeBudgetMs"],
    ] as const) {
      const err = await reconcileAccount(s, { rules: {}, route: "scim", ...opts }).then(
        () => undefined,
        (e: unknown) => e as { code?: string; field?: string; message?: string },
      );
      expect(err?.code).toBe("ERR_CONFIG");
      expect(err?.field).toBe(field);
      expect(err?.message).toMatch(
        /must be a whole number above zero .*Leave it unset for no bound\.$/,
      );
    }
    expect(s.databricks.listCalls).toBe(0);
  });

  it("only skips (no failure): status incomplete", async () => {
    const s = services();
    const r = await reconcileAccount(s, {
      rules: {},
      route: "scim",
      approve: () => {
        s.databricks.store.group.get("5000")!.externalId = "set-elsewhere";
        return true;
      },
    });
    expect(r.status).toBe("incomplete");
  });
});

/** An AIM adapter in memory that logs each call. */
class LoggingAim {
  readonly mode: "api" | "console";
  calls: string[] = [];
  configuredWith?: AimConnectionConfig;
  enabled: boolean;
  testResult: AimConnectionTestResult = {
    success: true,
    steps: [{ name: "token", ok: true, message: "ok" }],
  };

  constructor(mode: "api" | "console", enabled = false) {
    this.mode = mode;
    this.enabled = enabled;
  }
  private state(): AimAdminState {
    return {
      configured: this.configuredWith !== undefined,
      enabled: this.enabled,
      aimStatus: this.enabled ? "on" : "off",
      aimStatusReason: "fake",
    };
  }
  async test(config: AimConnectionConfig) {
    this.calls.push(`test ${config.clientId}`);
    return structuredClone(this.testResult);
  }
  async configure(config: AimConnectionConfig) {
    this.calls.push(`configure ${config.clientId}`);
    this.configuredWith = config;
    return {
      ...this.state(),
      consoleValues: { oktaOrgUrl: config.oktaOrgUrl, clientId: config.clientId, privateKey: "k" },
      instructions: ["click"],
    };
  }
  async enable() {
    this.calls.push("enable");
    this.enabled = true;
    return this.state();
  }
  async disable() {
    this.calls.push("disable");
    this.enabled = false;
    return this.state();
  }
  async read() {
    this.calls.push("read");
    return this.state();
  }
  async testStored() {
    this.calls.push("testStored");
    return structuredClone(this.storedResult);
  }
  storedResult: AimConnectionTestResult = {
    success: true,
    steps: [{ name: "token", ok: true, message: "ok" }],
  };
}

/** An Okta app's keys in memory, with Okta's rules (the only ACTIVE key cannot be deactivated); logs to `calls`. */
class LoggingAppKeys implements OktaAppKeys {
  keys: OktaAppJwk[];
  constructor(
    readonly calls: string[],
    active: string[],
  ) {
    this.keys = active.map(
      (kid) =>
        ({ id: `id-${kid}`, kid, kty: "RSA", n: "n", e: "AQAB", status: "ACTIVE" }) as OktaAppJwk,
    );
  }
  async listAppKeys() {
    return structuredClone(this.keys);
  }
  async addAppKey(_app: string, jwk: OktaAppJwk) {
    this.calls.push(`addKey ${jwk.kid} ${jwk.status}`);
    const key = { ...jwk, id: `id-${jwk.kid}` };
    this.keys.push(key);
    return key;
  }
  async setAppKeyStatus(_app: string, id: string, status: "ACTIVE" | "INACTIVE") {
    const key = this.keys.find((k) => k.id === id)!;
    if (status === "INACTIVE" && this.active().length === 1 && key.status === "ACTIVE")
      throw new Error("The only active key cannot be deactivated.");
    this.calls.push(`${status === "ACTIVE" ? "activate" : "deactivate"} ${key.kid}`);
    key.status = status;
  }
  active(): string[] {
    return this.keys.filter((k) => k.status === "ACTIVE").map((k) => k.kid);
  }
}

const NEW_JWK = { kid: "new", kty: "RSA", n: "n", e: "AQAB" };

/** convergeAimConnection, AIM desired on, with the Okta app whose only ACTIVE key must be NEW_JWK. */
function convergeWithAppKey(aim: LoggingAim, okta: LoggingAppKeys) {
  return convergeAimConnection(aim, {
    config: CONFIG,
    enabled: true,
    gate: NO_GATE,
    appKey: { okta, appId: "0oa-app", jwk: NEW_JWK },
  });
}

const CONFIG: AimConnectionConfig = {
  oktaOrgUrl: "https://example.okta.com",
  clientId: "0oa-new",
  privateKey: "pem",
};
const NO_GATE = { errorCodes: [], accepted: [] };

describe("convergeAimConnection", () => {
  it("tests the candidate, configures it, enables, reads back: in that order", async () => {
    const aim = new LoggingAim("api");
    const r = await convergeAimConnection(aim, { config: CONFIG, enabled: true, gate: NO_GATE });
    expect(aim.calls).toEqual(["test 0oa-new", "configure 0oa-new", "enable", "read"]);
    expect(r.outcome).toBe("enabled");
    expect(r.state).toMatchObject({ enabled: true, configured: true });
  });

  it("a failing test configures nothing and switches nothing, even with AIM on", async () => {
    const aim = new LoggingAim("api", true);
    aim.testResult = { success: false, steps: [{ name: "token", ok: false, message: "dpop" }] };
    const r = await convergeAimConnection(aim, { config: CONFIG, enabled: true, gate: NO_GATE });
    expect(r.outcome).toBe("testFailed");
    expect(aim.calls).toEqual(["test 0oa-new"]);
    expect(r.state).toBeUndefined();
    expect(aim.enabled).toBe(true);
  });

  it("unaccepted error findings or pending links block enabling, after configuring", async () => {
    const aim = new LoggingAim("api");
    const blocked = await convergeAimConnection(aim, {
      config: CONFIG,
      enabled: true,
      gate: {
        errorCodes: ["USERNAME_DRIFT", "AMBIGUOUS_MATCH", "AMBIGUOUS_MATCH"],
        accepted: ["USERNAME_DRIFT"],
      },
    });
    expect(blocked.outcome).toBe("blocked");
    expect(blocked.blockers).toEqual({ pendingLinks: 0, findingCodes: ["AMBIGUOUS_MATCH"] });
    expect(aim.calls).toEqual(["test 0oa-new", "configure 0oa-new", "read"]);

    const pending = await convergeAimConnection(new LoggingAim("api"), {
      config: CONFIG,
      enabled: true,
      gate: { errorCodes: [], accepted: [], pendingLinks: 3 },
    });
    expect(pending.outcome).toBe("blocked");
    expect(pending.blockers.pendingLinks).toBe(3);

    const accepted = await convergeAimConnection(new LoggingAim("api"), {
      config: CONFIG,
      enabled: true,
      gate: { errorCodes: ["AMBIGUOUS_MATCH"], accepted: ["AMBIGUOUS_MATCH"] },
    });
    expect(accepted.outcome).toBe("enabled");
  });

  it("desired off: switches AIM off whatever the findings; already off stays as is", async () => {
    const on = new LoggingAim("api", true);
    const r = await convergeAimConnection(on, {
      config: CONFIG,
      enabled: false,
      gate: { errorCodes: ["AMBIGUOUS_MATCH"], accepted: [] },
    });
    expect(r.outcome).toBe("disabled");
    expect(on.calls).toEqual(["test 0oa-new", "configure 0oa-new", "disable", "read"]);

    const off = new LoggingAim("api");
    const r2 = await convergeAimConnection(off, { config: CONFIG, enabled: false, gate: NO_GATE });
    expect(r2.outcome).toBe("configured");
    expect(off.calls).toEqual(["test 0oa-new", "configure 0oa-new", "read"]);
  });

  it("console adapter: tests, hands back the values and clicks, switches nothing", async () => {
    const aim = new LoggingAim("console");
    const r = await convergeAimConnection(aim, { config: CONFIG, enabled: true, gate: NO_GATE });
    expect(r.outcome).toBe("console");
    expect(r.console?.instructions).toEqual(["click"]);
    expect(aim.calls).toEqual(["test 0oa-new", "configure 0oa-new", "read"]);
    const blocked = await convergeAimConnection(new LoggingAim("console"), {
      config: CONFIG,
      enabled: true,
      gate: { errorCodes: ["DUPLICATE_IDENTITY"], accepted: [] },
    });
    expect(blocked.outcome).toBe("blocked");
  });

  it("rotation (api): stages the new key INACTIVE, tests the stored connection, makes the new key the only ACTIVE one, then the usual order", async () => {
    const aim = new LoggingAim("api", true);
    const okta = new LoggingAppKeys(aim.calls, ["old"]);
    const r = await convergeWithAppKey(aim, okta);
    expect(aim.calls).toEqual([
      "addKey new INACTIVE",
      "testStored",
      "activate new",
      "deactivate old",
      "test 0oa-new",
      "configure 0oa-new",
      "enable",
      "read",
    ]);
    expect(okta.active()).toEqual(["new"]);
    expect(r.appKey).toEqual({
      action: "switched",
      previouslyActive: ["old"],
      storedTestBefore: true,
    });
  });

  it("rotation (api): a candidate failing its test with the new key puts the old key back", async () => {
    const aim = new LoggingAim("api", true);
    aim.testResult = { success: false, steps: [{ name: "token", ok: false, message: "kid" }] };
    const okta = new LoggingAppKeys(aim.calls, ["old"]);
    const r = await convergeWithAppKey(aim, okta);
    expect(r.outcome).toBe("testFailed");
    expect(r.appKey?.rolledBack).toBe(true);
    expect(okta.active()).toEqual(["old"]);
    expect(aim.calls.slice(-3)).toEqual(["test 0oa-new", "activate old", "deactivate new"]);
    expect(aim.calls).not.toContain("configure 0oa-new");
  });

  it("the key already the only ACTIVE one: the app is not touched", async () => {
    const aim = new LoggingAim("api");
    const okta = new LoggingAppKeys(aim.calls, ["new"]);
    const r = await convergeWithAppKey(aim, okta);
    expect(r.appKey).toEqual({ action: "unchanged" });
    expect(aim.calls).toEqual(["test 0oa-new", "configure 0oa-new", "enable", "read"]);
  });

  it("rotation (console): the new key waits INACTIVE, nothing is tested, the instructions say how to switch", async () => {
    const aim = new LoggingAim("console");
    const okta = new LoggingAppKeys(aim.calls, ["old"]);
    const r = await convergeWithAppKey(aim, okta);
    expect(r.appKey).toEqual({ action: "staged" });
    expect(okta.active()).toEqual(["old"]);
    expect(aim.calls).toEqual(["addKey new INACTIVE", "configure 0oa-new", "read"]);
    expect(r.console?.instructions).toEqual(["click", CONSOLE_KEY_SWITCH_INSTRUCTION]);
    expect(r.test.success).toBe(false);
  });

  it("rotation (console): once the previous key has left the app, the staged key is activated and tested", async () => {
    const aim = new LoggingAim("console");
    const okta = new LoggingAppKeys(aim.calls, []);
    okta.keys.push({ id: "id-new", ...NEW_JWK, status: "INACTIVE" } as OktaAppJwk);
    const r = await convergeWithAppKey(aim, okta);
    expect(r.appKey).toEqual({ action: "switched", previouslyActive: [] });
    expect(okta.active()).toEqual(["new"]);
    expect(aim.calls).toEqual(["activate new", "test 0oa-new", "configure 0oa-new", "read"]);
    expect(r.console?.instructions).toEqual(["click"]);
  });
});

describe("enableBlockers", () => {
  it("codes unique and sorted, accepted ones dropped; a count without codes blocks on its own", () => {
    expect(
      enableBlockers({
        errorCodes: ["USERNAME_DRIFT", "AMBIGUOUS_MATCH", "USERNAME_DRIFT"],
        accepted: [],
      }),
    ).toEqual({ pendingLinks: 0, findingCodes: ["AMBIGUOUS_MATCH", "USERNAME_DRIFT"] });
    expect(enableBlockers({ errorCodes: [], errorCount: 2, accepted: [] })).toEqual({
      pendingLinks: 0,
      findingCodes: [UNKNOWN_ERROR_FINDINGS],
    });
    expect(enableBlockers({ errorCodes: [], errorCount: 0, accepted: [] }).findingCodes).toEqual(
      [],
    );
  });
});

describe("linkedProbeId", () => {
  it("the lowest Okta id of a Databricks user linked to a live Okta user", async () => {
    const s = services();
    s.okta.users[3]!.status = "DEPROVISIONED"; // the linked one of smallTenant
    s.databricks.store.user.get("1000")!.externalId = s.okta.users[0]!.id;
    s.databricks.store.user.get("1001")!.externalId = "not-an-okta-id";
    const snap = await readSnapshot(s.okta, s.databricks);
    expect(linkedProbeId(snap)).toBe(s.okta.users[0]!.id);
    s.databricks.store.user.get("1000")!.externalId = null;
    expect(linkedProbeId(await readSnapshot(s.okta, s.databricks))).toBeUndefined();
  });
});
