/**
 * OktaAppDpop's provider as Pulumi runs it (serialised under ts-node, driven
 * through the dynamic-provider host over gRPC) against the Okta emulator.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { generateSigningKey } from "../../core/keys/signingKey";
import type { OktaApp } from "../../core/model/tenant";
import { OKTA_APP_DPOP_PROVIDER_VERSION } from "../../dynamic-providers/oktaAppDpop";
import {
  coreModulesNamedBy,
  serializeProvider,
  startProviderHost,
  type ProviderHost,
  type SerializedResource,
} from "./harness/host";
import { CREDENTIAL_ENV } from "../helpers/providerCredentials";

const TOKEN_ENV = "OKTA_API_TOKEN";

describe("OktaAppDpop provider through the dynamic-provider host", () => {
  let serialized: SerializedResource;
  let emu: OktaEmulator;
  let app: OktaApp;
  const hosts: ProviderHost[] = [];
  /** Shared by the tests that use `okta:apiToken` (a host configures its provider once). */
  let shared: ProviderHost;

  /** A host with no token in its environment, configured like `pulumi up` would. */
  async function configuredHost(config: Record<string, string>): Promise<ProviderHost> {
    const host = await startProviderHost({
      provider: serialized.provider,
      type: serialized.type,
      unsetEnv: CREDENTIAL_ENV,
    });
    hosts.push(host);
    await host.configure(config);
    return host;
  }

  const inputs = (): Record<string, unknown> => ({
    orgUrl: emu.url,
    appId: app.id,
    dpopBoundAccessTokens: false,
    providerVersion: OKTA_APP_DPOP_PROVIDER_VERSION,
  });

  beforeAll(async () => {
    serialized = await serializeProvider("dynamic-providers/oktaAppDpop.ts", "OktaAppDpop", {
      orgUrl: "https://example.okta.com",
      appId: "0oa-serialised",
    });
  });

  beforeAll(async () => {
    emu = await startOktaEmulator({ rateLimits: "off" });
    const key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
    // New API Services apps are reported to have "Require DPoP" on by default.
    app = emu.createServiceApp({
      label: "Databricks AIM",
      jwks: [key.publicJwk],
      dpopBoundAccessTokens: true,
    });
    shared = await configuredHost({ "okta:apiToken": emu.apiToken });
  });

  afterEach(() => emu.counter.reset());

  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    await emu?.close();
  });

  it("serialises without any credential and with a readable type", () => {
    expect(serialized.type).toBe("pulumi-nodejs:dynamic/okta-databricks-aim:OktaAppDpop");
    expect(serialized.providerIsSecret).toBe(false);
    expect(serialized.provider).not.toMatch(/SSWS|apiToken"?\s*[:=]\s*"/);
    expect(coreModulesNamedBy(serialized.provider)).toEqual(["core/providerApi"]);
    expect(serialized.inputs).toMatchObject({
      orgUrl: "https://example.okta.com",
      appId: "0oa-serialised",
      dpopBoundAccessTokens: false,
      providerVersion: OKTA_APP_DPOP_PROVIDER_VERSION,
    });
  });

  it("create turns DPoP off with one GET and one full PUT; token from okta:apiToken config", async () => {
    const host = shared;
    const created = await host.create(inputs());
    expect(created.id).toBe(app.id);
    expect(created.outs).toMatchObject({
      appId: app.id,
      clientId: app.credentials.oauthClient.client_id,
      dpopBoundAccessTokens: false,
      liveDpopBoundAccessTokens: false,
      label: "Databricks AIM",
    });
    const live = emu.store.getApp(app.id)!;
    expect(live.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    // The full object went back: everything else is as it was.
    expect(live.settings.oauthClient.jwks?.keys.map((k) => k.kid)).toEqual(
      app.settings.oauthClient.jwks?.keys.map((k) => k.kid),
    );
    expect(live.credentials.oauthClient.token_endpoint_auth_method).toBe("private_key_jwt");
    expect(live.settings.oauthClient.grant_types).toEqual(["client_credentials"]);
    const counts = emu.counter.snapshot();
    const puts = Object.entries(counts).filter(([k]) => k.startsWith("PUT "));
    expect(puts.map(([, n]) => n)).toEqual([1]);
    // No secret in what goes to state.
    expect(JSON.stringify(created.outs)).not.toContain(emu.apiToken);
  });

  it("no drift: check makes no request and keeps no live value in the inputs; diff reads live and reports no change", async () => {
    const host = shared;
    const state = (await host.create(inputs())).outs;
    expect(state.liveDpopBoundAccessTokens).toBe(false);
    const before = emu.counter.total();
    const checked = await host.check(inputs(), inputs());
    expect(checked.failures).toEqual([]);
    expect(emu.counter.total()).toBe(before);
    // Stored before the update, a live value here would lag one up.
    expect(checked.inputs).not.toHaveProperty("liveDpopBoundAccessTokens");
    expect(await host.diff(app.id, state, checked.inputs)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(emu.counter.total()).toBe(before + 1);
  });

  it("someone turns DPoP back on: diff shows drift and says why, read returns live, update fixes it", async () => {
    const host = await configuredHost({ "oktaAim:oktaApiToken": emu.apiToken });
    const state = (await host.create(inputs())).outs;
    emu.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens = true;

    // Plain preview: the inputs say only what is desired; diff reads live.
    const checked = await host.check(inputs(), inputs());
    expect(checked.inputs.dpopBoundAccessTokens).toBe(false);
    expect(await host.diff(app.id, state, checked.inputs)).toEqual({
      changes: "some",
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(host.stdout()).toContain(
      `OktaAppDpop ${app.id}: "Require DPoP" (dpop_bound_access_tokens) is on in Okta`,
    );

    // Refresh: the live value lands in props and in the inputs.
    const read = await host.read(app.id, state);
    expect(read.id).toBe(app.id);
    expect(read.props).toMatchObject({
      dpopBoundAccessTokens: true,
      liveDpopBoundAccessTokens: true,
    });
    expect(read.inputs).toMatchObject({ dpopBoundAccessTokens: true, appId: app.id });
    expect(read.inputs).not.toHaveProperty("clientId");
    expect(read.inputs).not.toHaveProperty("liveDpopBoundAccessTokens");

    const updated = await host.update(app.id, read.props, checked.inputs);
    expect(updated.outs).toMatchObject({
      dpopBoundAccessTokens: false,
      liveDpopBoundAccessTokens: false,
    });
    expect(emu.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
  });

  it("takes the token from OKTA_API_TOKEN when config has none", async () => {
    const host = await startProviderHost({
      provider: serialized.provider,
      type: serialized.type,
      env: { [TOKEN_ENV]: emu.apiToken },
    });
    hosts.push(host);
    await host.configure({});
    const read = await host.read(app.id, { ...inputs(), clientId: "", label: "" } as Record<
      string,
      unknown
    >);
    expect(read.props).toMatchObject({ appId: app.id, liveDpopBoundAccessTokens: false });
  });

  it("without any credential: a clear error naming the token's and the service app's keys", async () => {
    const host = await configuredHost({});
    const err = await host.create(inputs()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain(
      "No Okta credential to read and update the Okta app: give an admin API token (`pulumi config set --secret oktaAim:oktaApiToken <token>`, or okta:apiToken, or export OKTA_API_TOKEN), or the Okta provider's OAuth service app with okta.apps.manage among its scopes (okta:clientId, okta:privateKey, okta:scopes; or OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY, OKTA_API_SCOPES).",
    );
  });

  describe("with the Okta provider's OAuth service app instead of a token", () => {
    let admin: OktaApp;
    let adminKey: Awaited<ReturnType<typeof generateSigningKey>>;
    beforeAll(async () => {
      adminKey = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
      // The platform team's service app for the Okta provider: apps managed, an app admin.
      admin = emu.createServiceApp({
        label: "Pulumi Okta provider",
        jwks: [adminKey.publicJwk],
        grants: ["okta.apps.manage", "okta.groups.manage"],
        roles: ["APP_ADMIN"],
      });
    });

    it("okta:clientId, okta:privateKey and okta:scopes (a list) from stack config: no SSWS token sent", async () => {
      const host = await configuredHost({
        "okta:clientId": admin.credentials.oauthClient.client_id,
        "okta:privateKey": adminKey.privateKeyPem,
        "okta:privateKeyId": adminKey.keyId,
        "okta:scopes": JSON.stringify(["okta.groups.manage", "okta.apps.manage"]),
      });
      emu.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens = true;
      const created = await host.create(inputs());
      expect(created.outs).toMatchObject({ liveDpopBoundAccessTokens: false });
      expect(emu.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
      const counts = emu.counter.snapshot();
      expect(counts["POST /oauth2/v1/token"]).toBe(1);
      expect(JSON.stringify(created.outs)).not.toContain("PRIVATE KEY");
      expect(host.stderr()).not.toContain("PRIVATE KEY");
    });

    it("OKTA_API_CLIENT_ID, OKTA_API_PRIVATE_KEY (a file) and OKTA_API_SCOPES from the environment", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "aim-okta-key-"));
      try {
        const keyFile = path.join(dir, "okta.pem");
        writeFileSync(keyFile, adminKey.privateKeyPem, { mode: 0o600 });
        const host = await startProviderHost({
          provider: serialized.provider,
          type: serialized.type,
          unsetEnv: CREDENTIAL_ENV.filter((k) => !k.startsWith("OKTA_API_")),
          env: {
            OKTA_API_TOKEN: "",
            OKTA_API_CLIENT_ID: admin.credentials.oauthClient.client_id,
            OKTA_API_PRIVATE_KEY: keyFile,
            OKTA_API_SCOPES: "okta.apps.manage,okta.groups.manage",
          },
        });
        hosts.push(host);
        await host.configure({});
        const read = await host.read(app.id, { ...inputs(), clientId: "", label: "" });
        expect(read.props).toMatchObject({ appId: app.id, label: "Databricks AIM" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("okta:scopes without okta.apps.manage: the error says which scope to add, and where", async () => {
      const host = await configuredHost({
        "okta:clientId": admin.credentials.oauthClient.client_id,
        "okta:privateKey": adminKey.privateKeyPem,
        "okta:scopes": JSON.stringify(["okta.groups.manage"]),
      });
      const err = await host.create(inputs()).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toContain(
        "The Okta provider's service app is configured, but okta:scopes (OKTA_API_SCOPES) lacks okta.apps.manage: add it there and grant it to that app (Okta API Scopes tab).",
      );
      expect(err?.message).not.toContain("PRIVATE KEY");
    });
  });

  it("a wrong token fails with Okta's 401, the token not echoed", async () => {
    const wrong = "00wrong-token-value-0123456789";
    const host = await configuredHost({ "okta:apiToken": wrong });
    const err = await host.create(inputs()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/401/);
    expect(err?.message).not.toContain(wrong);
    expect(host.stderr()).not.toContain(wrong);
  });

  it("check names bad fields; unknown values (preview before the app exists) cause no request", async () => {
    const host = shared;
    const bad = await host.check({}, { ...inputs(), orgUrl: "example.okta.com", appId: "" });
    expect(bad.failures).toEqual([
      {
        property: "orgUrl",
        reason:
          '[orgUrl] is not a URL ("example.okta.com"): give your Okta org URL with its scheme, e.g. https://acme.okta.com.',
      },
      { property: "appId", reason: "[appId] must be the id of the Okta app." },
    ]);
    emu.counter.reset();
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const pending = await host.check({}, { ...inputs(), appId: unknown });
    expect(pending.failures).toEqual([]);
    expect(emu.counter.total()).toBe(0);
    expect(
      await host.diff(
        app.id,
        { ...inputs(), clientId: "", label: "" },
        { ...inputs(), appId: unknown },
      ),
    ).toMatchObject({
      changes: "some",
      replaces: ["appId"],
    });
  });

  it("read of a deleted app reports it gone; delete leaves the app alone", async () => {
    const host = shared;
    const other = emu.createServiceApp({
      label: "gone soon",
      jwks: app.settings.oauthClient.jwks!.keys,
    });
    const state = (await host.create({ ...inputs(), appId: other.id })).outs;
    await host.delete(other.id, state);
    expect(emu.store.getApp(other.id)).toBeDefined();
    emu.store.apps.delete(other.id);
    const read = await host.read(other.id, state);
    expect(read.id).toBe("");
  });
});
