/**
 * core/okta/appKeys.ts against the Okta emulator: a rotation that keeps AIM
 * signing in whether or not it sends a `kid`. Okta refuses a kid-less
 * assertion while two of the app's keys are ACTIVE, and refuses to
 * deactivate the only ACTIVE key; the new key therefore waits INACTIVE and
 * becomes the only ACTIVE one in one step, which can be undone.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { exportJWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { OktaClient } from "../../core/okta";
import {
  appKeyState,
  isOnlyActiveKey,
  makeOnlyActiveKey,
  stageAppKey,
  type PublicAppJwk,
} from "../../core/okta/appKeys";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";

let emulator: OktaEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function keyPair(kid: string): Promise<{ pem: string; jwk: PublicAppJwk }> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = (await exportJWK(publicKey as KeyObject)) as { kty: string; n: string; e: string };
  return {
    pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    jwk: { kid, kty: jwk.kty, n: jwk.n, e: jwk.e },
  };
}

/** Signs in as AIM may: a client_assertion without `kid`. */
async function kidLessSignIn(e: OktaEmulator, clientId: string, pem: string): Promise<boolean> {
  const c = new OktaClient(
    { orgUrl: e.url, auth: { kind: "privateKeyJwt", clientId, privateKey: pem } },
    { http: { baseDelayMs: 1, maxRetries: 0 } },
  );
  return (await c.testConnection()).steps.find((s) => s.name === "token")!.ok;
}

async function setUp() {
  emulator = await startOktaEmulator({});
  const old = await keyPair("old-key");
  const next = await keyPair("new-key");
  const app = emulator.createServiceApp({
    jwks: [{ ...old.jwk, status: "ACTIVE", alg: "RS256", use: "sig" } as never],
  });
  const admin = new OktaClient({
    orgUrl: emulator.url,
    auth: { kind: "apiToken", token: emulator.apiToken },
  });
  return { e: emulator, app, clientId: app.credentials.oauthClient.client_id, old, next, admin };
}

describe("the app's only ACTIVE key", () => {
  it("staged INACTIVE, the old key keeps working; switched, only the new one does", async () => {
    const { e, app, clientId, old, next, admin } = await setUp();
    expect(isOnlyActiveKey(await appKeyState(admin, app.id, "old-key"), "old-key")).toBe(true);
    expect(await kidLessSignIn(e, clientId, old.pem)).toBe(true);

    const staged = await stageAppKey(
      admin,
      app.id,
      next.jwk,
      await appKeyState(admin, app.id, "new-key"),
    );
    expect(staged.status).toBe("INACTIVE");
    // Staging twice adds nothing (Okta would refuse the same kid anyway).
    await stageAppKey(admin, app.id, next.jwk, await appKeyState(admin, app.id, "new-key"));
    const afterStage = await appKeyState(admin, app.id, "new-key");
    expect(afterStage.activeKids).toEqual(["old-key"]);
    expect((await admin.listAppKeys(app.id)).map((k) => k.kid)).toEqual(["old-key", "new-key"]);
    expect(isOnlyActiveKey(afterStage, "new-key")).toBe(false);
    expect(await kidLessSignIn(e, clientId, old.pem)).toBe(true);
    expect(await kidLessSignIn(e, clientId, next.pem)).toBe(false);

    const sw = await makeOnlyActiveKey(admin, app.id, "new-key");
    expect(sw.previouslyActive).toEqual(["old-key"]);
    expect((await appKeyState(admin, app.id, "new-key")).activeKids).toEqual(["new-key"]);
    expect(await kidLessSignIn(e, clientId, next.pem)).toBe(true);
    expect(await kidLessSignIn(e, clientId, old.pem)).toBe(false);

    await sw.undo();
    expect((await appKeyState(admin, app.id, "old-key")).activeKids).toEqual(["old-key"]);
    expect(await kidLessSignIn(e, clientId, old.pem)).toBe(true);
    expect(await kidLessSignIn(e, clientId, next.pem)).toBe(false);
  });

  it("two ACTIVE keys (what an app JWKS with both keys gives) refuse the kid-less sign-in", async () => {
    const { e, app, clientId, old, next, admin } = await setUp();
    await admin.addAppKey(app.id, { ...next.jwk, status: "ACTIVE" } as never);
    expect(await kidLessSignIn(e, clientId, old.pem)).toBe(false);
    expect(await kidLessSignIn(e, clientId, next.pem)).toBe(false);
    // Switching repairs it: the new key is left the only ACTIVE one.
    await makeOnlyActiveKey(admin, app.id, "new-key");
    expect(await kidLessSignIn(e, clientId, next.pem)).toBe(true);
  });

  it("a key that is not in the app cannot be switched to: the error says to stage it", async () => {
    const { app, admin } = await setUp();
    await expect(makeOnlyActiveKey(admin, app.id, "absent")).rejects.toThrow(/stage it first/);
    expect((await appKeyState(admin, app.id, "old-key")).activeKids).toEqual(["old-key"]);
  });
});
