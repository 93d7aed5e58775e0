/**
 * readSnapshot with the real clients against both emulators: DEPROVISIONED
 * Okta users are included (the plain list omits them), every page is read,
 * the two services are read concurrently, and the result feeds planLinks.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { OktaClient } from "../../core/okta";
import { readSnapshot, type SnapshotProgress } from "../../core/reconcile/snapshot";
import { planLinks } from "../../core/reconcile/plan";
import { clientFor } from "../helpers/applyHarness";

let okta: OktaEmulator | undefined;
let dbx: DatabricksEmulator | undefined;
afterEach(async () => {
  await okta?.close();
  await dbx?.close();
  okta = dbx = undefined;
});

describe("readSnapshot against the emulators", () => {
  it("reads everything, deprovisioned users included, page by page", async () => {
    const tenant = generateTenant({ users: 450, seed: 7, rates: { deprovisionedOnly: 0.05 } });
    const deprovisioned = tenant.okta.users.filter((u) => u.status === "DEPROVISIONED").length;
    expect(deprovisioned).toBeGreaterThan(0);
    // 40-80 ms per request on both sides, so that pages and the timing figure mean something.
    okta = await startOktaEmulator({
      fixture: tenant.okta,
      rateLimits: "off",
      faults: { latencyMs: 80 },
    });
    dbx = await startDatabricksEmulator({
      fixture: tenant.databricks,
      rateLimits: "off",
      faults: { latencyMs: 80 },
    });
    const oktaClient = new OktaClient({
      orgUrl: okta.url,
      auth: { kind: "apiToken", token: okta.apiToken },
    });
    const dbxClient = clientFor(dbx);
    const events: SnapshotProgress[] = [];

    const s = await readSnapshot(oktaClient, dbxClient, { onProgress: (p) => events.push(p) });

    expect(s.okta.users).toHaveLength(tenant.okta.users.length);
    expect(s.okta.users.filter((u) => u.status === "DEPROVISIONED")).toHaveLength(deprovisioned);
    expect(s.okta.groups).toHaveLength(tenant.okta.groups.length);
    expect(s.databricks.users).toHaveLength(tenant.databricks.users.length);
    expect(s.databricks.groups).toHaveLength(tenant.databricks.groups.length);
    expect(s.databricks.servicePrincipals).toHaveLength(tenant.databricks.servicePrincipals.length);
    // Okta users take several 200-user pages; progress reports each.
    expect(
      events.filter((e) => e.source === "okta.users" && !e.done).length,
    ).toBeGreaterThanOrEqual(3);
    expect(events.filter((e) => e.done)).toHaveLength(5);
    // Concurrency itself is asserted in test/unit/apply-snapshot.test.ts (no wall-clock limits here).
    expect(s.timing.totalMs).toBeGreaterThanOrEqual(
      Math.max(s.timing.oktaMs, s.timing.databricksMs),
    );
    console.log(
      `snapshot of ${tenant.okta.users.length} Okta users / ${tenant.databricks.users.length} Databricks users: ${JSON.stringify(s.timing)}`,
    );

    // The same snapshot planned twice gives the same plan as the fixture itself.
    expect(JSON.stringify(planLinks(s.okta, s.databricks))).toBe(
      JSON.stringify(planLinks(tenant.okta, tenant.databricks)),
    );
  });
});
