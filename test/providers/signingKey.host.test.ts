/**
 * SigningKey's provider as Pulumi runs it: serialised under ts-node, then
 * check/diff/create/read/update/delete through the dynamic-provider host over
 * gRPC. Rotation against the live AIM connection: signingKeyRotation.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as jose from "jose";
import {
  coreModulesNamedBy,
  serializeProvider,
  type ProviderHost,
  type SerializedResource,
} from "./harness/host";
import { hostWithoutEnv } from "../helpers/providerCredentials";
import { SIGNING_KEY_PROVIDER_VERSION } from "../../dynamic-providers/signingKey";
import { generateSigningKey } from "../../core/keys/signingKey";

const PEM_MARKER = "PRIVATE KEY";

describe("SigningKey provider through the dynamic-provider host", () => {
  let serialized: SerializedResource;
  let host: ProviderHost;

  beforeAll(async () => {
    serialized = await serializeProvider("dynamic-providers/signingKey.ts", "SigningKey", {
      rotationTrigger: "2024-q1",
    });
    // The engine always configures a provider first (stack config, here none).
    host = await hostWithoutEnv(serialized, {});
  });
  afterAll(async () => {
    await host?.close();
  });

  it("registers a readable type and no secret in the serialised provider", () => {
    expect(serialized.type).toBe("pulumi-nodejs:dynamic/okta-databricks-aim:SigningKey");
    expect(serialized.providerIsSecret).toBe(false);
    expect(serialized.provider).not.toContain(PEM_MARKER);
    expect(serialized.provider).not.toMatch(/"d"\s*:/);
    // The key logic and the AIM admin adapter (the live read for rotation) are loaded at call
    // time through core's stable entry point (dynamic-providers/loadCore.ts), not inlined.
    expect(coreModulesNamedBy(serialized.provider)).toEqual(["core/providerApi"]);
    expect(serialized.provider).not.toContain("generateKeyPair");
    expect(serialized.provider).not.toContain("class ApiAimAdmin");
    // Thin adapters only (v2 adds the live read and credential look-up: ~21k characters; the
    // adoption checks and the layered Databricks credentials ~33k, their logic in core).
    expect(serialized.provider.length).toBeLessThan(36_000);
    expect(serialized.provider).not.toContain("readDatabricksProfile");
    expect(serialized.inputs).toMatchObject({
      rotationTrigger: "2024-q1",
      providerVersion: SIGNING_KEY_PROVIDER_VERSION,
    });
  });

  it("check applies defaults and reports bad fields by name", async () => {
    const ok = await host.check({}, { rotationTrigger: "a", providerVersion: "2" });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs).toMatchObject({
      rotationTrigger: "a",
      algorithm: "RS256",
      modulusLength: 2048,
      // Nowhere to read AIM's key from: the previous key (if any) stays until retirePreviousKey.
      liveAimRead:
        "skipped: no aimConnection given; set retirePreviousKey to drop the previous key",
    });

    const bad = await host.check(
      {},
      { rotationTrigger: "a", modulusLength: 1024, algorithm: "HS256" },
    );
    expect(bad.failures).toEqual([
      { property: "algorithm", reason: '[algorithm] must be one of RS256; got "HS256".' },
      { property: "modulusLength", reason: "[modulusLength] must be one of 2048, 3072; got 1024." },
    ]);

    const badConn = await host.check(
      {},
      {
        rotationTrigger: "a",
        aimConnection: { databricksHost: "", accountId: "a/b", adapter: "portal" },
        retirePreviousKey: "yes",
      },
    );
    expect(badConn.failures).toEqual([
      {
        property: "aimConnection.databricksHost",
        reason:
          "[aimConnection.databricksHost] must be the Databricks accounts host, e.g. https://accounts.cloud.databricks.com.",
      },
      {
        property: "aimConnection.accountId",
        reason:
          "[aimConnection.accountId] must be the Databricks account id (a UUID, shown in the account console's user menu).",
      },
      {
        property: "aimConnection.adapter",
        reason:
          '[aimConnection.adapter] "portal" is not an AIM adapter: use "auto" (the admin API where the account answers it, else the console path; the default), "api" (the private-preview AIM admin API), "console" (you enter the values in the account console).',
      },
      { property: "retirePreviousKey", reason: "[retirePreviousKey] must be true or false." },
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
    // Rotation (trigger, algorithm or size): an update in place, never a replace.
    expect(await host.diff(created.id, created.outs, { ...inputs, rotationTrigger: "b" })).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      await host.diff(created.id, created.outs, { ...inputs, modulusLength: 3072 }),
    ).toMatchObject({
      changes: "some",
      replaces: [],
    });
    // A newer provider version updates in place and keeps the key.
    const newer = { ...inputs, providerVersion: "a newer version" };
    expect(await host.diff(created.id, created.outs, newer)).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await host.update(created.id, created.outs, newer);
    expect(updated.outs).toMatchObject({
      keyId: created.id,
      privateKeyPem: outs.privateKeyPem,
      providerVersion: "a newer version",
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

  it("rotation through the host: new key, the old public key kept as previousPublicJwk, ID kept", async () => {
    const inputs = { rotationTrigger: "r1", providerVersion: SIGNING_KEY_PROVIDER_VERSION };
    const created = await host.create(inputs);
    const rotatedInputs = (await host.check(inputs, { ...inputs, rotationTrigger: "r2" })).inputs;
    expect((await host.diff(created.id, created.outs, rotatedInputs)).changes).toBe("some");
    const rotated = await host.update(created.id, created.outs, rotatedInputs);
    const outs = rotated.outs as Record<string, unknown> & {
      keyId: string;
      privateKeyPem: string;
      publicJwk: { kid: string };
    };
    expect(outs.keyId).not.toBe(created.id);
    expect(outs.publicJwk.kid).toBe(outs.keyId);
    expect(outs.privateKeyPem).not.toBe(created.outs.privateKeyPem);
    expect(outs.previousPublicJwk).toEqual(created.outs.publicJwk);
    expect(outs.previousKeyId).toBe(created.id);
    // Only privateKeyPem holds private material, the previous key included.
    const { privateKeyPem: _secret, ...nonSecret } = outs;
    expect(JSON.stringify(nonSecret)).not.toContain(PEM_MARKER);
    expect(JSON.stringify(nonSecret)).not.toMatch(/"d"\s*:/);
    expect(JSON.stringify(nonSecret)).not.toContain(
      String(created.outs.privateKeyPem).slice(40, 100),
    );
    // Nothing confirms AIM uses the new key: no change, the previous key stays.
    const again = (await host.check(rotatedInputs, rotatedInputs)).inputs;
    expect(await host.diff(created.id, outs, again)).toMatchObject({ changes: "none" });
    // retirePreviousKey drops it.
    const retire = (await host.check(again, { ...again, retirePreviousKey: true })).inputs;
    expect((await host.diff(created.id, outs, retire)).changes).toBe("some");
    const retired = (await host.update(created.id, outs, retire)).outs;
    expect(retired.previousPublicJwk).toBeNull();
    expect(retired.previousKeyId).toBeNull();
    expect(retired).toMatchObject({ keyId: outs.keyId, privateKeyPem: outs.privateKeyPem });
  });

  it("state written by v1 (no previous key) reads, diffs and rotates in place", async () => {
    const v1 = { rotationTrigger: "v1", providerVersion: "1" };
    const created = await host.create(v1);
    const { previousPublicJwk: _p, ...v1State } = created.outs;
    expect(v1State).not.toHaveProperty("liveAimRead");
    expect((await host.read(created.id, v1State)).props).toMatchObject({ keyId: created.id });
    const v2 = { rotationTrigger: "v1", providerVersion: SIGNING_KEY_PROVIDER_VERSION };
    // The version bump alone: update in place, same key, no previous key.
    expect(await host.diff(created.id, v1State, v2)).toMatchObject({
      changes: "some",
      replaces: [],
    });
    const bumped = (await host.update(created.id, v1State, v2)).outs;
    expect(bumped).toMatchObject({
      keyId: created.id,
      providerVersion: SIGNING_KEY_PROVIDER_VERSION,
    });
    expect(bumped.previousPublicJwk).toBeNull();
    // A rotation from v1 state: the v1 key becomes the previous key.
    const rotated = (await host.update(created.id, v1State, { ...v2, rotationTrigger: "v2" })).outs;
    expect(rotated.previousKeyId).toBe(created.id);
    expect(rotated.keyId).not.toBe(created.id);
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
    const logged = await host.stderrWith(
      "ConfigError: [privateKeyPem] is not a PKCS#8 PEM RS256 private key",
    );
    expect(logged).not.toContain("secret-looking");
  });

  it("adoption: create starts from the existing key (its kid as Okta lists it), read keeps that kid, a rotation replaces it", async () => {
    const existing = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const inputs = {
      rotationTrigger: "initial",
      providerVersion: SIGNING_KEY_PROVIDER_VERSION,
      existingPrivateKeyPem: existing.privateKeyPem,
      existingKeyId: "okta-kid-1",
    };
    const checked = await host.check({}, inputs);
    expect(checked.failures).toEqual([]);
    const created = await host.create(checked.inputs);
    expect(created.id).toBe("okta-kid-1");
    expect(created.outs).toMatchObject({
      keyId: "okta-kid-1",
      privateKeyPem: existing.privateKeyPem,
      publicJwk: { kid: "okta-kid-1", n: existing.publicJwk.n, e: existing.publicJwk.e },
      previousPublicJwk: null,
    });
    const read = await host.read(created.id, created.outs);
    expect(read.props).toMatchObject({ keyId: "okta-kid-1", publicJwk: { kid: "okta-kid-1" } });

    // Rotating: a new generated key; the adopted one stays as the previous key.
    const rotated = await host.update(created.id, created.outs, {
      ...checked.inputs,
      rotationTrigger: "2026-q4",
    });
    expect(rotated.outs.privateKeyPem).not.toBe(existing.privateKeyPem);
    expect(rotated.outs).toMatchObject({
      previousKeyId: "okta-kid-1",
      previousPublicJwk: { kid: "okta-kid-1", n: existing.publicJwk.n },
    });
    const after = await host.read(created.id, rotated.outs);
    expect((after.props.publicJwk as { kid: string }).kid).not.toBe("okta-kid-1");
  });

  it("adoption: a key that is not a PKCS#8 private key is refused by name, never echoed", async () => {
    const bad =
      "-----BEGIN RSA PRIVATE KEY-----\nsecret-looking-material\n-----END RSA PRIVATE KEY-----\n";
    const checked = await host.check(
      {},
      {
        rotationTrigger: "initial",
        providerVersion: SIGNING_KEY_PROVIDER_VERSION,
        existingPrivateKeyPem: bad,
      },
    );
    expect(checked.failures).toEqual([
      {
        property: "existingPrivateKeyPem",
        reason:
          "[existingPrivateKeyPem] is not a PKCS#8 PEM RS256 private key: give the app's existing key in PKCS#8 PEM (convert a PKCS#1 RSA key with `openssl pkcs8 -topk8 -nocrypt`).",
      },
    ]);
    expect(JSON.stringify(checked.failures)).not.toContain("secret-looking");
  });
});
