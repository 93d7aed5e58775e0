/**
 * Custom admin roles in the Okta emulator, as Okta's Roles API documents
 * them: custom roles with permissions, resource sets, CUSTOM role
 * assignments of a client (POST with `role` + `resource-set`, rendered
 * `type: "CUSTOM"` with `_links`), the control plane that sets one up, the
 * auth check honouring a custom role's permissions for user and group reads,
 * and the real OktaClient reading it all back.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { OktaClient } from "../../core/okta";
import { api, clientAssertion, makeKey, requestToken, type TestKey } from "./okta-helpers";

let rsa: TestKey;
let em: OktaEmulator | undefined;
beforeAll(async () => {
  rsa = await makeKey("RS256", "k1");
});
afterEach(async () => {
  await em?.close();
  em = undefined;
});

const fixture = () => ({
  users: [
    {
      id: "00u1",
      status: "ACTIVE" as const,
      profile: { login: "ada@example.com", email: "ada@example.com" },
    },
  ],
  groups: [{ id: "00gfinance", type: "OKTA_GROUP" as const, profile: { name: "Finance" } }],
  apps: [],
});

async function setup(roles: string[] = []) {
  em = await startOktaEmulator({ fixture: fixture(), rateLimits: "off" });
  const app = em.createServiceApp({
    jwks: [rsa.publicJwk],
    roles,
    grants: ["okta.users.read", "okta.groups.read", "okta.roles.read"],
  });
  const clientId = app.credentials.oauthClient.client_id;
  const ssws = `SSWS ${em.apiToken}`;
  const token = async (scope = "okta.users.read okta.groups.read") => {
    const aud = `${em!.url}/oauth2/v1/token`;
    const res = await requestToken(em!.url, await clientAssertion(rsa, { clientId, aud }), scope);
    expect(res.status).toBe(200);
    return `Bearer ${res.body.access_token as string}`;
  };
  return { em, app, clientId, ssws, token };
}

describe("Okta emulator: custom roles", () => {
  it("creates a custom role and a resource set, assigns them to a client as CUSTOM, lists and deletes it", async () => {
    const { em, clientId, ssws } = await setup(["READ_ONLY_ADMIN"]);
    const role = await api(em.url, "/api/v1/iam/roles", ssws, {
      method: "POST",
      body: {
        label: "AIM reader",
        description: "Reads users and groups",
        permissions: ["okta.users.read", "okta.groups.read"],
      },
    });
    expect(role.status).toBe(200);
    const roleId = (role.body as { id: string }).id;
    expect(roleId).toMatch(/^cr0\w{17}$/);
    expect(role.body).toMatchObject({
      label: "AIM reader",
      _links: { permissions: { href: `${em.url}/api/v1/iam/roles/${roleId}/permissions` } },
    });
    const perms = await api(em.url, `/api/v1/iam/roles/AIM%20reader/permissions`, ssws);
    expect(perms.status).toBe(200);
    expect((perms.body as { permissions: Array<{ label: string }> }).permissions).toEqual([
      expect.objectContaining({ label: "okta.users.read", _links: expect.any(Object) }),
      expect.objectContaining({ label: "okta.groups.read" }),
    ]);
    const set = await api(em.url, "/api/v1/iam/resource-sets", ssws, {
      method: "POST",
      body: {
        label: "Directory",
        description: "Every user and group",
        resources: [`${em.url}/api/v1/users`, `${em.url}/api/v1/groups`],
      },
    });
    expect(set.status).toBe(200);
    const setId = (set.body as { id: string }).id;
    const resources = await api(em.url, `/api/v1/iam/resource-sets/${setId}/resources`, ssws);
    expect(
      (resources.body as { resources: Array<{ orn: string; _links: { self: { href: string } } }> })
        .resources,
    ).toEqual([
      expect.objectContaining({
        orn: `orn:okta:directory:${em.store.orgId}:users`,
        _links: expect.objectContaining({ self: { href: `${em.url}/api/v1/users` } }),
      }),
      expect.objectContaining({ orn: `orn:okta:directory:${em.store.orgId}:groups` }),
    ]);

    const assigned = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws, {
      method: "POST",
      body: { type: "CUSTOM", role: roleId, "resource-set": setId },
    });
    expect(assigned.status).toBe(201);
    const id = (assigned.body as { id: string }).id;
    expect(assigned.body).toEqual({
      id,
      label: "AIM reader",
      type: "CUSTOM",
      status: "ACTIVE",
      created: expect.any(String),
      lastUpdated: expect.any(String),
      assignmentType: "CLIENT",
      "resource-set": setId,
      role: roleId,
      _links: {
        role: { href: `${em.url}/api/v1/iam/roles/${roleId}` },
        "resource-set": { href: `${em.url}/api/v1/iam/resource-sets/${setId}` },
        permissions: { href: `${em.url}/api/v1/iam/roles/${roleId}/permissions` },
        member: {
          href: `${em.url}/api/v1/iam/resource-sets/${setId}/bindings/${roleId}/members/${id}`,
        },
        assignee: { href: `${em.url}/oauth2/v1/clients/${clientId}` },
      },
    });
    const again = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws, {
      method: "POST",
      body: { type: "CUSTOM", role: roleId, "resource-set": setId },
    });
    expect(again.status).toBe(409);

    const list = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws);
    expect((list.body as Array<{ type: string }>).map((r) => r.type)).toEqual([
      "READ_ONLY_ADMIN",
      "CUSTOM",
    ]);
    const one = await api(em.url, `/oauth2/v1/clients/${clientId}/roles/${id}`, ssws);
    expect(one.body).toEqual(assigned.body);
    const del = await api(em.url, `/oauth2/v1/clients/${clientId}/roles/${id}`, ssws, {
      method: "DELETE",
    });
    expect(del.status).toBe(204);
    expect(
      ((await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws)).body as unknown[]).length,
    ).toBe(1);
  });

  it("refuses a CUSTOM assignment without role or resource set, or naming ones that do not exist", async () => {
    const { em, clientId, ssws } = await setup();
    const post = (body: unknown) =>
      api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws, { method: "POST", body });
    const missing = await post({ type: "CUSTOM", role: "cr0x" });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      errorCode: "E0000001",
      errorCauses: [
        { errorSummary: "resource-set: The resource set id is required for type CUSTOM." },
      ],
    });
    const unknown = await post({ type: "CUSTOM", role: "cr0nope", "resource-set": "iamnope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      errorSummary: "Not found: Resource not found: cr0nope (Role)",
    });
    const badPerm = await api(em.url, "/api/v1/iam/roles", ssws, {
      method: "POST",
      body: { label: "x", description: "x", permissions: ["users.read"] },
    });
    expect(badPerm.status).toBe(400);
    const badResource = await api(em.url, "/api/v1/iam/resource-sets", ssws, {
      method: "POST",
      body: { label: "x", description: "x", resources: ["https://elsewhere.example/api/v1/users"] },
    });
    expect(badResource.status).toBe(400);
    expect(JSON.stringify(badResource.body)).toContain("is not a resource of this org");
  });

  it("reads the Roles API only with okta.roles.read", async () => {
    const { em, clientId, token } = await setup(["READ_ONLY_ADMIN"]);
    em.assignCustomRole(clientId, { label: "r", permissions: ["okta.users.read"] });
    const without = await api(em.url, "/api/v1/iam/roles", await token());
    expect(without.status).toBe(403);
    expect(without.headers.get("www-authenticate")).toContain('scope="okta.roles.read"');
    expect((await api(em.url, "/api/v1/iam/roles", await token("okta.roles.read"))).status).toBe(
      200,
    );
  });

  it("lets a client's token read users and groups only as far as its custom role's permissions go", async () => {
    const { em, clientId, token } = await setup();
    // The control plane, as a test in another process would set it up.
    const set = await fetch(`${em.url}/__emulator/custom-roles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId, label: "users only", permissions: ["okta.users.read"] }),
    });
    expect(set.status).toBe(201);
    expect(await set.json()).toMatchObject({ id: expect.stringMatching(/^irb/) });
    const t = await token();
    expect((await api(em.url, "/api/v1/users", t)).status).toBe(200);
    const groups = await api(em.url, "/api/v1/groups", t);
    expect(groups.status).toBe(403);
    expect(groups.body).toMatchObject({ errorCode: "E0000006" });

    em.assignCustomRole(clientId, { label: "groups too", permissions: ["okta.groups.manage"] });
    expect((await api(em.url, "/api/v1/groups", t)).status).toBe(200);
  });

  it("honours the standard roles that read no users or groups", async () => {
    const { em, token } = await setup(["REPORT_ADMIN"]);
    const t = await token();
    expect((await api(em.url, "/api/v1/users", t)).status).toBe(403);
    expect((await api(em.url, "/api/v1/groups", t)).status).toBe(403);
  });

  it("answers the control plane's bad input with the field named", async () => {
    const { em, clientId } = await setup();
    const res = await fetch(`${em.url}/__emulator/custom-roles`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId, label: "x", permissions: ["not a permission"] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain(
      "permissions: not a permission is not an Okta permission.",
    );
    expect(() => em.assignCustomRole("0oanope", { label: "y", permissions: [] })).toThrow(
      /Resource not found: 0oanope \(Client\)/,
    );
  });

  it("the OktaClient reads the assignments typed, the permissions, and the resources page by page", async () => {
    const { em, clientId } = await setup(["SUPER_ADMIN"]);
    const groups = Array.from({ length: 130 }, (_, i) => `${em.url}/api/v1/groups/00g${i}`);
    const a = em.assignCustomRole(clientId, {
      label: "Finance reader",
      permissions: ["okta.users.read", "okta.groups.read"],
      resources: [`${em.url}/api/v1/groups/00gfinance/users`, ...groups],
    });
    const client = new OktaClient({
      orgUrl: em.url,
      auth: { kind: "apiToken", token: em.apiToken },
    });
    const roles = await client.listClientRoles(clientId);
    expect(roles).toEqual([
      {
        kind: "standard",
        id: expect.any(String),
        type: "SUPER_ADMIN",
        label: expect.any(String),
        status: "ACTIVE",
      },
      {
        kind: "custom",
        id: a.id,
        type: "CUSTOM",
        roleId: a.roleId,
        label: "Finance reader",
        resourceSetId: a.resourceSetId,
        status: "ACTIVE",
      },
    ]);
    expect(await client.listRolePermissions(a.roleId)).toEqual([
      { label: "okta.users.read" },
      { label: "okta.groups.read" },
    ]);
    const resources = await client.listResourceSetResources(a.resourceSetId);
    expect(resources).toHaveLength(131);
    expect(resources[0]).toMatchObject({
      orn: `orn:okta:directory:${em.store.orgId}:groups:00gfinance:contained_resources`,
      href: `${em.url}/api/v1/groups/00gfinance/users`,
    });
    expect(
      client.http.stats.get("okta GET /api/v1/iam/resource-sets/{id}/resources")?.requests,
    ).toBe(2);
  });
});
