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
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planLinks } from "../../core/reconcile/plan";
import type { TenantFixture } from "../../core/model/tenant";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { sampleRules, sampleTenant } from "../../emulators/tenant/sample";
import { EngineStack, engineVersions, type CommandResult } from "./harness";

const PATCH_LIMIT_PER_SECOND = 400;
const PROGRAM_WRITE_RATE = 300;

let okta: OktaEmulator;
let dbx: DatabricksEmulator;
let stack: EngineStack;
let fixture: TenantFixture;
let journal: string;
let acceptedCodes: string[];
const upFigures: Array<{ step: string; ms: number; okta: number; databricks: number }> = [];

function expectOk(r: CommandResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.output}`);
}

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

function linkedCount(): number {
  const plan = planLinks(fixture.okta, fixture.databricks, sampleRules(fixture));
  let linked = 0;
  for (const a of plan.actions) {
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

function errorCodes(): string[] {
  const plan = planLinks(fixture.okta, fixture.databricks, sampleRules(fixture));
  return [
    ...new Set(plan.findings.filter((f) => f.severity === "error").map((f) => f.code)),
  ].sort();
}

function aimApps() {
  return [...okta.store.apps.values()].filter((a) => a.label === "Databricks AIM");
}

beforeAll(async () => {
  const versions = engineVersions();
  console.log(`[engine] ${JSON.stringify(versions)}`);
  fixture = sampleTenant();
  okta = await startOktaEmulator({ fixture: fixture.okta });
  dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: { get: 20, list: 240, patch: PATCH_LIMIT_PER_SECOND, write: 5 },
  });
  stack = new EngineStack();
  journal = path.join(stack.dir, "journal.jsonl");
  await stack.init();
  // The keys a user sets for a real org (README "Use with Pulumi"), with the emulators' URLs.
  await stack.setConfig("oktaAim:oktaOrgUrl", okta.url);
  await stack.setConfig("oktaAim:databricksHost", dbx.url);
  await stack.setConfig("oktaAim:databricksAccountId", dbx.accountId);
  await stack.setConfig("oktaAim:oktaApiToken", okta.apiToken, true);
  await stack.setConfig("oktaAim:databricksClientId", dbx.clientId);
  await stack.setConfig("oktaAim:databricksClientSecret", dbx.clientSecret, true);
  await stack.setConfig("oktaAim:journalPath", journal);
  await stack.setConfig("oktaAim:writeRatePerSecond", String(PROGRAM_WRITE_RATE));
  stack.setObjectConfig("oktaAim:rules", sampleRules(fixture));
  // The sample holds every pathology on purpose, error findings among them: like `aimctl demo`,
  // the suite accepts them knowingly so that AIM can be enabled (step 9 shows the refusal).
  acceptedCodes = errorCodes();
  console.log(`[engine] accepting the sample's error findings: ${acceptedCodes.join(", ")}`);
  stack.setObjectConfig("oktaAim:acceptFindings", acceptedCodes);
}, 120_000);

afterAll(async () => {
  console.log(`[engine] figures: ${JSON.stringify(upFigures)}`);
  console.log(`[engine] commands: ${JSON.stringify(stack?.history ?? [])}`);
  await okta?.close();
  await dbx?.close();
  stack?.cleanup();
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
    const planned = planLinks(fixture.okta, fixture.databricks, sampleRules(fixture)).actions
      .length;
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
    expect(linkedCount()).toBe(planned);
    expect(dbx.store.aimEnabled).toBe(true);
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
    const plan = planLinks(fixture.okta, fixture.databricks, sampleRules(fixture));
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
});
