/**
 * The planner at a size where a call stack that grows with the tenant would
 * overflow: `actions.push(...kept)` in withdrawSharedLinks crashed near 210k
 * links ("Maximum call stack size exceeded"). Correctness only; speed is a
 * bench figure (npm run bench, planLinks curve).
 */
import { describe, expect, it } from "vitest";
import type { DatabricksUser, OktaUser } from "../../core/model/tenant";
import { planLinks } from "../../core/reconcile/plan";
import { uid } from "./reconcile-builders";

describe("planLinks at 300,000 identities", () => {
  it("withdraws a shared link among 300,000 planned ones without a stack that grows with them", () => {
    const n = 300_000;
    const okta: OktaUser[] = new Array(n);
    const dbx: DatabricksUser[] = new Array(n + 1);
    for (let i = 0; i < n; i++) {
      const login = `u${i}@scale.example`;
      okta[i] = { id: uid(i + 1), status: "ACTIVE", profile: { login, email: login } };
      dbx[i] = { id: String(10_000_000 + i), userName: login };
    }
    // Excluded, and keeps carrying user 1's Okta id: linking user 1 too would give AIM two identities.
    dbx[n] = { id: "9", userName: "someone-else@scale.example", externalId: uid(1) };
    const plan = planLinks(
      { users: okta, groups: [] },
      { users: dbx, groups: [], servicePrincipals: [] },
      { exclude: { users: ["someone-else@scale.example"] } },
    );
    expect(plan.actions).toHaveLength(n - 1);
    expect(plan.actions.some((a) => a.oktaId === uid(1))).toBe(false);
    expect(plan.summary.users).toMatchObject({ link: n - 1, duplicate: 1, unmatched: 1 });
    expect(plan.findings.filter((f) => f.code === "DUPLICATE_IDENTITY")).toHaveLength(1);
  });
});
