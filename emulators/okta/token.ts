/**
 * `POST /oauth2/v1/token` of the org authorization server: client
 * credentials with a private_key_jwt client assertion, checked the way Okta
 * checks it (kid against ACTIVE keys, signature, exact audience, exp at most
 * one hour ahead, single-use jti), then granted scopes and DPoP.
 */
import { randomBytes } from "node:crypto";
import * as jose from "jose";
import type { OktaApp, OktaAppJwk } from "../../core/model/tenant";
import type { EmulatorRequest, EmulatorResponse } from "../common/server";
import { oauthError } from "./errors";
import type { OktaStore } from "./store";

export const ACCESS_TOKEN_TTL_S = 3600;
const MAX_ASSERTION_LIFETIME_S = 3600;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ALGS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

/** Okta's descriptions (support articles / observed); see docs/emulators.md for the unconfirmed ones. */
export const TOKEN_ERRORS = {
  kid: "The client_assertion JWT kid is invalid.",
  signature: "The client_assertion signature is invalid.",
  audience: "The audience claim for client_assertion must be the endpoint invoked for the request.",
  expired: "The client_assertion token is expired.",
  tooFar: "The client_assertion token has an expiration too far into the future.",
  replay: "The client_assertion token has already been used.",
  noExp: "The client_assertion token must contain an 'exp' claim.",
  malformed: "The client_assertion token is malformed.",
  unknownClient: "Invalid value for 'client_id' parameter.",
  issSub: "The 'iss' and 'sub' claims of the client_assertion must both equal the client_id.",
  authMethod:
    "Client authentication failed. Either the client or the client credentials are invalid.",
  noScope:
    "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
  badScope: "One or more scopes are not configured for the authorization server resource.",
  dpopMissing: "The DPoP proof JWT header is missing.",
  dpopInvalid: "The DPoP proof JWT is invalid.",
  grantType:
    "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].",
} as const;

/** invalid_client is answered 401 by Okta's token endpoint (see docs/emulators.md). */
const INVALID_CLIENT_STATUS = 401;

const invalidClient = (d: string): EmulatorResponse =>
  oauthError(INVALID_CLIENT_STATUS, "invalid_client", d);

/** The emulator's own access-token signing key (lazily created; RSA like Okta's). */
let signingKeyPromise: Promise<{ privateKey: jose.CryptoKey; kid: string }> | undefined;
function signingKey(): Promise<{ privateKey: jose.CryptoKey; kid: string }> {
  signingKeyPromise ??= jose
    .generateKeyPair("RS256")
    .then(({ privateKey }) => ({ privateKey, kid: randomBytes(16).toString("base64url") }));
  return signingKeyPromise;
}

function activeKeys(app: OktaApp): OktaAppJwk[] {
  return (app.settings.oauthClient.jwks?.keys ?? []).filter((k) => k.status === "ACTIVE");
}

/** The public JWK for jose: Okta stores EC keys without `crv` (recorded), so infer it. */
function toJoseJwk(k: OktaAppJwk): jose.JWK {
  if (k.kty === "EC") {
    const len = Buffer.from(String(k.x ?? ""), "base64url").length;
    const crv = k.crv ?? (len <= 32 ? "P-256" : len <= 48 ? "P-384" : "P-521");
    return { kty: "EC", crv, x: k.x, y: k.y };
  }
  return { kty: k.kty, e: k.e, n: k.n };
}

export async function handleToken(
  req: EmulatorRequest,
  store: OktaStore,
  now: () => number,
): Promise<EmulatorResponse> {
  const tokenUrl = `${req.baseUrl}/oauth2/v1/token`;
  if (!String(req.headers["content-type"] ?? "").includes("application/x-www-form-urlencoded"))
    return oauthError(
      400,
      "invalid_request",
      "The request must be of content type application/x-www-form-urlencoded.",
    );
  const form = req.form;
  if (form.get("grant_type") !== "client_credentials")
    return oauthError(400, "unsupported_grant_type", TOKEN_ERRORS.grantType);
  const assertion = form.get("client_assertion");
  if (!assertion || form.get("client_assertion_type") !== ASSERTION_TYPE)
    return invalidClient(TOKEN_ERRORS.authMethod);

  let header: jose.ProtectedHeaderParameters;
  let claims: jose.JWTPayload;
  try {
    header = jose.decodeProtectedHeader(assertion);
    claims = jose.decodeJwt(assertion);
  } catch {
    return invalidClient(TOKEN_ERRORS.malformed);
  }
  const clientId = claims.iss;
  if (!clientId || claims.sub !== clientId) return invalidClient(TOKEN_ERRORS.issSub);
  const formClientId = form.get("client_id");
  if (formClientId && formClientId !== clientId) return invalidClient(TOKEN_ERRORS.issSub);
  const app = store.getAppByClientId(clientId);
  if (!app || app.status === "INACTIVE") return invalidClient(TOKEN_ERRORS.unknownClient);
  if (app.credentials.oauthClient.token_endpoint_auth_method !== "private_key_jwt")
    return invalidClient(TOKEN_ERRORS.authMethod);

  // kid: must name an ACTIVE key; without kid only an app with exactly one key is accepted.
  const keys = activeKeys(app);
  const key =
    header.kid !== undefined
      ? keys.find((k) => k.kid === header.kid)
      : keys.length === 1
        ? keys[0]
        : undefined;
  if (!key) return invalidClient(TOKEN_ERRORS.kid);

  try {
    if (!header.alg || !ALGS.includes(header.alg)) throw new Error("alg");
    const publicKey = await jose.importJWK(toJoseJwk(key), header.alg);
    await jose.compactVerify(assertion, publicKey, { algorithms: ALGS });
  } catch {
    return invalidClient(TOKEN_ERRORS.signature);
  }

  const aud = claims.aud;
  if (!(aud === tokenUrl || (Array.isArray(aud) && aud.length === 1 && aud[0] === tokenUrl)))
    return invalidClient(TOKEN_ERRORS.audience);

  const nowS = Math.floor(now() / 1000);
  if (typeof claims.exp !== "number") return invalidClient(TOKEN_ERRORS.noExp);
  if (claims.exp <= nowS) return invalidClient(TOKEN_ERRORS.expired);
  if (claims.exp > nowS + MAX_ASSERTION_LIFETIME_S) return invalidClient(TOKEN_ERRORS.tooFar);

  store.pruneJtis();
  if (claims.jti !== undefined) {
    const jtiKey = `${clientId} ${claims.jti}`;
    if (store.usedJtis.has(jtiKey)) return invalidClient(TOKEN_ERRORS.replay);
    // Okta consumes the jti even when the request fails later (DPoP, scope).
    store.usedJtis.set(jtiKey, claims.exp * 1000);
  }

  let tokenType: "Bearer" | "DPoP" = "Bearer";
  const dpop = req.headers["dpop"];
  if (app.settings.oauthClient.dpop_bound_access_tokens === true) {
    if (!dpop || Array.isArray(dpop))
      return oauthError(400, "invalid_dpop_proof", TOKEN_ERRORS.dpopMissing);
    if (!(await validDpopProof(dpop, tokenUrl, nowS)))
      return oauthError(400, "invalid_dpop_proof", TOKEN_ERRORS.dpopInvalid);
    tokenType = "DPoP";
  }

  const scopeParam = (form.get("scope") ?? "").trim();
  if (!scopeParam) return oauthError(400, "invalid_scope", TOKEN_ERRORS.noScope);
  const scopes = [...new Set(scopeParam.split(/\s+/))];
  const granted = new Set(app.grants ?? []);
  if (scopes.some((s) => !granted.has(s)))
    return oauthError(400, "invalid_scope", TOKEN_ERRORS.badScope);

  const { privateKey, kid } = await signingKey();
  const accessToken = await new jose.SignJWT({
    ver: 1,
    cid: clientId,
    scp: scopes,
  })
    .setProtectedHeader({ alg: "RS256", kid })
    .setJti(`AT.${randomBytes(24).toString("base64url")}`)
    .setIssuer(req.baseUrl)
    .setAudience(req.baseUrl)
    .setSubject(clientId)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + ACCESS_TOKEN_TTL_S)
    .sign(privateKey);
  store.tokens.set(accessToken, {
    clientId,
    scopes,
    expiresAtMs: (nowS + ACCESS_TOKEN_TTL_S) * 1000,
    tokenType,
  });
  return {
    status: 200,
    headers: { "cache-control": "no-cache, no-store", pragma: "no-cache" },
    body: {
      token_type: tokenType,
      expires_in: ACCESS_TOKEN_TTL_S,
      access_token: accessToken,
      scope: scopes.join(" "),
    },
  };
}

/** A DPoP proof (RFC 9449) for the token request: typ, embedded key, signature, htm, htu, iat. Nonces are not emulated. */
async function validDpopProof(proof: string, tokenUrl: string, nowS: number): Promise<boolean> {
  try {
    const header = jose.decodeProtectedHeader(proof);
    if (header.typ !== "dpop+jwt" || !header.jwk || !header.alg) return false;
    const key = await jose.importJWK(header.jwk, header.alg);
    const { payload } = await jose.jwtVerify(proof, key, {
      currentDate: new Date(nowS * 1000),
    });
    return (
      payload.htm === "POST" &&
      payload.htu === tokenUrl &&
      typeof payload.iat === "number" &&
      Math.abs(payload.iat - nowS) <= 300 &&
      typeof payload.jti === "string"
    );
  } catch {
    return false;
  }
}
