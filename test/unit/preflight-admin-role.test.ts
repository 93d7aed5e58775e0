/**
 * The preflight's admin-role check (okta.app.adminRole) over an in-memory
 * Okta: Read-Only Administrator passes, a broader role that reads every user
 * and group is a warning with the least-privilege fix, a custom role is
 * judged by its permissions and its resource set, and a role set that cannot
 * read users or groups is an error naming what it lacks.
 */
import { describe, expect, it } from "vitest";
import { checkExitCode } from "../../cli/commands/check";
import { EXIT } from "../../cli/exitCodes";
import { runPreflight, type PreflightResult } from "../../core/reconcile/preflight";
import type { OktaRoleAssignment } from "../../core/okta/roles";
import { FakeOkta, aimApp } from "../helpers/fakeOkta";

const ORG = "https://example.okta.com";
const ALL_USERS = { id: "ire1", orn: "orn:okta:directory:00o1:users", href: `${ORG}/api/v1/users` };
const ALL_GROUPS = { id: "ire2", orn: "orn:okta:directory:00o1:groups" };
const WHERE = `Okta Admin Console → Applications → Applications → "Databricks AIM"`;
const ASSIGN_RO = `${WHERE} → Admin roles → Edit assignments: Role "Read-Only Administrator", then Save Changes.`;

function custom(id = "irb1", roleId = "cr0reader", set = "iamset1"): OktaRoleAssignment {
  return { kind: "custom", id, type: "CUSTOM", roleId, label: "AIM reader", resourceSetId: set };
}

/** The preflight's okta.app.adminRole check for an app holding these roles. */
async function roleCheck(
  roles: string[],
  setUp: (okta: FakeOkta, clientId: string) => void = () => {},
): Promise<{ check: PreflightResult["checks"][number]; result: PreflightResult }> {
  const app = aimApp({ roles });
  const okta = new FakeOkta([], [], [app]);
  setUp(okta, app.credentials.oauthClient.client_id);
  const result = await runPreflight({ okta, appId: app.id });
  const check = result.checks.find((c) => c.id === "okta.app.adminRole");
  if (!check) throw new Error("no okta.app.adminRole check");
  return { check, result };
}

describe("okta.app.adminRole", () => {
  it("passes Read-Only Administrator alone", async () => {
    const { check } = await roleCheck(["READ_ONLY_ADMIN"]);
    expect(check).toMatchObject({
      ok: true,
      message: `"Databricks AIM" holds the Read-Only Administrator role`,
      fix: null,
    });
  });

  it("warns when Read-Only Administrator comes with other roles, naming them", async () => {
    const { check } = await roleCheck(["READ_ONLY_ADMIN", "SUPER_ADMIN"]);
    expect(check).toMatchObject({
      ok: false,
      severity: "warning",
      message: `"Databricks AIM" holds the Read-Only Administrator role, and also SUPER_ADMIN, which grant more than AIM needs`,
      fix: `Least privilege: remove SUPER_ADMIN from ${WHERE} → Admin roles; AIM only reads users and groups.`,
    });
  });

  it.each(["SUPER_ADMIN", "ORG_ADMIN"])(
    "%s works but is a warning with the least-privilege fix; nothing blocks",
    async (type) => {
      const { check, result } = await roleCheck([type]);
      expect(check).toMatchObject({
        ok: false,
        severity: "warning",
        message: `"Databricks AIM" reads users and groups through ${type} instead of the Read-Only Administrator role the Databricks documentation asks for: it works, but grants more than AIM needs`,
        fix: `Least privilege: ${ASSIGN_RO} Then remove ${type} from the same Admin roles tab; AIM only reads users and groups.`,
      });
      expect(result.ok).toBe(true);
      expect(result.counts.errors).toBe(0);
      expect(checkExitCode(result)).toBe(EXIT.ok);
    },
  );

  it("says a group-constrainable role reads only its groups' identities when constrained", async () => {
    const { check } = await roleCheck(["HELP_DESK_ADMIN"]);
    expect(check).toMatchObject({ ok: false, severity: "warning" });
    expect(check.message).toMatch(
      /through HELP_DESK_ADMIN .*; and an assignment constrained to some groups reads only their users and groups$/,
    );
  });

  it("warns on a custom role that reads every user and group (read or manage permissions)", async () => {
    for (const perms of [
      ["okta.users.read", "okta.groups.read"],
      ["okta.users.manage", "okta.groups.manage"],
    ]) {
      const { check, result } = await roleCheck([], (okta, clientId) => {
        okta.customRoles.set(clientId, [custom()]);
        okta.rolePermissions.set(
          "cr0reader",
          perms.map((label) => ({ label })),
        );
        okta.resourceSets.set("iamset1", [ALL_USERS, ALL_GROUPS]);
      });
      expect(check, perms.join()).toMatchObject({
        ok: false,
        severity: "warning",
        message: `"Databricks AIM" reads users and groups through custom role "AIM reader" (cr0reader) instead of the Read-Only Administrator role the Databricks documentation asks for: it works, but grants more than AIM needs`,
        fix: `Least privilege: ${ASSIGN_RO} Then remove custom role "AIM reader" (cr0reader) from the same Admin roles tab; AIM only reads users and groups.`,
      });
      expect(result.ok).toBe(true);
    }
  });

  it("is an error for a custom role that cannot read groups, naming what it lacks", async () => {
    const { check, result } = await roleCheck([], (okta, clientId) => {
      okta.customRoles.set(clientId, [custom()]);
      okta.rolePermissions.set("cr0reader", [
        { label: "okta.users.read" },
        { label: "okta.groups.members.manage" },
      ]);
      okta.resourceSets.set("iamset1", [ALL_USERS, ALL_GROUPS]);
    });
    expect(check).toMatchObject({
      ok: false,
      severity: "error",
      message: `"Databricks AIM" cannot read groups with its admin roles (roles: custom role "AIM reader" (cr0reader): has none of okta.groups.read, okta.groups.manage); AIM's reads of groups answer 403`,
      fix: `${ASSIGN_RO} Then remove custom role "AIM reader" (cr0reader) from the same Admin roles tab (or give a custom role okta.groups.read: Security → Administrators → Roles).`,
    });
    expect(result.ok).toBe(false);
    expect(checkExitCode(result)).toBe(EXIT.blocked);
  });

  it("is an error with no role at all", async () => {
    const { check, result } = await roleCheck([]);
    expect(check).toMatchObject({
      ok: false,
      severity: "error",
      message: `"Databricks AIM" does not hold the Read-Only Administrator role (roles: none); reads answer 403 without an admin role`,
      fix: ASSIGN_RO,
    });
    expect(checkExitCode(result)).toBe(EXIT.blocked);
  });

  it("warns when a resource set holds only some groups' users: the reads would miss identities", async () => {
    const { check } = await roleCheck([], (okta, clientId) => {
      okta.customRoles.set(clientId, [custom()]);
      okta.rolePermissions.set("cr0reader", [
        { label: "okta.users.read" },
        { label: "okta.groups.read" },
      ]);
      okta.resourceSets.set("iamset1", [
        { id: "ire3", orn: "orn:okta:directory:00o1:groups:00gfinance:contained_resources" },
        { id: "ire4", href: `${ORG}/api/v1/groups/00gfinance` },
      ]);
    });
    expect(check).toMatchObject({
      ok: false,
      severity: "warning",
      message: `"Databricks AIM"'s admin roles read only some users and groups (roles: custom role "AIM reader" (cr0reader): resource set iamset1 holds only some users and only some groups): AIM would not see the identities outside them, and they grant more than AIM needs`,
    });
  });

  it("warns when the user read permission carries attribute conditions", async () => {
    const { check } = await roleCheck([], (okta, clientId) => {
      okta.customRoles.set(clientId, [custom()]);
      okta.rolePermissions.set("cr0reader", [
        {
          label: "okta.users.read",
          conditions: { include: { "okta:ResourceAttribute/User/Profile": ["city"] } },
        },
        { label: "okta.groups.read" },
      ]);
      okta.resourceSets.set("iamset1", [ALL_USERS, ALL_GROUPS]);
    });
    expect(check).toMatchObject({ ok: false, severity: "warning" });
    expect(check.message).toMatch(
      /read only some users .*okta\.users\.read carry attribute conditions \(reads may omit login or email\)/,
    );
  });

  it("warns (check by hand) when a custom role's permissions cannot be read", async () => {
    const { check, result } = await roleCheck([], (okta, clientId) => {
      okta.customRoles.set(clientId, [custom("irb9", "cr0gone")]);
    });
    expect(check).toMatchObject({ ok: false, severity: "warning" });
    expect(check.message).toBe(
      `could not tell whether "Databricks AIM"'s admin roles read every user and group (roles: custom role "AIM reader" (cr0gone): its permissions could not be read: no custom role cr0gone)`,
    );
    expect(check.fix).toMatch(
      /^Check by hand in Security → Administrators \(the roles' permissions and resource sets\), or: Least privilege: /,
    );
    expect(result.ok).toBe(true);
  });

  it("a role that reads users beside one that reads nothing still misses groups: an error", async () => {
    const { check } = await roleCheck(["REPORT_ADMIN"], (okta, clientId) => {
      okta.customRoles.set(clientId, [custom()]);
      okta.rolePermissions.set("cr0reader", [{ label: "okta.users.read" }]);
      okta.resourceSets.set("iamset1", [ALL_USERS]);
    });
    expect(check).toMatchObject({ ok: false, severity: "error" });
    expect(check.message).toMatch(/^"Databricks AIM" cannot read groups with its admin roles/);
    expect(check.message).toContain("REPORT_ADMIN: reads no users or groups");
  });
});
