/**
 * OktaAimApp under Pulumi mocks (the shared mock monitor, ./mockMonitor.ts):
 * every registration is recorded (type, name, parent, dependencies,
 * additionalSecretOutputs, inputs); anything not mocked throws. The dynamic resources' providers are serialised here too (under
 * vitest), which is what would break if a provider used `import()`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { generateSigningKey, type SigningKeyMaterial } from "../../core/keys/signingKey";
import { installStrictMocks, type Registration } from "./mockMonitor";

const PROJECT = "okta-databricks-aim";
const STACK = "test";
const T = {
  component: "okta-databricks-aim:index:OktaAimApp",
  key: "pulumi-nodejs:dynamic/okta-databricks-aim:SigningKey",
  dpop: "pulumi-nodejs:dynamic/okta-databricks-aim:OktaAppDpop",
  app: "okta:app/oAuth:OAuth",
  scopes: "okta:index/appOauthApiScope:AppOauthApiScope",
  role: "okta:app/oauthRoleAssignment:OauthRoleAssignment",
} as const;

/** Key material the mocked SigningKey "creates", by resource name. */
const keys = new Map<string, SigningKeyMaterial>();
let nextKey: SigningKeyMaterial | undefined;
/** The key the mocked SigningKey reports as rotated out (its previousPublicJwk output). */
let nextPrevious: SigningKeyMaterial | undefined;

// Mocks first (the shared mock monitor); the component is imported after (beforeAll below).
const registrations: Registration[] = installStrictMocks(
  ({ type, name, inputs }) => {
    switch (type) {
      case T.component:
        return { id: "", state: {} };
      case T.key: {
        const key = nextKey;
        if (!key) throw new Error("test did not prepare a key");
        keys.set(name, key);
        return {
          id: key.keyId,
          state: {
            ...inputs,
            keyId: key.keyId,
            publicJwk: key.publicJwk,
            privateKeyPem: key.privateKeyPem,
            ...(nextPrevious
              ? { previousPublicJwk: nextPrevious.publicJwk, previousKeyId: nextPrevious.keyId }
              : {}),
          },
        };
      }
      case T.app:
        return { id: `0oa-${name}`, state: { ...inputs, clientId: `0oa-${name}` } };
      case T.scopes:
      case T.role:
        return { id: `${name}-id`, state: inputs };
      case "test:index:Consumer":
        return { id: `${name}-id`, state: inputs };
      case T.dpop:
        return {
          id: String(inputs.appId),
          state: {
            ...inputs,
            liveDpopBoundAccessTokens: false,
            clientId: inputs.appId,
            label: "x",
          },
        };
      default:
        return undefined;
    }
  },
  PROJECT,
  STACK,
);

/** The inputs each resource was registered with, by name (the last registration of the name). */
const inputsByName = {
  get: (name: string): Record<string, unknown> | undefined =>
    registrations.filter((r) => r.name === name).at(-1)?.inputs,
};

type Component = typeof import("../../components/OktaAimApp");
let mod: Component;

/** An output's value; fails instead of hanging when its resource never registers. */
function value<T>(o: pulumi.Output<T>, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`output not resolved within ${timeoutMs} ms`)),
      timeoutMs,
    );
    o.apply((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

/** Waits until the named children are registered (or fails: a provider that cannot be serialised never registers). */
async function settled(names: string[], timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!names.every((n) => registrations.some((r) => r.name === n))) {
    if (Date.now() - start > timeoutMs) {
      const seen = registrations.map((r) => r.name).join(", ");
      throw new Error(`not registered within ${timeoutMs} ms: ${names.join(", ")} (seen: ${seen})`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const urnOf = (type: string, name: string, parentType?: string): string =>
  `urn:pulumi:${STACK}::${PROJECT}::${parentType ? `${parentType}$` : ""}${type}::${name}`;

describe("OktaAimApp", () => {
  let first: SigningKeyMaterial;
  let second: SigningKeyMaterial;

  beforeAll(async () => {
    [first, second] = await Promise.all([
      generateSigningKey({ algorithm: "RS256", modulusLength: 2048 }),
      generateSigningKey({ algorithm: "RS256", modulusLength: 2048 }),
    ]);
    mod = await import("../../components/OktaAimApp");
  });

  it("clientId carries the scopes, role and DPoP resources: a consumer (AIM's connection test) waits for all three", async () => {
    nextKey = first;
    const aim = new mod.OktaAimApp("ready", {
      label: "Databricks AIM",
      orgUrl: "https://example.okta.com",
      rotationTrigger: "r",
    });
    class Consumer extends pulumi.CustomResource {
      constructor(name: string, props: pulumi.Inputs) {
        super("test:index:Consumer", name, props);
      }
    }
    new Consumer("consumer", { clientId: aim.clientId });
    await settled(["consumer"]);
    const consumer = registrations.find((r) => r.name === "consumer")!;
    for (const [type, child] of [
      [T.app, "ready-app"],
      [T.scopes, "ready-scopes"],
      [T.role, "ready-role"],
      [T.dpop, "ready-dpop"],
    ] as const)
      expect(consumer.dependencies).toContain(urnOf(type, child, T.component));
    expect(await value(aim.clientId)).toBe("0oa-ready-app");
  });

  it("registers exactly the key, app, scopes, role and DPoP children under the component", async () => {
    nextKey = first;
    const aim = new mod.OktaAimApp("aim", {
      label: "Databricks AIM",
      orgUrl: "https://example.okta.com/",
      rotationTrigger: "2024-q1",
    });
    await settled(["aim", "aim-key", "aim-app", "aim-scopes", "aim-role", "aim-dpop"]);
    await value(aim.appId);

    const mine = registrations.filter((r) => r.name === "aim" || r.name.startsWith("aim-"));
    expect(mine.map((r) => [r.type, r.name]).sort()).toEqual(
      [
        [T.component, "aim"],
        [T.key, "aim-key"],
        [T.app, "aim-app"],
        [T.scopes, "aim-scopes"],
        [T.role, "aim-role"],
        [T.dpop, "aim-dpop"],
      ].sort(),
    );
    const componentUrn = urnOf(T.component, "aim");
    for (const r of mine.filter((r) => r.name !== "aim"))
      expect(r.parent, r.name).toBe(componentUrn);

    // The signing key: private key declared secret for the engine.
    const key = mine.find((r) => r.name === "aim-key")!;
    expect(key.additionalSecretOutputs).toEqual(["privateKeyPem", "existingPrivateKeyPem"]);
    // Not adopted: the app is created, not imported, and no key is given.
    expect(mine.find((r) => r.name === "aim-app")!.importId).toBe("");
    expect(inputsByName.get("aim-key")).not.toHaveProperty("existingPrivateKeyPem");
    expect(inputsByName.get("aim-key")).toMatchObject({
      rotationTrigger: "2024-q1",
      providerVersion: "3",
    });
    // Without aimConnection/retirePreviousKey nothing else is registered for the key.
    expect(inputsByName.get("aim-key")).not.toHaveProperty("aimConnection");
    expect(typeof inputsByName.get("aim-key")!.__provider).toBe("string");

    // The app: API Services, private_key_jwt, client credentials only, no secret kept.
    const app = inputsByName.get("aim-app")!;
    expect(app).toMatchObject({
      label: "Databricks AIM",
      type: "service",
      grantTypes: ["client_credentials"],
      responseTypes: ["token"],
      tokenEndpointAuthMethod: "private_key_jwt",
      omitSecret: true,
      pkceRequired: false,
    });
    expect(app).not.toHaveProperty("clientBasicSecret");
    expect(app).not.toHaveProperty("jwksUri");
    // JWKS from the key: kid equals the key's kid; public members only.
    expect(app.jwks).toEqual([
      { kid: first.keyId, kty: "RSA", n: first.publicJwk.n, e: first.publicJwk.e },
    ]);

    // Both scopes in one resource, issuer = org URL without the trailing slash.
    expect(inputsByName.get("aim-scopes")).toEqual({
      appId: "0oa-aim-app",
      issuer: "https://example.okta.com",
      scopes: ["okta.users.read", "okta.groups.read"],
    });
    expect(inputsByName.get("aim-role")).toEqual({
      clientId: "0oa-aim-app",
      type: "READ_ONLY_ADMIN",
    });

    // DPoP kept off, after the app exists.
    const dpop = mine.find((r) => r.name === "aim-dpop")!;
    expect(dpop.dependencies).toContain(urnOf(T.app, "aim-app", T.component));
    expect(inputsByName.get("aim-dpop")).toMatchObject({
      orgUrl: "https://example.okta.com",
      appId: "0oa-aim-app",
      dpopBoundAccessTokens: false,
    });

    // Outputs.
    expect(await value(aim.appId)).toBe("0oa-aim-app");
    expect(await value(aim.clientId)).toBe("0oa-aim-app");
    expect(await value(aim.keyId)).toBe(first.keyId);
    expect(await value(aim.publicJwk)).toEqual(first.publicJwk);
    expect(await value(aim.jwksKeyIds)).toEqual([first.keyId]);
    expect(await pulumi.isSecret(aim.privateKeyPem)).toBe(true);
    expect(await value(aim.privateKeyPem)).toBe(first.privateKeyPem);
    expect(await pulumi.isSecret(aim.publicJwk)).toBe(false);
  });

  it("adopt: the hand-made app is imported by id and its existing key is given to the signing key, as a secret", async () => {
    nextKey = first;
    const aim = new mod.OktaAimApp("adopted", {
      label: "Databricks AIM (hand-made)",
      orgUrl: "https://example.okta.com",
      rotationTrigger: "initial",
      adopt: {
        appId: "0oa1handmade2app3",
        privateKeyPem: pulumi.secret(first.privateKeyPem),
        keyId: "okta-kid-1",
      },
    });
    await settled([
      "adopted",
      "adopted-key",
      "adopted-app",
      "adopted-scopes",
      "adopted-role",
      "adopted-dpop",
    ]);
    await value(aim.appId);
    const app = registrations.find((r) => r.name === "adopted-app")!;
    expect(app.importId).toBe("0oa1handmade2app3");
    expect(app.inputs).toMatchObject({ label: "Databricks AIM (hand-made)", type: "service" });
    const keyInputs = inputsByName.get("adopted-key")!;
    expect(keyInputs.existingKeyId).toBe("okta-kid-1");
    // Sent as a secret (the mock monitor shows the secret's wrapper).
    expect(keyInputs.existingPrivateKeyPem).toMatchObject({ value: first.privateKeyPem });
    const key = registrations.find((r) => r.name === "adopted-key")!;
    expect(key.additionalSecretOutputs).toContain("existingPrivateKeyPem");
    // The other children are as for a new app (scopes, role, DPoP are created or already true).
    expect(registrations.find((r) => r.name === "adopted-scopes")!.importId).toBe("");
  });

  it("adopt without an app id or key: refused, naming the field", () => {
    expect(
      () =>
        new mod.OktaAimApp("bad-adopt", {
          label: "x",
          orgUrl: "https://example.okta.com",
          rotationTrigger: "1",
          adopt: { appId: "my-app" } as never,
        }),
    ).toThrow(/\[adopt\.appId\] must be the Okta app's id as text \(0oa…/);
  });

  it("the serialised providers hold no key material or credential", async () => {
    const provider = String(inputsByName.get("aim-key")!.__provider);
    expect(provider).not.toContain("PRIVATE KEY");
    expect(provider).not.toContain(first.publicJwk.n);
    expect(String(inputsByName.get("aim-dpop")!.__provider)).not.toMatch(
      /SSWS|OKTA_API_TOKEN"\s*:/,
    );
  });

  it("rotation overlap: the previous public key stays in the JWKS after the new one", async () => {
    nextKey = second;
    const aim = new mod.OktaAimApp("rot", {
      label: "Databricks AIM",
      orgUrl: "https://example.okta.com",
      rotationTrigger: "2024-q2",
      previousPublicJwks: [first.publicJwk],
      keySize: 3072,
    });
    await settled(["rot-app", "rot-key"]);
    expect(await value(aim.jwksKeyIds)).toEqual([second.keyId, first.keyId]);
    expect(inputsByName.get("rot-app")!.jwks).toEqual([
      { kid: second.keyId, kty: "RSA", n: second.publicJwk.n, e: second.publicJwk.e },
      { kid: first.keyId, kty: "RSA", n: first.publicJwk.n, e: first.publicJwk.e },
    ]);
    expect(inputsByName.get("rot-key")).toMatchObject({
      rotationTrigger: "2024-q2",
      modulusLength: 3072,
    });
  });

  it("rotation: the app's JWKS keeps the key AIM signs with (the previous one) and not yet the new one", async () => {
    nextKey = second;
    nextPrevious = first;
    const conn = {
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      adapter: "api" as const,
    };
    try {
      const aim = new mod.OktaAimApp("auto", {
        label: "x",
        orgUrl: "https://example.okta.com",
        rotationTrigger: "2024-q3",
        aimConnection: conn,
        retirePreviousKey: false,
      });
      await settled(["auto-app", "auto-key"]);
      // The Okta provider makes every key it sends ACTIVE; two ACTIVE keys break a kid-less AIM.
      // The new key reaches the app INACTIVE through the AIM connection (core/okta/appKeys.ts).
      expect(await value(aim.jwksKeyIds)).toEqual([first.keyId]);
      expect(await value(aim.keyId)).toBe(second.keyId);
      expect(await value(aim.previousKeyId)).toBe(first.keyId);
      expect(inputsByName.get("auto-app")!.jwks).toEqual([
        { kid: first.keyId, kty: "RSA", n: first.publicJwk.n, e: first.publicJwk.e },
      ]);
      // Where to read AIM's key, passed through to the SigningKey.
      expect(inputsByName.get("auto-key")).toMatchObject({
        aimConnection: conn,
        retirePreviousKey: false,
      });
    } finally {
      nextPrevious = undefined;
    }
  });

  it("rotation: a key given both automatically and by hand is listed once (the key AIM signs with first)", async () => {
    const third = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    nextKey = second;
    nextPrevious = first;
    try {
      const aim = new mod.OktaAimApp("dedupe", {
        label: "x",
        orgUrl: "https://example.okta.com",
        rotationTrigger: "2024-q4",
        // The current key, the automatic previous one and one extra key, by hand.
        previousPublicJwks: [third.publicJwk, first.publicJwk, second.publicJwk],
      });
      await settled(["dedupe-app"]);
      // By hand the current key may be listed (where AIM is known to send a kid): kept, once.
      expect(await value(aim.jwksKeyIds)).toEqual([first.keyId, third.keyId, second.keyId]);
      expect((inputsByName.get("dedupe-app")!.jwks as unknown[]).length).toBe(3);
    } finally {
      nextPrevious = undefined;
    }
  });

  it("after retirement (no previous key output) the JWKS holds the current key only", async () => {
    nextKey = second;
    nextPrevious = undefined;
    const aim = new mod.OktaAimApp("retired", {
      label: "x",
      orgUrl: "https://example.okta.com",
      rotationTrigger: "2024-q3",
    });
    expect(await value(aim.jwksKeyIds)).toEqual([second.keyId]);
    expect(await value(aim.previousKeyId)).toBeUndefined();
  });

  it("a previous key equal to the current one is listed once", async () => {
    nextKey = first;
    const aim = new mod.OktaAimApp("same", {
      label: "x",
      orgUrl: "https://example.okta.com",
      rotationTrigger: "t",
      previousPublicJwks: [first.publicJwk],
    });
    expect(await value(aim.jwksKeyIds)).toEqual([first.keyId]);
  });

  it.each([
    [{ label: "" }, "[label] must be a non-empty string."],
    [
      { orgUrl: "http://example.okta.com" },
      "[orgUrl] must use https:// (got http://example.okta.com); plain http is allowed only for loopback addresses.",
    ],
    [
      { orgUrl: "https://example.okta.com/oauth2/default" },
      "[orgUrl] must be the org's base URL without a path (\"/oauth2/default\"): use https://example.okta.com; the org authorization server's issuer is exactly the org URL, not /oauth2/default.",
    ],
    [
      { rotationTrigger: 5 },
      "[rotationTrigger] must be a string; change it to rotate the signing key.",
    ],
    [{ keyAlgorithm: "ES256" }, '[keyAlgorithm] must be one of RS256; got "ES256".'],
    [{ keySize: 1024 }, "[keySize] must be one of 2048, 3072; got 1024."],
    [
      { previousPublicJwks: [{ kid: "k", kty: "RSA", n: "n", e: "AQAB", d: "secret" }] },
      '[previousPublicJwks] entry 0 contains private key material ("d"); give the public JWK only.',
    ],
    [
      { previousPublicJwks: [{ kid: "k", kty: "EC" }] },
      '[previousPublicJwks] entry 0 must be a public RSA JWK with kid, kty "RSA", n and e.',
    ],
  ])("rejects bad arguments up front: %j", (bad, message) => {
    const before = registrations.length;
    const args = { label: "x", orgUrl: "https://example.okta.com", rotationTrigger: "t", ...bad };
    let caught: unknown;
    try {
      new mod.OktaAimApp(`bad-${registrations.length}`, args as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(pulumi.ResourceError);
    expect((caught as Error).message).toBe(message);
    // Only the component itself got as far as registering; no child was created.
    expect(registrations.slice(before).filter((r) => r.type !== T.component)).toEqual([]);
  });

  it("an http loopback org URL is accepted (emulators)", () => {
    expect(
      mod.argsProblems({ label: "x", orgUrl: "http://127.0.0.1:8080", rotationTrigger: "t" }),
    ).toEqual([]);
  });
});
