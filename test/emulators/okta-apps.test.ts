/**
 * Okta emulator app administration: what the AIM setup does to an API
 * Services app (create, full PUT keeping dpop_bound_access_tokens and jwks,
 * key lifecycle, scope grants, client roles), end to end with the token
 * endpoint.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import type { OktaApp } from "../../core/model/tenant";
import {
  api,
  clientAssertion,
  makeKey,
  oneUserOrg,
  requestToken,
  type TestKey,
} from "./okta-helpers";

let em: OktaEmulator | undefined;
let k1: TestKey;
let k2: TestKey;
beforeAll(async () => {
  k1 = await makeKey("RS256", "key-1");
  k2 = await makeKey("RS256", "key-2");
});
afterEach(async () => {
  await em?.close();
  em = undefined;
});

function serviceAppBody(keys: TestKey[], dpop: boolean): Record<string, unknown> {
  return {
    name: "oidc_client",
    label: "Databricks AIM",
    signOnMode: "OPENID_CONNECT",
    credentials: { oauthClient: { token_endpoint_auth_method: "private_key_jwt" } },
    settings: {
      oauthClient: {
        application_type: "service",
        grant_types: ["client_credentials"],
        response_types: ["token"],
        dpop_bound_access_tokens: dpop,
        jwks: { keys: keys.map((k) => k.publicJwk) },
      },
    },
  };
}

describe("Okta emulator app administration", () => {
  it("creates a service app, grants scopes, assigns READ_ONLY_ADMIN, then the client reads users", async () => {
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: oneUserOrg(),
    });
    const ssws = `SSWS ${em.apiToken}`;
    const created = await api(em.url, "/api/v1/apps?activate=true", ssws, {
      method: "POST",
      body: serviceAppBody([k1], true),
    });
    expect(created.status).toBe(200);
    const app = created.body as OktaApp;
    const clientId = app.credentials.oauthClient.client_id;
    const aud = `${em.url}/oauth2/v1/token`;

    // DPoP required (the default a console-created app gets): AIM's request fails.
    const dpop = await requestToken(em.url, await clientAssertion(k1, { clientId, aud }));
    expect(dpop.body.error).toBe("invalid_dpop_proof");

    // Full PUT with DPoP off keeps jwks and persists the flag.
    const body = { ...(created.body as Record<string, unknown>) };
    (body.settings as OktaApp["settings"]).oauthClient.dpop_bound_access_tokens = false;
    const put = await api(em.url, `/api/v1/apps/${app.id}`, ssws, { method: "PUT", body });
    expect(put.status).toBe(200);
    const afterPut = (await api(em.url, `/api/v1/apps/${app.id}`, ssws)).body as OktaApp;
    expect(afterPut.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    expect(afterPut.settings.oauthClient.jwks?.keys.map((k) => [k.kid, k.status, k.id])).toEqual([
      ["key-1", "ACTIVE", app.settings.oauthClient.jwks?.keys[0].id],
    ]);

    // No grants yet: invalid_scope.
    const noGrant = await requestToken(em.url, await clientAssertion(k1, { clientId, aud }));
    expect(noGrant.body.error).toBe("invalid_scope");
    for (const scopeId of ["okta.users.read", "okta.groups.read"]) {
      const g = await api(em.url, `/api/v1/apps/${app.id}/grants`, ssws, {
        method: "POST",
        body: { issuer: em.url, scopeId },
      });
      expect(g.status).toBe(201);
      expect(g.body).toMatchObject({
        issuer: em.url,
        scopeId,
        clientId,
        status: "ACTIVE",
        source: "ADMIN",
      });
    }
    const badIssuer = await api(em.url, `/api/v1/apps/${app.id}/grants`, ssws, {
      method: "POST",
      body: { issuer: "https://elsewhere.okta.com", scopeId: "okta.users.read" },
    });
    expect(badIssuer.status).toBe(400);
    expect(badIssuer.body).toMatchObject({ errorCode: "E0000001" });
    const grants = (await api(em.url, `/api/v1/apps/${app.id}/grants`, ssws)).body as Array<{
      scopeId: string;
    }>;
    expect(grants.map((g) => g.scopeId)).toEqual(["okta.users.read", "okta.groups.read"]);

    // Token now issued, but no admin role yet: 403.
    const tok = await requestToken(em.url, await clientAssertion(k1, { clientId, aud }));
    expect(tok.status).toBe(200);
    const bearer = `Bearer ${tok.body.access_token as string}`;
    expect((await api(em.url, "/api/v1/users", bearer)).status).toBe(403);
    const role = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws, {
      method: "POST",
      body: { type: "READ_ONLY_ADMIN" },
    });
    expect(role.status).toBe(201);
    expect(role.body).toMatchObject({
      type: "READ_ONLY_ADMIN",
      label: "Read Only Administrator",
      assignmentType: "CLIENT",
    });
    const dup = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws, {
      method: "POST",
      body: { type: "READ_ONLY_ADMIN" },
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ errorCode: "E0000090" });
    const roles = (await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, ssws)).body as Array<{
      type: string;
    }>;
    expect(roles.map((r) => r.type)).toEqual(["READ_ONLY_ADMIN"]);
    const users = await api(em.url, "/api/v1/users", bearer);
    expect(users.status).toBe(200);
    expect(users.body).toHaveLength(1);
  });

  it("manages keys: add, activate, refuse deactivating the only active key, delete only inactive", async () => {
    em = await startOktaEmulator({ rateLimits: "off" });
    const ssws = `SSWS ${em.apiToken}`;
    const app = em.createServiceApp({ jwks: [k1.publicJwk] });
    const base = `/api/v1/apps/${app.id}/credentials/jwks`;
    const list = (await api(em.url, base, ssws)).body as Array<{
      id: string;
      kid: string;
      status: string;
    }>;
    expect(list.map((k) => [k.kid, k.status])).toEqual([["key-1", "ACTIVE"]]);
    const onlyActive = await api(em.url, `${base}/${list[0].id}/lifecycle/deactivate`, ssws, {
      method: "POST",
    });
    expect(onlyActive.status).toBe(400);
    expect(onlyActive.body).toMatchObject({
      errorCode: "E0000001",
      errorCauses: [{ errorSummary: "status: The only active key cannot be deactivated." }],
    });

    const added = await api(em.url, base, ssws, {
      method: "POST",
      body: { ...k2.publicJwk, status: "INACTIVE" },
    });
    // Okta's API reference answers addJwk with 201 Created.
    expect(added.status).toBe(201);
    const k2id = (added.body as { id: string }).id;
    expect(k2id).toMatch(/^pks[A-Za-z0-9]{17}$/);
    // An INACTIVE key cannot sign in.
    const clientId = app.credentials.oauthClient.client_id;
    const aud = `${em.url}/oauth2/v1/token`;
    expect(
      (await requestToken(em.url, await clientAssertion(k2, { clientId, aud }))).body.error,
    ).toBe("invalid_client");
    expect(
      (await api(em.url, `${base}/${k2id}/lifecycle/activate`, ssws, { method: "POST" })).status,
    ).toBe(200);
    expect((await requestToken(em.url, await clientAssertion(k2, { clientId, aud }))).status).toBe(
      200,
    );
    // Rotation: deactivate the old key, delete it; the active one cannot be deleted.
    expect(
      (await api(em.url, `${base}/${list[0].id}/lifecycle/deactivate`, ssws, { method: "POST" }))
        .status,
    ).toBe(200);
    expect((await api(em.url, `${base}/${k2id}`, ssws, { method: "DELETE" })).status).toBe(400);
    expect((await api(em.url, `${base}/${list[0].id}`, ssws, { method: "DELETE" })).status).toBe(
      204,
    );
    expect(
      (await requestToken(em.url, await clientAssertion(k1, { clientId, aud }))).body.error,
    ).toBe("invalid_client");
    const app2 = (await api(em.url, `/api/v1/apps/${app.id}`, ssws)).body as OktaApp;
    expect(app2.settings.oauthClient.jwks?.keys.map((k) => k.kid)).toEqual(["key-2"]);
  });

  it("validates app bodies with E0000001 and 404s unknown apps as AppInstance", async () => {
    em = await startOktaEmulator({ rateLimits: "off" });
    const ssws = `SSWS ${em.apiToken}`;
    const bad = await api(em.url, "/api/v1/apps", ssws, {
      method: "POST",
      body: { name: "oidc_client" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      errorCode: "E0000001",
      errorSummary: "Api validation failed: label, settings.oauthClient",
    });
    const notJson = await fetch(`${em.url}/api/v1/apps`, {
      method: "POST",
      headers: { authorization: ssws, "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ errorCode: "E0000003" });
    const missing = await api(em.url, "/api/v1/apps/0oaMISSING", ssws);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      errorSummary: "Not found: Resource not found: 0oaMISSING (AppInstance)",
    });
  });
});
