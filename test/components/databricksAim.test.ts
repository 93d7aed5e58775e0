/**
 * DatabricksAim under pulumi.runtime.setMocks: child types, names, parents,
 * inputs, and the ordering that matters: the AIM connection depends on the
 * reconciliation (AIM is enabled last) and gets its findings.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, mockUrn, settle, type Registration } from "./mockMonitor";

const COMPONENT = "okta-databricks-aim:index:DatabricksAim";
const RECONCILIATION = "pulumi-nodejs:dynamic/okta-databricks-aim:IdentityReconciliation";
const CONNECTION = "pulumi-nodejs:dynamic/okta-databricks-aim:AimConnection";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n";

const FINDINGS = {
  error: 1,
  warning: 2,
  info: 0,
  byCode: { AMBIGUOUS_MATCH: 1 },
  errorCodes: ["AMBIGUOUS_MATCH"],
};

let registrations: Registration[];
let mod: typeof import("../../components/DatabricksAim");

beforeAll(async () => {
  // Mocked providers return inputs as outputs; add what the real ones compute.
  registrations = installMocks((type) => {
    if (type === RECONCILIATION)
      return { findings: FINDINGS, pending: { users: { link: 3, overwrite: 0 } }, digest: "d" };
    if (type === CONNECTION)
      return {
        liveEnabled: false,
        enableBlockedBy: ["AMBIGUOUS_MATCH"],
        adapterUsed: "api",
        adapterReason: "auto: GET /x/connection answered 200 with the configured connection, so …",
      };
    return {};
  });
  mod = await import("../../components/DatabricksAim");
});

function byName(name: string): Registration {
  const r = registrations.find((x) => x.name === name);
  if (!r)
    throw new Error(`no resource named ${name}: ${registrations.map((x) => x.name).join(", ")}`);
  return r;
}

describe("DatabricksAim", () => {
  it("registers reconciliation then connection as children, the connection depending on the reconciliation", async () => {
    const aim = new mod.DatabricksAim("prod", {
      oktaOrgUrl: "https://example.okta.com",
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      clientId: "0oa123",
      keyId: "kid-1",
      privateKeyPem: pulumi.secret(PEM),
      rules: { onConflict: "report", userOverrides: { "a@example.com": "00u1" } },
      writeRoute: "iamv2",
      acceptFindings: ["EXTERNAL_ID_FOREIGN"],
      adapter: "console",
    });
    const [findings, enabled, blocked] = await Promise.all([
      settle(aim.findings),
      settle(aim.aimEnabled),
      settle(aim.enableBlockedBy),
    ]);
    expect(findings).toEqual(FINDINGS);
    expect(enabled).toBe(false);
    expect(blocked).toEqual(["AMBIGUOUS_MATCH"]);

    const mine = registrations.filter((r) => r.name.startsWith("prod"));
    expect(mine.map((r) => [r.type, r.name])).toEqual([
      [COMPONENT, "prod"],
      [RECONCILIATION, "prod-reconciliation"],
      [CONNECTION, "prod-connection"],
    ]);
    const componentUrn = mockUrn(COMPONENT, "prod");
    const reconciliationUrn = mockUrn(RECONCILIATION, "prod-reconciliation", [COMPONENT]);
    const rec = byName("prod-reconciliation");
    const conn = byName("prod-connection");
    expect(rec.parent).toBe(componentUrn);
    expect(conn.parent).toBe(componentUrn);
    // AIM is enabled last: dependsOn the reconciliation, and its findings flow in.
    expect(conn.dependencies).toContain(reconciliationUrn);
    expect(conn.propertyDependencies.reconciliationFindings).toEqual([reconciliationUrn]);
    expect(rec.dependencies).toEqual([]);

    expect(rec.inputs).toMatchObject({
      oktaOrgUrl: "https://example.okta.com",
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      rules: { onConflict: "report", userOverrides: { "a@example.com": "00u1" } },
      writeRoute: "iamv2",
      revertOnDelete: false,
      providerVersion: "2",
    });
    expect(typeof rec.inputs.__provider).toBe("string");
    expect(conn.inputs).toMatchObject({
      adapter: "console",
      clientId: "0oa123",
      keyId: "kid-1",
      enabled: true,
      acceptFindings: ["EXTERNAL_ID_FOREIGN"],
      disableOnDelete: false,
      reconciliationFindings: FINDINGS,
    });
    // The key reaches the provider only as a secret input, never in its serialised code.
    expect((conn.inputs.privateKeyPem as Record<string, unknown>)[SECRET_SIG]).toBeDefined();
    expect(String(conn.inputs.__provider)).not.toContain("MIIfake");
  });

  it("defaults: auto adapter, scim route, AIM enabled, nothing accepted, nothing reverted", async () => {
    const dflt = new mod.DatabricksAim("dflt", {
      oktaOrgUrl: "https://example.okta.com",
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "acc",
      clientId: "0oa1",
      privateKeyPem: PEM,
    });
    await new Promise((r) => setTimeout(r, 200));
    // Which adapter the connection used and why: its outputs, as the component's.
    expect(await settle(dflt.adapterUsed)).toBe("api");
    expect(await settle(dflt.adapterReason)).toBe(
      "auto: GET /x/connection answered 200 with the configured connection, so …",
    );
    expect(byName("dflt-reconciliation").inputs).toMatchObject({
      rules: {},
      writeRoute: "scim",
      revertOnDelete: false,
    });
    expect(byName("dflt-connection").inputs).toMatchObject({
      adapter: "auto",
      enabled: true,
      acceptFindings: [],
      disableOnDelete: false,
    });
    // A plain-string key is still registered as a secret.
    expect(
      (byName("dflt-connection").inputs.privateKeyPem as Record<string, unknown>)[SECRET_SIG],
    ).toBeDefined();
  });

  it("names bad arguments", () => {
    expect(
      () =>
        new mod.DatabricksAim("bad", {
          oktaOrgUrl: "https://example.okta.com",
          databricksHost: "https://accounts.cloud.databricks.com",
          accountId: "acc",
          clientId: "0oa1",
          privateKeyPem: PEM,
          adapter: "portal" as never,
        }),
    ).toThrow(
      '[adapter] "portal" is not an AIM adapter: use "auto" (the admin API where the account answers it, else the console path; the default), "api" (the private-preview AIM admin API), "console" (you enter the values in the account console).',
    );
    expect(mod.argsProblems({} as never)).toEqual([
      "[oktaOrgUrl] must be given.",
      "[databricksHost] must be given.",
      "[accountId] must be given.",
      "[clientId] must be given.",
      "[privateKeyPem] must be given.",
    ]);
  });
});
