/**
 * The Okta emulator's org authorization server: private_key_jwt client
 * credentials accepted for RSA and EC keys, and every refusal Okta gives
 * (error code, description and status asserted), then the management API's
 * treatment of the token (expiry, admin role, scopes).
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOktaEmulator, TOKEN_ERRORS, type OktaEmulator } from "../../emulators/okta";
import type { OktaApp } from "../../core/model/tenant";
import {
  api,
  clientAssertion,
  makeKey,
  OKTA_ERROR_FIELDS,
  oneUserOrg,
  requestToken,
  type TestKey,
} from "./okta-helpers";

let rsa: TestKey;
let ec: TestKey;
let other: TestKey;
let em: OktaEmulator | undefined;
let clock = Date.now();

beforeAll(async () => {
  rsa = await makeKey("RS256", "rsa-1");
  ec = await makeKey("ES256", "ec-1");
  other = await makeKey("RS256", "rsa-2");
});

afterEach(async () => {
  await em?.close();
  em = undefined;
});

async function setup(
  appOpts: Partial<Parameters<OktaEmulator["createServiceApp"]>[0]> = {},
): Promise<{ em: OktaEmulator; app: OktaApp; clientId: string; aud: string }> {
  clock = Date.now();
  em = await startOktaEmulator({
    now: () => clock,
    fixture: oneUserOrg(),
  });
  const app = em.createServiceApp({ jwks: [rsa.publicJwk], ...appOpts });
  return {
    em,
    app,
    clientId: app.credentials.oauthClient.client_id,
    aud: `${em.url}/oauth2/v1/token`,
  };
}

const nowS = (): number => Math.floor(clock / 1000);

function expectOAuthError(
  res: { status: number; body: Record<string, unknown> },
  status: number,
  error: string,
  description: string,
): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({ error, error_description: description });
}

describe("Okta emulator token endpoint", () => {
  it("issues a Bearer token for an RSA-signed assertion", async () => {
    const { em, clientId, aud } = await setup();
    const res = await requestToken(
      em.url,
      await clientAssertion(rsa, { clientId, aud, nowS: nowS() }),
    );
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      "access_token",
      "expires_in",
      "scope",
      "token_type",
    ]);
    expect(res.body.token_type).toBe("Bearer");
    expect(res.body.expires_in).toBe(3600);
    expect(res.body.scope).toBe("okta.users.read okta.groups.read");
    expect(typeof res.body.access_token).toBe("string");
  });

  it("issues a token for an EC (ES256) key, stored without crv as Okta stores it", async () => {
    const { crv: _crv, ...ecWithoutCrv } = ec.publicJwk;
    const { em, clientId, aud } = await setup({ jwks: [ecWithoutCrv] });
    const res = await requestToken(
      em.url,
      await clientAssertion(ec, { clientId, aud, nowS: nowS() }),
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe("Bearer");
  });

  it("refuses a tampered signature", async () => {
    const { em, clientId, aud } = await setup();
    const jwt = await clientAssertion(rsa, { clientId, aud, nowS: nowS() });
    const [h, p, s] = jwt.split(".");
    const tampered = `${h}.${p}.${s.slice(0, -6)}${s.slice(-6) === "AAAAAA" ? "BBBBBB" : "AAAAAA"}`;
    expectOAuthError(
      await requestToken(em.url, tampered),
      401,
      "invalid_client",
      TOKEN_ERRORS.signature,
    );
  });

  it("refuses an assertion signed by another key under the registered kid", async () => {
    const { em, clientId, aud } = await setup();
    const forged = await clientAssertion(other, { clientId, aud, kid: "rsa-1", nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, forged),
      401,
      "invalid_client",
      "The client_assertion signature is invalid.",
    );
  });

  it("refuses an expired assertion", async () => {
    const { em, clientId, aud } = await setup();
    const jwt = await clientAssertion(rsa, { clientId, aud, exp: nowS() - 5, nowS: nowS() - 100 });
    expectOAuthError(
      await requestToken(em.url, jwt),
      401,
      "invalid_client",
      "The client_assertion token is expired.",
    );
  });

  it("refuses exp more than one hour ahead, accepts exactly one hour", async () => {
    const { em, clientId, aud } = await setup();
    const far = await clientAssertion(rsa, { clientId, aud, exp: nowS() + 3601, nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, far),
      401,
      "invalid_client",
      "The client_assertion token has an expiration too far into the future.",
    );
    const edge = await clientAssertion(rsa, { clientId, aud, exp: nowS() + 3600, nowS: nowS() });
    expect((await requestToken(em.url, edge)).status).toBe(200);
  });

  it("refuses a replayed jti, but not a new one", async () => {
    const { em, clientId, aud } = await setup();
    const jwt = await clientAssertion(rsa, { clientId, aud, jti: "same-jti", nowS: nowS() });
    expect((await requestToken(em.url, jwt)).status).toBe(200);
    expectOAuthError(
      await requestToken(em.url, jwt),
      401,
      "invalid_client",
      "The client_assertion token has already been used.",
    );
    const fresh = await clientAssertion(rsa, { clientId, aud, nowS: nowS() });
    expect((await requestToken(em.url, fresh)).status).toBe(200);
  });

  it("refuses an audience that is not exactly {org}/oauth2/v1/token", async () => {
    const { em, clientId } = await setup();
    for (const aud of [em.url, `${em.url}/oauth2/v1/token/`, `${em.url}/oauth2/default/v1/token`]) {
      const jwt = await clientAssertion(rsa, { clientId, aud, nowS: nowS() });
      expectOAuthError(
        await requestToken(em.url, jwt),
        401,
        "invalid_client",
        "The audience claim for client_assertion must be the endpoint invoked for the request.",
      );
    }
  });

  it("refuses an unknown kid and an INACTIVE key's kid", async () => {
    const { em, app, clientId, aud } = await setup({
      jwks: [rsa.publicJwk, { ...other.publicJwk, status: "INACTIVE" }],
    });
    expect(app.settings.oauthClient.jwks?.keys).toHaveLength(2);
    const unknown = await clientAssertion(rsa, { clientId, aud, kid: "nope", nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, unknown),
      401,
      "invalid_client",
      "The client_assertion JWT kid is invalid.",
    );
    const inactive = await clientAssertion(other, { clientId, aud, nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, inactive),
      401,
      "invalid_client",
      "The client_assertion JWT kid is invalid.",
    );
  });

  it("accepts no kid with a single key, refuses no kid with several active keys", async () => {
    const single = await setup();
    const ok = await clientAssertion(rsa, {
      clientId: single.clientId,
      aud: single.aud,
      kid: null,
      nowS: nowS(),
    });
    expect((await requestToken(single.em.url, ok)).status).toBe(200);
    await single.em.close();
    em = undefined;

    const { em: em2, clientId, aud } = await setup({ jwks: [rsa.publicJwk, other.publicJwk] });
    const noKid = await clientAssertion(rsa, { clientId, aud, kid: null, nowS: nowS() });
    expectOAuthError(
      await requestToken(em2.url, noKid),
      401,
      "invalid_client",
      "The client_assertion JWT kid is invalid.",
    );
  });

  it("refuses a scope not granted to the app with invalid_scope", async () => {
    const { em, clientId, aud } = await setup({ grants: ["okta.users.read"] });
    const jwt = await clientAssertion(rsa, { clientId, aud, nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, jwt, "okta.users.read okta.groups.read"),
      400,
      "invalid_scope",
      TOKEN_ERRORS.badScope,
    );
  });

  it("refuses a DPoP-requiring app without a DPoP proof (what AIM's client hits)", async () => {
    const { em, clientId, aud } = await setup({ dpopBoundAccessTokens: true });
    const jwt = await clientAssertion(rsa, { clientId, aud, nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, jwt),
      400,
      "invalid_dpop_proof",
      "The DPoP proof JWT header is missing.",
    );
  });

  it("refuses an unknown client", async () => {
    const { em, aud } = await setup();
    const jwt = await clientAssertion(rsa, { clientId: "0oa00000000000000000", aud, nowS: nowS() });
    expectOAuthError(
      await requestToken(em.url, jwt),
      401,
      "invalid_client",
      "Invalid value for 'client_id' parameter.",
    );
  });
});

describe("Okta emulator management API with OAuth tokens", () => {
  async function token(
    e: OktaEmulator,
    clientId: string,
    aud: string,
    scope?: string,
  ): Promise<string> {
    const res = await requestToken(
      e.url,
      await clientAssertion(rsa, { clientId, aud, nowS: nowS() }),
      scope,
    );
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  }

  it("accepts the token until it expires, then answers 401 E0000011", async () => {
    const { em, clientId, aud } = await setup();
    const t = await token(em, clientId, aud);
    expect((await api(em.url, "/api/v1/users", `Bearer ${t}`)).status).toBe(200);
    clock += 3599_000;
    expect((await api(em.url, "/api/v1/users", `Bearer ${t}`)).status).toBe(200);
    clock += 1_000;
    const res = await api(em.url, "/api/v1/users", `Bearer ${t}`);
    expect(res.status).toBe(401);
    expect(Object.keys(res.body as object).sort()).toEqual(OKTA_ERROR_FIELDS);
    expect(res.body).toMatchObject({
      errorCode: "E0000011",
      errorSummary: "Invalid token provided",
      errorLink: "E0000011",
      errorCauses: [],
    });
  });

  it("answers 403 E0000006 when the client has no admin role", async () => {
    const { em, clientId, aud } = await setup({ roles: [] });
    const t = await token(em, clientId, aud);
    const res = await api(em.url, "/api/v1/users", `Bearer ${t}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      errorCode: "E0000006",
      errorSummary: "You do not have permission to perform the requested action",
    });
  });

  it("answers 403 insufficient_scope when the token lacks the endpoint's scope", async () => {
    const { em, clientId, aud } = await setup();
    const t = await token(em, clientId, aud, "okta.users.read");
    expect((await api(em.url, "/api/v1/users", `Bearer ${t}`)).status).toBe(200);
    const res = await api(em.url, "/api/v1/groups", `Bearer ${t}`);
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer .*error="insufficient_scope"/);
    expect(res.headers.get("www-authenticate")).toContain('scope="okta.groups.read"');
    expect(res.body).toMatchObject({ errorCode: "E0000006", errorLink: "E0000006" });
  });

  it("lets a READ_ONLY_ADMIN client read but not write", async () => {
    const { em, app, clientId, aud } = await setup({
      grants: ["okta.users.read", "okta.apps.read", "okta.apps.manage"],
    });
    const t = await token(em, clientId, aud, "okta.apps.read okta.apps.manage");
    expect((await api(em.url, `/api/v1/apps/${app.id}`, `Bearer ${t}`)).status).toBe(200);
    const put = await api(em.url, `/api/v1/apps/${app.id}`, `Bearer ${t}`, {
      method: "PUT",
      body: {},
    });
    expect(put.status).toBe(403);
    expect(put.body).toMatchObject({ errorCode: "E0000006" });
  });

  it("answers 401 E0000011 without auth, with a wrong SSWS token and with an unknown bearer", async () => {
    const { em } = await setup();
    for (const auth of [undefined, "SSWS wrong", "Bearer not-a-token"]) {
      const res = await api(em.url, "/api/v1/users", auth);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        errorCode: "E0000011",
        errorSummary: "Invalid token provided",
      });
    }
    expect((await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`)).status).toBe(200);
  });
});
