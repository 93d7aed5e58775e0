/**
 * runPreflight against both emulators with the real clients: the Okta app is
 * read through an admin (SSWS) OktaClient, the connection test is the AIM
 * admin API of the Databricks emulator really exchanging a private_key_jwt
 * assertion at the Okta emulator, and AIM's status comes from the iamv2 probe.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { OktaClient } from "../../core/okta";
import { createAimAdmin } from "../../core/databricks/aimAdmin";
import { generateSigningKey, type SigningKeyMaterial } from "../../core/keys/signingKey";
import { runPreflight, type PreflightResult } from "../../core/reconcile/preflight";
import type { Plan } from "../../core/model/plan";
import { clientFor, linkActions, smallTenant } from "../helpers/applyHarness";

let key: SigningKeyMaterial;
let okta: OktaEmulator | undefined;
let dbx: DatabricksEmulator | undefined;
beforeAll(async () => {
  key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
});
afterEach(async () => {
  await okta?.close();
  await dbx?.close();
  okta = dbx = undefined;
});

const zero = { link: 0, alreadyLinked: 0, conflict: 0, ambiguous: 0, duplicate: 0, unmatched: 0 };

async function setup(app: { grants?: string[]; roles?: string[]; dpop?: boolean } = {}) {
  const fixture = smallTenant(3);
  okta = await startOktaEmulator({ fixture: fixture.okta, rateLimits: "off" });
  dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: "off",
    behaviour: { aimAdminApi: "on" },
  });
  const created = okta.createServiceApp({
    jwks: [{ ...key.publicJwk, status: "ACTIVE" }],
    grants: app.grants,
    roles: app.roles,
    dpopBoundAccessTokens: app.dpop,
  });
  const admin = new OktaClient({
    orgUrl: okta.url,
    auth: { kind: "apiToken", token: okta.apiToken },
  });
  const client = clientFor(dbx);
  const aim = createAimAdmin({ mode: "api", client });
  const plan: Plan = {
    summary: {
      users: { ...zero, link: 3 },
      groups: { ...zero, link: 2 },
      servicePrincipals: { ...zero },
    },
    actions: linkActions(fixture),
    findings: [],
  };
  // The connection test runs here (AIM holds no connection yet): the key never goes to Databricks.
  const local = createAimAdmin({ mode: "console", client });
  const deps = {
    okta: admin,
    appId: created.id,
    aim,
    localTest: local.test.bind(local),
    iamv2: client,
    connection: { oktaOrgUrl: okta.url, privateKey: key.privateKeyPem },
  };
  return { deps, plan, app: created, dbx };
}

const check = (r: PreflightResult, id: string) => r.checks.find((c) => c.id === id)!;
const keyBody = () => key.privateKeyPem.split("\n")[1];

describe("runPreflight against the emulators", () => {
  it("passes a correctly set-up app; the connection test really exchanges a token", async () => {
    const { deps, plan } = await setup();
    const r = await runPreflight(deps, plan);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.id)).toEqual(["plan.pendingLinks"]);
    expect(check(r, "plan.pendingLinks")).toMatchObject({ severity: "warning" });
    expect(r.ok).toBe(true);
    expect(check(r, "aim.connectionTest").message).toMatch(
      /^connection test run from here passed \(token: .*read_user: .*read_group: /,
    );
    expect(check(r, "aim.status").message).toMatch(
      /AIM connection not configured, disabled \(api adapter\); iamv2 probe: AIM is off/,
    );
    expect(okta!.counter.get("POST /oauth2/v1/token")).toBe(1);
    expect(JSON.stringify(r)).not.toContain(keyBody());
  });

  it("never sends the private key to Databricks: it tests the connection AIM holds, or runs the test here", async () => {
    const { deps, plan } = await setup();
    const bodies: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      if (String(input).startsWith(dbx!.url)) bodies.push(String(init?.body ?? ""));
      return realFetch(input, init);
    };
    try {
      // AIM holds nothing yet: the test runs here (no request to the AIM admin API's test).
      const first = await runPreflight(deps, plan);
      expect(check(first, "aim.connectionTest").message).toMatch(
        /^connection test run from here passed/,
      );
      expect(
        dbx!.counter.get("POST /api/2.0/accounts/:accountId/aim/okta/connection/test") ?? 0,
      ).toBe(0);
      // Once AIM holds a connection, preflight tests that one, with no body.
      await deps.aim.configure({ ...deps.connection, clientId: deps.appId });
      const second = await runPreflight(deps, plan);
      expect(check(second, "aim.connectionTest").message).toMatch(
        /^connection test of the connection AIM holds passed/,
      );
      expect(dbx!.counter.get("POST /api/2.0/accounts/:accountId/aim/okta/connection/test")).toBe(
        1,
      );
    } finally {
      globalThis.fetch = realFetch;
    }
    // Only the configure above carried the key; no preflight request did.
    expect(bodies.filter((b) => b.includes(keyBody()))).toHaveLength(1);
  });

  it("catches DPoP: from the app's setting and from the failing token exchange", async () => {
    const { deps, plan, app } = await setup({ dpop: true });
    const r = await runPreflight(deps, plan);
    expect(check(r, "okta.app.dpop")).toMatchObject({ ok: false, severity: "error" });
    expect(check(r, "okta.app.dpop").fix).toContain(
      `→ General → General Settings → Edit → Proof of possession: uncheck "Require Demonstrating Proof of Possession (DPoP) header in token requests", then Save.`,
    );
    const test = check(r, "aim.connectionTest");
    expect(test).toMatchObject({ ok: false, severity: "error" });
    expect(test.message).toMatch(
      /^connection test run from here failed at token: .*invalid_dpop_proof/,
    );
    expect(test.fix).toMatch(
      /uncheck "Require Demonstrating Proof of Possession \(DPoP\) header in token requests"/,
    );
    expect(r.ok).toBe(false);
    expect(check(r, "okta.app.found").message).toBe(
      `Okta app "${app.label}" (${app.id}) found, client id ${app.credentials.oauthClient.client_id}`,
    );
  });

  it("names the missing scope and the missing Read-Only Administrator role, and the test fails too", async () => {
    const { deps } = await setup({ grants: ["okta.users.read"], roles: [] });
    const r = await runPreflight(deps);
    expect(check(r, "okta.app.grants")).toMatchObject({
      ok: false,
      message: `"Databricks AIM" is not granted okta.groups.read; the token request fails with invalid_scope`,
    });
    expect(check(r, "okta.app.adminRole")).toMatchObject({ ok: false, severity: "error" });
    expect(check(r, "okta.app.adminRole").message).toMatch(/roles: none/);
    expect(check(r, "aim.connectionTest")).toMatchObject({ ok: false, severity: "error" });
    expect(check(r, "aim.connectionTest").message).toMatch(/invalid_scope/);
    expect(check(r, "aim.connectionTest").fix).toMatch(
      /Okta API Scopes: Grant okta.users.read and okta.groups.read/,
    );
  });

  it("a broader role (SUPER_ADMIN) is a warning with the least-privilege fix; the test passes", async () => {
    const { deps, plan } = await setup({ roles: ["SUPER_ADMIN"] });
    const r = await runPreflight(deps, plan);
    expect(check(r, "okta.app.adminRole")).toMatchObject({ ok: false, severity: "warning" });
    expect(check(r, "okta.app.adminRole").message).toMatch(
      /reads users and groups through Super Administrator \(SUPER_ADMIN\) instead of the Read-Only Administrator role/,
    );
    expect(check(r, "okta.app.adminRole").fix).toMatch(
      /^Least privilege: .* Admin roles → Edit assignments: Role "Read-Only Administrator", then Save Changes\. Then remove Super Administrator \(SUPER_ADMIN\)/,
    );
    expect(check(r, "aim.connectionTest")).toMatchObject({ ok: true });
    expect(r.ok).toBe(true);
  });

  it("a custom role is judged by its permissions: reads → warning, no group read → error and the test fails", async () => {
    const reads = await setup({ roles: [] });
    okta!.assignCustomRole(reads.app.credentials.oauthClient.client_id, {
      label: "AIM reader",
      permissions: ["okta.users.read", "okta.groups.read"],
    });
    const ok = await runPreflight(reads.deps, reads.plan);
    expect(check(ok, "okta.app.adminRole")).toMatchObject({ ok: false, severity: "warning" });
    expect(check(ok, "okta.app.adminRole").message).toMatch(/through custom role "AIM reader"/);
    expect(check(ok, "aim.connectionTest")).toMatchObject({ ok: true });
    expect(ok.ok).toBe(true);
    await okta?.close();
    await dbx?.close();

    const usersOnly = await setup({ roles: [] });
    okta!.assignCustomRole(usersOnly.app.credentials.oauthClient.client_id, {
      label: "users only",
      permissions: ["okta.users.read"],
    });
    const bad = await runPreflight(usersOnly.deps, usersOnly.plan);
    expect(check(bad, "okta.app.adminRole")).toMatchObject({ ok: false, severity: "error" });
    expect(check(bad, "okta.app.adminRole").message).toMatch(
      /cannot read groups with its admin roles \(roles: custom role "users only" \(cr0\w+\): has none of okta\.groups\.read, okta\.groups\.manage\)/,
    );
    expect(check(bad, "aim.connectionTest")).toMatchObject({ ok: false, severity: "error" });
    expect(check(bad, "aim.connectionTest").message).toMatch(/read_group: .*403/);
    expect(bad.ok).toBe(false);
  });

  it("makes unlinked identities an error once AIM is on", async () => {
    const { deps, plan } = await setup();
    dbx!.setAimEnabled(true);
    const r = await runPreflight(deps, plan);
    expect(check(r, "aim.status").message).toMatch(/iamv2 probe: AIM is on/);
    expect(check(r, "plan.pendingLinks")).toMatchObject({
      ok: false,
      severity: "error",
      message:
        "5 identit(ies) still lack their Okta id as externalId while AIM is ON: each gets a duplicate at its first login",
    });
    expect(r.ok).toBe(false);
  });
});
