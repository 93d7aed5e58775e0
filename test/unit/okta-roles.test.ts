/** Okta's role shapes parsed (core/okta/roles.ts), and what a resource set covers. */
import { describe, expect, it } from "vitest";
import {
  parseResourceSetResources,
  parseRoleAssignment,
  parseRolePermissions,
  resourceSetReach,
} from "../../core/okta/roles";

describe("Okta role shapes", () => {
  it("parses a standard and a CUSTOM assignment as the API reference shows them", () => {
    expect(
      parseRoleAssignment(
        {
          id: "JBCUYUC7IRCVGS27IFCE2SKO",
          label: "Help Desk Administrator",
          type: "HELP_DESK_ADMIN",
          status: "ACTIVE",
          assignmentType: "CLIENT",
          _links: { assignee: { href: "https://x.okta.com/oauth2/v1/clients/0oa1" } },
        },
        "GET roles",
      ),
    ).toEqual({
      kind: "standard",
      id: "JBCUYUC7IRCVGS27IFCE2SKO",
      type: "HELP_DESK_ADMIN",
      label: "Help Desk Administrator",
      status: "ACTIVE",
    });
    expect(
      parseRoleAssignment(
        {
          id: "irb4ey26fpFI3vQ8y0g7",
          label: "view_minimal",
          type: "CUSTOM",
          status: "ACTIVE",
          assignmentType: "CLIENT",
          "resource-set": "iam4cxy6z7hhaZCSk0g7",
          role: "cr04cxy6yzSCtNciD0g7",
        },
        "GET roles",
      ),
    ).toEqual({
      kind: "custom",
      id: "irb4ey26fpFI3vQ8y0g7",
      type: "CUSTOM",
      roleId: "cr04cxy6yzSCtNciD0g7",
      label: "view_minimal",
      resourceSetId: "iam4cxy6z7hhaZCSk0g7",
      status: "ACTIVE",
    });
  });

  it("refuses shapes without the fields the reference gives, with its own code", () => {
    expect(() => parseRoleAssignment({ id: "x" }, "GET /oauth2/v1/clients/0oa1/roles")).toThrow(
      expect.objectContaining({
        code: "ERR_OKTA_UNEXPECTED_BODY",
        message:
          "Okta answered GET /oauth2/v1/clients/0oa1/roles with a role assignment without a string `type` and `id`.",
      }),
    );
    expect(() => parseRoleAssignment({ id: "irb1", type: "CUSTOM" }, "GET r")).toThrow(
      /a CUSTOM role assignment \(irb1\) without its `role`/,
    );
    expect(() => parseRolePermissions([], "GET p")).toThrow(/no `permissions` array/);
    expect(() => parseResourceSetResources({ resources: [{}] }, "GET s")).toThrow(
      /a resource without its `id`/,
    );
  });

  it("keeps a permission's conditions and a resource's ORN and self link", () => {
    expect(
      parseRolePermissions(
        {
          permissions: [
            { label: "okta.users.read", conditions: { include: { a: ["city"] } }, _links: {} },
            { label: "okta.groups.read", conditions: null },
          ],
        },
        "GET p",
      ),
    ).toEqual([
      { label: "okta.users.read", conditions: { include: { a: ["city"] } } },
      { label: "okta.groups.read" },
    ]);
    expect(
      parseResourceSetResources(
        {
          resources: [
            {
              id: "ire1",
              orn: "orn:okta:directory:00o1:users",
              _links: { self: { href: "https://x.okta.com/api/v1/users" } },
            },
          ],
        },
        "GET s",
      ),
    ).toEqual([
      { id: "ire1", orn: "orn:okta:directory:00o1:users", href: "https://x.okta.com/api/v1/users" },
    ]);
  });

  it("tells every user and group from some of them, by ORN or by REST URL", () => {
    const org = "https://x.okta.com";
    expect(
      resourceSetReach([
        { id: "1", orn: "orn:oktapreview:directory:00o1:users" },
        { id: "2", href: `${org}/api/v1/groups` },
      ]),
    ).toEqual({ users: "all", groups: "all" });
    expect(
      resourceSetReach([
        { id: "1", orn: "orn:okta:directory:00o1:groups:00g1:contained_resources" },
        { id: "2", href: `${org}/api/v1/groups/00g2` },
      ]),
    ).toEqual({ users: "some", groups: "some" });
    expect(resourceSetReach([{ id: "1", orn: "orn:okta:idp:00o1:apps:oidc_client:0oa1" }])).toEqual(
      { users: "none", groups: "none" },
    );
  });
});
