/**
 * AimConnection's provider against the Okta and Databricks emulators (the
 * Databricks emulator's connection test really exchanges a private_key_jwt
 * assertion with the Okta emulator): called directly, and serialised as
 * Pulumi does then driven through the dynamic-provider host over gRPC.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { generateSigningKey, type SigningKeyMaterial } from "../../core/keys/signingKey";
import type { OktaApp } from "../../core/model/tenant";
import {
  startDatabricksEmulator,
  type AimAdminApi,
  type DatabricksEmulator,
} from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import {
  AIM_CONNECTION_PROVIDER_VERSION,
  aimConnectionProvider as provider,
  type ResolvedAimConnectionInputs,
  type ResolvedAimConnectionOutputs,
} from "../../dynamic-providers/aimConnection";
import type { FindingsSummary } from "../../dynamic-providers/identityReconciliation";
import { smallTenant } from "../helpers/applyHarness";
import { configureWithoutEnv, hostWithoutEnv } from "../helpers/providerCredentials";
import {
  coreModulesNamedBy,
  serializeProvider,
  type ProviderHost,
  type SerializedResource,
} from "./harness/host";
import { providerCalls } from "../helpers/providerCalls";

type In = ResolvedAimConnectionInputs;
type Out = ResolvedAimConnectionOutputs;
type Props = Record<string, unknown>;

const DBX_TOKEN = `dapi${randomBytes(16).toString("hex")}`;
const OKTA_TOKEN = `00${randomBytes(20).toString("hex")}`;
const CONFIG = { "oktaAim:databricksToken": DBX_TOKEN, "oktaAim:oktaApiToken": OKTA_TOKEN };
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const ID = "acc/okta";
const calls = providerCalls<In, Out>(provider);
/** The same calls for the one connection of an account (fixed id, no olds). */
const p = {
  check: (news: In) => calls.check({}, news),
  diff: (olds: Out, news: In) => calls.diff(ID, olds, news),
  create: calls.create,
  read: (props: Out) => calls.read(ID, props),
  update: (olds: Out, news: In) => calls.update(ID, olds, news),
  delete: (props: Out) => calls.delete(ID, props),
};

const AMBIGUOUS: FindingsSummary = {
  error: 2,
  warning: 0,
  info: 0,
  byCode: { AMBIGUOUS_MATCH: 2 } as FindingsSummary["byCode"],
  errorCodes: ["AMBIGUOUS_MATCH"],
};

interface Env {
  okta: OktaEmulator;
  dbx: DatabricksEmulator;
  app: OktaApp;
  inputs(extra?: Partial<In>): In;
}

let key: SigningKeyMaterial;

/**
 * `aimAdminApi`: whether the account serves the assumed admin API (default "on" here: most
 * tests drive `api`); `token`: the emulator's PAT (another than the provider's: a 401).
 */
async function startEnv(
  opts: { dpop?: boolean; aimAdminApi?: AimAdminApi; token?: string } = {},
): Promise<Env> {
  const fixture = smallTenant(1, { linked: 1, groups: 1, accountId: "acc-aim-test" });
  const okta = await startOktaEmulator({
    fixture: fixture.okta,
    rateLimits: "off",
    apiToken: OKTA_TOKEN,
  });
  const dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: "off",
    token: opts.token ?? DBX_TOKEN,
    behaviour: { aimAdminApi: opts.aimAdminApi ?? "on" },
  });
  const app = okta.createServiceApp({ jwks: [key.publicJwk], dpopBoundAccessTokens: opts.dpop });
  return {
    okta,
    dbx,
    app,
    inputs: (extra = {}) => ({
      adapter: "api",
      databricksHost: dbx.url,
      accountId: dbx.accountId,
      oktaOrgUrl: okta.url,
      clientId: app.credentials.oauthClient.client_id,
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
      enabled: true,
      acceptFindings: [],
      disableOnDelete: false,
      // The already linked user of smallTenant: lets the iamv2 probe say "on".
      probeExternalId: fixture.okta.users[1]!.id,
      providerVersion: AIM_CONNECTION_PROVIDER_VERSION,
      ...extra,
    }),
  };
}

async function stopEnv(env: Env | undefined): Promise<void> {
  if (env) await Promise.all([env.okta.close(), env.dbx.close()]);
}

/** Outputs except the declared secret ones hold no key or token. */
function assertNoSecretsInPlainOutputs(outs: Props, env: Env): void {
  const { consolePrivateKeyPem: _secret, ...plain } = outs;
  const text = JSON.stringify(plain);
  for (const s of ["PRIVATE KEY", key.privateKeyPem.slice(40, 100), DBX_TOKEN, env.okta.apiToken])
    expect(text).not.toContain(s);
}

beforeAll(async () => {
  key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
});

/** A new signing key for the connection of env's app, checked and updated from `olds`. */
async function rotateFrom(env: Env, olds: Out) {
  const next = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
  const rotated = (
    await p.check(
      env.inputs({ oktaAppId: env.app.id, keyId: next.keyId, privateKeyPem: next.privateKeyPem }),
    )
  ).inputs;
  return { next, outs: await p.update(olds, rotated) };
}

describe("AimConnection provider, called directly", () => {
  let env: Env;

  configureWithoutEnv(provider, CONFIG);
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await stopEnv(env);
  });

  it("check derives the key's thumbprint and what blocks, keeps no live state in the inputs, reads nothing", async () => {
    const before = env.dbx.counter.total();
    const { inputs, failures } = await p.check(env.inputs());
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ keyThumbprint: key.keyId, enableBlockedBy: [] });
    // Stored before the update, live values here would lag one up.
    for (const live of ["liveConfigured", "liveEnabled", "liveAimStatus", "liveClientId"])
      expect(inputs).not.toHaveProperty(live);
    expect(env.dbx.counter.total()).toBe(before);
    expect(env.dbx.store.connection).toBeUndefined();
  });

  it("check names bad fields and never echoes the key", async () => {
    const { failures } = await p.check({
      ...env.inputs(),
      adapter: "portal" as never,
      privateKeyPem: "not-a-key-but-secret-ish",
      acceptFindings: ["NOPE"],
    });
    expect(failures).toEqual([
      {
        property: "adapter",
        reason:
          '[adapter] "portal" is not an AIM adapter: use "auto" (the admin API where the account answers it, else the console path; the default), "api" (the private-preview AIM admin API), "console" (you enter the values in the account console).',
      },
      {
        property: "privateKeyPem",
        reason:
          "[privateKeyPem] must be a PKCS#8 PEM ('-----BEGIN PRIVATE KEY-----') or a private JWK; it is neither (a PEM starts with '-----BEGIN', a JWK with '{').",
      },
      {
        property: "acceptFindings",
        reason: expect.stringMatching(
          /^\[acceptFindings\] lists "NOPE", which is not a finding code: use AMBIGUOUS_MATCH, /,
        ),
      },
    ]);
    expect(JSON.stringify(failures)).not.toContain("not-a-key-but-secret-ish");
  });

  it("create: test → configure → enable; no drift then; AIM switched off out of band shows and update fixes it", async () => {
    const checked = (await p.check(env.inputs())).inputs;
    const { id, outs } = await p.create(checked);
    expect(id).toBe(`${env.dbx.accountId}/okta`);
    expect(outs).toMatchObject({
      liveConfigured: true,
      liveEnabled: true,
      liveAimStatus: "on",
      liveClientId: env.app.credentials.oauthClient.client_id,
      enableBlockedBy: [],
      connectionTest: { success: true },
    });
    expect(outs).not.toHaveProperty("privateKeyPem");
    expect(outs.consolePrivateKeyPem).toBeNull();
    assertNoSecretsInPlainOutputs(outs as unknown as Props, env);
    expect(env.dbx.store.aimEnabled).toBe(true);
    expect(env.dbx.store.connection?.clientId).toBe(env.app.credentials.oauthClient.client_id);

    const quiet = (await p.check(env.inputs())).inputs;
    expect(await p.diff(outs, quiet)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });

    env.dbx.setAimEnabled(false);
    const drift = (await p.check(env.inputs())).inputs;
    expect(drift).toMatchObject({ enabled: true });
    expect((await p.diff(outs, drift)).changes).toBe(true);
    const read = await p.read(outs);
    expect(read.props).toMatchObject({ liveEnabled: false, liveConfigured: true });

    const updated = await p.update(read.props!, drift);
    expect(updated).toMatchObject({ liveEnabled: true });
    expect(env.dbx.store.aimEnabled).toBe(true);

    // A rotated key (another thumbprint) is a change too.
    const other = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const rotated = (await p.check(env.inputs({ privateKeyPem: other.privateKeyPem }))).inputs;
    expect(rotated.keyThumbprint).toBe(other.keyId);
    expect((await p.diff(updated, rotated)).changes).toBe(true);
  });

  it.each([false, true])(
    "rotation with oktaAppId (AIM sends a kid: %s): the new key is the app's only ACTIVE key before AIM gets it, and AIM signs in at every step",
    async (aimSendsKid) => {
      env.dbx.behaviour.configure({ aimSendsKid, aimAdminApi: "on" });
      const activeKids = () =>
        (env.okta.store.getApp(env.app.id)!.settings.oauthClient.jwks?.keys ?? [])
          .filter((k) => k.status === "ACTIVE")
          .map((k) => k.kid);
      const storedTest = async () =>
        (await fetch(
          `${env.dbx.url}/api/2.0/accounts/${env.dbx.accountId}/aim/okta/connection/test`,
          {
            method: "POST",
            headers: { Authorization: `Bearer ${DBX_TOKEN}` },
          },
        ).then((r) => r.json())) as { success: boolean };
      const first = await p.create((await p.check(env.inputs({ oktaAppId: env.app.id }))).inputs);
      expect(activeKids()).toEqual([key.keyId]);
      expect((await storedTest()).success).toBe(true);

      const { next, outs } = await rotateFrom(env, first.outs);
      expect(outs).toMatchObject({ liveEnabled: true, connectionTest: { success: true } });
      expect(env.dbx.store.connection?.keyId).toBe(next.keyId);
      expect(activeKids()).toEqual([next.keyId]);
      // The previous key stays in the app, INACTIVE (the next up's JWKS drops it).
      expect(
        env.okta.store.getApp(env.app.id)!.settings.oauthClient.jwks?.keys.map((k) => k.kid),
      ).toEqual([key.keyId, next.keyId]);
      expect((await storedTest()).success).toBe(true);
    },
  );

  it("rotation with the Okta provider's OAuth service app (okta.apps.manage only, no SSWS token): the key switch asks for app management", async () => {
    const adminKey = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    const admin = env.okta.createServiceApp({
      label: "Pulumi Okta provider",
      jwks: [adminKey.publicJwk],
      grants: ["okta.apps.manage"],
      roles: ["APP_ADMIN"],
    });
    const serviceApp: Record<string, string> = {
      "oktaAim:databricksToken": DBX_TOKEN,
      "okta:clientId": admin.credentials.oauthClient.client_id,
      "okta:privateKey": adminKey.privateKeyPem,
      "okta:privateKeyId": adminKey.keyId,
      "okta:scopes": JSON.stringify(["okta.apps.manage"]),
    };
    const configure = (c: Record<string, string>) =>
      provider.configure!({ config: { get: (k) => c[k], require: () => "" } });
    await configure(serviceApp);
    try {
      const first = await p.create((await p.check(env.inputs({ oktaAppId: env.app.id }))).inputs);
      const { next } = await rotateFrom(env, first.outs);
      expect(env.dbx.store.connection?.keyId).toBe(next.keyId);
      expect(
        (env.okta.store.getApp(env.app.id)!.settings.oauthClient.jwks?.keys ?? [])
          .filter((k) => k.status === "ACTIVE")
          .map((k) => k.kid),
      ).toEqual([next.keyId]);
      expect(env.okta.counter.snapshot()["POST /oauth2/v1/token"]).toBeGreaterThan(0);
    } finally {
      await configure(CONFIG);
    }
  });

  it("rotation without oktaAppId leaves the app's keys alone (both ACTIVE there: AIM without a kid is refused)", async () => {
    const next = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    env.okta.store
      .getApp(env.app.id)!
      .settings.oauthClient.jwks!.keys.push(
        ...env.okta.store.normaliseKeys([{ ...next.publicJwk, status: "ACTIVE" } as never]),
      );
    const inputs = env.inputs({ keyId: next.keyId, privateKeyPem: next.privateKeyPem });
    await expect(p.create((await p.check(inputs)).inputs)).rejects.toThrow(/kid is invalid/);
    expect(env.dbx.store.connection).toBeUndefined();
  });

  it("check names a malformed oktaAppId", async () => {
    const { failures } = await p.check(env.inputs({ oktaAppId: "../apps" }));
    expect(failures).toEqual([expect.objectContaining({ property: "oktaAppId" })]);
  });

  it("enabling is refused while the reconciliation reports error findings, unless acceptFindings lists them", async () => {
    const blocked = (await p.check(env.inputs({ reconciliationFindings: AMBIGUOUS }))).inputs;
    expect(blocked.enableBlockedBy).toEqual(["AMBIGUOUS_MATCH"]);
    const err = await p.create(blocked).then(
      () => undefined,
      (e: Error & { id?: string; properties?: Out }) => e,
    );
    expect(err?.message).toBe(
      `AimConnection ${env.dbx.accountId} (api): AIM not enabled: the reconciliation reports error findings AMBIGUOUS_MATCH (2 error(s)). Resolve them (aimctl plan lists them) or, if you accept them, add the codes to acceptFindings. The connection is configured and tested.`,
    );
    // Recorded as created-but-not-ready: the configured, tested connection is in state.
    expect(err?.id).toBe(`${env.dbx.accountId}/okta`);
    expect(err?.properties).toMatchObject({ liveConfigured: true, liveEnabled: false });
    expect(env.dbx.store.aimEnabled).toBe(false);
    expect(env.dbx.store.connection).toBeDefined();

    const accepted = (
      await p.check(
        env.inputs({ reconciliationFindings: AMBIGUOUS, acceptFindings: ["AMBIGUOUS_MATCH"] }),
      )
    ).inputs;
    expect(accepted.enableBlockedBy).toEqual([]);
    const { outs } = await p.create(accepted);
    expect(outs.liveEnabled).toBe(true);
    expect(env.dbx.store.aimEnabled).toBe(true);
  });

  it("links still pending (a bounded backfill): configured and tested, AIM stays off without failing the up; enabled once none is", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    const mid = (await p.check(env.inputs({ reconciliationPending: 120 }))).inputs;
    const { id, outs } = await p.create(mid);
    expect(outs).toMatchObject({ liveConfigured: true, liveEnabled: false, enableBlockedBy: [] });
    expect(env.dbx.store.aimEnabled).toBe(false);
    expect(logged.join("\n")).toContain(
      `AimConnection ${env.dbx.accountId} (api): AIM not enabled yet: 120 link(s) still to write; a later pulumi up enables it once none is pending. The connection is configured and tested.`,
    );
    const done = (await p.check(env.inputs({ reconciliationPending: 0 }))).inputs;
    expect((await p.diff(outs, done)).changes).toBe(true); // desired on, live off
    const updated = await p.update(outs, done);
    expect(updated.liveEnabled).toBe(true);
    expect(id).toBe(`${env.dbx.accountId}/okta`);
  });

  it("delete never leaves AIM on with this app's connection: refused (nothing changed) unless disableOnDelete, which switches it off", async () => {
    const { outs } = await p.create((await p.check(env.inputs())).inputs);
    const refused = await p.delete(outs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused?.message).toContain(
      "not deleted: AIM is on and signs in to Okta with the app this stack manages",
    );
    expect(refused?.message).toContain("pulumi config set oktaAim:disableOnDelete true");
    expect(refused?.message).toContain("pulumi config set oktaAim:protect true");
    expect(env.dbx.store.aimEnabled).toBe(true);
    expect(env.dbx.store.connection).toBeDefined();
    await p.delete({ ...outs, disableOnDelete: true });
    expect(env.dbx.store.aimEnabled).toBe(false);
    // AIM off (here: switched off by hand), nothing to protect: delete goes through.
    await expect(p.delete(outs)).resolves.toBeUndefined();
  });

  it("delete goes through while AIM is on with another app's connection (this app is not the one AIM uses)", async () => {
    const { outs } = await p.create((await p.check(env.inputs())).inputs);
    await expect(p.delete({ ...outs, clientId: "0oaSOMEOTHERAPP000000" })).resolves.toBeUndefined();
    expect(env.dbx.store.aimEnabled).toBe(true);
  });

  it("a failing connection test (DPoP required) configures nothing and says why", async () => {
    await stopEnv(env);
    env = await startEnv({ dpop: true });
    const err = await p.create((await p.check(env.inputs())).inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^AimConnection \S+ \(api\): the connection test failed \(token: .*invalid_dpop_proof.*\); nothing was configured\./,
    );
    expect(err?.message).not.toContain("PRIVATE KEY");
    expect(env.dbx.store.connection).toBeUndefined();
  });

  it("console adapter: tests itself, configures nothing remotely, outputs the values (key as the secret output)", async () => {
    const checked = (await p.check(env.inputs({ adapter: "console" }))).inputs;
    const { outs } = await p.create(checked);
    expect(env.dbx.store.connection).toBeUndefined();
    expect(outs.connectionTest?.success).toBe(true);
    expect(outs.liveEnabled).toBe(false);
    expect(outs.consoleInstructions).toHaveLength(5);
    expect(outs.consoleInstructions?.[2]).toContain("Automatic identity management");
    expect(outs.consolePrivateKeyPem).toBe(key.privateKeyPem);
    assertNoSecretsInPlainOutputs(outs as unknown as Props, env);
    // AIM still off: the preview keeps showing the pending click.
    expect(
      (await p.diff(outs, (await p.check(env.inputs({ adapter: "console" }))).inputs)).changes,
    ).toBe(true);
    const err = await p.delete({ ...outs, disableOnDelete: true }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain('adapter "console" cannot disable AIM');
  });

  it("adapter auto where the account answers the admin API: api, and the outputs and the log say why", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    const path = `/api/2.0/accounts/${env.dbx.accountId}/aim/okta/connection`;
    const { outs } = await p.create((await p.check(env.inputs({ adapter: "auto" }))).inputs);
    const why = `auto: GET ${path} answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API`;
    expect(outs).toMatchObject({ adapter: "auto", adapterUsed: "api", adapterReason: why });
    expect(logged.join("\n")).toContain(
      `AimConnection ${env.dbx.accountId}: AIM adapter: api (${why})`,
    );
    expect(env.dbx.store.connection?.clientId).toBe(env.app.credentials.oauthClient.client_id);
    expect(env.dbx.store.aimEnabled).toBe(true);
    expect(outs.consolePrivateKeyPem).toBeNull();
    // Decided again per operation: configured now, the API answers 200; nothing to change.
    const again = (await p.check(env.inputs({ adapter: "auto" }))).inputs;
    expect((await p.diff(outs, again)).changes).toBe(false);
    const read = await p.read(outs);
    expect(read.props?.adapterReason).toBe(
      `auto: GET ${path} answered 200 with the configured connection, so this account has the AIM admin API`,
    );
  });

  it("adapter auto where the account has no admin API (as a real one today): console, and why; gaining the API shows in the diff", async () => {
    await stopEnv(env);
    env = await startEnv({ aimAdminApi: "off-404" });
    const path = `/api/2.0/accounts/${env.dbx.accountId}/aim/okta/connection`;
    const { outs } = await p.create((await p.check(env.inputs({ adapter: "auto" }))).inputs);
    expect(outs).toMatchObject({
      adapterUsed: "console",
      adapterReason: `auto: GET ${path} answered 404 ENDPOINT_NOT_FOUND, so this account has no AIM admin API; enter the values in the account console`,
      connectionTest: { success: true },
      liveEnabled: false,
    });
    // The console path: the test ran here, nothing stored remotely, the values to enter are out.
    expect(env.dbx.store.connection).toBeUndefined();
    expect(outs.consoleInstructions?.[2]).toContain("Automatic identity management");
    expect(outs.consolePrivateKeyPem).toBe(key.privateKeyPem);
    assertNoSecretsInPlainOutputs(outs as unknown as Props, env);

    // The "not enrolled" 403 is the console path too.
    env.dbx.behaviour.configure({ aimAdminApi: "off-403" });
    const refreshed = await p.read(outs);
    expect(refreshed.id).toBe(ID);
    expect(refreshed.props).toMatchObject({
      adapterUsed: "console",
      adapterReason: `auto: GET ${path} answered 403 PERMISSION_DENIED, so this account is not enrolled in the AIM admin API (a private preview); enter the values in the account console`,
    });

    // The account gains the API: the preview says so, the resource stays, the update uses it.
    env.dbx.behaviour.configure({ aimAdminApi: "on" });
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((m: unknown) => void logged.push(String(m)));
    const news = (await p.check(env.inputs({ adapter: "auto" }))).inputs;
    expect((await p.diff(outs, news)).changes).toBe(true);
    expect(logged.join("\n")).toContain(
      "AIM adapter: api (auto: GET " +
        path +
        " answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API), not console as at the last update; the update configures the connection through the admin API",
    );
    expect((await p.read(outs)).id).toBe(ID);
    const updated = await p.update(outs, news);
    expect(updated).toMatchObject({ adapterUsed: "api", liveEnabled: true });
    expect(env.dbx.store.connection).toBeDefined();
  });

  it("adapter auto on an answer it cannot classify fails the operation by name, never the console path", async () => {
    await stopEnv(env);
    // The emulator's PAT is not the provider's: GET …/connection answers 401.
    env = await startEnv({ token: `dapi${randomBytes(16).toString("hex")}` });
    const path = `/api/2.0/accounts/${env.dbx.accountId}/aim/okta/connection`;
    const err = await p.create((await p.check(env.inputs({ adapter: "auto" }))).inputs).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe("ERR_AIM_ADAPTER_UNDECIDED");
    expect(err?.message).toBe(
      `AIM adapter auto cannot tell whether Databricks account ${env.dbx.accountId} has the AIM admin API: GET ${path} answered 401 UNAUTHENTICATED (Invalid access token.). Fix the cause (the Databricks host, account id and an account admin's credentials), or set the adapter explicitly: "api" or "console".`,
    );
    expect(err?.message).not.toContain(DBX_TOKEN);
    expect(env.dbx.store.connection).toBeUndefined();
  });
});

describe("AimConnection provider through the dynamic-provider host", () => {
  let serialized: SerializedResource;
  let host: ProviderHost;
  let env: Env;

  beforeAll(async () => {
    serialized = await serializeProvider("dynamic-providers/aimConnection.ts", "AimConnection", {
      adapter: "api",
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      oktaOrgUrl: "https://example.okta.com",
      clientId: "0oa-serialised",
      privateKeyPem: key.privateKeyPem,
    });
    host = await hostWithoutEnv(serialized, CONFIG);
  });
  afterAll(async () => {
    await host?.close();
  });
  beforeEach(async () => {
    env = await startEnv();
  });
  afterEach(async () => {
    await stopEnv(env);
  });

  it("serialises without the key or any credential; the key input is registered as a secret", () => {
    expect(serialized.type).toBe("pulumi-nodejs:dynamic/okta-databricks-aim:AimConnection");
    expect(serialized.providerIsSecret).toBe(false);
    // The provider mentions "PRIVATE KEY" in its input check; no PEM armour or key body though.
    expect(serialized.provider).not.toContain("-----BEGIN");
    expect(serialized.provider).not.toContain(key.privateKeyPem.slice(40, 100));
    expect(serialized.provider).not.toContain(DBX_TOKEN);
    expect(coreModulesNamedBy(serialized.provider)).toEqual(["core/providerApi"]);
    expect(serialized.provider).not.toContain("class ApiAimAdmin");
    const registered = serialized.inputs.privateKeyPem as Record<string, unknown>;
    expect(registered[SECRET_SIG]).toBeDefined();
    expect(serialized.inputs).toMatchObject({
      adapter: "api",
      enabled: true,
      acceptFindings: [],
      disableOnDelete: false,
      providerVersion: AIM_CONNECTION_PROVIDER_VERSION,
    });
  });

  it("check → create → no diff → AIM switched off out of band → diff, read → update → delete", async () => {
    const news = env.inputs() as unknown as Props;
    const checked = await host.check({}, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ keyThumbprint: key.keyId });
    expect(checked.inputs).not.toHaveProperty("liveEnabled");

    const created = await host.create(checked.inputs);
    expect(created.outs).toMatchObject({ liveEnabled: true, liveConfigured: true });
    assertNoSecretsInPlainOutputs(created.outs, env);

    const quiet = await host.check(checked.inputs, news);
    expect(await host.diff(created.id, created.outs, quiet.inputs)).toMatchObject({
      changes: "none",
    });

    env.dbx.setAimEnabled(false);
    const drift = await host.check(checked.inputs, news);
    expect(drift.inputs).toMatchObject({ enabled: true });
    expect(await host.diff(created.id, created.outs, drift.inputs)).toMatchObject({
      changes: "some",
      replaces: [],
    });
    expect(host.stdout()).toMatch(
      /AimConnection \S+ \(api\): AIM is off in the account \(.+\); the update turns it on/,
    );
    const read = await host.read(created.id, created.outs);
    expect(read.props).toMatchObject({ liveEnabled: false });

    const updated = await host.update(created.id, read.props, drift.inputs);
    expect(updated.outs).toMatchObject({ liveEnabled: true });
    expect(env.dbx.store.aimEnabled).toBe(true);

    await host.delete(created.id, { ...updated.outs, disableOnDelete: true });
    expect(env.dbx.store.aimEnabled).toBe(false);
    expect(host.stderr()).not.toContain("PRIVATE KEY");
    expect(host.stderr()).not.toContain(DBX_TOKEN);
  });

  it("refuses to enable with unaccepted error findings; the gRPC error carries the reason", async () => {
    const news = env.inputs({ reconciliationFindings: AMBIGUOUS }) as unknown as Props;
    const checked = await host.check({}, news);
    expect(checked.inputs.enableBlockedBy).toEqual(["AMBIGUOUS_MATCH"]);
    const err = await host.create(checked.inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain(
      "AIM not enabled: the reconciliation reports error findings AMBIGUOUS_MATCH (2 error(s)).",
    );
    expect(env.dbx.store.aimEnabled).toBe(false);
  });
});
