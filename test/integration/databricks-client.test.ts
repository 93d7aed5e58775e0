/**
 * The Databricks account client against the Databricks emulator: OAuth M2M
 * and its cache, both externalId write routes, getByIds batching, the iamv2
 * look-up with AIM on and off, the `api` AIM adapter (including a wrong base
 * path), and no secret in any error, stack or event.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AimError, ConfigError, HttpError, type HttpEvent } from "../../core/http";
import type { TenantFixture } from "../../core/model/tenant";
import {
  DatabricksAccountClient,
  type DatabricksClientOptions,
} from "../../core/databricks/client";
import { createAimAdmin, type ApiAimAdmin } from "../../core/databricks/aimAdmin";
import {
  startDatabricksEmulator,
  type DatabricksEmulator,
  type DatabricksEmulatorOptions,
} from "../../emulators/databricks";

const TOKEN_ROUTE = "POST /oidc/accounts/:accountId/v1/token";
const USERS_ROUTE = "GET /api/2.0/accounts/:accountId/scim/v2/Users";

let emu: DatabricksEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function fixture(users = 30, groups = 10, sps = 3): TenantFixture["databricks"] {
  return {
    accountId: "11111111-2222-4333-8444-555555555555",
    users: Array.from({ length: users }, (_, i) => ({
      id: `${1000 + i}`,
      userName: `user${i}@example.com`,
      displayName: `User ${i}`,
      active: true,
      emails: [{ value: `user${i}@example.com`, primary: true }],
      ...(i < 5 ? { externalId: `00u${String(i).padStart(17, "0")}` } : {}),
    })),
    groups: Array.from({ length: groups }, (_, i) => ({
      id: `${5000 + i}`,
      displayName: `group-${i}`,
    })),
    servicePrincipals: Array.from({ length: sps }, (_, i) => ({
      id: `${9000 + i}`,
      applicationId: `aaaaaaaa-0000-4000-8000-00000000000${i}`,
      displayName: `sp-${i}`,
    })),
  };
}

async function start(
  opts: DatabricksEmulatorOptions = {},
  clientOpts: DatabricksClientOptions = {},
  auth: "m2m" | "token" = "m2m",
): Promise<{ emu: DatabricksEmulator; client: DatabricksAccountClient }> {
  emu = await startDatabricksEmulator({ fixture: fixture(), rateLimits: "off", ...opts });
  const client = new DatabricksAccountClient(
    {
      host: emu.url,
      accountId: emu.accountId,
      auth:
        auth === "m2m"
          ? { kind: "oauthM2M", clientId: emu.clientId, clientSecret: emu.clientSecret }
          : { kind: "token", token: emu.token },
    },
    { ...clientOpts, http: { baseDelayMs: 5, ...clientOpts.http } },
  );
  return { emu, client };
}

describe("Databricks client vs emulator: auth", () => {
  it("gets one M2M token for many concurrent calls and reuses it", async () => {
    const { emu, client } = await start({ pageCap: 7 });
    const [users, groups, sps] = await Promise.all([
      client.listUsers(),
      client.listGroups(),
      client.listServicePrincipals(),
    ]);
    await client.getByIds("user", ["1000", "1001"]);
    expect(users).toHaveLength(30);
    expect(groups).toHaveLength(10);
    expect(sps).toHaveLength(3);
    expect(emu.counter.get(TOKEN_ROUTE)).toBe(1);
    // 30 users at a cap of 7: 5 pages, no trailing empty page.
    expect(emu.counter.get(USERS_ROUTE)).toBe(5 + 1); // + the getByIds filter request
  });

  it("works with a static token and never calls the token endpoint", async () => {
    const { emu, client } = await start({}, {}, "token");
    expect(await client.listGroups()).toHaveLength(10);
    expect(emu.counter.get(TOKEN_ROUTE)).toBe(0);
  });
});

describe("Databricks client vs emulator: writes and reads", () => {
  it("persists externalId through both routes, and clears it", async () => {
    const { emu, client } = await start({}, { writeRatePerSecond: 50 });
    await client.setExternalId("user", "1010", "00uSCIM0000000000001", "scim");
    await client.setExternalId("user", "1011", "00uIAMV0000000000002", "iamv2");
    await client.setExternalId("group", "5001", "00gSCIM0000000000003", "scim");
    await client.setExternalId("group", "5002", "00gIAMV0000000000004", "iamv2");
    await client.setExternalId("servicePrincipal", "9001", "00uSPIA0000000000005", "iamv2");
    expect(emu.store.users.get("1010")?.externalId).toBe("00uSCIM0000000000001");
    expect(emu.store.users.get("1011")?.externalId).toBe("00uIAMV0000000000002");
    expect(emu.store.groups.get("5001")?.externalId).toBe("00gSCIM0000000000003");
    expect(emu.store.groups.get("5002")?.externalId).toBe("00gIAMV0000000000004");
    expect(emu.store.servicePrincipals.get("9001")?.externalId).toBe("00uSPIA0000000000005");
    // Read back through the client.
    const [u10, u11] = await client.getByIds("user", ["1010", "1011"]);
    expect(u10).toMatchObject({ id: "1010", externalId: "00uSCIM0000000000001" });
    expect(u11).toMatchObject({ id: "1011", externalId: "00uIAMV0000000000002" });

    await client.setExternalId("user", "1010", null, "scim");
    await client.setExternalId("user", "1011", null, "iamv2");
    expect(emu.store.users.get("1010")?.externalId ?? null).toBeNull();
    expect(emu.store.users.get("1011")?.externalId ?? null).toBeNull();
  });

  it("writing twice is harmless (idempotent), and a missing id is NOT_FOUND", async () => {
    const { emu, client } = await start({}, { writeRatePerSecond: 50 });
    await client.setExternalId("user", "1012", "00uTWICE000000000001", "scim");
    await client.setExternalId("user", "1012", "00uTWICE000000000001", "scim");
    expect(emu.store.users.get("1012")?.externalId).toBe("00uTWICE000000000001");
    for (const route of ["scim", "iamv2"] as const) {
      const err = (await client
        .setExternalId("user", "424242", "00uX", route)
        .catch((e: unknown) => e)) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect(err.code).toBe("ERR_DATABRICKS_NOT_FOUND");
      expect(err.message).toMatch(/PATCH .*424242.* returned 404/);
    }
  });

  it("re-reads 250 ids in 3 filter requests of at most 100 ids", async () => {
    const { emu, client } = await start({ fixture: fixture(260), pageCap: 100 });
    const ids = Array.from({ length: 250 }, (_, i) => `${1000 + i}`);
    emu.counter.reset();
    const got = await client.getByIds("user", [...ids, "999999"]);
    expect(got.map((u) => u.id)).toEqual(ids);
    expect(emu.counter.get(USERS_ROUTE)).toBe(3);
  });

  it("looks up by external id through iamv2, with AIM on and off", async () => {
    const { emu, client } = await start({ aimEnabled: true });
    const linked = "00u" + "0".repeat(16) + "1";
    expect(await client.getByExternalId("user", linked)).toEqual({
      id: "1001",
      externalId: linked,
    });
    expect(await client.aimStatus(linked)).toBe("on");

    emu.setAimEnabled(false);
    const err = (await client.getByExternalId("user", linked).catch((e: unknown) => e)) as AimError;
    expect(err).toBeInstanceOf(AimError);
    expect(err.code).toBe("ERR_AIM_NOT_ENABLED");
    expect(err.message).toMatch(/not onboarded onto automatic identity management/i);
    expect(await client.aimStatus(linked)).toBe("off");
    expect(await client.aimStatus()).toBe("off");
  });
});

describe('the forms of "AIM is off"', () => {
  const linked = "00u" + "0".repeat(16) + "1";

  it("recognises not onboarded (400 and 412) and the iamv2 preview off (403 and 404), each as such", async () => {
    const { emu, client } = await start();
    const seen: Record<string, unknown> = {};
    for (const [label, behaviour] of [
      ["400", { notOnboardedStatus: 400 }],
      ["412", { notOnboardedStatus: 412 }],
      ["403", { iamv2Preview: "off-403" }],
      ["404", { iamv2Preview: "off-404" }],
    ] as const) {
      emu.behaviour.configure(behaviour);
      const d = await client.aimStatusDetail(linked);
      seen[label] = { status: d.status, offForm: d.offForm };
      expect(d.reason).not.toBe("");
    }
    expect(seen).toEqual({
      "400": { status: "off", offForm: "not-onboarded" },
      "412": { status: "off", offForm: "not-onboarded" },
      "403": { status: "off", offForm: "iamv2-preview-off" },
      "404": { status: "off", offForm: "iamv2-preview-off" },
    });
    // The look-up itself names the form by its code.
    const err = (await client.getByExternalId("user", linked).catch((e: unknown) => e)) as AimError;
    expect(err.code).toBe("ERR_IAMV2_UNAVAILABLE");
    expect(err.message).toContain("Previews page");
  });

  it('keeps "unknown" for a missing identity and for a server error', async () => {
    const { emu, client } = await start({ aimEnabled: true });
    // 404 RESOURCE_DOES_NOT_EXIST: the identity, not the API, is missing.
    expect(await client.aimStatusDetail("00u-not-in-okta-000")).toMatchObject({
      status: "unknown",
    });
    emu.faults.configure({
      script: [{ path: "/api/2.0/identity", fault: "500", times: Infinity }],
    });
    const broken = await client.aimStatusDetail(linked);
    expect(broken.status).toBe("unknown");
    expect(broken.offForm).toBeUndefined();
  });

  it("refuses the iamv2 write route with the preview off, naming the SCIM route", async () => {
    const { emu, client } = await start();
    emu.behaviour.configure({ iamv2Preview: "off-404" });
    const err = (await client
      .setExternalId("user", "1010", "00uNEW", "iamv2")
      .catch((e: unknown) => e)) as AimError;
    expect(err.code).toBe("ERR_IAMV2_UNAVAILABLE");
    expect(err.message).toContain("write route scim");
    expect(emu.store.users.get("1010")?.externalId).toBeUndefined();
  });
});

describe("AIM admin adapter `api` vs emulator", () => {
  it("reads an unconfigured connection, refuses enable before configure, and validates input", async () => {
    const { client } = await start({ behaviour: { aimAdminApi: "on" } });
    const aim = createAimAdmin({ mode: "api", client }, {}) as ApiAimAdmin;
    expect(aim.basePath).toBe(`/api/2.0/accounts/${client.accountId}/aim/okta`);
    const state = await aim.read();
    expect(state).toMatchObject({ configured: false, enabled: false, aimStatus: "off" });

    const pre = (await aim.enable().catch((e: unknown) => e)) as AimError;
    expect(pre.code).toBe("ERR_AIM_PRECONDITION");
    expect(pre.message).toMatch(/enable refused: .*not configured/);

    const bad = (await aim
      .configure({ oktaOrgUrl: "http://example.okta.com", clientId: "0oa1", privateKey: "x" })
      .catch((e: unknown) => e)) as ConfigError;
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.field).toBe("oktaOrgUrl");
    expect(bad.message).toMatch(/must use https:\/\//);

    const badKey = (await aim
      .configure({
        oktaOrgUrl: "https://example.okta.com",
        clientId: "0oa1",
        privateKey: "not a key at all, just text",
      })
      .catch((e: unknown) => e)) as ConfigError;
    expect(badKey).toBeInstanceOf(ConfigError);
    expect(badKey.field).toBe("privateKey");
    expect(badKey.message).toMatch(
      /the AIM admin API rejected privateKey: private_key is not a usable private key/,
    );
    expect(badKey.message).not.toContain("not a key at all");
  });

  it("fails with ERR_AIM_NOT_ENROLLED pointing to `console` when the base path is wrong (404)", async () => {
    const { client } = await start({ behaviour: { aimAdminApi: "on" } });
    const aim = createAimAdmin({
      mode: "api",
      client,
      basePath: "/api/2.0/accounts/{account_id}/aim/okta-nope",
    });
    const err = (await aim.read().catch((e: unknown) => e)) as AimError;
    expect(err).toBeInstanceOf(AimError);
    expect(err.code).toBe("ERR_AIM_NOT_ENROLLED");
    expect(err.message).toMatch(
      /answered 404 \(ENDPOINT_NOT_FOUND\): the Databricks account .* is not enrolled in the AIM admin API/,
    );
    expect(err.message).toMatch(/Use adapter "console"/);
    const err2 = (await aim.enable().catch((e: unknown) => e)) as AimError;
    expect(err2.code).toBe("ERR_AIM_NOT_ENROLLED");
  });

  it("rejects a base path that is not a path", async () => {
    const { client } = await start();
    expect(() => createAimAdmin({ mode: "api", client, basePath: "https://x/y" })).toThrow(
      /aimApiBasePath must be a path starting with "\/"/,
    );
    expect(() => createAimAdmin({ mode: "robot" as never, client })).toThrow(
      /adapter "robot" is not an AIM adapter: use "auto" \(.*\), "api" \(.*\), "console"/,
    );
  });
});

describe("secrets never leak", () => {
  it("keeps the client secret and tokens out of errors, stacks and events", async () => {
    const events: HttpEvent[] = [];
    const { emu, client } = await start(
      { faults: { rate500: 1, exempt: /\/oidc\// } },
      { http: { onEvent: (e) => events.push(e), maxRetries: 2 } },
    );
    const texts: string[] = [];
    const collect = (e: unknown) => {
      const err = e as Error & { cause?: unknown };
      texts.push(String(err.message), String(err.stack), JSON.stringify(err));
      if (err.cause)
        texts.push(String((err.cause as Error).message), String((err.cause as Error).stack));
    };
    await client.listUsers().catch(collect); // 500s after a real token exchange
    const token = await client.accessToken();

    // The server now rejects the token and then the secret.
    emu.faults.clear();
    const wrong = new DatabricksAccountClient(
      {
        host: emu.url,
        accountId: emu.accountId,
        auth: { kind: "oauthM2M", clientId: emu.clientId, clientSecret: `${emu.clientSecret}x` },
      },
      { http: { onEvent: (e) => events.push(e) } },
    );
    await wrong.listUsers().catch(collect);
    const pat = new DatabricksAccountClient({
      host: emu.url,
      accountId: emu.accountId,
      auth: { kind: "token", token: `${emu.token}-revoked` },
    });
    await pat.listGroups().catch(collect);
    const aim = createAimAdmin({ mode: "api", client }, {});
    const key =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----";
    await aim
      .configure({ oktaOrgUrl: "https://example.okta.com", clientId: "0oa1", privateKey: key })
      .catch(collect);

    expect(texts.length).toBeGreaterThanOrEqual(4);
    const all = [...texts, ...events.map((e) => JSON.stringify(e))].join("\n");
    expect(events.some((e) => e.type === "retry")).toBe(true);
    for (const secret of [
      emu.clientSecret,
      `${emu.clientSecret}x`,
      token,
      emu.token,
      `${emu.token}-revoked`,
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain(
      Buffer.from(`${emu.clientId}:${emu.clientSecret}`).toString("base64"),
    );
  });
});
