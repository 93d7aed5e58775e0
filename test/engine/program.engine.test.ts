/**
 * The real Pulumi engine (CLI built from Go modules by `npm run
 * engine:install`) runs this repository's own index.ts against both
 * emulators on loopback, holding the realistic sample tenant (thousands of
 * identities, every pathology). The stack is configured with exactly the keys
 * a user sets for a real org, only with the emulators' URLs. Each step
 * asserts on the emulators' state, the CLI's exit code and its output.
 *
 * Limits: realistic, except the Databricks PATCH limit, raised so that the
 * sample's ~1,800 links take seconds rather than 15 minutes (the program's
 * `oktaAim:writeRatePerSecond` is raised to match, as a user with a raised
 * account limit would).
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planLinks } from "../../core/reconcile/plan";
import type { DatabricksEmulator } from "../../emulators/databricks";
import type { OktaEmulator } from "../../emulators/okta";
import { sampleRules, sampleTenant } from "../../emulators/tenant/sample";
import { expectOk, type CommandResult, type EngineStack } from "./harness";
import { PROGRAM_WRITE_RATE, startEngineTenant, type EngineTenant } from "./tenant";

let tenant: EngineTenant;
let okta: OktaEmulator;
let dbx: DatabricksEmulator;
let stack: EngineStack;
let journal: string;
let acceptedCodes: string[];
const upFigures: Array<{ step: string; ms: number; okta: number; databricks: number }> = [];

/** Runs an engine command and records its wall time and the API calls it caused. */
async function measured(step: string, args: string[]): Promise<CommandResult> {
  const o0 = okta.counter.total();
  const d0 = dbx.counter.total();
  const r = await stack.op(args);
  upFigures.push({
    step,
    ms: r.ms,
    okta: okta.counter.total() - o0,
    databricks: dbx.counter.total() - d0,
  });
  return r;
}

function planned() {
  return planLinks(tenant.fixture.okta, tenant.fixture.databricks, tenant.rules);
}

function linkedCount(): number {
  let linked = 0;
  for (const a of planned().actions) {
    const store =
      a.kind === "user"
        ? dbx.store.users
        : a.kind === "group"
          ? dbx.store.groups
          : dbx.store.servicePrincipals;
    if (store.get(a.databricksId)?.externalId === a.oktaId) linked++;
  }
  return linked;
}

const aimApps = () => tenant.aimApps();

beforeAll(async () => {
  const fixture = sampleTenant();
  tenant = await startEngineTenant(fixture, sampleRules(fixture));
  ({ okta, dbx, stack, journal } = tenant);
  // The sample holds every pathology on purpose, error findings among them: like `aimctl demo`,
  // the suite accepts them knowingly so that AIM can be enabled (step 9 shows the refusal).
  acceptedCodes = tenant.errorCodes;
  console.log(`[engine] accepting the sample's error findings: ${acceptedCodes.join(", ")}`);
  stack.setObjectConfig("oktaAim:acceptFindings", acceptedCodes);
}, 120_000);

afterAll(async () => {
  console.log(`[engine] figures: ${JSON.stringify(upFigures)}`);
  await tenant?.close();
});

describe("pulumi against index.ts and the emulators", () => {
  it("1. preview on a new stack lists every resource to create", async () => {
    const r = await measured("preview (new stack)", ["preview", "--diff"]);
    expectOk(r, "pulumi preview");
    for (const type of [
      "okta-databricks-aim:index:OktaAimApp",
      "okta:app/oAuth:OAuth",
      "okta:index/appOauthApiScope:AppOauthApiScope",
      "okta:app/oauthRoleAssignment:OauthRoleAssignment",
      "pulumi:providers:okta",
      "okta-databricks-aim:index:DatabricksAim",
    ])
      expect(r.stdout).toContain(type);
    expect(r.stdout).toMatch(/\+ 1[0-9] to create/);
    expect(aimApps()).toHaveLength(0);
    expect(linkedCount()).toBe(0);
  });

  it("2. up creates the Okta app as documented, writes every planned link, enables AIM last", async () => {
    const plannedLinks = planned().actions.length;
    okta.counter.reset();
    dbx.counter.reset();
    const r = await measured("up (first)", ["up", "--yes", "--skip-preview"]);
    expectOk(r, "pulumi up");
    const apps = aimApps();
    expect(apps).toHaveLength(1);
    const app = apps[0]!;
    expect(app.settings.oauthClient.application_type).toBe("service");
    expect(app.credentials.oauthClient.token_endpoint_auth_method).toBe("private_key_jwt");
    expect(okta.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    expect(new Set(app.grants)).toEqual(new Set(["okta.users.read", "okta.groups.read"]));
    expect(app.roles).toContain("READ_ONLY_ADMIN");
    const outputs = await stack.outputs();
    const kids = (app.settings.oauthClient.jwks?.keys ?? []).map((k) => k.kid);
    expect(kids).toEqual([outputs.keyId]);
    expect(linkedCount()).toBe(plannedLinks);
    expect(dbx.store.aimEnabled).toBe(true);
    // The default adapter (auto) found the admin API on this account and says so.
    expect(outputs.aimAdapter).toMatchObject({
      used: "api",
      reason: expect.stringMatching(
        /^auto: GET \/api\/2\.0\/accounts\/.*\/aim\/okta\/connection answered /,
      ),
    });
    // AIM last: tested, then configured, then enabled, after every link was written.
    const seq = dbx.counter.sequence();
    const lastPatch = seq.findLastIndex((e) => e.startsWith("PATCH "));
    const test = seq.findLastIndex((e) => e.endsWith("/aim/okta/connection/test"));
    const put = seq.findLastIndex(
      (e) => e === "PUT /api/2.0/accounts/:accountId/aim/okta/connection",
    );
    const enable = seq.findIndex((e) => e.endsWith("/aim/okta/connection/enable"));
    expect(lastPatch).toBeGreaterThan(-1);
    expect(test).toBeGreaterThan(lastPatch);
    expect(put).toBeGreaterThan(lastPatch);
    expect(enable).toBeGreaterThan(Math.max(test, put));
    expect(existsSync(journal)).toBe(true);
  });

  it("3. preview --expect-no-changes right after the up passes", async () => {
    const r = await measured("preview (after up)", ["preview", "--expect-no-changes"]);
    expectOk(r, "pulumi preview --expect-no-changes");
  });

  it("4. drift made out of band shows in a plain preview, --expect-no-changes fails, up converges, the next preview is clean", async () => {
    const app = aimApps()[0]!;
    const plan = planned();
    const relink = plan.actions.find((a) => a.kind === "user")!;
    // 1. DPoP back on; 2. one link cleared; 3. AIM switched off; 4. a new person, Okta and a new Databricks user.
    app.settings.oauthClient.dpop_bound_access_tokens = true;
    dbx.store.users.get(relink.databricksId)!.externalId = null;
    dbx.setAimEnabled(false);
    const newcomer = okta.store.addUser({
      status: "ACTIVE",
      profile: {
        login: "new.hire@example.org",
        email: "new.hire@example.org",
        firstName: "New",
        lastName: "Hire",
      },
    });
    const newId = dbx.store.newId();
    dbx.store.users.set(newId, {
      id: newId,
      userName: "new.hire@example.org",
      displayName: "New Hire",
      active: true,
      emails: [{ value: "new.hire@example.org", primary: true }],
    });

    const preview = await measured("preview (drift)", ["preview", "--diff"]);
    expectOk(preview, "pulumi preview");
    const out = preview.output;
    const updates = (type: string) =>
      `~ pulumi-nodejs:dynamic/okta-databricks-aim:${type}: (update)`;
    expect(out).toContain(updates("OktaAppDpop"));
    expect(out).toContain('"Require DPoP" (dpop_bound_access_tokens) is on in Okta');
    expect(out).toContain(updates("IdentityReconciliation"));
    // The target grew by the newcomer; what is pending is named.
    expect(out).toMatch(/linked\s*:\s*\d+ => \d+/);
    expect(out).toContain("2 link(s) to write: users 2");
    expect(out).toContain(JSON.stringify(relink.databricksName));
    expect(out).toContain('"new.hire@example.org"');
    expect(out).toContain(updates("AimConnection"));
    expect(out).toContain("AIM is off in the account");
    // A preview writes nothing.
    expect(dbx.store.users.get(newId)!.externalId ?? null).toBeNull();
    expect(dbx.store.aimEnabled).toBe(false);

    const strict = await measured("preview --expect-no-changes (drift)", [
      "preview",
      "--expect-no-changes",
    ]);
    expect(strict.code).not.toBe(0);
    expect(strict.output).toContain("no changes were expected");

    const up = await measured("up (converge)", ["up", "--yes", "--skip-preview"]);
    expectOk(up, "pulumi up");
    expect(okta.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    expect(dbx.store.users.get(relink.databricksId)!.externalId).toBe(relink.oktaId);
    expect(dbx.store.users.get(newId)!.externalId).toBe(newcomer.id);
    expect(dbx.store.aimEnabled).toBe(true);

    const clean = await measured("preview --expect-no-changes (after converge)", [
      "preview",
      "--expect-no-changes",
    ]);
    expectOk(clean, "pulumi preview --expect-no-changes");
  });

  it("7. pulumi stack export holds no private key, client secret or token in plain text, nor does a serialised provider", async () => {
    const plain = await stack.exportState();
    const revealed = (await stack.run(["stack", "export", "--show-secrets"])).stdout;
    // --show-secrets gives a secret as {"<sig>": "<secret sig>", "plaintext": "<JSON of the value>"}.
    const shown = JSON.parse(revealed).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::aim-key"),
    ).outputs.privateKeyPem as { plaintext: string };
    const key = JSON.parse(shown.plaintext) as string;
    expect(key).toContain("PRIVATE KEY");
    const secrets = [
      okta.apiToken,
      dbx.clientSecret,
      dbx.token,
      ...[...okta.store.tokens.keys()],
      ...key.split("\n").filter((l) => l.length > 40),
    ];
    for (const secret of secrets) expect(plain).not.toContain(secret);
    expect(plain).not.toContain("PRIVATE KEY");
    // The serialised providers are in the export too; nothing secret is inside them.
    const providers = [...plain.matchAll(/"__provider":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    expect(providers.length).toBeGreaterThan(0);
    for (const code of providers) for (const secret of secrets) expect(code).not.toContain(secret);
  });

  it("8. an up SIGKILLed in the middle of linking recovers as documented: every link written exactly once", async () => {
    const plan = planned();
    const relink = plan.actions.filter((a) => a.kind === "user").slice(0, 400);
    for (const a of relink) dbx.store.users.get(a.databricksId)!.externalId = null;
    await stack.setConfig("oktaAim:writeRatePerSecond", "40");
    const writesBefore = new Map(dbx.store.writeCounts);
    const written = () =>
      relink.filter(
        (a) =>
          (dbx.store.writeCounts.get(a.databricksId) ?? 0) >
          (writesBefore.get(a.databricksId) ?? 0),
      ).length;
    const killed = await stack.op(["up", "--yes", "--skip-preview"], {
      killWhen: () => written() >= 100,
    });
    expect(killed.signal ?? killed.code).not.toBe(0);
    const writtenBeforeKill = written();
    expect(writtenBeforeKill).toBeGreaterThanOrEqual(100);
    expect(writtenBeforeKill).toBeLessThan(relink.length);

    // docs/pulumi.md, "An interrupted up": the killed CLI left its lock: cancel removes it
    // (file backends too), refresh settles the operation the engine left pending, then up resumes.
    expectOk(await stack.run(["cancel", "--yes"], { configFile: false }), "pulumi cancel");
    const refresh = await measured("refresh (after SIGKILL)", [
      "refresh",
      "--yes",
      "--skip-preview",
    ]);
    expectOk(refresh, "pulumi refresh");
    // Nothing survived the kill to go on writing, and refresh writes nothing.
    expect(written()).toBe(writtenBeforeKill);
    await stack.setConfig("oktaAim:writeRatePerSecond", String(PROGRAM_WRITE_RATE));
    const resume = await measured("up (resume)", ["up", "--yes", "--skip-preview"]);
    expectOk(resume, "pulumi up (resume)");
    for (const a of relink) {
      expect(dbx.store.users.get(a.databricksId)!.externalId).toBe(a.oktaId);
      const writes =
        (dbx.store.writeCounts.get(a.databricksId) ?? 0) - (writesBefore.get(a.databricksId) ?? 0);
      expect(writes, a.databricksName).toBe(1);
    }
    console.log(
      `[engine] SIGKILL after ${writtenBeforeKill} of ${relink.length} writes; resumed the rest, each identity written once`,
    );
    await stack.setConfig("oktaAim:writeRatePerSecond", String(PROGRAM_WRITE_RATE));
    expectOk(
      await stack.op(["preview", "--expect-no-changes"]),
      "pulumi preview --expect-no-changes",
    );
  });

  it("9. a wrong Databricks secret, DPoP forced on and an unaccepted blocking finding each fail the up with the project's message, changing nothing they should not", async () => {
    const noTrace = (out: string) => expect(out).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    const linked = linkedCount();
    const appId = aimApps()[0]!.id;

    // a) A wrong Databricks secret, with a link pending: nothing written, AIM as it was.
    const cleared = planned().actions.find((a) => a.kind === "group")!;
    dbx.store.groups.get(cleared.databricksId)!.externalId = null;
    await stack.setConfig("oktaAim:databricksClientSecret", "dose-not-the-secret", true);
    const wrongSecret = await measured("up (wrong Databricks secret)", [
      "up",
      "--yes",
      "--skip-preview",
    ]);
    expect(wrongSecret.code).not.toBe(0);
    expect(wrongSecret.output).toContain("OAuth M2M token request failed");
    expect(wrongSecret.output).toContain(
      "In this stack they came from stack config (oktaAim:databricksClientId or databricks:clientId, oktaAim:databricksClientSecret or databricks:clientSecret)",
    );
    noTrace(wrongSecret.output);
    expect(wrongSecret.output).not.toContain("dose-not-the-secret");
    expect(dbx.store.groups.get(cleared.databricksId)!.externalId ?? null).toBeNull();
    expect(dbx.store.aimEnabled).toBe(true);
    await stack.setConfig("oktaAim:databricksClientSecret", dbx.clientSecret, true);

    // b) DPoP turned on and forced by the org: the update says so; the app keeps its keys and scopes.
    okta.store.dpopForced.add(appId);
    okta.store.getApp(appId)!.settings.oauthClient.dpop_bound_access_tokens = true;
    const grants = [...(okta.store.getApp(appId)!.grants ?? [])];
    const forced = await measured("up (DPoP forced on)", ["up", "--yes", "--skip-preview"]);
    expect(forced.code).not.toBe(0);
    expect(forced.output).toContain("dpop_bound_access_tokens is still true");
    noTrace(forced.output);
    expect(okta.store.getApp(appId)!.grants).toEqual(grants);
    okta.store.dpopForced.delete(appId);

    // c) An error finding no longer accepted: AIM is not switched on, the links stay.
    dbx.setAimEnabled(false);
    const [dropped, ...kept] = acceptedCodes;
    stack.setObjectConfig("oktaAim:acceptFindings", kept);
    const blocked = await measured("up (unaccepted finding)", ["up", "--yes", "--skip-preview"]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.output).toContain(
      `AIM not enabled: the reconciliation reports error findings ${dropped}`,
    );
    expect(blocked.output).toContain("add the codes to acceptFindings");
    noTrace(blocked.output);
    expect(dbx.store.aimEnabled).toBe(false);
    expect(linkedCount()).toBe(linked);

    // Back to the accepted set: everything converges.
    stack.setObjectConfig("oktaAim:acceptFindings", acceptedCodes);
    expectOk(await measured("up (after failures)", ["up", "--yes", "--skip-preview"]), "pulumi up");
    expect(dbx.store.aimEnabled).toBe(true);
    expect(dbx.store.groups.get(cleared.databricksId)!.externalId).toBe(cleared.oktaId);
    expect(okta.store.getApp(appId)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
  });

  it("6. refresh is quiet; destroy never leaves AIM enabled on a deleted app: refused by default, with disableOnDelete AIM goes off first", async () => {
    expectOk(await measured("refresh", ["refresh", "--yes", "--skip-preview"]), "pulumi refresh");
    expectOk(
      await stack.op(["preview", "--expect-no-changes"]),
      "pulumi preview --expect-no-changes",
    );
    const appId = aimApps()[0]!.id;
    const linked = linkedCount();

    const refused = await measured("destroy (defaults)", ["destroy", "--yes", "--skip-preview"]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(
      "not deleted: AIM is on and signs in to Okta with the app this stack manages",
    );
    expect(refused.output).toContain("pulumi config set oktaAim:disableOnDelete true");
    expect(okta.store.getApp(appId)).toBeDefined();
    expect(dbx.store.aimEnabled).toBe(true);
    expect(linkedCount()).toBe(linked);

    await stack.setConfig("oktaAim:disableOnDelete", "true");
    await stack.setConfig("oktaAim:revertOnDelete", "true");
    expectOk(
      await measured("up (delete settings)", ["up", "--yes", "--skip-preview"]),
      "pulumi up",
    );
    const order: string[] = [];
    const seqStart = dbx.counter.sequence().length;
    const destroyed = await measured("destroy (disableOnDelete, revertOnDelete)", [
      "destroy",
      "--yes",
      "--skip-preview",
    ]);
    expectOk(destroyed, "pulumi destroy");
    order.push(...dbx.counter.sequence().slice(seqStart));
    expect(dbx.store.aimEnabled).toBe(false);
    expect(okta.store.getApp(appId)).toBeUndefined();
    // AIM went off before any link was reverted.
    const disabledAt = order.findIndex((e) => e.endsWith("/aim/okta/connection/disable"));
    const firstRevert = order.findIndex((e) => e.startsWith("PATCH "));
    expect(disabledAt).toBeGreaterThan(-1);
    expect(firstRevert).toBeGreaterThan(disabledAt);
    // revertOnDelete: every link this stack wrote is gone again, the ones that were there before stay.
    expect(linkedCount()).toBe(0);
    expect([...dbx.store.users.values()].some((u) => u.externalId)).toBe(true);
  });
});
