/**
 * Key rotation under the real engine, on a small clean tenant (no findings,
 * so AIM is enabled without accepting any): `oktaAim:keyRotation` changed,
 * `pulumi up`, and again. At every step the AIM connection stored in the
 * account must pass its own test, which the emulator runs as AIM does: by
 * default AIM sends no `kid`, and Okta then refuses an assertion while more
 * than one key of the app is ACTIVE ("The client_assertion JWT kid is
 * invalid.").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { expectOk } from "./harness";
import { CLEAN_RATES, startEngineTenant, type EngineTenant } from "./tenant";

let t: EngineTenant;

beforeAll(async () => {
  t = await startEngineTenant(
    generateTenant({ users: 60, groups: 6, seed: 7, rates: CLEAN_RATES }),
    {},
  );
  expect(t.errorCodes).toEqual([]);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe("signing key rotation through pulumi up", () => {
  it("5. oktaAim:keyRotation: AIM's connection works at every step; the old key is retired as documented", async () => {
    expectOk(await t.stack.op(["up", "--yes", "--skip-preview"]), "pulumi up");
    const appId = t.aimApps()[0]!.id;
    const app = () => t.okta.store.getApp(appId)!;
    const activeKids = () =>
      (app().settings.oauthClient.jwks?.keys ?? [])
        .filter((k) => k.status === "ACTIVE")
        .map((k) => k.kid);
    const oldKid = (await t.stack.outputs()).keyId as string;
    expect(t.dbx.store.aimEnabled).toBe(true);
    expect(await t.storedConnectionTest()).toBe(true);

    await t.stack.setConfig("oktaAim:keyRotation", "2026-q4");
    expectOk(await t.stack.op(["up", "--yes", "--skip-preview"]), "pulumi up (rotate)");
    const newKid = (await t.stack.outputs()).keyId as string;
    expect(newKid).not.toBe(oldKid);
    // AIM was handed the new key and signs in with it; one key is ACTIVE.
    expect(t.dbx.store.connection?.keyId).toBe(newKid);
    expect(activeKids()).toEqual([newKid]);
    expect(await t.storedConnectionTest()).toBe(true);

    // Documented: the next up retires the previous key once AIM's live connection uses the new one.
    expectOk(await t.stack.op(["up", "--yes", "--skip-preview"]), "pulumi up (after rotation)");
    expect((app().settings.oauthClient.jwks?.keys ?? []).map((k) => k.kid)).toEqual([newKid]);
    expect(await t.storedConnectionTest()).toBe(true);
    expectOk(
      await t.stack.op(["preview", "--expect-no-changes"]),
      "pulumi preview --expect-no-changes",
    );
  });
});
