/**
 * The Okta side of Databricks automatic identity management (AIM): an API
 * Services app that authenticates with `private_key_jwt` using a generated
 * signing key, the `okta.users.read` + `okta.groups.read` grants, the
 * Read-Only Admin role, and "Require DPoP" kept off.
 *
 * No I/O here: the children do it. Children: `${name}-key` (SigningKey),
 * `${name}-app` (okta.app.OAuth), `${name}-scopes` (okta.AppOauthApiScope),
 * `${name}-role` (okta.app.OauthRoleAssignment), `${name}-dpop` (OktaAppDpop).
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import {
  signingKeySpecProblems,
  type PublicSigningJwk,
  type RsaModulusLength,
  type SigningKeyAlgorithm,
} from "../core/keys/signingKey";
import { AIM_OKTA_ROLE, AIM_OKTA_SCOPES } from "../core/model/aim";
import { oktaOrgUrlProblem } from "../core/okta/orgUrl";
import { SigningKey, type SigningKeyAimConnection } from "../dynamic-providers/signingKey";
import { OktaAppDpop } from "../dynamic-providers/oktaAppDpop";

export { AIM_OKTA_ROLE, AIM_OKTA_SCOPES } from "../core/model/aim";

export interface OktaAimAppArgs {
  /** Display name of the Okta API Services app, e.g. "Databricks AIM". */
  readonly label: pulumi.Input<string>;
  /** Okta org URL, https://{yourOktaDomain}; also the issuer of the scope grants. */
  readonly orgUrl: pulumi.Input<string>;
  /** Any string; changing it generates a new signing key (rotation). */
  readonly rotationTrigger: pulumi.Input<string>;
  /**
   * Extra public JWKs kept in the app's JWKS beside the key AIM signs with,
   * for keys from elsewhere (kept for compatibility). Each one is ACTIVE in
   * the app: only where AIM is known to send a `kid` (Okta refuses a kid-less
   * assertion while two keys are ACTIVE). A rotation needs none of this.
   */
  readonly previousPublicJwks?: pulumi.Input<pulumi.Input<PublicSigningJwk>[]>;
  /**
   * Where AIM's live connection can be read (plain stack config, the same
   * values DatabricksAim gets): with adapter "api" the previous key leaves the
   * JWKS once the live connection uses the current key and its test succeeded.
   */
  readonly aimConnection?: pulumi.Input<pulumi.Unwrap<SigningKeyAimConnection>>;
  /** Drop the previous key on the next run regardless (console adapter, after entering the new key there). */
  readonly retirePreviousKey?: pulumi.Input<boolean>;
  /** JWS algorithm of the signing key: "RS256" (default). */
  readonly keyAlgorithm?: pulumi.Input<SigningKeyAlgorithm>;
  /** RSA modulus length of the signing key in bits: 2048 (default) or 3072. */
  readonly keySize?: pulumi.Input<RsaModulusLength>;
  /**
   * Adopt an existing, hand-made AIM app instead of creating one: the Okta
   * app is imported by id (the `import` resource option: the other arguments
   * must then describe it as it is, or the import stops with the
   * difference), and its existing private key is the signing key instead of
   * a generated one. Remove `adopt` after the first successful `pulumi up`
   * (the app and key are then in state; the key stays until a rotation).
   */
  readonly adopt?: OktaAimAppAdoption;
}

/** The existing app and key that OktaAimApp takes over (docs/pulumi.md, "Adopting an existing app"). */
export interface OktaAimAppAdoption {
  /** The Okta app's id (0oa…), as the admin console shows it under the app's General tab. */
  readonly appId: string;
  /** The app's existing PKCS#8 PEM private key, the one AIM signs with; pass a secret. */
  readonly privateKeyPem: pulumi.Input<string>;
  /** The kid the app lists for that key, when it is not the key's RFC 7638 thumbprint. */
  readonly keyId?: pulumi.Input<string>;
}

/** An Okta API Services app ready for Databricks AIM. */
export class OktaAimApp extends pulumi.ComponentResource {
  /** ID of the Okta app. */
  readonly appId: pulumi.Output<string>;
  /** OAuth client ID to enter in the Databricks AIM connection; known once scopes, role and DPoP are set. */
  readonly clientId: pulumi.Output<string>;
  /** kid of the current signing key (RFC 7638 thumbprint). */
  readonly keyId: pulumi.Output<string>;
  /** Current public JWK. */
  readonly publicJwk: pulumi.Output<PublicSigningJwk>;
  /** kid of the key before the last rotation while it is still in the JWKS. */
  readonly previousKeyId: pulumi.Output<string | null>;
  /** PKCS#8 PEM private key for the Databricks AIM connection (secret). */
  readonly privateKeyPem: pulumi.Output<string>;
  /** kids the app's JWKS is given: the key AIM signs with first (the previous one during a rotation). */
  readonly jwksKeyIds: pulumi.Output<string[]>;

  constructor(name: string, args: OktaAimAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("okta-databricks-aim:index:OktaAimApp", name, {}, opts);
    const problem = argsProblems(args)[0];
    if (problem) throw new pulumi.ResourceError(problem, this);

    const issuer = pulumi.output(args.orgUrl).apply((url) => {
      const p = oktaOrgUrlProblem(url, "[orgUrl]");
      if (p) throw new pulumi.ResourceError(p, this);
      return url.replace(/\/+$/, "");
    });

    const key = new SigningKey(
      `${name}-key`,
      {
        rotationTrigger: args.rotationTrigger,
        algorithm: args.keyAlgorithm,
        modulusLength: args.keySize,
        aimConnection: args.aimConnection,
        retirePreviousKey: args.retirePreviousKey,
        ...(args.adopt
          ? {
              existingPrivateKeyPem: pulumi.secret(args.adopt.privateKeyPem),
              existingKeyId: args.adopt.keyId,
            }
          : {}),
      },
      { parent: this },
    );
    const jwks = appJwks(key.publicJwk, key.previousPublicJwk, args.previousPublicJwks ?? [], this);
    const app = createApp(name, args.label, jwks, this, args.adopt?.appId);
    const scopes = createScopes(name, app, issuer, this);
    const role = createRole(name, app, this);
    const dpop = new OktaAppDpop(
      `${name}-dpop`,
      { orgUrl: issuer, appId: app.id },
      { parent: this, dependsOn: [app] },
    );

    this.appId = app.id;
    // The client id a consumer hands to AIM resolves only once the app is usable by AIM: scopes
    // granted, role assigned, DPoP off. Whatever takes it (DatabricksAim's connection test) then
    // waits for all three; under the real engine a connection test once ran while DPoP was still
    // being turned off and failed with invalid_dpop_proof.
    this.clientId = pulumi
      .all([app.clientId, scopes.id, role.id, dpop.id])
      .apply(([clientId]) => clientId);
    this.keyId = key.keyId;
    this.publicJwk = key.publicJwk;
    this.previousKeyId = key.previousKeyId;
    // SigningKey declares it in additionalSecretOutputs; marked here too so the
    // component's output is secret whatever engine or mock resolves it.
    this.privateKeyPem = pulumi.secret(key.privateKeyPem);
    this.jwksKeyIds = jwks.apply((keys) => keys.map((k) => k.kid));
    this.registerOutputs({
      appId: this.appId,
      clientId: this.clientId,
      keyId: this.keyId,
      publicJwk: this.publicJwk,
      previousKeyId: this.previousKeyId,
      privateKeyPem: this.privateKeyPem,
      jwksKeyIds: this.jwksKeyIds,
    });
  }
}

/** Problems with the arguments known at construction time, each naming its field. */
export function argsProblems(args: OktaAimAppArgs): string[] {
  const problems: string[] = [];
  const known = <T>(v: pulumi.Input<T> | undefined): v is T =>
    v !== undefined && !pulumi.Output.isInstance(v) && !(v instanceof Promise);
  if (!args || typeof args !== "object")
    return ["[args] must be an object with label, orgUrl and rotationTrigger."];
  if (
    args.label === undefined ||
    (known(args.label) && (typeof args.label !== "string" || !args.label.trim()))
  )
    problems.push("[label] must be a non-empty string.");
  if (args.orgUrl === undefined) problems.push("[orgUrl] must be given: https://{yourOktaDomain}.");
  else if (known(args.orgUrl)) {
    const p = oktaOrgUrlProblem(args.orgUrl, "[orgUrl]");
    if (p) problems.push(p);
  }
  if (
    args.rotationTrigger === undefined ||
    (known(args.rotationTrigger) && typeof args.rotationTrigger !== "string")
  )
    problems.push("[rotationTrigger] must be a string; change it to rotate the signing key.");
  const spec = {
    algorithm: known(args.keyAlgorithm) ? args.keyAlgorithm : undefined,
    modulusLength: known(args.keySize) ? args.keySize : undefined,
  };
  for (const p of signingKeySpecProblems(spec)) {
    problems.push(
      p.message.replace("[algorithm]", "[keyAlgorithm]").replace("[modulusLength]", "[keySize]"),
    );
  }
  if (args.adopt !== undefined) {
    const a = args.adopt as Partial<OktaAimAppAdoption> | null;
    if (!a || typeof a !== "object" || typeof a.appId !== "string" || !/^0oa\w+$/.test(a.appId))
      problems.push(
        "[adopt.appId] must be the Okta app's id as text (0oa…; Applications > the app > General, or the URL of its page).",
      );
    if (!a || a.privateKeyPem === undefined)
      problems.push(
        "[adopt.privateKeyPem] must be given: the app's existing private key (a secret), the one AIM signs with.",
      );
  }
  if (known(args.previousPublicJwks)) {
    args.previousPublicJwks.forEach((jwk, i) => {
      if (known(jwk)) {
        const p = previousJwkProblem(jwk, i);
        if (p) problems.push(p);
      }
    });
  }
  return problems;
}

function previousJwkProblem(jwk: unknown, i: number): string | undefined {
  const j = jwk as Record<string, unknown> | null;
  if (!j || typeof j !== "object") return `[previousPublicJwks] entry ${i} must be a JWK object.`;
  for (const priv of ["d", "p", "q", "dp", "dq", "qi"]) {
    if (priv in j)
      return `[previousPublicJwks] entry ${i} contains private key material ("${priv}"); give the public JWK only.`;
  }
  if (
    typeof j.kid !== "string" ||
    !j.kid ||
    j.kty !== "RSA" ||
    typeof j.n !== "string" ||
    typeof j.e !== "string"
  )
    return `[previousPublicJwks] entry ${i} must be a public RSA JWK with kid, kty "RSA", n and e.`;
  return undefined;
}

/**
 * The JWKS for the app: the key AIM signs with (the previous key while a
 * rotation is under way, else the current one), then the manual extra keys;
 * each kid once. Never the current and the previous key together: the Okta
 * provider makes every key it sends ACTIVE, and Okta refuses an assertion
 * without `kid` (AIM may send none) while two keys are ACTIVE. The new key
 * reaches the app INACTIVE through the AIM connection, which makes it the
 * only active one just before it hands it to AIM (core/okta/appKeys.ts); the
 * next `pulumi up` then lists it here and the previous key leaves the app.
 */
function appJwks(
  current: pulumi.Output<PublicSigningJwk>,
  rotatedOut: pulumi.Output<PublicSigningJwk | null>,
  previous: pulumi.Input<pulumi.Input<PublicSigningJwk>[]>,
  parent: pulumi.Resource,
): pulumi.Output<Array<{ kid: string; kty: string; n: string; e: string }>> {
  return pulumi
    .all([current, rotatedOut, pulumi.output(previous)])
    .apply(([cur, rotated, prev]) => {
      const kids = new Set<string>();
      for (const [i, k] of prev.entries()) {
        const p = previousJwkProblem(k, i);
        if (p) throw new pulumi.ResourceError(p, parent);
        if (kids.has(k.kid))
          throw new pulumi.ResourceError(
            `[previousPublicJwks] lists kid ${k.kid} twice; give each key once.`,
            parent,
          );
        kids.add(k.kid);
      }
      // The key AIM signs with may also be listed by hand: keep each once.
      const keys: PublicSigningJwk[] = [];
      for (const k of [rotated ?? cur, ...prev])
        if (!keys.some((seen) => seen.kid === k.kid)) keys.push(k);
      // okta.app.OAuth's jwks takes kid, kty, n, e (Okta fills alg and use).
      return keys.map((k) => ({ kid: k.kid, kty: k.kty, n: k.n, e: k.e }));
    });
}

function createApp(
  name: string,
  label: pulumi.Input<string>,
  jwks: pulumi.Input<okta.types.input.app.OAuthJwk[]>,
  parent: pulumi.Resource,
  importId: string | undefined,
): okta.app.OAuth {
  return new okta.app.OAuth(
    `${name}-app`,
    {
      label,
      type: "service",
      grantTypes: ["client_credentials"],
      responseTypes: ["token"],
      tokenEndpointAuthMethod: "private_key_jwt",
      jwks,
      // private_key_jwt: no client secret exists; none is kept in state either.
      omitSecret: true,
      pkceRequired: false,
    },
    { parent, ...(importId ? { import: importId } : {}) },
  );
}

/**
 * One resource for both scopes: okta.AppOauthApiScope reads back every grant
 * of the app and revokes those not in its list, so two of them on one app
 * would revoke each other's scope.
 */
function createScopes(
  name: string,
  app: okta.app.OAuth,
  issuer: pulumi.Input<string>,
  parent: pulumi.Resource,
): okta.AppOauthApiScope {
  return new okta.AppOauthApiScope(
    `${name}-scopes`,
    { appId: app.id, issuer, scopes: [...AIM_OKTA_SCOPES] },
    { parent },
  );
}

function createRole(
  name: string,
  app: okta.app.OAuth,
  parent: pulumi.Resource,
): okta.app.OauthRoleAssignment {
  return new okta.app.OauthRoleAssignment(
    `${name}-role`,
    { clientId: app.clientId, type: AIM_OKTA_ROLE },
    { parent },
  );
}
