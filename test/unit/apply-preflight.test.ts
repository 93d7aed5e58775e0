import { describe, expect, it } from "vitest";
import {
  runPreflight,
  type PreflightDeps,
  type PreflightResult,
} from "../../core/reconcile/preflight";
import { AimError, HttpError } from "../../core/http/errors";
import type { Plan } from "../../core/model/plan";
import { FakeAim, FakeIamV2 } from "../helpers/fakeDatabricks";
import { FakeOkta, aimApp } from "../helpers/fakeOkta";

const PRIVATE_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----";

function deps(over: Partial<PreflightDeps> = {}, app = aimApp()): PreflightDeps & { aim: FakeAim } {
  const aim = new FakeAim();
  return {
    okta: new FakeOkta([], [], [app]),
    appId: app.id,
    aim,
    // The fake adapter has no stored-connection test: the test runs "here".
    localTest: aim.test.bind(aim),
    iamv2: new FakeIamV2(() => aim.state.enabled),
    connection: { oktaOrgUrl: "https://example.okta.com", privateKey: PRIVATE_KEY },
    ...over,
  } as PreflightDeps & { aim: FakeAim };
}
const emptyPlan = (): Plan => ({
  summary: {
    users: { link: 0, alreadyLinked: 0, conflict: 0, ambiguous: 0, duplicate: 0, unmatched: 0 },
    groups: { link: 0, alreadyLinked: 0, conflict: 0, ambiguous: 0, duplicate: 0, unmatched: 0 },
    servicePrincipals: {
      link: 0,
      alreadyLinked: 0,
      conflict: 0,
      ambiguous: 0,
      duplicate: 0,
      unmatched: 0,
    },
  },
  actions: [],
  findings: [],
});
const check = (r: PreflightResult, id: string) => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${r.checks.map((x) => x.id).join(",")}`);
  return c;
};

describe("runPreflight", () => {
  it('says which form of "AIM is off" the iamv2 probe met (the preview off answers 403)', async () => {
    const iamv2 = {
      getByExternalId: async () => {
        throw new HttpError({
          service: "databricks",
          kind: "FORBIDDEN",
          status: 403,
          method: "GET",
          url: "http://127.0.0.1/api/2.0/identity/accounts/a/external-users/x",
          serviceCode: "PERMISSION_DENIED",
          message: "GET external-users returned 403",
        });
      },
    };
    const r = await runPreflight(deps({ iamv2 }), emptyPlan());
    expect(check(r, "aim.status")).toMatchObject({
      ok: true,
      message:
        "AIM connection not configured, disabled (api adapter); iamv2 probe: AIM is off (the iamv2 preview is not enabled for the account)",
    });
  });

  it("passes a correctly configured app with a working connection", async () => {
    const d = deps();
    const r = await runPreflight(d, emptyPlan());
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual([
      "okta.app.found",
      "okta.app.serviceType",
      "okta.app.clientAuth",
      "okta.app.signingKey",
      "okta.app.dpop",
      "okta.app.grants",
      "okta.app.adminRole",
      "aim.connectionTest",
      "aim.status",
      "tenant.usernameUnique",
      "plan.duplicates",
      "plan.conflicts",
      "plan.usernameDrift",
      "plan.pendingLinks",
    ]);
    expect(d.aim.testCalls).toEqual([
      {
        oktaOrgUrl: "https://example.okta.com",
        clientId: "0oaaimapp000000001",
        privateKey: PRIVATE_KEY,
      },
    ]);
    expect(check(r, "aim.status").message).toBe(
      "AIM connection not configured, disabled (api adapter); iamv2 probe: AIM is off (the account is not onboarded onto AIM)",
    );
    expect(JSON.stringify(r)).not.toContain(
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    );
  });

  it("says what to change and where when DPoP is required", async () => {
    const app = aimApp();
    app.settings.oauthClient.dpop_bound_access_tokens = true;
    const r = await runPreflight(deps({}, app));
    const c = check(r, "okta.app.dpop");
    expect(c).toMatchObject({ ok: false, severity: "error" });
    expect(c.message).toBe(
      `"Databricks AIM" requires DPoP; AIM's client sends no DPoP proof, so its token requests fail with invalid_dpop_proof`,
    );
    expect(c.fix).toContain(
      `Okta Admin Console → Applications → Applications → "Databricks AIM" → General → General Settings → Edit → Proof of possession: uncheck "Require Demonstrating Proof of Possession (DPoP) header in token requests", then Save.`,
    );
    expect(r.ok).toBe(false);
    expect(r.counts.errors).toBe(1);
  });

  it("flags a non-service app, client-secret auth and no active key", async () => {
    const app = aimApp();
    app.settings.oauthClient.application_type = "web";
    app.credentials.oauthClient.token_endpoint_auth_method = "client_secret_basic";
    app.settings.oauthClient.jwks = { keys: [{ kid: "old", kty: "RSA", status: "INACTIVE" }] };
    const r = await runPreflight(deps({}, app));
    expect(check(r, "okta.app.serviceType")).toMatchObject({
      ok: false,
      message: `"Databricks AIM" is a "web" app; AIM needs an API Services app (application_type "service") to use the client credentials flow`,
    });
    expect(check(r, "okta.app.serviceType").fix).toMatch(/Create App Integration → API Services/);
    expect(check(r, "okta.app.clientAuth").message).toMatch(
      /authenticates with "client_secret_basic"; AIM signs a private_key_jwt/,
    );
    expect(check(r, "okta.app.clientAuth").fix).toMatch(
      /General → Client Credentials → Edit: set Client authentication to "Public key \/ Private key"/,
    );
    expect(check(r, "okta.app.signingKey")).toMatchObject({
      ok: false,
      message: `"Databricks AIM" has no active public key, so no assertion AIM signs can be verified`,
    });
    expect(r.counts.errors).toBe(3);
  });

  it("names a missing scope grant, and a role that reads no users or groups", async () => {
    const app = aimApp({ grants: ["okta.users.read"], roles: ["REPORT_ADMIN"] });
    const r = await runPreflight(deps({}, app));
    expect(check(r, "okta.app.grants")).toMatchObject({
      ok: false,
      severity: "error",
      message: `"Databricks AIM" is not granted okta.groups.read; the token request fails with invalid_scope`,
      fix: `Okta Admin Console → Applications → Applications → "Databricks AIM" → Okta API Scopes: click Grant next to okta.groups.read.`,
    });
    expect(check(r, "okta.app.adminRole")).toMatchObject({
      ok: false,
      severity: "error",
      message: `"Databricks AIM" cannot read users or groups with its admin roles (roles: REPORT_ADMIN: reads no users or groups); AIM's reads of users and groups answer 403`,
      fix: `Okta Admin Console → Applications → Applications → "Databricks AIM" → Admin roles → Edit assignments: Role "Read-Only Administrator", then Save Changes. Then remove REPORT_ADMIN from the same Admin roles tab (or give a custom role okta.users.read and okta.groups.read: Security → Administrators → Roles).`,
    });
  });

  it("downgrades to a warning when grants cannot be read, and reports a missing app", async () => {
    const okta = new FakeOkta([], [], [aimApp()]);
    okta.grantsError = new HttpError({
      service: "okta",
      kind: "FORBIDDEN",
      status: 403,
      method: "GET",
      url: "https://x.okta.com/api/v1/apps/a/grants",
      message: "GET https://x.okta.com/api/v1/apps/a/grants returned 403",
    });
    const r = await runPreflight(deps({ okta }));
    expect(check(r, "okta.app.grants")).toMatchObject({ ok: false, severity: "warning" });
    expect(check(r, "okta.app.grants").message).toBe(
      `could not read the scopes granted to "Databricks AIM": ERR_OKTA_FORBIDDEN: GET https://x.okta.com/api/v1/apps/a/grants returned 403`,
    );

    const r2 = await runPreflight(deps({ appId: "0oamissing" }));
    expect(check(r2, "okta.app.found")).toMatchObject({
      ok: false,
      severity: "error",
      message: "the Okta app 0oamissing does not exist",
    });
    expect(r2.checks.some((c) => c.id === "okta.app.dpop")).toBe(false);
  });

  it("turns a failed connection test into the matching fix, without echoing the key", async () => {
    const d = deps();
    d.aim.testResult = {
      success: false,
      steps: [
        {
          name: "token",
          ok: false,
          message: `invalid_dpop_proof: The DPoP proof JWT header is missing. (key ${PRIVATE_KEY})`,
        },
      ],
    };
    const r = await runPreflight(d);
    const c = check(r, "aim.connectionTest");
    expect(c).toMatchObject({ ok: false, severity: "error" });
    expect(c.message).toMatch(
      /^connection test run from here failed at token: invalid_dpop_proof: The DPoP proof JWT header is missing\./,
    );
    expect(c.message).not.toContain(
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    );
    expect(c.fix).toMatch(
      /uncheck "Require Demonstrating Proof of Possession \(DPoP\) header in token requests"/,
    );

    d.aim.testResult = {
      success: false,
      steps: [
        {
          name: "token",
          ok: false,
          message: "invalid_client: The client_assertion JWT kid is invalid.",
        },
      ],
    };
    expect(check(await runPreflight(d), "aim.connectionTest").fix).toMatch(
      /Client Credentials must use Public key \/ Private key, list the public key/,
    );

    d.aim.testError = new AimError(
      "ERR_AIM_NOT_ENROLLED",
      "the account is not enrolled in the AIM admin API",
    );
    const c3 = check(await runPreflight(d), "aim.connectionTest");
    expect(c3.message).toBe(
      "connection test could not run: ERR_AIM_NOT_ENROLLED: the account is not enrolled in the AIM admin API",
    );
    expect(c3.fix).toMatch(
      /use adapter "console" .*Security → User provisioning → Automatic identity management → Configure → Test connection/,
    );
  });

  it("warns when the connection test cannot run for want of a key", async () => {
    const r = await runPreflight(deps({ connection: undefined }));
    expect(check(r, "aim.connectionTest")).toMatchObject({
      ok: false,
      severity: "warning",
      message: "connection test not run: no Okta org URL and private key given",
    });
    expect(r.ok).toBe(true);
  });

  it("makes pending links an error once AIM is on, and sees AIM through the iamv2 probe", async () => {
    const d = deps();
    d.aim.state = { configured: true, enabled: true, clientId: "0oaaimapp000000001" };
    const plan = emptyPlan();
    plan.actions = [
      {
        kind: "user",
        databricksId: "1",
        databricksName: "a@x.com",
        oktaId: "00u1",
        matchedBy: "login",
        previousExternalId: null,
      },
    ];
    const r = await runPreflight(d, plan);
    expect(check(r, "aim.status").message).toBe(
      "AIM connection configured, enabled (api adapter); iamv2 probe: AIM is on",
    );
    expect(check(r, "plan.pendingLinks")).toMatchObject({
      ok: false,
      severity: "error",
      message:
        "1 identit(ies) still lack their Okta id as externalId while AIM is ON: each gets a duplicate at its first login",
    });
    d.aim.state.enabled = false;
    expect(check(await runPreflight(d, plan), "plan.pendingLinks").severity).toBe("warning");
  });

  it("reports a connection using another client id, and console/iamv2 disagreement", async () => {
    const d = deps();
    d.aim.state = { configured: true, enabled: true, clientId: "0oaother" };
    d.iamv2 = new FakeIamV2(() => false);
    const r = await runPreflight(d);
    expect(check(r, "aim.clientId")).toMatchObject({
      ok: false,
      severity: "error",
      message:
        "the AIM connection uses client id 0oaother, but the Okta app has 0oaaimapp000000001",
    });
    expect(check(r, "aim.status")).toMatchObject({ ok: false, severity: "info" });
    expect(check(r, "aim.status").fix).toMatch(/disagree/);
  });

  it("names each identity once in the username-uniqueness line", async () => {
    // One username both ambiguous and in an email clash: two findings, one name.
    const plan = emptyPlan();
    plan.findings = [
      {
        code: "AMBIGUOUS_MATCH",
        severity: "error",
        kind: "user",
        subjects: ["s@x.com"],
        message: "",
      },
      {
        code: "OKTA_EMAIL_NOT_UNIQUE",
        severity: "error",
        kind: "tenant",
        subjects: ["p@corp.com", "q@corp.com", "s@x.com"],
        message: "",
      },
    ];
    const r = await runPreflight(deps(), plan);
    expect(check(r, "tenant.usernameUnique").message).toMatch(
      /: s@x\.com, p@corp\.com, q@corp\.com$/,
    );
  });

  it("turns the plan's findings into uniqueness, duplicate, conflict and drift checks", async () => {
    const plan = emptyPlan();
    plan.findings = [
      {
        code: "OKTA_EMAIL_NOT_UNIQUE",
        severity: "error",
        kind: "tenant",
        subjects: ["shared@x.com"],
        message: "",
      },
      { code: "AMBIGUOUS_MATCH", severity: "error", kind: "group", subjects: ["eng"], message: "" },
      {
        code: "DUPLICATE_IDENTITY",
        severity: "error",
        kind: "user",
        subjects: ["a@x.com", "A@x.com"],
        message: "",
      },
      {
        code: "EXTERNAL_ID_FOREIGN",
        severity: "warning",
        kind: "user",
        subjects: ["c@x.com"],
        message: "",
      },
      {
        code: "USERNAME_DRIFT",
        severity: "warning",
        kind: "user",
        subjects: ["old@x.com"],
        message: "",
      },
    ];
    const r = await runPreflight(deps(), plan);
    expect(check(r, "tenant.usernameUnique")).toMatchObject({
      ok: false,
      severity: "error",
      message: "1 Databricks username(s) map to several Okta users: shared@x.com",
    });
    expect(check(r, "plan.duplicates")).toMatchObject({
      ok: false,
      severity: "error",
      message: "1 Okta identit(ies) match several Databricks identities: a@x.com, A@x.com",
    });
    expect(check(r, "plan.conflicts")).toMatchObject({
      ok: false,
      severity: "error",
      message: "2 conflict(s) or ambiguous match(es): c@x.com, eng",
    });
    expect(check(r, "plan.usernameDrift")).toMatchObject({ ok: false, severity: "warning" });
    expect(check(r, "plan.usernameDrift").fix).toMatch(/username migration/);
    expect(r.counts).toEqual({ errors: 3, warnings: 1, infos: 0 });
    expect(r.ok).toBe(false);

    // Accepted codes still fail their checks, as warnings that name them; the rest still block.
    const a = await runPreflight(
      deps({ acceptedFindings: ["DUPLICATE_IDENTITY", "AMBIGUOUS_MATCH"] }),
      plan,
    );
    expect(check(a, "plan.duplicates")).toMatchObject({
      ok: false,
      severity: "warning",
      message:
        "1 Okta identit(ies) match several Databricks identities: a@x.com, A@x.com (accepted: DUPLICATE_IDENTITY)",
    });
    expect(check(a, "plan.conflicts")).toMatchObject({
      ok: false,
      severity: "warning",
      message: "2 conflict(s) or ambiguous match(es): c@x.com, eng (accepted: AMBIGUOUS_MATCH)",
    });
    expect(check(a, "tenant.usernameUnique")).toMatchObject({ ok: false, severity: "error" });
    expect(a.counts).toEqual({ errors: 1, warnings: 3, infos: 0 });

    // Warnings alone fail their check without blocking.
    plan.findings = [
      {
        code: "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
        severity: "warning",
        kind: "tenant",
        subjects: ["x@x.com"],
        message: "",
      },
      {
        code: "EXTERNAL_ID_FOREIGN",
        severity: "warning",
        kind: "user",
        subjects: ["c@x.com"],
        message: "",
      },
    ];
    const w = await runPreflight(deps(), plan);
    expect(check(w, "tenant.usernameUnique")).toMatchObject({
      ok: false,
      severity: "warning",
      message: "1 Okta email clash(es) affect no Databricks username yet: x@x.com",
    });
    expect(check(w, "plan.conflicts")).toMatchObject({ ok: false, severity: "warning" });
    expect(w.ok).toBe(true);

    const none = await runPreflight(deps());
    expect(check(none, "plan.given")).toMatchObject({ ok: false, severity: "info" });
  });
});
