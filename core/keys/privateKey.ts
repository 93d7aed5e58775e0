/**
 * The private key of the Okta API Services app, which signs the
 * private_key_jwt client assertions: parsed once from what was given (PKCS#8
 * or PKCS#1 PEM, or a private JWK) into an `AppPrivateKey`, and handed on as
 * that. It keeps the text as given (the AIM admin API and the console need
 * it) and every form of the key material the redactor must know, and never
 * shows them: JSON.stringify and console.log print its algorithm and kid only.
 *
 * Not to be confused with core/keys/signingKey.ts, which generates the key
 * pair the SigningKey resource keeps in Pulumi state.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
import { inspect } from "node:util";
import { ConfigError } from "../http/errors";

export type AssertionAlg = "RS256" | "RS384" | "RS512" | "ES256" | "ES384" | "ES512";

export class AppPrivateKey {
  /** The JWS algorithm of the assertions it signs. */
  readonly alg: AssertionAlg;
  /** From the JWK when it has one; `OktaAuth.keyId` wins. */
  readonly kid?: string;
  readonly #key: KeyObject;
  readonly #text: string;
  readonly #secrets: readonly string[];

  constructor(init: {
    key: KeyObject;
    alg: AssertionAlg;
    kid?: string;
    text: string;
    secrets: readonly string[];
  }) {
    this.alg = init.alg;
    if (init.kid !== undefined) this.kid = init.kid;
    this.#key = init.key;
    this.#text = init.text;
    this.#secrets = init.secrets;
  }

  /** What jose signs with. */
  get key(): KeyObject {
    return this.#key;
  }

  /** The key as given (PEM or JWK JSON): a secret, for the AIM admin API and the console only. */
  get text(): string {
    return this.#text;
  }

  /** The key material in every form, for the redactor. */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  toJSON(): { alg: AssertionAlg; kid?: string } {
    return this.kid === undefined ? { alg: this.alg } : { alg: this.alg, kid: this.kid };
  }

  [inspect.custom](): string {
    return `AppPrivateKey(${this.alg}${this.kid ? `, kid ${this.kid}` : ""})`;
  }
}

/** The RFC 7638 thumbprint (SHA-256) of the key's public half: the kid it has in the app's JWKS. */
export async function keyThumbprint(k: AppPrivateKey): Promise<string> {
  return calculateJwkThumbprint(createPublicKey(k.key).export({ format: "jwk" }) as JWK, "sha256");
}

/** The key as given: what the AIM admin API and the console take. */
export function privateKeyText(k: AppPrivateKey | string): string {
  return k instanceof AppPrivateKey ? k.text : k;
}

/** The shortest RSA modulus jose signs with and Okta accepts. */
const MIN_RSA_BITS = 2048;

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

/**
 * Parses the app's private key; a ConfigError naming `field` (how the caller
 * calls the input: `OKTA_PRIVATE_KEY`, `[privateKeyPem]`) says what is wrong,
 * never quoting the key.
 */
export function parsePrivateKey(
  input: string | Record<string, unknown> | AppPrivateKey,
  field = "OKTA_PRIVATE_KEY",
): AppPrivateKey {
  if (input instanceof AppPrivateKey) return input;
  const help = `${field} must be a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or a private JWK`;
  const secrets: string[] = [];
  let jwk: Record<string, unknown> | undefined;
  let text: string;
  if (typeof input === "string") {
    text = input.trim();
    if (!text) throw new ConfigError(field, `${help}; it is empty.`);
    secrets.push(input, text);
    if (text.startsWith("{")) {
      try {
        jwk = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ConfigError(field, `${help}; it starts with "{" but is not valid JSON.`);
      }
    } else if (!text.startsWith("-----BEGIN")) {
      throw new ConfigError(
        field,
        `${help}; it is neither (a PEM starts with '-----BEGIN', a JWK with '{').`,
      );
    } else if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)) {
      throw new ConfigError(
        field,
        `${help}; this is a public key or certificate: give the private key whose public part is in the app's JWKS.`,
      );
    }
  } else if (input && typeof input === "object") {
    jwk = input;
    text = JSON.stringify(input);
  } else {
    throw new ConfigError(field, `${help}.`);
  }

  let key: KeyObject;
  if (jwk) {
    for (const m of PRIVATE_JWK_MEMBERS) if (typeof jwk[m] === "string") secrets.push(jwk[m]);
    if (typeof jwk.d !== "string")
      throw new ConfigError(
        field,
        `${help}; this JWK has no private part ("d"): it is the public key the app holds, not the private key.`,
      );
    try {
      // Node's JWK import ignores members it does not know (kid, alg, use, status).
      key = createPrivateKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
    } catch {
      throw new ConfigError(field, `${help}; this JWK could not be read as a private key.`);
    }
  } else {
    try {
      key = createPrivateKey({ key: text, format: "pem" });
    } catch {
      throw new ConfigError(
        field,
        `${help}; this PEM could not be read (encrypted, truncated or with lost line breaks?).`,
      );
    }
  }
  const alg = algFor(key, typeof jwk?.alg === "string" ? jwk.alg : undefined, field, help);
  // The key also leaks through its canonical exports: register those too.
  secrets.push(key.export({ type: "pkcs8", format: "pem" }).toString());
  const exported = key.export({ format: "jwk" });
  for (const m of PRIVATE_JWK_MEMBERS) {
    const v = (exported as Record<string, unknown>)[m];
    if (typeof v === "string") secrets.push(v);
  }
  return new AppPrivateKey({
    key,
    alg,
    kid: typeof jwk?.kid === "string" ? jwk.kid : undefined,
    text: typeof input === "string" ? input : text,
    secrets,
  });
}

/** The problem with `input` as the app's private key (parsePrivateKey's message), or undefined. */
export function privateKeyProblem(input: unknown, field: string): string | undefined {
  try {
    parsePrivateKey(input as string, field);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

function algFor(
  key: KeyObject,
  jwkAlg: string | undefined,
  field: string,
  help: string,
): AssertionAlg {
  if (key.asymmetricKeyType === "rsa") {
    // jose refuses to sign RS256 with a shorter key ("RS256 requires … 2048 bits"), and so does Okta.
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw new ConfigError(
        field,
        `${field} is a ${bits}-bit RSA key; Okta and RS256 need at least ${MIN_RSA_BITS} bits: generate a ${MIN_RSA_BITS}-bit (or larger) key and put its public part in the app's JWKS.`,
      );
    if (jwkAlg === "RS384" || jwkAlg === "RS512") return jwkAlg;
    return "RS256";
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return "ES256";
    if (curve === "secp384r1") return "ES384";
    if (curve === "secp521r1") return "ES512";
  }
  throw new ConfigError(
    field,
    `${help} of type RSA or EC (P-256/P-384/P-521); got ${key.asymmetricKeyType ?? "unknown"}${
      key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ""
    }: Okta accepts RS256/384/512 and ES256/384/512 assertions.`,
  );
}
