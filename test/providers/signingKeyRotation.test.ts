/**
 * SigningKey rotation against the live AIM connection: the Okta emulator
 * holds the app (its JWKS), the Databricks emulator the AIM connection, which
 * the AimConnection provider configures through the api adapter (its
 * connection test really signs a private_key_jwt assertion with the key).
 * SigningKey's check reads that connection; the previous key leaves the JWKS
 * only once the connection names the current kid and its last test passed.
 * Called directly, then the same steps through the dynamic-provider host.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OktaApp } from "../../core/model/tenant";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import {
  AIM_CONNECTION_PROVIDER_VERSION,
  aimConnectionProvider,
  type ResolvedAimConnectionInputs,
  type ResolvedAimConnectionOutputs,
} from "../../dynamic-providers/aimConnection";
import {
  SIGNING_KEY_PROVIDER_VERSION,
  signingKeyProvider as provider,
  type ResolvedSigningKeyInputs,
  type ResolvedSigningKeyOutputs,
} from "../../dynamic-providers/signingKey";
import { smallTenant } from "../helpers/applyHarness";
import { configureWithoutEnv, hostWithoutEnv } from "../helpers/providerCredentials";
import { serializeProvider, type ProviderHost } from "./harness/host";
import { providerCalls } from "../helpers/providerCalls";

type In = ResolvedSigningKeyInputs;
type Out = ResolvedSigningKeyOutputs;
type Props = Record<string, unknown>;

const DBX_TOKEN = `dapi${randomBytes(16).toString("hex")}`;
const CONFIG = { "oktaAim:databricksToken": DBX_TOKEN };

const key = providerCalls<In, Out>(provider);

interface Env {
  okta: OktaEmulator;
  dbx: DatabricksEmulator;
  app: OktaApp;
  keyInputs(extra?: Partial<In>): In;
  /** Configures, tests and enables the AIM connection with this key (as DatabricksAim does). */
  connectAim(outs: Out): Promise<ResolvedAimConnectionOutputs>;
  /** What okta.app.OAuth does with OktaAimApp's JWKS: the app's keys become these. */
  setAppJwks(keys: Array<Out["publicJwk"]>): void;
}

async function startEnv(): Promise<Env> {
  const fixture = smallTenant(1, { linked: 1, groups: 1, accountId: "acc-rotation" });
  const okta = await startOktaEmulator({ fixture: fixture.okta, rateLimits: "off" });
  const dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: "off",
    token: DBX_TOKEN,
    // This rotation keeps two ACTIVE keys, which works only while AIM sends a kid; the
    // emulator's default is that it sends none (issue 8.5 brings a rotation that works then).
    behaviour: { aimSendsKid: true, aimAdminApi: "on" },
  });
  const app = okta.createServiceApp({ jwks: [] });
  const aimConnection = { databricksHost: dbx.url, accountId: dbx.accountId, adapter: "api" };
  let connection: ResolvedAimConnectionOutputs | undefined;
  return {
    okta,
    dbx,
    app,
    keyInputs: (extra = {}) =>
      ({
        rotationTrigger: "2026-q3",
        providerVersion: SIGNING_KEY_PROVIDER_VERSION,
        aimConnection,
        ...extra,
      }) as In,
    async connectAim(outs) {
      const news = (
        await aimConnectionProvider.check!(
          {} as ResolvedAimConnectionInputs,
          {
            adapter: "api",
            databricksHost: dbx.url,
            accountId: dbx.accountId,
            oktaOrgUrl: okta.url,
            clientId: app.credentials.oauthClient.client_id,
            keyId: outs.keyId,
            privateKeyPem: outs.privateKeyPem,
            enabled: true,
            acceptFindings: [],
            disableOnDelete: false,
            probeExternalId: fixture.okta.users[1]!.id,
            providerVersion: AIM_CONNECTION_PROVIDER_VERSION,
          } as ResolvedAimConnectionInputs,
        )
      ).inputs!;
      connection = connection
        ? (await aimConnectionProvider.update!(`${dbx.accountId}/okta`, connection, news)).outs!
        : (await aimConnectionProvider.create(news)).outs!;
      return connection;
    },
    setAppJwks(keys) {
      app.settings.oauthClient.jwks = {
        keys: keys.map((k) => ({ ...k, status: "ACTIVE" })) as never,
      };
    },
  };
}

async function stopEnv(env: Env | undefined): Promise<void> {
  if (env) await Promise.all([env.okta.close(), env.dbx.close()]);
}

/** Non-secret outputs hold no private key material (the previous key is public only). */
function assertNoPrivateKeyInPlainOutputs(outs: Out, secrets: string[]): void {
  const { privateKeyPem: _secret, ...plain } = outs;
  const text = JSON.stringify(plain);
  expect(text).not.toContain("PRIVATE KEY");
  expect(text).not.toMatch(/"(d|p|q|dp|dq|qi)"\s*:/);
  for (const s of [...secrets.map((pem) => pem.slice(40, 100)), DBX_TOKEN])
    expect(text).not.toContain(s);
}

describe("SigningKey rotation against the live AIM connection, called directly", () => {
  let env: Env;

  configureWithoutEnv(provider, CONFIG);
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await stopEnv(env);
  });

  /** First key, app JWKS with it, AIM connected and tested with it. */
  async function firstKeyInUse(): Promise<{ id: string; outs: Out }> {
    const created = await key.create((await key.check({}, env.keyInputs())).inputs);
    env.setAppJwks([created.outs.publicJwk]);
    const conn = await env.connectAim(created.outs);
    expect(conn).toMatchObject({ connectionTest: { success: true }, liveEnabled: true });
    return created;
  }

  /** Rotation: check → diff (update in place) → update. */
  async function rotate(id: string, outs: Out, trigger: string): Promise<Out> {
    const news = (await key.check(env.keyInputs(), env.keyInputs({ rotationTrigger: trigger })))
      .inputs;
    expect(await key.diff(id, outs, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    return key.update(id, outs, news);
  }

  it("check reads the connection's key_id and last test (api adapter, no iamv2 probe)", async () => {
    const { outs } = await firstKeyInUse();
    env.dbx.counter.reset();
    const { inputs } = await key.check(env.keyInputs(), env.keyInputs());
    // One GET of the connection (plus the token exchange at most); no identity look-up.
    const calls = Object.keys(env.dbx.counter.snapshot());
    expect(calls.some((c) => /aim\/okta\/connection/.test(c))).toBe(true);
    expect(calls.filter((c) => /external-users|Users|iamv2/.test(c))).toEqual([]);
    expect(inputs).toMatchObject({
      liveAimRead: "read",
      liveAimKeyId: outs.keyId,
      liveAimTestOk: true,
    });
    // AimConnection sent key_id = the current kid.
    expect(env.dbx.store.connection?.keyId).toBe(outs.keyId);
  });

  it("rotate: new key in place, the old public key kept until AIM uses the new one, then dropped", async () => {
    const { id, outs: first } = await firstKeyInUse();

    const rotated = await rotate(id, first, "2026-q4");
    expect(rotated.keyId).not.toBe(first.keyId);
    expect(rotated.publicJwk.kid).toBe(rotated.keyId);
    expect(rotated.privateKeyPem).not.toBe(first.privateKeyPem);
    expect(rotated.previousPublicJwk).toEqual(first.publicJwk);
    expect(rotated.previousKeyId).toBe(first.keyId);
    assertNoPrivateKeyInPlainOutputs(rotated, [first.privateKeyPem, rotated.privateKeyPem]);
    // The app's JWKS now holds both (OktaAimApp: current first).
    env.setAppJwks([rotated.publicJwk, rotated.previousPublicJwk!]);

    // AIM still on the old kid: nothing to do, the previous key stays.
    const stillOld = (
      await key.check(env.keyInputs(), env.keyInputs({ rotationTrigger: "2026-q4" }))
    ).inputs;
    expect(stillOld).toMatchObject({
      liveAimRead: "read",
      liveAimKeyId: first.keyId,
      liveAimTestOk: true,
    });
    expect((await key.diff(id, rotated, stillOld)).changes).toBe(false);
    const kept = await key.update(id, rotated, stillOld);
    expect(kept.previousPublicJwk).toEqual(first.publicJwk);

    // A second rotation now would drop a key AIM still signs with: refused with the reason.
    const again = (await key.check(stillOld, env.keyInputs({ rotationTrigger: "2027-q1" }))).inputs;
    await expect(key.diff(id, rotated, again)).rejects.toThrow(
      `SigningKey: cannot rotate again yet: the previous key ${first.keyId} is still in the app's JWKS because AIM has not been seen using the current key ${rotated.keyId} (live read: read, AIM key ${first.keyId}).`,
    );
    await expect(key.update(id, rotated, again)).rejects.toThrow(/cannot rotate again yet/);

    // AIM reconfigured with the new key (key_id = new kid) and tested: the previous key goes.
    const conn = await env.connectAim(rotated);
    expect(conn).toMatchObject({ connectionTest: { success: true }, keyThumbprint: rotated.keyId });
    expect(env.dbx.store.connection?.keyId).toBe(rotated.keyId);
    const onNew = (await key.check(stillOld, env.keyInputs({ rotationTrigger: "2026-q4" }))).inputs;
    expect(onNew).toMatchObject({
      liveAimRead: "read",
      liveAimKeyId: rotated.keyId,
      liveAimTestOk: true,
    });
    expect(await key.diff(id, rotated, onNew)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const retired = await key.update(id, rotated, onNew);
    expect(retired.previousPublicJwk).toBeNull();
    expect(retired.previousKeyId).toBeNull();
    expect(retired).toMatchObject({
      keyId: rotated.keyId,
      privateKeyPem: rotated.privateKeyPem,
      publicJwk: rotated.publicJwk,
    });
    // Nothing left to do afterwards.
    expect((await key.diff(id, retired, onNew)).changes).toBe(false);
  });

  it("the live connection on the new kid but its last test failed: the previous key stays", async () => {
    const { id, outs: first } = await firstKeyInUse();
    const rotated = await rotate(id, first, "2026-q4");
    env.setAppJwks([rotated.publicJwk, first.publicJwk]);
    await env.connectAim(rotated);
    // The new key leaves the app out of band; a test of the stored configuration now fails.
    env.setAppJwks([first.publicJwk]);
    const res = await fetch(
      `${env.dbx.url}/api/2.0/accounts/${env.dbx.accountId}/aim/okta/connection/test`,
      { method: "POST", headers: { Authorization: `Bearer ${DBX_TOKEN}` } },
    );
    expect(((await res.json()) as { success: boolean }).success).toBe(false);
    const news = (await key.check({}, env.keyInputs({ rotationTrigger: "2026-q4" }))).inputs;
    expect(news).toMatchObject({ liveAimKeyId: rotated.keyId, liveAimTestOk: false });
    expect((await key.diff(id, rotated, news)).changes).toBe(false);
    expect((await key.update(id, rotated, news)).previousKeyId).toBe(first.keyId);
  });

  it("retirePreviousKey forces the drop (console adapter: nothing to read)", async () => {
    const { id, outs: first } = await firstKeyInUse();
    const rotated = await rotate(id, first, "2026-q4");
    const conn = { databricksHost: env.dbx.url, accountId: env.dbx.accountId, adapter: "console" };
    const consoleNews = (
      await key.check(
        {},
        env.keyInputs({ rotationTrigger: "2026-q4", aimConnection: conn as In["aimConnection"] }),
      )
    ).inputs;
    expect(consoleNews.liveAimRead).toBe(
      "skipped: adapter console has no readable connection; set retirePreviousKey once the console uses the new key",
    );
    expect((await key.diff(id, rotated, consoleNews)).changes).toBe(false);

    const forced = (
      await key.check(
        {},
        env.keyInputs({
          rotationTrigger: "2026-q4",
          aimConnection: conn as In["aimConnection"],
          retirePreviousKey: true,
        }),
      )
    ).inputs;
    expect((await key.diff(id, rotated, forced)).changes).toBe(true);
    const retired = await key.update(id, rotated, forced);
    expect(retired.previousPublicJwk).toBeNull();
    expect(retired.keyId).toBe(rotated.keyId);
    // With no previous key, retirePreviousKey left on changes nothing.
    expect((await key.diff(id, retired, forced)).changes).toBe(false);
  });

  it("a failed live read keeps the previous key and says why", async () => {
    const { id, outs: first } = await firstKeyInUse();
    const rotated = await rotate(id, first, "2026-q4");
    env.setAppJwks([rotated.publicJwk, first.publicJwk]);
    await env.connectAim(rotated);
    // An admin API path the account does not have: ERR_AIM_NOT_ENROLLED.
    const news = (
      await key.check(
        {},
        env.keyInputs({
          rotationTrigger: "2026-q4",
          aimConnection: {
            databricksHost: env.dbx.url,
            accountId: env.dbx.accountId,
            adapter: "api",
            apiBasePath: "/api/2.0/accounts/{account_id}/no-such-aim",
          },
        }),
      )
    ).inputs;
    expect(news.liveAimRead).toMatch(
      /^failed: GET \/api\/2\.0\/accounts\/[^/]+\/no-such-aim\/connection answered 404.*not enrolled in the AIM admin API/,
    );
    expect(news).not.toHaveProperty("liveAimKeyId");
    expect((await key.diff(id, rotated, news)).changes).toBe(false);
    expect((await key.update(id, rotated, news)).previousKeyId).toBe(first.keyId);
    expect(news.liveAimRead).not.toContain(DBX_TOKEN);
  });

  it("unknown aimConnection (first preview) skips the read and keeps the previous key", async () => {
    const { id, outs: first } = await firstKeyInUse();
    const rotated = await rotate(id, first, "2026-q4");
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const news = (
      await key.check(
        {},
        env.keyInputs({
          rotationTrigger: "2026-q4",
          aimConnection: {
            databricksHost: unknown,
            accountId: env.dbx.accountId,
            adapter: "api",
          },
        }),
      )
    ).inputs;
    expect(news.liveAimRead).toBe("skipped: aimConnection not known until other resources exist");
    expect((await key.diff(id, rotated, news)).changes).toBe(false);
  });
});

describe("SigningKey rotation through the dynamic-provider host", () => {
  let env: Env;
  let host: ProviderHost;

  // The AIM connection is configured in this process (configured credentials).
  configureWithoutEnv(aimConnectionProvider, CONFIG);
  beforeAll(async () => {
    env = await startEnv();
    const serialized = await serializeProvider("dynamic-providers/signingKey.ts", "SigningKey", {
      rotationTrigger: "2026-q3",
    });
    expect(serialized.provider).not.toContain(DBX_TOKEN);
    expect(serialized.provider).not.toContain("PRIVATE KEY");
    host = await hostWithoutEnv(serialized, CONFIG);
  });
  afterAll(async () => {
    await host?.close();
    await stopEnv(env);
  });

  it("rotate, keep the previous key while AIM is on the old kid, drop it once AIM uses the new one", async () => {
    const inputs = env.keyInputs() as unknown as Props;
    const checked = (await host.check({}, inputs)).inputs;
    const created = await host.create(checked);
    const first = created.outs as unknown as Out;
    env.setAppJwks([first.publicJwk]);
    await env.connectAim(first);

    const rotateInputs = (await host.check(checked, { ...inputs, rotationTrigger: "2026-q4" }))
      .inputs;
    expect(rotateInputs).toMatchObject({ liveAimRead: "read", liveAimKeyId: first.keyId });
    expect(await host.diff(created.id, created.outs, rotateInputs)).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    const rotated = (await host.update(created.id, created.outs, rotateInputs))
      .outs as unknown as Out;
    expect(rotated.keyId).not.toBe(first.keyId);
    expect(rotated.privateKeyPem).not.toBe(first.privateKeyPem);
    expect(rotated.previousPublicJwk).toEqual(first.publicJwk);
    assertNoPrivateKeyInPlainOutputs(rotated, [first.privateKeyPem, rotated.privateKeyPem]);
    env.setAppJwks([rotated.publicJwk, first.publicJwk]);

    // Old kid still live: no change.
    const same = (await host.check(rotateInputs, rotateInputs)).inputs;
    expect(await host.diff(created.id, rotated as unknown as Props, same)).toMatchObject({
      changes: "none",
    });

    await env.connectAim(rotated);
    const onNew = (await host.check(rotateInputs, rotateInputs)).inputs;
    expect(onNew).toMatchObject({ liveAimKeyId: rotated.keyId, liveAimTestOk: true });
    expect(await host.diff(created.id, rotated as unknown as Props, onNew)).toMatchObject({
      changes: "some",
      replaces: [],
    });
    const retired = (await host.update(created.id, rotated as unknown as Props, onNew)).outs;
    expect(retired.previousPublicJwk).toBeNull();
    expect(retired).toMatchObject({ keyId: rotated.keyId, privateKeyPem: rotated.privateKeyPem });
    // The host's log never carries a key or the token.
    expect(host.stderr()).not.toContain("PRIVATE KEY");
    expect(host.stderr()).not.toContain(DBX_TOKEN);
  });
});
