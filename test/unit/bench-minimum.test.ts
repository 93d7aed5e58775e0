/**
 * The bench's measuring stick (bench/minimum.ts): the fewest calls follow
 * from the tenant's sizes and the largest pages the services document, never
 * from the pages the client happens to ask for.
 */
import { describe, expect, it } from "vitest";
import { applyRows, DOCUMENTED_MAX_PAGE, pages, planRows } from "../../bench/minimum";
import type { TenantCounts } from "../../bench/protocol";

const sum = (rows: Array<{ minimum: number }>) => rows.reduce((n, r) => n + r.minimum, 0);
const minimumOf = (rows: Array<{ endpoint: string; minimum: number }>, endpoint: string) =>
  rows.find((r) => r.endpoint.startsWith(endpoint))?.minimum;

// The bench's 100,000-user tenant (seed 1, Okta-only rate 3%), as the emulators report it.
const hundredK: TenantCounts = {
  oktaUsersListed: 100_200,
  oktaDeprovisioned: 500,
  oktaGroups: 10_213,
  databricksUsers: 100_300,
  databricksGroups: 10_050,
  databricksServicePrincipals: 1_000,
};

describe("bench minimum", () => {
  it("uses the documented page maxima: Okta users 200, Okta groups 10,000, Databricks SCIM 100", () => {
    expect(DOCUMENTED_MAX_PAGE).toEqual({
      oktaUsers: 200,
      oktaGroups: 10_000,
      databricksScim: 100,
    });
    const rows = planRows(hundredK);
    // Every Okta user of any status in one filtered pass: ceil(100,700 / 200).
    expect(minimumOf(rows, "okta GET /api/v1/users")).toBe(504);
    // 10,213 groups fit in two pages of 10,000 (not 52 of 200).
    expect(minimumOf(rows, "okta GET /api/v1/groups")).toBe(2);
    expect(minimumOf(rows, "databricks GET scim/v2/Users")).toBe(1_003);
    expect(minimumOf(rows, "databricks GET scim/v2/Groups")).toBe(101);
    expect(minimumOf(rows, "databricks GET scim/v2/ServicePrincipals")).toBe(10);
    // Two tokens and the pages.
    expect(sum(rows)).toBe(2 + 504 + 2 + 1_003 + 101 + 10);
  });

  it("counts one request for an empty list and more pages when the server serves fewer", () => {
    expect(pages(0, 200)).toBe(1);
    const empty = planRows({
      oktaUsersListed: 0,
      oktaDeprovisioned: 0,
      oktaGroups: 0,
      databricksUsers: 0,
      databricksGroups: 0,
      databricksServicePrincipals: 0,
    });
    expect(sum(empty)).toBe(7);
    // A server capping pages at 50 doubles the Databricks pages any client needs; a cap above the
    // documented 100 does not lower them.
    expect(minimumOf(planRows(hundredK, 50), "databricks GET scim/v2/Users")).toBe(2_006);
    expect(minimumOf(planRows(hundredK, 500), "databricks GET scim/v2/Users")).toBe(1_003);
  });

  it("gives apply one write per link and a re-check and a read-back per 100 links of a kind", () => {
    const rows = applyRows({ user: 250, group: 0, servicePrincipal: 1 }, "scim");
    expect(rows.map((r) => [r.endpoint, r.minimum])).toEqual([
      ["databricks POST token (M2M)", 1],
      ["databricks GET scim/v2/Users?filter=id… (re-check + read-back)", 6],
      ["databricks PATCH scim/v2/Users/{id}", 250],
      ["databricks GET scim/v2/ServicePrincipals?filter=id… (re-check + read-back)", 2],
      ["databricks PATCH scim/v2/ServicePrincipals/{id}", 1],
    ]);
  });
});
