/**
 * Fidelity against real recorded Okta exchanges (reference/okta-recorded,
 * go-vcr YAML): the recorded users and groups are loaded into the emulator
 * along the recording's timeline, every recorded GET is replayed, and the
 * emulator's answer must equal the recorded one (body and Link header, with
 * the org URL substituted). App and role creation are replayed with the
 * recorded request bodies and compared field set by field set.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import yaml from "js-yaml";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import type { OktaGroup, OktaUser } from "../../core/model/tenant";
import { api, OKTA_ERROR_FIELDS } from "./okta-helpers";

/**
 * The recorded exchanges live in the steering repo's shared/ folder, which sits
 * beside this checkout (and beside CI's clone); OKTA_RECORDED_DIR overrides.
 */
const RECORDED_DIR = recordedDir();

function recordedDir(): string {
  const candidates = [
    process.env.OKTA_RECORDED_DIR,
    path.resolve(__dirname, "../../../shared/reference/okta-recorded"),
  ].filter((d): d is string => typeof d === "string" && d !== "");
  const found = candidates.find((d) => fs.existsSync(d));
  if (!found) {
    throw new Error(
      `Recorded Okta exchanges not found (looked in ${candidates.join(", ")}): ` +
        "put shared/ beside this checkout or set OKTA_RECORDED_DIR.",
    );
  }
  return found;
}
const RECORDED_ORG = "https://oie-00.dne-okta.com";

interface Interaction {
  id: number;
  request: { method: string; url: string; body: string };
  response: { code: number; body: string; headers: Record<string, string[]> };
}

function cassette(name: string): Interaction[] {
  const doc = yaml.load(fs.readFileSync(path.join(RECORDED_DIR, name), "utf8")) as {
    interactions: Interaction[];
  };
  return doc.interactions;
}

const haveRecordings = fs.existsSync(RECORDED_DIR);

/** The recursive field structure of a JSON value: keys (sorted) and the shape below each. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v === null) return null;
  if (typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}

function sortById<T>(v: T): T {
  if (!Array.isArray(v)) return v;
  return [...v].sort((a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1)) as T;
}

let em: OktaEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

/**
 * Replays a cassette's user/group traffic: objects created by POST enter the
 * store when the recording creates them, objects only ever read are the
 * initial fixture, DELETE deactivates then removes (Okta's two-step delete).
 */
async function replayDirectory(file: string, kind: "users" | "groups"): Promise<number> {
  const interactions = cassette(file);
  const prefix = `/api/v1/${kind}`;
  const created = new Set<string>();
  const latest = new Map<string, Record<string, unknown>>();
  for (const i of interactions) {
    if (!i.request.url.startsWith(`${RECORDED_ORG}${prefix}`) || i.response.code !== 200) continue;
    const body = JSON.parse(i.response.body) as unknown;
    for (const obj of Array.isArray(body) ? body : [body]) {
      const o = obj as Record<string, unknown>;
      if (i.request.method === "POST") created.add(o.id as string);
      if (!latest.has(o.id as string)) latest.set(o.id as string, o);
    }
  }
  const initial = [...latest.values()].filter((o) => !created.has(o.id as string));
  em = await startOktaEmulator({
    rateLimits: "off",
    fixture: {
      users: kind === "users" ? (initial as OktaUser[]) : [],
      groups: kind === "groups" ? (initial as OktaGroup[]) : [],
      apps: [],
    },
  });
  const sub = (s: string) => s.split(RECORDED_ORG).join(em!.url);
  let compared = 0;
  for (const i of interactions) {
    const url = i.request.url;
    if (!url.startsWith(`${RECORDED_ORG}${prefix}`)) continue;
    const reqPath = url.slice(RECORDED_ORG.length);
    if (i.request.method === "POST") {
      const obj = JSON.parse(i.response.body) as Record<string, unknown>;
      if (kind === "users") em.store.addUser(obj as OktaUser);
      else em.store.addGroup(obj as OktaGroup);
      continue;
    }
    if (i.request.method === "DELETE") {
      const id = reqPath.split("/").pop() as string;
      if (kind === "users") {
        const u = em.store.users.get(id);
        if (u && u.status !== "DEPROVISIONED") em.store.updateUser(id, { status: "DEPROVISIONED" });
        else em.store.removeUser(id);
      } else em.store.removeGroup(id);
      continue;
    }
    if (i.request.method !== "GET") continue;
    const res = await api(em.url, reqPath, `SSWS ${em.apiToken}`);
    const context = `${file} #${i.id} GET ${reqPath}`;
    expect(res.status, context).toBe(i.response.code);
    const expected = JSON.parse(sub(i.response.body)) as unknown;
    expect(sortById(res.body), context).toEqual(sortById(expected));
    const recordedLink = i.response.headers.Link;
    if (recordedLink) expect(res.headers.get("link"), context).toBe(sub(recordedLink.join(", ")));
    else expect(res.headers.get("link"), context).toBeNull();
    compared++;
  }
  return compared;
}

describe.skipIf(!haveRecordings)("Okta emulator fidelity to recorded exchanges", () => {
  it("replays the recorded user reads: same bodies, same Link headers", async () => {
    const compared = await replayDirectory("TestAccDataSourceOktaUsers_read.yaml", "users");
    expect(compared).toBeGreaterThan(20);
  });

  it("replays the recorded group reads: same bodies, same Link headers (none for q)", async () => {
    const compared = await replayDirectory("TestAccDataSourceOktaGroups_read.yaml", "groups");
    expect(compared).toBeGreaterThan(20);
  });

  it("creates service apps from the recorded request bodies with the recorded field sets", async () => {
    em = await startOktaEmulator({ rateLimits: "off" });
    const interactions = cassette("TestAccResourceOktaAppOauth_serviceWithJWKS.yaml");
    const creates = interactions.filter(
      (i) => i.request.method === "POST" && i.request.url.endsWith("/api/v1/apps?activate=true"),
    );
    expect(creates).toHaveLength(2); // one RSA, one EC
    for (const rec of creates) {
      const res = await api(em.url, "/api/v1/apps?activate=true", `SSWS ${em.apiToken}`, {
        method: "POST",
        body: JSON.parse(rec.request.body),
      });
      expect(res.status).toBe(rec.response.code);
      const recorded = JSON.parse(rec.response.body) as Record<string, unknown>;
      expect(shape(res.body)).toEqual(shape(recorded));
      const body = res.body as typeof recorded & {
        id: string;
        credentials: { oauthClient: { client_id: string } };
      };
      expect(body.id).toMatch(/^0oa[A-Za-z0-9]{17}$/);
      expect(body.credentials.oauthClient.client_id).toBe(body.id);
      // Keys echo the request (recorded: use null, EC crv null when not sent).
      type WithKeys = { oauthClient: { jwks: { keys: Array<Record<string, unknown>> } } };
      const keys = (body.settings as WithKeys).oauthClient.jwks.keys;
      const recordedKeys = (recorded.settings as WithKeys).oauthClient.jwks.keys;
      expect(keys.map(({ id: _id, ...k }) => k)).toEqual(
        recordedKeys.map(({ id: _id, ...k }) => k),
      );
      expect(keys[0].id).toMatch(/^pks[A-Za-z0-9]{17}$/);

      // A later GET returns the same shape (recorded #4/#5).
      const got = await api(em.url, `/api/v1/apps/${body.id}`, `SSWS ${em.apiToken}`);
      const recordedGet = interactions.find(
        (i) =>
          i.request.method === "GET" &&
          i.request.url.endsWith(`/api/v1/apps/${recorded.id as string}`),
      );
      expect(shape(got.body)).toEqual(shape(JSON.parse(recordedGet!.response.body)));
    }
  });

  it("assigns client roles with the recorded object (id = base32 of the type)", async () => {
    em = await startOktaEmulator({ rateLimits: "off" });
    const interactions = cassette("TestAccResourceOktaAppOAuthRoleAssignment_basic.yaml");
    const createApp = interactions[0];
    const app = await api(em.url, "/api/v1/apps?activate=true", `SSWS ${em.apiToken}`, {
      method: "POST",
      body: JSON.parse(createApp.request.body),
    });
    expect(shape(app.body)).toEqual(shape(JSON.parse(createApp.response.body)));
    const clientId = (app.body as { credentials: { oauthClient: { client_id: string } } })
      .credentials.oauthClient.client_id;
    const rolePosts = interactions.filter(
      (i) => i.request.method === "POST" && i.request.url.endsWith("/roles"),
    );
    expect(rolePosts.length).toBeGreaterThanOrEqual(2);
    for (const rec of rolePosts) {
      const res = await api(em.url, `/oauth2/v1/clients/${clientId}/roles`, `SSWS ${em.apiToken}`, {
        method: "POST",
        body: JSON.parse(rec.request.body),
      });
      const recorded = JSON.parse(rec.response.body) as Record<string, unknown>;
      expect(res.status).toBe(rec.response.code);
      expect(shape(res.body)).toEqual(shape(recorded));
      const {
        created: _c,
        lastUpdated: _l,
        _links,
        ...stable
      } = res.body as Record<string, unknown>;
      const { created: _rc, lastUpdated: _rl, _links: _rlinks, ...recordedStable } = recorded;
      expect(stable).toEqual(recordedStable);
      expect(_links).toEqual({ assignee: { href: `${em.url}/oauth2/v1/clients/${clientId}` } });
      const got = await api(
        em.url,
        `/oauth2/v1/clients/${clientId}/roles/${recorded.id as string}`,
        `SSWS ${em.apiToken}`,
      );
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
      const del = await api(
        em.url,
        `/oauth2/v1/clients/${clientId}/roles/${recorded.id as string}`,
        `SSWS ${em.apiToken}`,
        { method: "DELETE" },
      );
      expect(del.status).toBe(204);
    }
  });

  it("answers the provider's side calls (okta-organization, idToken settings) as recorded", async () => {
    em = await startOktaEmulator({ rateLimits: "off" });
    const interactions = cassette("TestAccResourceOktaAppOauth_groups_claim.yaml");
    const app = await api(em.url, "/api/v1/apps?activate=true", `SSWS ${em.apiToken}`, {
      method: "POST",
      body: JSON.parse(interactions[0].request.body),
    });
    const recordedApp = JSON.parse(interactions[0].response.body) as Record<string, unknown>;
    // A web app with client_secret_basic: the secret appears in the create response only.
    expect(shape(app.body)).toEqual(
      shape({
        ...recordedApp,
        universalLogout: (app.body as Record<string, unknown>).universalLogout,
      }),
    );
    const appId = (app.body as { id: string }).id;
    const org = await api(em.url, "/.well-known/okta-organization", undefined);
    expect(shape(org.body)).toEqual(shape(JSON.parse(interactions[2].response.body)));
    const post = await api(
      em.url,
      `/api/v1/internal/apps/${appId}/settings/oauth/idToken`,
      `SSWS ${em.apiToken}`,
      {
        method: "POST",
        body: JSON.parse(interactions[1].request.body),
      },
    );
    expect(post.body).toEqual(JSON.parse(interactions[1].response.body));
    const get = await api(
      em.url,
      `/api/v1/internal/apps/${appId}/settings/oauth/idToken`,
      `SSWS ${em.apiToken}`,
    );
    expect(get.body).toEqual({
      ...JSON.parse(interactions[6].response.body),
      issuer: em.url,
      audience: appId,
    });
    const read = await api(em.url, `/api/v1/apps/${appId}`, `SSWS ${em.apiToken}`);
    expect(
      (read.body as { credentials: { oauthClient: Record<string, unknown> } }).credentials
        .oauthClient,
    ).not.toHaveProperty("client_secret");
  });

  it("uses Okta's error body fields everywhere (401, 403, 404, 405, 429)", async () => {
    // The unauthenticated request counts against the bucket too.
    em = await startOktaEmulator({ rateLimits: { users: 2 } });
    const cases: Array<[string, string | undefined, string, number, string]> = [
      ["GET", undefined, "/api/v1/users", 401, "E0000011"],
      ["GET", `SSWS ${em.apiToken}`, "/api/v1/groups/00gnope", 404, "E0000007"],
      ["GET", `SSWS ${em.apiToken}`, "/api/v1/nothing-here", 404, "E0000008"],
      ["DELETE", `SSWS ${em.apiToken}`, "/api/v1/users", 405, "E0000022"],
      ["GET", `SSWS ${em.apiToken}`, "/api/v1/users", 200, ""],
      ["GET", `SSWS ${em.apiToken}`, "/api/v1/users", 429, "E0000047"],
    ];
    for (const [method, auth, p, status, code] of cases) {
      const res = await api(em.url, p, auth, { method });
      expect(res.status, `${method} ${p}`).toBe(status);
      if (!code) continue;
      expect(Object.keys(res.body as object).sort()).toEqual(OKTA_ERROR_FIELDS);
      expect(res.body).toMatchObject({ errorCode: code, errorLink: code, errorCauses: [] });
      expect((res.body as { errorId: string }).errorId).toMatch(/^oae[A-Za-z0-9]{22}$/);
    }
  });
});
