/**
 * OktaClient against the Okta emulator: the real token exchange (jose key,
 * app JWKS), the refusals AIM meets in the field, the token cache, and a
 * 25,000-user listing through injected 429s and 5xx.
 */
import { generateKeyPairSync } from "node:crypto";
import { exportJWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError, realSleep, type HttpEvent } from "../../core/http";
import type { OktaUser, TenantFixture } from "../../core/model/tenant";
import { OktaClient, type OktaClientOptions } from "../../core/okta";
import type { OktaAuth } from "../../core/okta/api";
import {
  startOktaEmulator,
  type OktaEmulator,
  type OktaEmulatorOptions,
} from "../../emulators/okta";
import { generateTenant } from "../../emulators/tenant/synthetic";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const KID = "aim-key-1";

let emulator: OktaEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(opts: OktaEmulatorOptions = {}): Promise<OktaEmulator> {
  emulator = await startOktaEmulator(opts);
  return emulator;
}

async function serviceApp(
  e: OktaEmulator,
  over: { grants?: string[]; roles?: string[]; dpopBoundAccessTokens?: boolean } = {},
): Promise<string> {
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: KID,
    status: "ACTIVE" as const,
    alg: "RS256",
    use: "sig",
  };
  const app = e.createServiceApp({ jwks: [jwk as never], ...over });
  return app.credentials.oauthClient.client_id;
}

function jwtClient(
  e: OktaEmulator,
  clientId: string,
  auth: Partial<Extract<OktaAuth, { kind: "privateKeyJwt" }>> = {},
  opts: OktaClientOptions = {},
): OktaClient {
  return new OktaClient(
    {
      orgUrl: e.url,
      auth: { kind: "privateKeyJwt", clientId, privateKey: privatePem, keyId: KID, ...auth },
    },
    { http: { baseDelayMs: 5 }, ...opts },
  );
}

async function failure(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    return err as HttpError;
  }
  throw new Error("expected a failure");
}

function smallTenant(): TenantFixture["okta"] {
  return generateTenant({ users: 60, groups: 7, seed: 7 }).okta;
}

describe("OktaClient against the Okta emulator", () => {
  it("gets a token with a jose-signed assertion and lists every user (DEPROVISIONED too) and group", async () => {
    const fixture = smallTenant();
    const e = await start({ fixture });
    const c = jwtClient(e, await serviceApp(e), {}, { pageSize: 7 });
    const users = await c.listUsers();
    expect(users.map((u) => u.id).sort()).toEqual(fixture.users.map((u) => u.id).sort());
    const deprovisioned = fixture.users
      .filter((u) => u.status === "DEPROVISIONED")
      .map((u) => u.id);
    const plain = await c.listUsers({ includeDeprovisioned: false });
    expect(plain.map((u) => u.id).sort()).toEqual(
      fixture.users
        .filter((u) => u.status !== "DEPROVISIONED")
        .map((u) => u.id)
        .sort(),
    );
    if (deprovisioned.length) expect(plain.some((u) => deprovisioned.includes(u.id))).toBe(false);
    const groups = await c.listGroups();
    expect(groups.map((g) => g.id).sort()).toEqual(fixture.groups.map((g) => g.id).sort());
    const first = fixture.users[0];
    expect((await c.getUser(first.id))?.profile.login).toBe(first.profile.login);
    expect((await c.getUser(first.profile.login))?.id).toBe(first.id);
    expect(await c.getUser("00unobody000000000000")).toBeUndefined();
    expect((await c.getGroup(fixture.groups[0].id))?.profile.name).toBe(
      fixture.groups[0].profile.name,
    );
    expect(await c.getGroup("00gnothing00000000000")).toBeUndefined();
    expect(e.counter.get("POST /oauth2/v1/token")).toBe(1);
  });

  it("shares one token across many calls, concurrent or not", async () => {
    const fixture = smallTenant();
    const e = await start({ fixture });
    const c = jwtClient(e, await serviceApp(e));
    await Promise.all(fixture.users.slice(0, 20).map((u) => c.getUser(u.id)));
    await c.listGroups();
    await c.listUsers();
    expect(e.counter.get("POST /oauth2/v1/token")).toBe(1);
    expect(e.counter.get("GET /api/v1/users/:id")).toBe(20);
  });

  it("renews the token when the emulator revokes it (401 -> one new token, one retry)", async () => {
    const fixture = smallTenant();
    const e = await start({ fixture });
    const c = jwtClient(e, await serviceApp(e));
    await c.listGroups();
    expect(e.store.tokens.size).toBe(1);
    e.store.tokens.clear(); // revoked
    const groups = await c.listGroups();
    expect(groups.length).toBeGreaterThan(0);
    expect(e.counter.get("POST /oauth2/v1/token")).toBe(2);
    expect(e.counter.get("GET /api/v1/groups")).toBe(3); // ok, 401, retried ok
  });

  it("app requires DPoP -> invalid_dpop_proof with what to turn off", async () => {
    const e = await start({ fixture: smallTenant() });
    const err = await failure(
      jwtClient(e, await serviceApp(e, { dpopBoundAccessTokens: true })).listUsers(),
    );
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe("ERR_OKTA_BAD_REQUEST");
    expect(err.serviceCode).toBe("invalid_dpop_proof");
    expect(err.serviceMessage).toBe("The DPoP proof JWT header is missing.");
    expect(err.message).toContain(
      "the Okta app requires DPoP; AIM does not send DPoP proofs: turn off 'Require Demonstrating Proof of Possession (DPoP) header in token requests'",
    );
    expect(e.counter.get("POST /oauth2/v1/token")).toBe(1);
  });

  it("scope not granted -> invalid_scope naming the scopes and where to grant them", async () => {
    const e = await start({ fixture: smallTenant() });
    const err = await failure(
      jwtClient(e, await serviceApp(e, { grants: ["okta.users.read"] })).listGroups(),
    );
    expect(err.serviceCode).toBe("invalid_scope");
    expect(err.code).toMatch(/^ERR_OKTA_(BAD_REQUEST|FORBIDDEN)$/);
    expect(err.message).toContain(
      "the app is not granted every scope requested (okta.users.read okta.groups.read): grant them on the app's 'Okta API Scopes' tab",
    );
  });

  it("no admin role -> 403 ERR_OKTA_FORBIDDEN with the role to assign", async () => {
    const e = await start({ fixture: smallTenant() });
    const err = await failure(jwtClient(e, await serviceApp(e, { roles: [] })).listUsers());
    expect(err.code).toBe("ERR_OKTA_FORBIDDEN");
    expect(err.status).toBe(403);
    expect(err.serviceCode).toBe("E0000006");
    expect(err.message).toContain(
      `GET ${e.url}/api/v1/users?limit=200&filter=${encodeURIComponent('lastUpdated gt "1970-01-01T00:00:00.000Z"')} returned 403`,
    );
    expect(err.message).toContain("assign Read-Only Administrator under 'Admin roles'");
  });

  it("wrong kid -> invalid_client that points at OKTA_KEY_ID", async () => {
    const e = await start({ fixture: smallTenant() });
    const err = await failure(
      jwtClient(e, await serviceApp(e), { keyId: "not-the-kid" }).listUsers(),
    );
    expect(err.code).toBe("ERR_OKTA_UNAUTHORIZED");
    expect(err.serviceCode).toBe("invalid_client");
    expect(err.serviceMessage).toBe("The client_assertion JWT kid is invalid.");
    expect(err.message).toContain("OKTA_KEY_ID (kid) names that key");
  });

  it("SSWS API token reads the app, its grants and its client roles; updateApp round-trips", async () => {
    const e = await start({ fixture: smallTenant() });
    const clientId = await serviceApp(e);
    const c = new OktaClient({ orgUrl: e.url, auth: { kind: "apiToken", token: e.apiToken } });
    const app = await c.getApp(clientId);
    expect(app?.credentials.oauthClient.token_endpoint_auth_method).toBe("private_key_jwt");
    expect(app?.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    expect((await c.listAppGrants(clientId)).sort()).toEqual([
      "okta.groups.read",
      "okta.users.read",
    ]);
    expect(await c.listClientRoles(clientId)).toEqual([
      expect.objectContaining({ kind: "standard", type: "READ_ONLY_ADMIN", status: "ACTIVE" }),
    ]);
    const updated = await c.updateApp(clientId, { ...app!, label: "AIM (renamed)" });
    expect(updated.label).toBe("AIM (renamed)");
    expect((await c.getApp(clientId))?.label).toBe("AIM (renamed)");
    expect(await c.getApp("0oanothing0000000000")).toBeUndefined();
    expect(e.counter.get("POST /oauth2/v1/token")).toBe(0);
  });

  it("testConnection passes with a correctly set up app", async () => {
    const e = await start({ fixture: smallTenant() });
    const t = await jwtClient(e, await serviceApp(e)).testConnection();
    expect(t).toMatchObject({ ok: true });
    expect(t.steps.map((s) => s.name)).toEqual(["token", "read_user", "read_group"]);
  });
});

describe("25,000 users through 5% 429s and 5% 5xx", () => {
  it("lists every user exactly once; request counts = pages + retries", async () => {
    const t0 = Date.now();
    const fixture = generateTenant({ users: 25_000, groups: 10, seed: 25 }).okta;
    const genMs = Date.now() - t0;
    const e = await start({
      fixture,
      rateLimits: "off",
      faults: { rate429: 0.05, rate500: 0.025, rate503: 0.025, seed: 2500 },
    });
    const clientId = await serviceApp(e);
    const events: HttpEvent[] = [];
    const throttleWaits: number[] = [];
    // The injected 429s reset at the next minute, as Okta's do. The client
    // asks to wait that long (recorded and checked below); this test sleeps a
    // few ms instead so that it runs in seconds.
    const sleep = async (ms: number) => {
      throttleWaits.push(ms);
      await realSleep(Math.min(ms, 5));
    };
    const c = new OktaClient(
      {
        orgUrl: e.url,
        auth: { kind: "privateKeyJwt", clientId, privateKey: privatePem, keyId: KID },
      },
      { http: { baseDelayMs: 2, maxDelayMs: 50, sleep, onEvent: (ev) => events.push(ev) } },
    );
    let pages = 0;
    const t1 = Date.now();
    const users: OktaUser[] = await c.listUsers({ onPage: () => pages++ });
    const listMs = Date.now() - t1;

    // Every user exactly once.
    const ids = users.map((u) => u.id);
    expect(ids.length).toBe(fixture.users.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(fixture.users.map((u) => u.id).sort());

    // Requests the emulator saw = pages + retries + throttled retries, per endpoint.
    const stats = c.http.stats.get("okta GET /api/v1/users")!;
    const tokenStats = c.http.stats.get("okta POST /oauth2/v1/token")!;
    const seen = e.counter.snapshot();
    const active = fixture.users.filter((u) => u.status !== "DEPROVISIONED").length;
    const deprov = fixture.users.length - active;
    // One filtered pass returns every status: ceil(all / 200) pages.
    const expectedPages = Math.max(1, Math.ceil(fixture.users.length / 200));
    const table = [
      {
        endpoint: "GET /api/v1/users",
        emulator: seen["GET /api/v1/users"],
        pages,
        retries5xx: stats.retries,
        throttled429: stats.throttled,
        client: stats.requests,
      },
      {
        endpoint: "POST /oauth2/v1/token",
        emulator: seen["POST /oauth2/v1/token"],
        pages: 0,
        retries5xx: 0,
        throttled429: tokenStats.throttled,
        client: tokenStats.requests,
      },
    ];
    console.log(
      `25k listing: ${users.length} users (${active} active, ${deprov} deprovisioned) in ${listMs} ms ` +
        `(fixture generated in ${genMs} ms); injected ${JSON.stringify(e.faults.injected)}`,
    );
    console.table(table);

    expect(pages).toBe(expectedPages);
    expect(seen["GET /api/v1/users"]).toBe(pages + stats.retries + stats.throttled);
    expect(stats.requests).toBe(pages + stats.retries + stats.throttled);
    expect(seen["POST /oauth2/v1/token"]).toBe(tokenStats.requests);
    // Faults really happened, in roughly the configured share.
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.throttled + stats.retries).toBeLessThan(pages * 0.3);
    expect(events.filter((ev) => ev.type === "throttled").length).toBe(
      stats.throttled + tokenStats.throttled,
    );
    // 429 waits asked for: until the next minute (Okta's reset), never more than a minute and a bit.
    const throttled = events.filter((ev) => ev.type === "throttled").map((ev) => ev.waitMs);
    expect(Math.max(...throttled)).toBeLessThanOrEqual(60_300);
    expect(throttleWaits.length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});
