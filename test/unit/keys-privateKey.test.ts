/**
 * The Okta app's private key, parsed once (core/keys/privateKey.ts): it never
 * shows its material when printed or serialised, a parsed key passes through
 * unchanged, its thumbprint is the kid its public half has in the JWKS
 * (the SigningKey resource's keyId for the keys it generates), and problems
 * name the field as the caller names it.
 */
import { generateKeyPairSync } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { generateSigningKey } from "../../core/keys/signingKey";
import {
  keyThumbprint,
  parsePrivateKey,
  privateKeyProblem,
  privateKeyText,
} from "../../core/keys/privateKey";

describe("AppPrivateKey", () => {
  it("keeps the text as given and never prints or serialises the key material", async () => {
    const material = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const key = parsePrivateKey(material.privateKeyPem);
    expect(key.text).toBe(material.privateKeyPem);
    expect(privateKeyText(key)).toBe(material.privateKeyPem);
    expect(key.alg).toBe("RS256");
    const body = material.privateKeyPem.split("\n")[3]!;
    for (const shown of [JSON.stringify(key), JSON.stringify({ key }), inspect(key), String(key)])
      expect(shown).not.toContain(body);
    expect(JSON.parse(JSON.stringify(key))).toEqual({ alg: "RS256" });
    expect(key.secrets).toContain(material.privateKeyPem);
  });

  it("a parsed key is handed on, not parsed again", async () => {
    const material = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const key = parsePrivateKey(material.privateKeyPem);
    expect(parsePrivateKey(key)).toBe(key);
  });

  it("thumbprint: the SigningKey's keyId for RSA; EC keys have one too", async () => {
    const material = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    expect(await keyThumbprint(parsePrivateKey(material.privateKeyPem))).toBe(material.keyId);
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const ecKey = parsePrivateKey(pem);
    expect(ecKey.alg).toBe("ES256");
    expect(await keyThumbprint(ecKey)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("problems name the field and never quote the input", () => {
    const secretish = "not-a-key-but-secret-ish";
    const p = privateKeyProblem(secretish, "[privateKeyPem]");
    expect(p).toBe(
      "[privateKeyPem] must be a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or a private JWK; it is neither (a PEM starts with '-----BEGIN', a JWK with '{').",
    );
    expect(privateKeyProblem('{"kty":"RSA","n":"x","e":"AQAB"}', "OKTA_PRIVATE_KEY")).toMatch(
      /^OKTA_PRIVATE_KEY must be .*this JWK has no private part/,
    );
    expect(privateKeyProblem(42, "OKTA_PRIVATE_KEY")).toBe(
      "OKTA_PRIVATE_KEY must be a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or a private JWK.",
    );
    expect(() => parsePrivateKey(secretish)).toThrow(/^OKTA_PRIVATE_KEY must be/);
  });
});
