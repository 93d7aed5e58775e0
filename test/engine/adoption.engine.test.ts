/**
 * Adopting a hand-made AIM app under the real engine (docs/pulumi.md,
 * "Adopting an existing app"): an API Services app made the way the
 * Databricks guide has an admin make it in the Okta console, its key already
 * entered in the AIM connection. The stack is given the app's id and key
 * (`oktaAim:adoptAppId`, `oktaAim:adoptPrivateKey`); `pulumi up` imports the
 * app instead of creating one, keeps the key AIM signs with, and links the
 * identities. With the adopt keys removed, the next preview is clean.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../../core/keys/signingKey";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { expectOk } from "./harness";
import { CLEAN_RATES, startEngineTenant, type EngineTenant } from "./tenant";

let t: EngineTenant;

beforeAll(async () => {
  t = await startEngineTenant(
    generateTenant({ users: 40, groups: 4, seed: 11, rates: CLEAN_RATES }),
    {},
  );
  expect(t.errorCodes).toEqual([]);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** What an admin does by hand: Applications → Create App Integration → API Services, public key added. */
async function handMadeApp(publicJwk: { kid: string; kty: string; e: string; n: string }) {
  const res = await fetch(`${t.okta.url}/api/v1/apps`, {
    method: "POST",
    headers: {
      Authorization: `SSWS ${t.okta.apiToken}`,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify({
      name: "oidc_client",
      label: "Databricks AIM",
      signOnMode: "OPENID_CONNECT",
      credentials: {
        oauthClient: { token_endpoint_auth_method: "private_key_jwt", autoKeyRotation: true },
      },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
          jwks: { keys: [{ ...publicJwk, status: "ACTIVE" }] },
        },
      },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; credentials: { oauthClient: { client_id: string } } };
}

describe("adopting a hand-made AIM app through pulumi up", () => {
  it("imports the app by id, keeps the key AIM signs with, links every identity; then a clean preview", async () => {
    const key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const app = await handMadeApp(key.publicJwk);
    expect(t.aimApps().map((a) => a?.id)).toEqual([app.id]);
    // …and entered in the account console's AIM connection (not yet enabled).
    const clientId = app.credentials.oauthClient.client_id;
    t.dbx.store.connection = {
      oktaOrgUrl: t.okta.url,
      clientId,
      privateKey: key.privateKeyPem,
      updateTime: new Date().toISOString(),
    };

    await t.stack.setConfig("oktaAim:adoptAppId", app.id);
    await t.stack.setConfig("oktaAim:adoptPrivateKey", key.privateKeyPem, true);
    const preview = await t.stack.op(["preview", "--diff"]);
    expectOk(preview, "pulumi preview (adopt)");
    // The engine imports the app by its id, then updates what Okta does not store (omitSecret).
    const importStep = preview.stdout.indexOf("= okta:app/oAuth:OAuth: (import)");
    expect(importStep).toBeGreaterThan(-1);
    expect(preview.stdout.slice(importStep)).toContain(`[id=${app.id}]`);
    expect(preview.stdout).not.toContain("+ okta:app/oAuth:OAuth: (create)");

    expectOk(await t.stack.op(["up", "--yes", "--skip-preview"]), "pulumi up (adopt)");
    // The same app, no second one; its key is still the one AIM was given.
    expect(t.aimApps().map((a) => a?.id)).toEqual([app.id]);
    const outputs = await t.stack.outputs();
    expect(outputs.keyId).toBe(key.publicJwk.kid);
    expect(t.dbx.store.connection?.clientId).toBe(clientId);
    expect(t.dbx.store.connection?.privateKey).toBe(key.privateKeyPem);
    expect(t.dbx.store.aimEnabled).toBe(true);
    expect(await t.storedConnectionTest()).toBe(true);
    const kids = (t.okta.store.getApp(app.id)?.settings.oauthClient.jwks?.keys ?? []).map(
      (k) => k.kid,
    );
    expect(kids).toEqual([key.publicJwk.kid]);
    // Every planned link was written.
    const unlinked = t.fixture.databricks.users.filter(
      (u) => t.dbx.store.users.get(u.id)?.externalId === undefined,
    );
    expect(unlinked).toEqual([]);

    // Documented: remove the adopt keys after the first successful up; nothing changes then.
    await t.stack.removeConfig("oktaAim:adoptAppId");
    await t.stack.removeConfig("oktaAim:adoptPrivateKey");
    expectOk(
      await t.stack.op(["preview", "--expect-no-changes", "--diff"]),
      "pulumi preview --expect-no-changes (adopted)",
    );
  });
});
