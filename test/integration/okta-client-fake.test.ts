/**
 * OktaClient against a tiny fake Okta (loopback node:http): the assertion's
 * exact claims, token caching and sharing, 401 renewal, token error
 * messages, pagination, config validation. The emulator-based tests are in
 * okta-client.test.ts.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, exportJWK, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, HttpError, InsecureUrlError } from "../../core/http";
import { OktaClient, nextLink, type OktaClientOptions } from "../../core/okta";
import type { OktaAuth } from "../../core/okta/api";
import { sendJson, startTestServer, type SeenRequest, type TestServer } from "../unit/httpServer";
import type http from "node:http";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaPem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Route = (req: SeenRequest, res: http.ServerResponse) => void | Promise<void>;

interface FakeOkta {
  url: string;
  s: TestServer;
  tokenRequests: SeenRequest[];
  issued: string[];
  revoked: Set<string>;
}

/** A fake org: a token endpoint that verifies the assertion, and the given API routes. */
async function fakeOkta(
  api: Route,
  token: (
    req: SeenRequest,
    res: http.ServerResponse,
    form: URLSearchParams,
  ) => boolean | Promise<boolean> = () => false,
  publicKey: KeyObject = rsa.publicKey,
): Promise<FakeOkta> {
  const f: FakeOkta = {
    url: "",
    s: undefined as unknown as TestServer,
    tokenRequests: [],
    issued: [],
    revoked: new Set(),
  };
  f.s = await startTestServer(async (req, res) => {
    if (req.url === "/oauth2/v1/token") {
      f.tokenRequests.push(req);
      const form = new URLSearchParams(req.body);
      if (await token(req, res, form)) return;
      await jwtVerify(form.get("client_assertion")!, publicKey, {
        issuer: "0oaclient",
        subject: "0oaclient",
        audience: `${f.url}/oauth2/v1/token`,
      });
      const t = `at-${f.issued.length + 1}-${"x".repeat(20)}`;
      f.issued.push(t);
      return sendJson(res, 200, {
        token_type: "Bearer",
        expires_in: 3600,
        access_token: t,
        scope: form.get("scope"),
      });
    }
    const bearer = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!f.issued.includes(bearer) || f.revoked.has(bearer))
      return sendJson(res, 401, { errorCode: "E0000011", errorSummary: "Invalid token provided" });
    await api(req, res);
  });
  server = f.s;
  f.url = f.s.url;
  return f;
}

function jwtAuth(over: Partial<Extract<OktaAuth, { kind: "privateKeyJwt" }>> = {}): OktaAuth {
  return {
    kind: "privateKeyJwt",
    clientId: "0oaclient",
    privateKey: rsaPem,
    keyId: "kid-1",
    ...over,
  };
}

function client(
  f: { url: string },
  auth: OktaAuth = jwtAuth(),
  opts: OktaClientOptions = {},
): OktaClient {
  return new OktaClient(
    { orgUrl: f.url, auth },
    { http: { sleep: async () => undefined }, ...opts },
  );
}

async function caught(
  p: Promise<unknown> | (() => unknown),
): Promise<Error & { code?: string; field?: string }> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

const user = (id: string, status = "ACTIVE") => ({
  id,
  status,
  lastUpdated: "2026-01-05T08:00:00.000Z",
  profile: { login: `${id}@example.com`, email: `${id}@example.com`, firstName: "Pat" },
  credentials: { provider: { type: "OKTA", name: "OKTA" } },
  _links: { self: { href: `https://x/api/v1/users/${id}` } },
});

/** What listUsers asks for: every user, every status, in one filtered pass. */
const ALL_USERS_FILTER = encodeURIComponent('lastUpdated gt "1970-01-01T00:00:00.000Z"');

describe("private_key_jwt token", () => {
  it("signs an RS256 assertion with the claims Okta requires and asks for the default scopes", async () => {
    const f = await fakeOkta((_r, res) => sendJson(res, 200, user("00u1")));
    const before = Math.floor(Date.now() / 1000);
    // A single user comes back whole, minus _links.
    const { _links, ...whole } = user("00u1");
    expect(_links).toBeDefined();
    expect(await client(f).getUser("00u1")).toEqual(whole);
    expect(f.tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(f.tokenRequests[0].body);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("scope")).toBe("okta.users.read okta.groups.read");
    expect(form.get("client_assertion_type")).toBe(
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
    const assertion = form.get("client_assertion")!;
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: "RS256", kid: "kid-1" });
    const c = decodeJwt(assertion);
    expect(c.iss).toBe("0oaclient");
    expect(c.sub).toBe("0oaclient");
    expect(c.aud).toBe(`${f.url}/oauth2/v1/token`);
    expect(c.iat).toBeGreaterThanOrEqual(before);
    expect(c.exp! - c.iat!).toBe(300);
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("signs ES256 with an EC key given as a JWK, taking the kid from the JWK", async () => {
    const jwk = { ...(await exportJWK(ec.privateKey)), kid: "ec-kid" };
    const f = await fakeOkta((_r, res) => sendJson(res, 200, []), undefined, ec.publicKey);
    const c = client(
      f,
      jwtAuth({ privateKey: JSON.stringify(jwk), keyId: undefined, scopes: ["okta.users.read"] }),
    );
    await c.listGroups();
    const form = new URLSearchParams(f.tokenRequests[0].body);
    expect(decodeProtectedHeader(form.get("client_assertion")!)).toEqual({
      alg: "ES256",
      kid: "ec-kid",
    });
    expect(form.get("scope")).toBe("okta.users.read");
  });

  it("uses a fresh jti for every token and sends no kid when none is known", async () => {
    const f = await fakeOkta((_r, res) => sendJson(res, 200, []));
    let clock = Date.now();
    const c = client(f, jwtAuth({ keyId: undefined }), { now: () => clock });
    await c.listGroups();
    clock += 3600_000; // expired
    await c.listGroups();
    const jtis = f.tokenRequests.map(
      (r) => decodeJwt(new URLSearchParams(r.body).get("client_assertion")!).jti,
    );
    expect(jtis).toHaveLength(2);
    expect(new Set(jtis).size).toBe(2);
    expect(
      decodeProtectedHeader(new URLSearchParams(f.tokenRequests[0].body).get("client_assertion")!),
    ).toEqual({
      alg: "RS256",
    });
  });

  it("caches the token until 60 s before expiry, and concurrent callers share one request", async () => {
    const f = await fakeOkta((_r, res) => sendJson(res, 200, user("00u1")));
    let clock = Date.now();
    const c = client(f, jwtAuth(), { now: () => clock });
    await Promise.all(Array.from({ length: 10 }, () => c.getUser("00u1")));
    expect(f.tokenRequests).toHaveLength(1);
    clock += 3600_000 - 61_000;
    await c.getUser("00u1");
    expect(f.tokenRequests).toHaveLength(1);
    clock += 2_000; // now inside the last minute
    await c.getUser("00u1");
    expect(f.tokenRequests).toHaveLength(2);
    const apiCalls = f.s.requests.filter((r) => r.url.startsWith("/api/"));
    expect(apiCalls.at(-1)!.headers.authorization).toBe(`Bearer ${f.issued[1]}`);
  });

  it("drops a token refused with 401 and retries once with a new one", async () => {
    const f = await fakeOkta((_r, res) => sendJson(res, 200, user("00u1")));
    const c = client(f);
    await c.getUser("00u1");
    f.revoked.add(f.issued[0]);
    expect((await c.getUser("00u1"))?.id).toBe("00u1");
    expect(f.tokenRequests).toHaveLength(2);
    // A second 401 with the new token is not retried again.
    f.revoked.add(f.issued[1]);
    f.revoked.add("at-3-" + "x".repeat(20));
    const err = await caught(c.getUser("00u1"));
    expect(err.code).toBe("ERR_OKTA_UNAUTHORIZED");
    expect(f.tokenRequests).toHaveLength(3);
  });

  it("retries a token request after 5xx with a new assertion", async () => {
    let n = 0;
    const f = await fakeOkta(
      (_r, res) => sendJson(res, 200, []),
      (_r, res) => (++n === 1 ? (sendJson(res, 503, { errorCode: "E0000009" }), true) : false),
    );
    await client(f).listGroups();
    expect(f.tokenRequests).toHaveLength(2);
    const [a, b] = f.tokenRequests.map((r) => new URLSearchParams(r.body).get("client_assertion"));
    expect(a).not.toBe(b);
  });

  const refusals: Array<[string, number, string, RegExp]> = [
    [
      "invalid_dpop_proof",
      400,
      "The DPoP proof JWT header is missing.",
      /the Okta app requires DPoP; AIM does not send DPoP proofs: turn off 'Require Demonstrating Proof of Possession \(DPoP\)/,
    ],
    [
      "invalid_scope",
      400,
      "One or more scopes are not configured",
      /grant them on the app's 'Okta API Scopes' tab/,
    ],
    [
      "invalid_client",
      401,
      "The client_assertion JWT kid is invalid.",
      /OKTA_KEY_ID \(kid\) names that key/,
    ],
    ["unauthorized_client", 400, "no", /'Client Credentials' grant type/],
  ];
  for (const [code, status, description, advice] of refusals) {
    it(`explains ${code} from the token endpoint`, async () => {
      const f = await fakeOkta(
        () => undefined,
        (_r, res) => (sendJson(res, status, { error: code, error_description: description }), true),
      );
      const err = (await caught(client(f).listUsers())) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect(err.code).toBe(status === 401 ? "ERR_OKTA_UNAUTHORIZED" : "ERR_OKTA_BAD_REQUEST");
      expect(err.serviceCode).toBe(code);
      expect(err.serviceMessage).toBe(description);
      expect(err.message).toMatch(/^Okta refused the token request for client 0oaclient \(/);
      expect(err.message).toMatch(advice);
      expect(f.tokenRequests).toHaveLength(1); // refusals are not retried
    });
  }

  it("refuses a DPoP-bound token with the same advice", async () => {
    const f = await fakeOkta(
      () => undefined,
      (_r, res) => (
        sendJson(res, 200, {
          token_type: "DPoP",
          access_token: "dpop-token-abcdefgh",
          expires_in: 3600,
        }),
        true
      ),
    );
    const err = await caught(client(f).listGroups());
    expect(err.code).toBe("ERR_OKTA_TOKEN");
    expect(err.message).toContain("turn off 'Require Demonstrating Proof of Possession (DPoP)");
  });

  it("explains 403 at the API (missing scope or admin role)", async () => {
    const f = await fakeOkta((_r, res) =>
      sendJson(res, 403, {
        errorCode: "E0000006",
        errorSummary: "You do not have permission to perform the requested action",
      }),
    );
    const err = (await caught(client(f).listUsers())) as HttpError;
    expect(err.code).toBe("ERR_OKTA_FORBIDDEN");
    expect(err.status).toBe(403);
    expect(err.message).toContain(
      `GET ${f.url}/api/v1/users?limit=200&filter=${ALL_USERS_FILTER} returned 403 (E0000006:`,
    );
    expect(err.message).toContain("assign Read-Only Administrator");
  });
});

describe("API token", () => {
  it("sends Authorization: SSWS and never asks for a token", async () => {
    const s = (server = await startTestServer((req, res) =>
      req.headers.authorization === "SSWS 00secret-api-token-value"
        ? sendJson(res, 200, [])
        : sendJson(res, 401, { errorCode: "E0000011", errorSummary: "Invalid token provided" }),
    ));
    await client(s, { kind: "apiToken", token: "00secret-api-token-value" }).listGroups();
    // Groups at the largest page Okta allows (10000), so a large org takes the fewest pages.
    expect(s.requests.map((r) => r.url)).toEqual(["/api/v1/groups?limit=10000"]);
    const err = await caught(
      client(s, { kind: "apiToken", token: "00wrong-token-value" }).listGroups(),
    );
    expect(err.code).toBe("ERR_OKTA_UNAUTHORIZED");
    expect(err.message).toContain("OKTA_API_TOKEN is invalid, expired or revoked");
    expect(err.message).not.toContain("00wrong-token-value");
  });
});

describe("listing", () => {
  /** Pages of `size` from `all`, with Okta-style opaque cursors. */
  function pager(all: Array<ReturnType<typeof user>>, size: number, base: () => string): Route {
    return (req, res) => {
      const u = new URL(req.url, "http://x");
      const after = u.searchParams.get("after");
      const start = after ? all.findIndex((x) => x.id === after) + 1 : 0;
      const page = all.slice(start, start + size);
      const links = [`<${base()}${u.pathname}?limit=${size}>; rel="self"`];
      if (start + size < all.length) {
        const next = new URL(`${base()}${u.pathname}`);
        for (const [k, v] of u.searchParams) if (k !== "after") next.searchParams.set(k, v);
        next.searchParams.set("after", page.at(-1)!.id);
        links.push(`<${next.toString()}>; rel="next"`);
      }
      sendJson(res, 200, page, { link: links.join(", ") });
    };
  }

  it("reads every status in one filtered pass (the plain list omits DEPROVISIONED), follows rel=next, dedupes by id, keeps only what planning uses", async () => {
    const all = Array.from({ length: 450 }, (_, i) =>
      user(`00u${String(i).padStart(4, "0")}`, i % 100 === 0 ? "DEPROVISIONED" : "ACTIVE"),
    );
    // A user on two pages (the list moved under the cursor) is kept once.
    all.splice(300, 0, all[3]);
    let base = "";
    const filtered = pager(all, 200, () => base);
    const plainPager = pager(
      all.filter((u) => u.status !== "DEPROVISIONED"),
      200,
      () => base,
    );
    const f = await fakeOkta((req, res) =>
      new URL(req.url, "http://x").searchParams.get("filter")
        ? filtered(req, res)
        : plainPager(req, res),
    );
    base = f.url;
    const pages: number[] = [];
    const c = client(f);
    const users = await c.listUsers({ onPage: (n) => pages.push(n) });
    expect(users).toHaveLength(450);
    expect(users.filter((u) => u.status === "DEPROVISIONED")).toHaveLength(5);
    expect(new Set(users.map((u) => u.id)).size).toBe(450);
    expect(Object.keys(users[1]).sort()).toEqual(["id", "lastUpdated", "profile", "status"]);
    expect(users[1].profile).toEqual({ login: all[1].profile.login, email: all[1].profile.email });
    expect(pages).toEqual([200, 399, 450]);
    const apiUrls = f.s.requests.filter((r) => r.url.startsWith("/api")).map((r) => r.url);
    expect(apiUrls[0]).toBe(`/api/v1/users?limit=200&filter=${ALL_USERS_FILTER}`);
    expect(apiUrls).toHaveLength(3);
    expect(c.http.stats.get("okta GET /api/v1/users")?.requests).toBe(3);

    const plain = await c.listUsers({ includeDeprovisioned: false });
    expect(plain).toHaveLength(445);
  });

  it("updatedSince asks for the users changed after that date, every status", async () => {
    const f = await fakeOkta((_req, res) => sendJson(res, 200, [user("00u0001", "DEPROVISIONED")]));
    const c = client(f);
    const changed = await c.listUsers({ updatedSince: "2026-03-01T10:00:00Z" });
    expect(changed.map((u) => u.status)).toEqual(["DEPROVISIONED"]);
    const apiUrls = f.s.requests.filter((r) => r.url.startsWith("/api")).map((r) => r.url);
    expect(apiUrls).toEqual([
      `/api/v1/users?limit=200&filter=${encodeURIComponent('lastUpdated gt "2026-03-01T10:00:00.000Z"')}`,
    ]);
    const notADate = await caught(c.listUsers({ updatedSince: "yesterday" }));
    expect(notADate.code).toBe("ERR_CONFIG");
    expect(notADate.message).toBe('updatedSince must be an ISO 8601 date; got "yesterday".');
    const both = await caught(
      c.listUsers({ updatedSince: "2026-03-01T10:00:00Z", includeDeprovisioned: false }),
    );
    expect(both.message).toContain("cannot be combined with includeDeprovisioned: false");
  });

  it("refuses a next link to another origin (it would carry the token)", async () => {
    const f = await fakeOkta((_r, res) =>
      sendJson(res, 200, [], {
        link: '<https://evil.example.com/api/v1/groups?after=x>; rel="next"',
      }),
    );
    const err = await caught(client(f).listGroups());
    expect(err.code).toBe("ERR_OKTA_PAGINATION");
    expect(err.message).toContain("another origin (https://evil.example.com)");
  });

  it("stops on a next link that repeats a page", async () => {
    let base = "";
    const f = await fakeOkta((_r, res) =>
      sendJson(res, 200, [], { link: `<${base}/api/v1/groups?limit=200>; rel="next"` }),
    );
    base = f.url;
    const err = await caught(client(f).listGroups());
    expect(err.code).toBe("ERR_OKTA_PAGINATION");
  });

  it("nextLink reads rel=next among several links", () => {
    expect(
      nextLink(
        '<https://a/x?after=1&limit=200>; rel="self", <https://a/x?after=2&limit=200>; rel="next"',
      ),
    ).toBe("https://a/x?after=2&limit=200");
    expect(nextLink('<https://a/x>; rel="self"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe("single objects and apps", () => {
  it("getUser/getGroup/getApp return undefined on 404; updateApp PUTs without fixture-only members", async () => {
    const app = {
      id: "0oaapp",
      name: "oidc_client",
      label: "AIM",
      signOnMode: "OPENID_CONNECT",
      credentials: {
        oauthClient: { client_id: "0oaapp", token_endpoint_auth_method: "private_key_jwt" },
      },
      settings: {
        oauthClient: {
          application_type: "service",
          grant_types: ["client_credentials"],
          response_types: ["token"],
        },
      },
    };
    const f = await fakeOkta((req, res) => {
      if (req.url === "/api/v1/apps/0oaapp" && req.method === "PUT")
        return sendJson(res, 200, JSON.parse(req.body));
      if (req.url === "/api/v1/apps/0oaapp") return sendJson(res, 200, { ...app, _links: {} });
      if (req.url === "/api/v1/apps/0oaapp/grants")
        return sendJson(res, 200, [
          { id: "oag1", scopeId: "okta.users.read", issuer: f.url },
          { id: "oag2", scopeId: "okta.groups.read", issuer: f.url },
        ]);
      if (req.url === "/oauth2/v1/clients/0oaapp/roles")
        return sendJson(res, 200, [
          { id: "r1", type: "READ_ONLY_ADMIN", status: "ACTIVE", assignmentType: "CLIENT" },
        ]);
      sendJson(res, 404, {
        errorCode: "E0000007",
        errorSummary: `Not found: Resource not found: ${req.url}`,
      });
    });
    const c = client(f);
    expect(await c.getUser("nobody@example.com")).toBeUndefined();
    expect(f.s.requests.at(-1)!.url).toBe("/api/v1/users/nobody%40example.com");
    expect(await c.getGroup("00gmissing")).toBeUndefined();
    expect(await c.getApp("0oamissing")).toBeUndefined();
    expect(await c.getApp("0oaapp")).toEqual(app);
    const updated = await c.updateApp("0oaapp", {
      ...app,
      grants: ["okta.users.read"],
      roles: ["READ_ONLY_ADMIN"],
    });
    expect(updated).toEqual(app);
    const put = f.s.requests.find((r) => r.method === "PUT")!;
    expect(JSON.parse(put.body)).toEqual(app);
    expect(await c.listAppGrants("0oaapp")).toEqual(["okta.users.read", "okta.groups.read"]);
    expect(await c.listClientRoles("0oaapp")).toEqual([
      { kind: "standard", id: "r1", type: "READ_ONLY_ADMIN", status: "ACTIVE" },
    ]);
    expect([...c.http.stats.keys()].sort()).toEqual([
      "okta GET /api/v1/apps/{id}",
      "okta GET /api/v1/apps/{id}/grants",
      "okta GET /api/v1/groups/{id}",
      "okta GET /api/v1/users/{id}",
      "okta GET /oauth2/v1/clients/{id}/roles",
      "okta POST /oauth2/v1/token",
      "okta PUT /api/v1/apps/{id}",
    ]);
  });

  it("testConnection reports each step", async () => {
    const f = await fakeOkta((req, res) =>
      req.url.startsWith("/api/v1/groups")
        ? sendJson(res, 403, { errorCode: "E0000006", errorSummary: "You do not have permission" })
        : sendJson(res, 200, [user("00u1")]),
    );
    const t = await client(f).testConnection();
    expect(t.ok).toBe(false);
    expect(t.steps.map((s) => [s.name, s.ok])).toEqual([
      ["token", true],
      ["read_user", true],
      ["read_group", false],
    ]);
    expect(t.steps[2].message).toContain("403");
  });
});

describe("configuration errors name the field and the fix", () => {
  const make =
    (orgUrl: string, auth: OktaAuth = jwtAuth()) =>
    () =>
      new OktaClient({ orgUrl, auth });
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    [
      "empty org URL",
      make(""),
      "OKTA_ORG_URL",
      /OKTA_ORG_URL is empty: give your Okta org URL, e\.g\. https:\/\/acme\.okta\.com/,
    ],
    [
      "unparseable org URL",
      make("acme.okta.com"),
      "OKTA_ORG_URL",
      /OKTA_ORG_URL is not a URL \("acme\.okta\.com"\): give your Okta org URL with its scheme/,
    ],
    [
      "admin URL",
      make("https://acme-admin.okta.com"),
      "OKTA_ORG_URL",
      /use the org URL without "-admin", e\.g\. https:\/\/acme\.okta\.com/,
    ],
    [
      "custom AS path",
      make("https://acme.okta.com/oauth2/default"),
      "OKTA_ORG_URL",
      /without a path \("\/oauth2\/default"\): use https:\/\/acme\.okta\.com; .* not \/oauth2\/default/,
    ],
    [
      "empty client id",
      make("https://acme.okta.com", jwtAuth({ clientId: " " })),
      "OKTA_CLIENT_ID",
      /OKTA_CLIENT_ID is empty: give the Client ID of the Okta API Services app/,
    ],
    [
      "garbage key",
      make("https://acme.okta.com", jwtAuth({ privateKey: "not a key" })),
      "OKTA_PRIVATE_KEY",
      /^OKTA_PRIVATE_KEY must be a PKCS#8 PEM \('-----BEGIN PRIVATE KEY-----'\) or a private JWK; it is neither/,
    ],
    [
      "truncated PEM",
      make("https://acme.okta.com", jwtAuth({ privateKey: rsaPem.slice(0, 300) })),
      "OKTA_PRIVATE_KEY",
      /^OKTA_PRIVATE_KEY must be a PKCS#8 PEM .* this PEM could not be read/,
    ],
    [
      "public key PEM",
      make(
        "https://acme.okta.com",
        jwtAuth({ privateKey: rsa.publicKey.export({ type: "spki", format: "pem" }).toString() }),
      ),
      "OKTA_PRIVATE_KEY",
      /this is a public key or certificate/,
    ],
    [
      "bad JSON",
      make("https://acme.okta.com", jwtAuth({ privateKey: "{kty: RSA" })),
      "OKTA_PRIVATE_KEY",
      /starts with "\{" but is not valid JSON/,
    ],
    [
      "public JWK",
      make(
        "https://acme.okta.com",
        jwtAuth({ privateKey: rsa.publicKey.export({ format: "jwk" }) as Record<string, unknown> }),
      ),
      "OKTA_PRIVATE_KEY",
      /this JWK has no private part \("d"\)/,
    ],
    [
      "empty scopes",
      make("https://acme.okta.com", jwtAuth({ scopes: [] })),
      "OKTA_SCOPES",
      /OKTA_SCOPES must be a non-empty list/,
    ],
    [
      "empty API token",
      make("https://acme.okta.com", { kind: "apiToken", token: "" }),
      "OKTA_API_TOKEN",
      /OKTA_API_TOKEN is empty/,
    ],
  ];
  for (const [name, fn, field, message] of cases) {
    it(name, async () => {
      const err = await caught(fn);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.code).toBe("ERR_CONFIG");
      expect(err.field).toBe(field);
      expect(err.message).toMatch(message);
    });
  }

  it("plain http only for loopback (ERR_INSECURE_URL naming OKTA_ORG_URL)", async () => {
    const err = await caught(make("http://acme.okta.com"));
    expect(err).toBeInstanceOf(InsecureUrlError);
    expect(err.code).toBe("ERR_INSECURE_URL");
    expect(err.message).toMatch(/^OKTA_ORG_URL must use https:\/\//);
    expect(new OktaClient({ orgUrl: "http://127.0.0.1:9/", auth: jwtAuth() }).orgUrl).toBe(
      "http://127.0.0.1:9",
    );
  });

  it("accepts PKCS#8 PEM, JWK object and JWK JSON; EC P-384 signs ES384", async () => {
    const jwk = (await exportJWK(rsa.privateKey)) as Record<string, unknown>;
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    for (const privateKey of [rsaPem, jwk, JSON.stringify(jwk), p384.toString()])
      expect(
        () => new OktaClient({ orgUrl: "https://acme.okta.com", auth: jwtAuth({ privateKey }) }),
      ).not.toThrow();
    const { parsePrivateKey } = await import("../../core/okta");
    expect(parsePrivateKey(p384.toString()).alg).toBe("ES384");
    const ed = generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const err = await caught(() => parsePrivateKey(ed));
    expect(err.message).toContain("of type RSA or EC (P-256/P-384/P-521); got ed25519");
  });
});
