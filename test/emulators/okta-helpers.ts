/** Shared helpers for the Okta emulator tests: keys, client assertions, token requests. */
import { randomUUID } from "node:crypto";
import * as jose from "jose";
import type { OktaAppJwk, TenantFixture } from "../../core/model/tenant";

export interface TestKey {
  privateKey: jose.CryptoKey;
  publicJwk: OktaAppJwk;
  alg: string;
}

export async function makeKey(alg: "RS256" | "ES256", kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return { privateKey, alg, publicJwk: { ...jwk, kid, kty: jwk.kty as string, status: "ACTIVE" } };
}

export interface AssertionOptions {
  clientId: string;
  aud: string;
  kid?: string | null;
  expInS?: number;
  /** Absolute exp (seconds); wins over expInS. */
  exp?: number;
  jti?: string | null;
  nowS?: number;
}

export async function clientAssertion(key: TestKey, o: AssertionOptions): Promise<string> {
  const nowS = o.nowS ?? Math.floor(Date.now() / 1000);
  const header: jose.JWTHeaderParameters = { alg: key.alg };
  const kid = o.kid === undefined ? key.publicJwk.kid : o.kid;
  if (kid !== null) header.kid = kid;
  const jwt = new jose.SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(o.clientId)
    .setSubject(o.clientId)
    .setAudience(o.aud)
    .setIssuedAt(nowS)
    .setExpirationTime(o.exp ?? nowS + (o.expInS ?? 300));
  if (o.jti !== null) jwt.setJti(o.jti ?? randomUUID());
  return jwt.sign(key.privateKey);
}

export async function requestToken(
  orgUrl: string,
  assertion: string,
  scope = "okta.users.read okta.groups.read",
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${orgUrl}/oauth2/v1/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
      ...headers,
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
    }).toString(),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

export async function api(
  orgUrl: string,
  path: string,
  auth: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${orgUrl}${path}`, {
    method: init.method ?? "GET",
    headers: {
      accept: "application/json",
      ...(auth ? { authorization: auth } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    headers: res.headers,
  };
}

export const OKTA_ERROR_FIELDS = [
  "errorCauses",
  "errorCode",
  "errorId",
  "errorLink",
  "errorSummary",
];

/** An org with one active user (a@x.io) and nothing else: the base of most emulator tests. */
export function oneUserOrg(): TenantFixture["okta"] {
  return {
    users: [
      {
        id: "00u00000000000000001",
        status: "ACTIVE",
        profile: { login: "a@x.io", email: "a@x.io" },
      },
    ],
    groups: [],
    apps: [],
  };
}
