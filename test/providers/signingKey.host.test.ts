/**
 * SigningKey's provider as Pulumi runs it: serialised under ts-node, then
 * check/diff/create/read/update/delete through the dynamic-provider host over
 * gRPC.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as jose from "jose";
import {
  serializeProvider,
  startProviderHost,
  type ProviderHost,
  type SerializedResource,
} from "./harness/host";
import { SIGNING_KEY_PROVIDER_VERSION } from "../../dynamic-providers/signingKey";

const PEM_MARKER = "PRIVATE KEY";

describe("SigningKey provider through the dynamic-provider host", () => {
  let serialized: SerializedResource;
  let host: ProviderHost;

  beforeAll(async () => {
    serialized = await serializeProvider("dynamic-providers/signingKey.ts", "SigningKey", {
      rotationTrigger: "2024-q1",
    });
    host = await startProviderHost({ provider: serialized.provider, type: serialized.type });
  });
  afterAll(async () => {
    await host?.close();
  });

  it("registers a readable type and no secret in the serialised provider", () => {
    expect(serialized.type).toBe("pulumi-nodejs:dynamic/okta-databricks-aim:SigningKey");
    expect(serialized.providerIsSecret).toBe(false);
    expect(serialized.provider).not.toContain(PEM_MARKER);
    expect(serialized.provider).not.toMatch(/"d"\s*:/);
    // The key logic is loaded at call time (dynamic-providers/loadCore.ts), not inlined into state.
    expect(serialized.provider).toContain('"core/keys/signingKey"');
    expect(serialized.provider).not.toContain("generateKeyPair");
    expect(serialized.provider.length).toBeLessThan(20_000);
    expect(serialized.inputs).toMatchObject({
      rotationTrigger: "2024-q1",
      providerVersion: SIGNING_KEY_PROVIDER_VERSION,
    });
  });

  it("check applies defaults and reports bad fields by name", async () => {
    const ok = await host.check({}, { rotationTrigger: "a", providerVersion: "1" });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toMatchObject({
      rotationTrigger: "a",
      algorithm: "RS256",
      modulusLength: 2048,
    });

    const bad = await host.check(
      {},
      { rotationTrigger: "a", modulusLength: 1024, algorithm: "HS256" },
    );
    expect(bad.failures).toEqual([
      { property: "algorithm", reason: '[algorithm] must be one of RS256; got "HS256".' },
      { property: "modulusLength", reason: "[modulusLength] must be one of 2048, 3072; got 1024." },
    ]);
  });

  it("creates, reads, diffs, updates and deletes a key", async () => {
    const inputs = {
      rotationTrigger: "a",
      algorithm: "RS256",
      modulusLength: 2048,
      providerVersion: "1",
    };
    const created = await host.create(inputs);
    const outs = created.outs as {
      keyId: string;
      publicJwk: Record<string, string>;
      privateKeyPem: string;
    };

    // The ID is the RFC 7638 thumbprint of the public key.
    expect(created.id).toBe(outs.keyId);
    const { kty, n, e } = outs.publicJwk;
    expect(await jose.calculateJwkThumbprint({ kty: kty!, n: n!, e: e! }, "sha256")).toBe(
      created.id,
    );
    expect(outs.publicJwk).toMatchObject({
      kty: "RSA",
      kid: created.id,
      alg: "RS256",
      use: "sig",
      e: "AQAB",
    });
    expect(Buffer.from(n!, "base64url").length * 8).toBe(2048);

    // The private key signs what the public JWK verifies.
    expect(outs.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const priv = await jose.importPKCS8(outs.privateKeyPem, "RS256");
    const jws = await new jose.SignJWT({ sub: "x" })
      .setProtectedHeader({ alg: "RS256", kid: created.id })
      .sign(priv);
    const pub = await jose.importJWK(outs.publicJwk, "RS256");
    await expect(jose.jwtVerify(jws, pub)).resolves.toBeTruthy();

    // Only privateKeyPem holds private material.
    const { privateKeyPem: _secret, ...nonSecret } = outs;
    expect(JSON.stringify(nonSecret)).not.toContain(PEM_MARKER);
    expect(Object.keys(outs.publicJwk).sort()).toEqual(["alg", "e", "kid", "kty", "n", "use"]);

    const read = await host.read(created.id, created.outs);
    expect(read.id).toBe(created.id);
    expect(read.props).toEqual(created.outs);

    // Same inputs: no change.
    expect(await host.diff(created.id, created.outs, inputs)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    // Rotation trigger: replace (create before delete).
    expect(await host.diff(created.id, created.outs, { ...inputs, rotationTrigger: "b" })).toEqual({
      changes: "some",
      replaces: ["rotationTrigger"],
      deleteBeforeReplace: false,
    });
    expect(
      await host.diff(created.id, created.outs, { ...inputs, modulusLength: 3072 }),
    ).toMatchObject({
      replaces: ["modulusLength"],
    });
    // A newer provider version updates in place and keeps the key.
    const newer = { ...inputs, providerVersion: "2" };
    expect(await host.diff(created.id, created.outs, newer)).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await host.update(created.id, created.outs, newer);
    expect(updated.outs).toMatchObject({
      keyId: created.id,
      privateKeyPem: outs.privateKeyPem,
      providerVersion: "2",
    });

    await expect(host.delete(created.id, created.outs)).resolves.toBeUndefined();
  });

  it("a 3072-bit key has a 3072-bit modulus", async () => {
    const created = await host.create({
      rotationTrigger: "c",
      modulusLength: 3072,
      providerVersion: "1",
    });
    const n = (created.outs.publicJwk as { n: string }).n;
    expect(Buffer.from(n, "base64url").length * 8).toBe(3072);
    expect(created.outs.modulusLength).toBe(3072);
  });

  it("state without the later fields (v1 minimal) still reads and diffs", async () => {
    const created = await host.create({ rotationTrigger: "d", providerVersion: "1" });
    const { algorithm: _a, modulusLength: _m, ...olderState } = created.outs;
    const read = await host.read(created.id, olderState);
    expect(read.props).toMatchObject({
      keyId: created.id,
      algorithm: "RS256",
      modulusLength: 2048,
    });
    expect(
      await host.diff(created.id, olderState, { rotationTrigger: "d", providerVersion: "1" }),
    ).toMatchObject({
      changes: "none",
    });
  });

  it("read rejects a damaged private key without echoing it", async () => {
    const damaged =
      "-----BEGIN PRIVATE KEY-----\nnot-a-key-at-all-but-secret-looking\n-----END PRIVATE KEY-----\n";
    const err = await host
      .read("kid", { rotationTrigger: "x", providerVersion: "1", privateKeyPem: damaged })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err?.message).toContain("[privateKeyPem] is not a PKCS#8 PEM RS256 private key");
    expect(err?.message).not.toContain("secret-looking");
    // The host logs the error with its stack; the key material stays out of it too.
    expect(host.stderr()).toContain(
      "ConfigError: [privateKeyPem] is not a PKCS#8 PEM RS256 private key",
    );
    expect(host.stderr()).not.toContain("secret-looking");
  });
});
