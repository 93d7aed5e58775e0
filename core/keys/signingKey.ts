/**
 * The signing key of the Okta API Services app that AIM authenticates with
 * (`private_key_jwt`): an RSA key pair, its public JWK with an RFC 7638
 * thumbprint as `kid`, and the private key as PKCS#8 PEM.
 *
 * What the SigningKey resource (dynamic-providers/signingKey.ts) keeps in
 * state. Reading a private key someone gives (to sign assertions, for its
 * thumbprint) is core/keys/privateKey.ts's job.
 */
import type * as Jose from "jose";
import { ConfigError } from "../http/errors";

/** JWS algorithms a signing key may use. Okta also accepts RS384/RS512 and ES*; AIM's client signs RS256. */
export const SIGNING_KEY_ALGORITHMS = ["RS256"] as const;
export type SigningKeyAlgorithm = (typeof SIGNING_KEY_ALGORITHMS)[number];

/** RSA modulus lengths offered: 2048 (the usual minimum) and 3072 (NIST beyond 2030). */
export const RSA_MODULUS_LENGTHS = [2048, 3072] as const;
export type RsaModulusLength = (typeof RSA_MODULUS_LENGTHS)[number];

export const DEFAULT_SIGNING_KEY_ALGORITHM: SigningKeyAlgorithm = "RS256";
export const DEFAULT_RSA_MODULUS_LENGTH: RsaModulusLength = 2048;

export interface SigningKeySpec {
  algorithm: SigningKeyAlgorithm;
  modulusLength: RsaModulusLength;
}

/**
 * The public half as Okta stores it in `settings.oauthClient.jwks.keys[]`.
 * A type alias, not an interface, so that it is assignable to OktaAppJwk.
 */
export type PublicSigningJwk = {
  kty: "RSA";
  kid: string;
  alg: SigningKeyAlgorithm;
  use: "sig";
  n: string;
  e: string;
};

export interface SigningKeyMaterial {
  /** RFC 7638 SHA-256 thumbprint of the public key, base64url. */
  keyId: string;
  publicJwk: PublicSigningJwk;
  /** PKCS#8 PEM. A secret: never log it, never put it in plain state. */
  privateKeyPem: string;
}

export interface SigningKeySpecProblem {
  field: "algorithm" | "modulusLength";
  message: string;
}

/**
 * `jose` at call time. A plain `require` on purpose: TypeScript keeps it as
 * is, Pulumi's closure serialiser leaves `require` uncaptured, and vitest does
 * not rewrite it (it rewrites `import()` into a call that captures its module
 * runner, which cannot be serialised). jose 6 is ESM; Node 20.19+ requires it.
 */
export function loadJose(): typeof Jose {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load that survives closure serialisation (see above)
  return require("jose") as typeof Jose;
}

/** Every problem with a requested spec, each naming its field; empty when valid. */
export function signingKeySpecProblems(input: {
  algorithm?: unknown;
  modulusLength?: unknown;
}): SigningKeySpecProblem[] {
  const problems: SigningKeySpecProblem[] = [];
  if (
    input.algorithm !== undefined &&
    !(SIGNING_KEY_ALGORITHMS as readonly unknown[]).includes(input.algorithm)
  ) {
    problems.push({
      field: "algorithm",
      message: `[algorithm] must be one of ${SIGNING_KEY_ALGORITHMS.join(", ")}; got ${JSON.stringify(input.algorithm)}.`,
    });
  }
  if (
    input.modulusLength !== undefined &&
    !(RSA_MODULUS_LENGTHS as readonly unknown[]).includes(input.modulusLength)
  ) {
    problems.push({
      field: "modulusLength",
      message: `[modulusLength] must be one of ${RSA_MODULUS_LENGTHS.join(", ")}; got ${JSON.stringify(input.modulusLength)}.`,
    });
  }
  return problems;
}

/** The spec with defaults applied; throws ConfigError naming the first bad field. */
export function resolveSigningKeySpec(input: {
  algorithm?: unknown;
  modulusLength?: unknown;
}): SigningKeySpec {
  const [problem] = signingKeySpecProblems(input);
  if (problem) throw new ConfigError(problem.field, problem.message);
  return {
    algorithm:
      (input.algorithm as SigningKeyAlgorithm | undefined) ?? DEFAULT_SIGNING_KEY_ALGORITHM,
    modulusLength:
      (input.modulusLength as RsaModulusLength | undefined) ?? DEFAULT_RSA_MODULUS_LENGTH,
  };
}

/** A fresh RSA key pair for `spec`. */
export async function generateSigningKey(spec: SigningKeySpec): Promise<SigningKeyMaterial> {
  const resolved = resolveSigningKeySpec(spec);
  const jose = loadJose();
  const { publicKey, privateKey } = await jose.generateKeyPair(resolved.algorithm, {
    modulusLength: resolved.modulusLength,
    extractable: true,
  });
  const privateKeyPem = await jose.exportPKCS8(privateKey);
  const publicJwk = await toPublicSigningJwk(
    jose,
    await jose.exportJWK(publicKey),
    resolved.algorithm,
  );
  return { keyId: publicJwk.kid, publicJwk, privateKeyPem };
}

/**
 * The public JWK (and its kid) of a PKCS#8 PEM private key. Used to check
 * that stored key material is consistent, and to derive the JWK again.
 */
export async function publicJwkFromPrivateKeyPem(
  privateKeyPem: string,
  algorithm: SigningKeyAlgorithm = DEFAULT_SIGNING_KEY_ALGORITHM,
): Promise<PublicSigningJwk> {
  const jose = loadJose();
  let privateKey: Jose.CryptoKey;
  try {
    privateKey = await jose.importPKCS8(privateKeyPem, algorithm, { extractable: true });
  } catch (cause) {
    // The message from jose may quote the input: keep it out.
    throw new ConfigError(
      "privateKeyPem",
      `[privateKeyPem] is not a PKCS#8 PEM ${algorithm} private key (${(cause as Error).name}).`,
    );
  }
  return toPublicSigningJwk(jose, await jose.exportJWK(privateKey), algorithm);
}

/** RSA modulus length in bits of a public JWK's `n`. */
export function rsaModulusLengthOf(jwk: { n: string }): number {
  const bytes = Buffer.from(jwk.n, "base64url");
  let bits = bytes.length * 8;
  // Leading zero bits of the first byte do not count.
  for (let b = bytes[0] ?? 0; bits > 0 && (b & 0x80) === 0; b <<= 1) bits -= 1;
  return bits;
}

async function toPublicSigningJwk(
  jose: typeof Jose,
  jwk: Jose.JWK,
  algorithm: SigningKeyAlgorithm,
): Promise<PublicSigningJwk> {
  if (jwk.kty !== "RSA" || typeof jwk.n !== "string" || typeof jwk.e !== "string") {
    throw new ConfigError("privateKeyPem", "[privateKeyPem] is not an RSA key.");
  }
  // Only the public members: the private ones (d, p, q, dp, dq, qi) are dropped here.
  const kid = await jose.calculateJwkThumbprint({ kty: "RSA", n: jwk.n, e: jwk.e }, "sha256");
  return { kty: "RSA", kid, alg: algorithm, use: "sig", n: jwk.n, e: jwk.e };
}

/**
 * An existing private key (adopting a hand-made app) as generateSigningKey
 * returns a new one: the kid the app lists it by, else its thumbprint.
 * A key that is not a PKCS#8 private key of `algorithm` is a ConfigError
 * naming `field`, never quoting the key.
 */
export async function adoptSigningKey(
  privateKeyPem: unknown,
  algorithm: SigningKeyAlgorithm,
  keyId: string | undefined,
  field = "existingPrivateKeyPem",
): Promise<SigningKeyMaterial> {
  let derived: PublicSigningJwk;
  try {
    if (typeof privateKeyPem !== "string") throw new Error("not text");
    derived = await publicJwkFromPrivateKeyPem(privateKeyPem, algorithm);
  } catch {
    throw new ConfigError(
      field,
      `[${field}] is not a PKCS#8 PEM ${algorithm} private key: give the app's existing key in PKCS#8 PEM (convert a PKCS#1 RSA key with \`openssl pkcs8 -topk8 -nocrypt\`).`,
    );
  }
  const publicJwk = keyId ? { ...derived, kid: keyId } : derived;
  return { keyId: publicJwk.kid, publicJwk, privateKeyPem: privateKeyPem as string };
}
