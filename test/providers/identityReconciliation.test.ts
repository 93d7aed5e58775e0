/**
 * IdentityReconciliation's provider against the Okta and Databricks
 * emulators: called directly, and serialised exactly as Pulumi does (ts-node,
 * closure serialisation) then driven through the dynamic-provider host over
 * gRPC. Drift (an externalId cleared out of band) shows in check's inputs and
 * as a diff; nothing pending gives no diff; state holds summaries only.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { TenantFixture } from "../../core/model/tenant";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import {
  IDENTITY_RECONCILIATION_PROVIDER_VERSION,
  identityReconciliationProvider as provider,
  type ResolvedIdentityReconciliationInputs,
  type ResolvedIdentityReconciliationOutputs,
} from "../../dynamic-providers/identityReconciliation";
import { UNKNOWN_INPUT } from "../../dynamic-providers/unknown";
import { generateSigningKey } from "../../core/keys/signingKey";
import { smallTenant } from "../helpers/applyHarness";
import {
  CREDENTIAL_ENV,
  configureWithoutEnv,
  hostWithoutEnv,
} from "../helpers/providerCredentials";
import {
  coreModulesNamedBy,
  serializeProvider,
  startProviderHost,
  type ProviderHost,
  type SerializedResource,
} from "./harness/host";
import { providerCalls } from "../helpers/providerCalls";

type Props = Record<string, unknown>;

const OKTA_TOKEN = `00${randomBytes(20).toString("hex")}`;
const DBX_TOKEN = `dapi${randomBytes(16).toString("hex")}`;
const CONFIG = { "oktaAim:oktaApiToken": OKTA_TOKEN, "oktaAim:databricksToken": DBX_TOKEN };

/** 4 users to link (one with "" externalId), 2 linked, 2 groups to link, a local user, an SP. */
function tenant(): TenantFixture {
  return smallTenant(4, { linked: 2, groups: 2, accountId: "acc-reconcile-test" });
}

interface Env {
  okta: OktaEmulator;
  dbx: DatabricksEmulator;
  fixture: TenantFixture;
  journalDir: string;
  inputs(extra?: Props): ResolvedIdentityReconciliationInputs;
}

async function startEnv(fixture = tenant()): Promise<Env> {
  const okta = await startOktaEmulator({
    fixture: fixture.okta,
    rateLimits: "off",
    apiToken: OKTA_TOKEN,
  });
  const dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: "off",
    token: DBX_TOKEN,
  });
  const journalDir = mkdtempSync(path.join(tmpdir(), "aim-reconcile-"));
  return {
    okta,
    dbx,
    fixture,
    journalDir,
    inputs: (extra = {}) =>
      ({
        oktaOrgUrl: okta.url,
        databricksHost: dbx.url,
        accountId: dbx.accountId,
        rules: {},
        writeRoute: "scim",
        revertOnDelete: false,
        journalPath: path.join(journalDir, "journal.jsonl"),
        providerVersion: IDENTITY_RECONCILIATION_PROVIDER_VERSION,
        ...extra,
      }) as ResolvedIdentityReconciliationInputs,
  };
}

async function stopEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  await Promise.all([env.okta.close(), env.dbx.close()]);
  rmSync(env.journalDir, { recursive: true, force: true });
}

/** A user's externalId in the emulator; unset (absent or cleared) reads as null. */
function externalIdOf(env: Env, id: string): string | null {
  return env.dbx.store.users.get(id)?.externalId || null;
}

/** Every secret of the test setup; none may appear in state or in the serialised provider. */
function assertNoSecrets(text: string): void {
  for (const s of [OKTA_TOKEN, DBX_TOKEN, "PRIVATE KEY", "SSWS "]) expect(text).not.toContain(s);
}

type In = ResolvedIdentityReconciliationInputs;
type Out = ResolvedIdentityReconciliationOutputs;

const p = providerCalls<In, Out>(provider);

describe("IdentityReconciliation provider, called directly", () => {
  let env: Env;

  configureWithoutEnv(provider, CONFIG);
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await stopEnv(env);
  });

  it("check reads live state into the inputs as the target it converges to; pending stays out of them", async () => {
    const { inputs, failures } = await p.check({}, env.inputs());
    expect(failures ?? []).toEqual([]);
    expect(inputs.liveRead).toBe("read");
    // 2 linked already + 4 to link; 1 local user without an Okta candidate.
    expect(inputs.target?.users).toEqual({
      linked: 6,
      conflict: 0,
      ambiguous: 0,
      duplicate: 0,
      unmatched: 1,
    });
    expect(inputs.target?.groups.linked).toBeGreaterThanOrEqual(2);
    expect(inputs.findings).toMatchObject({ error: 0, warning: 0, errorCodes: [] });
    // Written before any write, these would lag one up in the stored inputs.
    for (const lagging of ["pending", "buckets", "digest", "firstPending"])
      expect(inputs).not.toHaveProperty(lagging);
    // Reading wrote nothing.
    expect(externalIdOf(env, "1000")).toBeNull();
  });

  it("check with an input not known yet (first preview) skips the live read and says so, without a request", async () => {
    env.okta.counter.reset();
    env.dbx.counter.reset();
    const { inputs, failures } = await p.check(
      {} as never,
      env.inputs({ accountId: UNKNOWN_INPUT, journalPath: undefined }),
    );
    expect(failures ?? []).toEqual([]);
    expect(inputs.liveRead).toBe(
      "skipped: accountId not known until other resources exist; the live plan is read when this resource is applied",
    );
    expect(inputs).not.toHaveProperty("pending");
    expect(env.okta.counter.total() + env.dbx.counter.total()).toBe(0);
    const diff = await p.diff(
      "x",
      { ...env.inputs() } as ResolvedIdentityReconciliationOutputs,
      inputs,
    );
    expect(diff).toMatchObject({ changes: true, replaces: ["accountId"] });
  });

  it("check names bad fields", async () => {
    const { failures } = await p.check(
      {},
      {
        ...env.inputs(),
        oktaOrgUrl: "example.okta.com",
        writeRoute: "graph" as never,
        rules: { onConflict: "clobber", userOverrides: { a: "" }, colour: 1 } as never,
      },
    );
    expect(failures).toEqual([
      {
        property: "oktaOrgUrl",
        reason:
          '[oktaOrgUrl] is not a URL ("example.okta.com"): give your Okta org URL with its scheme, e.g. https://acme.okta.com.',
      },
      {
        property: "writeRoute",
        reason:
          '[writeRoute] must be "scim" (account SCIM PATCH, what the documentation prescribes) or "iamv2"; got "graph".',
      },
      {
        property: "rules.colour",
        reason:
          "rules.colour is not a rule: use one of matchUsers, matchGroups, caseInsensitiveGroupNames, onConflict, userOverrides, groupOverrides, servicePrincipalMappings, exclude.",
      },
      {
        property: "rules.onConflict",
        reason:
          'rules.onConflict must be "report" (the default: never overwrite an externalId) or "overwrite" (replace it; the old value goes to the undo journal); got "clobber".',
      },
      {
        property: "rules.userOverrides",
        reason:
          'rules.userOverrides must map names to Okta ids, e.g. {"alice@example.com": "00u…"} (Databricks userName → Okta user id); "a" maps to "".',
      },
    ]);
  });

  it("create links, logs progress, keeps only summaries; then nothing pending gives no diff", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    const checked = (await p.check({}, env.inputs())).inputs;
    const { id, outs } = await p.create(checked);
    expect(id).toBe(`${env.dbx.accountId}@${new URL(env.okta.url).host}`);
    expect(outs.pending).toEqual({
      users: { link: 0, overwrite: 0 },
      groups: { link: 0, overwrite: 0 },
      servicePrincipals: { link: 0, overwrite: 0 },
    });
    expect(outs.lastApply).toMatchObject({ planned: 6, applied: 6, failed: 0, notAttempted: 0 });
    expect(outs.linksWritten).toBe(6);
    expect(outs.buckets?.users).toMatchObject({ link: 0, alreadyLinked: 6 });
    for (let i = 0; i < 4; i++)
      expect(externalIdOf(env, String(1000 + i))).toBe(env.fixture.okta.users[i]!.id);
    expect(logged.some((l) => l.includes("writing 6 externalId link(s) via scim"))).toBe(true);
    expect(
      logged.some((l) => /6\/6 \(written 6, already done 0, skipped 0, failed 0/.test(l)),
    ).toBe(true);
    // State is small: no per-identity entries beyond the first names.
    const state = JSON.stringify(outs);
    expect(state.length).toBeLessThan(3000);
    expect(state).not.toContain(env.fixture.okta.users[0]!.id);
    assertNoSecrets(state);
    expect(existsSync(path.join(env.journalDir, "journal.jsonl"))).toBe(true);

    // The target holds after the up: the stored inputs do not lag, and nothing is pending.
    expect(outs.target).toEqual(checked.target);
    const again = (await p.check(checked, env.inputs())).inputs;
    expect(again.target).toEqual(checked.target);
    expect(await p.diff(id, outs, again)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("an externalId cleared out of band: the target holds, diff sees the pending link and says which, update relinks it", async () => {
    const checked = (await p.check({}, env.inputs())).inputs;
    const { id, outs } = await p.create(checked);
    env.dbx.store.users.get("1002")!.externalId = null;

    const drift = (await p.check(checked, env.inputs())).inputs;
    expect(drift.target).toEqual(outs.target);
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    expect(await p.diff(id, outs, drift)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      logged.some((l) => l.includes('1 link(s) to write: users 1 ("user2@example.com")')),
    ).toBe(true);

    // Refresh records the live plan in props and the target in the inputs.
    const read = await p.read(id, outs);
    expect(read.props.pending?.users.link).toBe(1);
    expect(read.inputs).toMatchObject({ target: outs.target, oktaOrgUrl: env.okta.url });
    expect(read.inputs).not.toHaveProperty("pending");
    expect(read.inputs).not.toHaveProperty("lastApply");

    const updated = await p.update(id, outs, drift);
    expect(updated.pending?.users.link).toBe(0);
    expect(updated.lastApply).toMatchObject({ planned: 1, applied: 1 });
    expect(updated.linksWritten).toBe(7);
    expect(externalIdOf(env, "1002")).toBe(env.fixture.okta.users[2]!.id);
  });

  it("error findings and rule changes show as a diff; findings carry their error codes", async () => {
    const checked = (await p.check({}, env.inputs())).inputs;
    const { id, outs } = await p.create(checked);
    // A second Okta user whose email is user0's login: user0's username now matches two Okta users.
    const extra = {
      ...structuredClone(env.fixture.okta.users[0]!),
      id: "00u99999999999999999",
      profile: {
        login: "other@example.com",
        email: "user0@example.com",
        firstName: "O",
        lastName: "X",
      },
    };
    env.okta.store.loadFixture({ ...env.fixture.okta, users: [...env.fixture.okta.users, extra] });
    const news = (await p.check(checked, env.inputs())).inputs;
    expect(news.findings?.error).toBeGreaterThan(0);
    expect(news.findings?.errorCodes).toContain("OKTA_EMAIL_EQUALS_OTHER_LOGIN");
    expect((await p.diff(id, outs, news)).changes).toBe(true);

    env.okta.store.loadFixture(env.fixture.okta);
    const rules = (
      await p.check(checked, env.inputs({ rules: { exclude: { users: ["user0*"] } } }))
    ).inputs;
    expect((await p.diff(id, outs, rules)).changes).toBe(true);
    const elsewhere = { ...checked, databricksHost: "https://accounts.cloud.databricks.com" };
    expect(await p.diff(id, outs, elsewhere)).toEqual({
      changes: true,
      replaces: ["databricksHost"],
      deleteBeforeReplace: false,
    });
  });

  it("maxWritesPerRun ends create cleanly with the rest pending; the next update writes the rest", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    const checked = (await p.check({}, env.inputs({ maxWritesPerRun: 4 }))).inputs;
    const { id, outs } = await p.create(checked);
    expect(outs.lastApply).toMatchObject({ planned: 6, applied: 4, failed: 0, notAttempted: 2 });
    // Which 4 is up to the writes in flight; that 2 remain is not.
    expect((outs.pending?.users.link ?? 0) + (outs.pending?.groups.link ?? 0)).toBe(2);
    expect(outs.target).toEqual(checked.target); // the target is what it converges to
    expect(
      logged.some((l) =>
        l.includes(
          "stopped at the per-run bound (4 write(s) issued, the most allowed per run): 2 link(s) still pending; the next pulumi up continues from live state.",
        ),
      ),
    ).toBe(true);
    const next = (await p.check(checked, env.inputs({ maxWritesPerRun: 4 }))).inputs;
    expect((await p.diff(id, outs, next)).changes).toBe(true);
    const updated = await p.update(id, outs, next);
    expect(updated.lastApply).toMatchObject({ planned: 2, applied: 2, notAttempted: 0 });
    expect(updated.linksWritten).toBe(6);
    expect(
      (await p.check(next, env.inputs({ maxWritesPerRun: 4, writeTimeBudgetSeconds: 0 }))).failures,
    ).toEqual([
      {
        property: "writeTimeBudgetSeconds",
        reason:
          "[writeTimeBudgetSeconds] must be a whole number above zero (seconds of writing per pulumi up), or unset; got 0.",
      },
    ]);
  });

  it("keeps an Okta snapshot cache in the journal's folder: the next check asks Okta only for changed users; off with oktaSnapshotCache false", async () => {
    await stopEnv(env);
    const fixture = tenant();
    fixture.okta.groups.push({
      id: "00g99999999999999999",
      type: "BUILT_IN",
      profile: { name: "Everyone", description: "All users in your organization" },
      created: "2024-01-01T00:00:00.000Z",
      lastUpdated: "2024-01-01T00:00:00.000Z",
    });
    env = await startEnv(fixture);
    await p.check({}, env.inputs());
    const cache = path.join(
      env.journalDir,
      `okta-snapshot-127.0.0.1_${new URL(env.okta.url).port}_api-token.jsonl`,
    );
    expect(existsSync(cache)).toBe(true);
    env.okta.counter.reset();
    const again = (await p.check({}, env.inputs())).inputs;
    expect(again.liveRead).toBe("read");
    expect(env.okta.counter.snapshot()).toEqual({
      "GET /api/v1/groups": 1,
      "GET /api/v1/users": 1,
    });
    rmSync(cache);
    await p.check({}, env.inputs({ oktaSnapshotCache: false }));
    expect(existsSync(cache)).toBe(false);
  });

  it("delete leaves externalIds alone; with revertOnDelete it restores only what it wrote", async () => {
    const checked = (await p.check({}, env.inputs())).inputs;
    const { id, outs } = await p.create(checked);
    await p.delete(id, outs);
    expect(externalIdOf(env, "1000")).toBe(env.fixture.okta.users[0]!.id);

    // Someone re-linked user1 to another id since: left alone. user4/user5 were linked before: left alone.
    env.dbx.store.users.get("1001")!.externalId = "00uSOMEONEELSE0000000";
    await p.delete(id, { ...outs, revertOnDelete: true });
    expect(externalIdOf(env, "1000")).toBeNull();
    expect(externalIdOf(env, "1001")).toBe("00uSOMEONEELSE0000000");
    expect(externalIdOf(env, "1002")).toBeNull();
    expect(externalIdOf(env, "1004")).toBe(env.fixture.okta.users[4]!.id);
    expect(env.dbx.store.groups.get("5000")?.externalId ?? null).toBeNull();

    const err = await p
      .delete(id, {
        ...outs,
        revertOnDelete: true,
        journalPath: path.join(env.journalDir, "gone.jsonl"),
      })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toContain("revertOnDelete is set but the undo journal");
    expect(err?.message).toContain(
      "is missing, so the 6 externalId link(s) this resource wrote cannot be restored.",
    );
  });
});

describe("IdentityReconciliation provider through the dynamic-provider host", () => {
  let serialized: SerializedResource;
  let host: ProviderHost;
  let env: Env;

  beforeAll(async () => {
    serialized = await serializeProvider(
      "dynamic-providers/identityReconciliation.ts",
      "IdentityReconciliation",
      {
        oktaOrgUrl: "https://example.okta.com",
        databricksHost: "https://accounts.cloud.databricks.com",
        accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
        rules: { onConflict: "report" },
      },
    );
    host = await hostWithoutEnv(serialized, CONFIG);
  });
  afterAll(async () => {
    await host?.close();
  });
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await stopEnv(env);
  });

  it("serialises with a readable type, no credential, core loaded at call time", () => {
    expect(serialized.type).toBe(
      "pulumi-nodejs:dynamic/okta-databricks-aim:IdentityReconciliation",
    );
    expect(serialized.providerIsSecret).toBe(false);
    assertNoSecrets(serialized.provider);
    // Core is loaded in the host through its one stable entry point, not copied into state.
    expect(coreModulesNamedBy(serialized.provider)).toEqual(["core/providerApi"]);
    expect(serialized.provider).not.toContain("class Planner");
    // The rules' shape is checked by core too.
    expect(serialized.provider).not.toContain("is not a rule");
    expect(serialized.inputs).toMatchObject({
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      rules: { onConflict: "report" },
      writeRoute: "scim",
      revertOnDelete: false,
      providerVersion: IDENTITY_RECONCILIATION_PROVIDER_VERSION,
    });
  });

  it("check → create → check/diff (none) → drift → diff (some) → read → update → delete (revert)", async () => {
    const news = env.inputs() as unknown as Props;
    const checked = await host.check({}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ liveRead: "read", target: { users: { linked: 6 } } });

    const created = await host.create(checked.inputs);
    expect(created.outs).toMatchObject({ pending: { users: { link: 0 } }, linksWritten: 6 });
    assertNoSecrets(JSON.stringify(created.outs));

    const quiet = await host.check(checked.inputs, news);
    expect(await host.diff(created.id, created.outs, quiet.inputs)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });

    env.dbx.store.users.get("1003")!.externalId = "";
    const drift = await host.check(checked.inputs, news);
    expect(drift.inputs).toMatchObject({ target: created.outs.target });
    expect(await host.diff(created.id, created.outs, drift.inputs)).toMatchObject({
      changes: "some",
      replaces: [],
    });

    const read = await host.read(created.id, created.outs);
    expect(read.props).toMatchObject({ pending: { users: { link: 1 } } });
    expect(read.inputs).toMatchObject({
      target: created.outs.target,
      accountId: env.dbx.accountId,
    });

    const updated = await host.update(created.id, read.props, drift.inputs);
    expect(updated.outs).toMatchObject({
      pending: { users: { link: 0 } },
      linksWritten: 7,
      lastApply: { applied: 1 },
    });
    expect(externalIdOf(env, "1003")).toBe(env.fixture.okta.users[3]!.id);

    await host.delete(created.id, { ...updated.outs, revertOnDelete: true });
    expect(externalIdOf(env, "1003")).toBeNull();
    expect(externalIdOf(env, "1004")).toBe(env.fixture.okta.users[4]!.id);
    expect(host.stderr()).not.toContain(OKTA_TOKEN);
    expect(host.stderr()).not.toContain(DBX_TOKEN);
  });

  it("unknown inputs in a first preview: no live read, says so", async () => {
    const checked = await host.check(
      {},
      { ...(env.inputs() as unknown as Props), oktaOrgUrl: UNKNOWN_INPUT },
    );
    expect(checked.failures).toEqual([]);
    expect(String(checked.inputs.liveRead)).toMatch(/^skipped: oktaOrgUrl not known/);
  });

  it("rules of the wrong shape: check fails naming the rule, with core's fix, and reads nothing", async () => {
    const checked = await host.check(
      {},
      {
        ...(env.inputs() as unknown as Props),
        rules: { exclude: { users: ["ok"], robots: ["r2"] } },
      },
    );
    expect(checked.failures).toEqual([
      {
        property: "rules.exclude.robots",
        reason:
          "rules.exclude.robots is not a kind of identity: use users, groups or servicePrincipals.",
      },
    ]);
    expect(checked.inputs.liveRead).toBeUndefined();
  });

  it("without Databricks credentials: a clear error naming the config keys and variables", async () => {
    const bare = await hostWithoutEnv(serialized, { "oktaAim:oktaApiToken": OKTA_TOKEN });
    try {
      const err = await bare.check({}, env.inputs() as unknown as Props).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toContain(
        "no Databricks credentials: set DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET",
      );
      expect(err?.message).toContain(
        "pulumi config set --secret oktaAim:databricksClientSecret <secret>",
      );
    } finally {
      await bare.close();
    }
  });

  it("takes credentials from the environment when config has none", async () => {
    const envHost = await startProviderHost({
      provider: serialized.provider,
      type: serialized.type,
      unsetEnv: CREDENTIAL_ENV.filter((k) => k !== "OKTA_API_TOKEN" && k !== "DATABRICKS_TOKEN"),
      env: { OKTA_API_TOKEN: OKTA_TOKEN, DATABRICKS_TOKEN: DBX_TOKEN },
    });
    try {
      await envHost.configure({});
      const checked = await envHost.check({}, env.inputs() as unknown as Props);
      expect(checked.inputs).toMatchObject({ target: { users: { linked: 6 } } });
    } finally {
      await envHost.close();
    }
  });

  it("without an Okta admin credential, reads users and groups with the AIM app's own key", async () => {
    const key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    // The AIM app as OktaAimApp leaves it: okta.users.read, okta.groups.read, its role, DPoP off.
    const aimApp = env.okta.createServiceApp({ jwks: [key.publicJwk] });
    const oktaReadKey = {
      clientId: aimApp.credentials.oauthClient.client_id,
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
    };
    const bare = await hostWithoutEnv(serialized, { "oktaAim:databricksToken": DBX_TOKEN });
    try {
      // First preview: the key does not exist yet, so nothing can be read.
      const first = await bare.check(
        {},
        {
          ...(env.inputs() as unknown as Props),
          oktaReadKey: UNKNOWN_INPUT,
        },
      );
      expect(first.inputs.liveRead).toBe(
        "skipped: oktaReadKey not known until other resources exist; the live plan is read when this resource is applied",
      );
      env.okta.counter.reset();
      const checked = await bare.check({}, { ...(env.inputs() as unknown as Props), oktaReadKey });
      expect(checked.inputs).toMatchObject({ liveRead: "read", target: { users: { linked: 6 } } });
      // One token for the AIM app's scopes, then the reads; no SSWS token exists to send.
      expect(env.okta.counter.snapshot()["POST /oauth2/v1/token"]).toBe(1);
      const created = await bare.create(checked.inputs);
      expect(created.outs).toMatchObject({ linksWritten: 6 });
      // A rotation (a new key) is a change here: reads use it.
      const rotated = { ...oktaReadKey, keyId: "kid-2" };
      expect(
        (await bare.diff(created.id, created.outs, { ...checked.inputs, oktaReadKey: rotated }))
          .changes,
      ).toBe("some");
      expect(bare.stdout() + bare.stderr()).not.toContain("PRIVATE KEY");
    } finally {
      await bare.close();
    }
  });

  it("with an admin token, the AIM app's key is not used and its rotation is no change", async () => {
    const checked = await host.check({}, env.inputs() as unknown as Props);
    const created = await host.create(checked.inputs);
    const withKey = { clientId: "0oa-aim", privateKeyPem: "not used" };
    const quiet = await host.check(checked.inputs, {
      ...(env.inputs() as unknown as Props),
      oktaReadKey: withKey,
    });
    expect(
      await host.diff(created.id, created.outs, {
        ...quiet.inputs,
        oktaReadKey: { ...withKey, keyId: "kid-2" },
      }),
    ).toMatchObject({ changes: "none" });
  });

  describe("Databricks credentials from a config profile", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), "aim-dbcfg-"));
      writeFileSync(
        path.join(dir, "databrickscfg"),
        `[DEFAULT]\ntoken = dapi-wrong-default\n\n[aim-ci]\ntoken = ${DBX_TOKEN}\n`,
        { mode: 0o600 },
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function profileHost(config: Record<string, string>, extraEnv: Record<string, string>) {
      const h = await startProviderHost({
        provider: serialized.provider,
        type: serialized.type,
        unsetEnv: CREDENTIAL_ENV.filter((k) => !(k in extraEnv)),
        env: { ...extraEnv, HOME: dir },
      });
      await h.configure(config);
      return h;
    }

    it("DATABRICKS_CONFIG_FILE and DATABRICKS_CONFIG_PROFILE pick the section", async () => {
      const h = await profileHost(
        { "oktaAim:oktaApiToken": OKTA_TOKEN },
        {
          DATABRICKS_CONFIG_FILE: path.join(dir, "databrickscfg"),
          DATABRICKS_CONFIG_PROFILE: "aim-ci",
        },
      );
      try {
        const checked = await h.check({}, env.inputs() as unknown as Props);
        expect(checked.inputs).toMatchObject({ target: { users: { linked: 6 } } });
      } finally {
        await h.close();
      }
    });

    it("databricks:profile and databricks:configFile in stack config do the same", async () => {
      const h = await profileHost(
        {
          "oktaAim:oktaApiToken": OKTA_TOKEN,
          "databricks:profile": "aim-ci",
          "databricks:configFile": path.join(dir, "databrickscfg"),
        },
        {},
      );
      try {
        const checked = await h.check({}, env.inputs() as unknown as Props);
        expect(checked.inputs).toMatchObject({ target: { users: { linked: 6 } } });
      } finally {
        await h.close();
      }
    });

    it("the environment's token wins over the profile's, and a refusal names where it came from", async () => {
      const h = await profileHost(
        {
          "oktaAim:oktaApiToken": OKTA_TOKEN,
          "databricks:profile": "aim-ci",
          "databricks:configFile": path.join(dir, "databrickscfg"),
        },
        { DATABRICKS_TOKEN: "dapi-wrong-from-env" },
      );
      try {
        const err = await h.check({}, env.inputs() as unknown as Props).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).toMatch(/401/);
        expect(err?.message).toContain("they came from the environment");
        expect(err?.message).not.toContain("dapi-wrong-from-env");
      } finally {
        await h.close();
      }
    });

    it("a profile named but absent from the file: an error naming the profiles there", async () => {
      const h = await profileHost(
        { "oktaAim:oktaApiToken": OKTA_TOKEN },
        {
          DATABRICKS_CONFIG_FILE: path.join(dir, "databrickscfg"),
          DATABRICKS_CONFIG_PROFILE: "prod",
        },
      );
      try {
        const err = await h.check({}, env.inputs() as unknown as Props).then(
          () => undefined,
          (e: Error) => e,
        );
        expect(err?.message).toContain('has no profile "prod" (it has "DEFAULT", "aim-ci")');
      } finally {
        await h.close();
      }
    });
  });
});
