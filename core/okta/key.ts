/**
 * The private key of an Okta service app, as given (PKCS#8 PEM or private
 * JWK), turned into what `jose` signs with, plus every form of it that the
 * redactor must know.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import { ConfigError } from "../http";

export type AssertionAlg = "RS256" | "RS384" | "RS512" | "ES256" | "ES384" | "ES512";

export interface SigningKey {
  key: KeyObject;
  alg: AssertionAlg;
  /** From the JWK when it has one; `OktaAuth.keyId` wins. */
  kid?: string;
  /** The key material in every form given, for the redactor. */
  secrets: string[];
}

const KEY_HELP =
  "OKTA_PRIVATE_KEY must be a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or a private JWK";

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

export function parsePrivateKey(input: string | Record<string, unknown>): SigningKey {
  const secrets: string[] = [];
  let jwk: Record<string, unknown> | undefined;
  if (typeof input === "string") {
    const text = input.trim();
    if (!text) throw new ConfigError("OKTA_PRIVATE_KEY", `${KEY_HELP}; it is empty.`);
    secrets.push(input, text);
    if (text.startsWith("{")) {
      try {
        jwk = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new ConfigError(
          "OKTA_PRIVATE_KEY",
          `${KEY_HELP}; it starts with "{" but is not valid JSON.`,
        );
      }
    } else if (!text.startsWith("-----BEGIN")) {
      throw new ConfigError(
        "OKTA_PRIVATE_KEY",
        `${KEY_HELP}; it is neither (a PEM starts with '-----BEGIN', a JWK with '{').`,
      );
    } else if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)) {
      throw new ConfigError(
        "OKTA_PRIVATE_KEY",
        `${KEY_HELP}; this is a public key or certificate: give the private key whose public part is in the app's JWKS.`,
      );
    }
  } else if (input && typeof input === "object") {
    jwk = input;
  } else {
    throw new ConfigError("OKTA_PRIVATE_KEY", `${KEY_HELP}.`);
  }

  let key: KeyObject;
  if (jwk) {
    for (const m of PRIVATE_JWK_MEMBERS) if (typeof jwk[m] === "string") secrets.push(jwk[m]);
    if (typeof jwk.d !== "string")
      throw new ConfigError(
        "OKTA_PRIVATE_KEY",
        `${KEY_HELP}; this JWK has no private part ("d"): it is the public key the app holds, not the private key.`,
      );
    try {
      // Node's JWK import ignores members it does not know (kid, alg, use, status).
      key = createPrivateKey({ key: jwk as import("node:crypto").JsonWebKey, format: "jwk" });
    } catch {
      throw new ConfigError(
        "OKTA_PRIVATE_KEY",
        `${KEY_HELP}; this JWK could not be read as a private key.`,
      );
    }
  } else {
    try {
      key = createPrivateKey({ key: (input as string).trim(), format: "pem" });
    } catch {
      throw new ConfigError(
        "OKTA_PRIVATE_KEY",
        `${KEY_HELP}; this PEM could not be read (encrypted, truncated or with lost line breaks?).`,
      );
    }
  }
  const alg = algFor(key, typeof jwk?.alg === "string" ? jwk.alg : undefined);
  // The key also leaks through its canonical exports: register those too.
  secrets.push(key.export({ type: "pkcs8", format: "pem" }).toString());
  const exported = key.export({ format: "jwk" });
  for (const m of PRIVATE_JWK_MEMBERS) {
    const v = (exported as Record<string, unknown>)[m];
    if (typeof v === "string") secrets.push(v);
  }
  return { key, alg, kid: typeof jwk?.kid === "string" ? jwk.kid : undefined, secrets };
}

function algFor(key: KeyObject, jwkAlg: string | undefined): AssertionAlg {
  if (key.asymmetricKeyType === "rsa") {
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
    "OKTA_PRIVATE_KEY",
    `${KEY_HELP} of type RSA or EC (P-256/P-384/P-521); got ${key.asymmetricKeyType ?? "unknown"}${
      key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ""
    }: Okta accepts RS256/384/512 and ES256/384/512 assertions.`,
  );
}
