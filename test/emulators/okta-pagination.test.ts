/**
 * Okta emulator listing: every user exactly once across `after` pages, the
 * recorded Link header form, DEPROVISIONED omitted from the plain list but
 * returned by filter/search, filters, groups paging, and 100,000 users
 * listed page by page in linear time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import type { OktaGroup, OktaUser, OktaUserStatus } from "../../core/model/tenant";
import { api } from "./okta-helpers";

let em: OktaEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

function users(n: number, statusOf: (i: number) => OktaUserStatus = () => "ACTIVE"): OktaUser[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `00u${String(i).padStart(17, "0")}`,
    status: statusOf(i),
    profile: {
      login: `user${i}@example.com`,
      email: `user${i}@example.com`,
      firstName: "U",
      lastName: `${i}`,
    },
    lastUpdated: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
  }));
}

const LINK_RE = /^<([^>]+)>; rel="(self|next)"$/;

function parseLinks(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(/,\s*(?=<)/)) {
    const m = LINK_RE.exec(part.trim());
    if (m) out[m[2]] = m[1];
  }
  return out;
}

/** Follows rel="next" from `path` to the end; returns ids and the number of pages. */
async function listAll(
  e: OktaEmulator,
  path: string,
): Promise<{ ids: string[]; pages: number; links: string[] }> {
  const ids: string[] = [];
  const links: string[] = [];
  let url: string | undefined = `${e.url}${path}`;
  let pages = 0;
  while (url) {
    const res = await api(e.url, url.slice(e.url.length), `SSWS ${e.apiToken}`);
    expect(res.status).toBe(200);
    pages++;
    links.push(res.headers.get("link") ?? "");
    for (const u of res.body as Array<{ id: string }>) ids.push(u.id);
    url = parseLinks(res.headers.get("link")).next;
  }
  return { ids, pages, links };
}

describe("Okta emulator user pagination", () => {
  it("returns every non-deprovisioned user exactly once across pages, with recorded Link forms", async () => {
    const all = users(1050, (i) =>
      i % 10 === 3 ? "DEPROVISIONED" : i % 10 === 5 ? "STAGED" : "ACTIVE",
    );
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    const { ids, pages, links } = await listAll(em, "/api/v1/users");
    const expected = all.filter((u) => u.status !== "DEPROVISIONED").map((u) => u.id);
    expect(ids).toHaveLength(expected.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(pages).toBe(Math.ceil(expected.length / 200));

    // First page: self then next, exactly `<{org}/api/v1/users?after=…&limit=200>; rel="next"`.
    const first = links[0];
    expect(first).toMatch(
      new RegExp(
        `^<${em.url}/api/v1/users\\?limit=200>; rel="self", <${em.url}/api/v1/users\\?after=00u\\d{17}&limit=200>; rel="next"$`,
      ),
    );
    const second = links[1];
    expect(second).toMatch(
      new RegExp(`^<${em.url}/api/v1/users\\?after=00u\\d{17}&limit=200>; rel="self", `),
    );
    // Last page: only self.
    expect(links[links.length - 1]).toMatch(/^<[^>]+>; rel="self"$/);
  });

  it("honours limit (max 200) and rejects a non-numeric limit with E0000001", async () => {
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: users(450), groups: [], apps: [] },
    });
    const small = await api(em.url, "/api/v1/users?limit=7", `SSWS ${em.apiToken}`);
    expect(small.body).toHaveLength(7);
    expect(parseLinks(small.headers.get("link")).next).toMatch(/after=00u\d{17}&limit=7$/);
    const big = await api(em.url, "/api/v1/users?limit=1000", `SSWS ${em.apiToken}`);
    expect(big.body).toHaveLength(200);
    const bad = await api(em.url, "/api/v1/users?limit=abc", `SSWS ${em.apiToken}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorCode: "E0000001" });
  });

  it("returns DEPROVISIONED users to filter=status eq and to search", async () => {
    const all = users(30, (i) => (i < 4 ? "DEPROVISIONED" : "ACTIVE"));
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    const filter = encodeURIComponent('status eq "DEPROVISIONED"');
    const f = await api(em.url, `/api/v1/users?filter=${filter}`, `SSWS ${em.apiToken}`);
    expect((f.body as OktaUser[]).map((u) => u.id)).toEqual(all.slice(0, 4).map((u) => u.id));
    // Self link keeps limit first, then the filter, encoded as recorded (+ and %22).
    expect(f.headers.get("link")).toBe(
      `<${em.url}/api/v1/users?limit=200&filter=status+eq+%22DEPROVISIONED%22>; rel="self"`,
    );
    const s = await api(
      em.url,
      `/api/v1/users?search=${encodeURIComponent('profile.email sw "user1"')}`,
      `SSWS ${em.apiToken}`,
    );
    expect((s.body as OktaUser[]).map((u) => u.profile.login).sort()).toEqual(
      [
        "user1@example.com",
        ...Array.from({ length: 10 }, (_, i) => `user1${i}@example.com`),
      ].sort(),
    );
    const plain = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    expect((plain.body as OktaUser[]).some((u) => u.status === "DEPROVISIONED")).toBe(false);
  });

  it("supports id, profile.login, profile.email, lastUpdated gt and and/or; refuses unsupported filters", async () => {
    const all = users(20);
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    const q = async (expr: string) =>
      api(em!.url, `/api/v1/users?filter=${encodeURIComponent(expr)}`, `SSWS ${em!.apiToken}`);
    const ids = async (expr: string) => ((await q(expr)).body as OktaUser[]).map((u) => u.id);
    expect(await ids(`id eq "${all[3].id}"`)).toEqual([all[3].id]);
    // filter values compare case-sensitively (Okta's API reference); search values do not.
    expect(await ids('profile.login eq "user4@example.com"')).toEqual([all[4].id]);
    expect(await ids('profile.login eq "USER4@example.com"')).toEqual([]);
    const searched = await api(
      em.url,
      `/api/v1/users?search=${encodeURIComponent('profile.login eq "USER4@example.com"')}`,
      `SSWS ${em.apiToken}`,
    );
    expect((searched.body as OktaUser[]).map((u) => u.id)).toEqual([all[4].id]);
    expect(
      await ids('profile.email eq "user5@example.com" or profile.email eq "user6@example.com"'),
    ).toEqual([all[5].id, all[6].id]);
    expect(await ids(`lastUpdated gt "${all[17].lastUpdated}"`)).toEqual([all[18].id, all[19].id]);
    expect(await ids(`status eq "ACTIVE" and lastUpdated gt "${all[18].lastUpdated}"`)).toEqual([
      all[19].id,
    ]);
    for (const bad of [
      'profile.login sw "user"',
      'nickName eq "x"',
      'status eq "ACTIVE" and',
      '"x"',
    ]) {
      const res = await q(bad);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        errorCode: "E0000031",
        errorSummary: "Invalid search criteria.",
      });
    }
  });

  it("refuses ne in search (it has none) and keeps it in neither filter", async () => {
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: users(3), groups: [], apps: [] },
    });
    for (const param of ["search", "filter"]) {
      const res = await api(
        em.url,
        `/api/v1/users?${param}=${encodeURIComponent('status ne "ACTIVE"')}`,
        `SSWS ${em.apiToken}`,
      );
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ errorCode: "E0000031" });
    }
    const ok = await api(
      em.url,
      `/api/v1/users?search=${encodeURIComponent('status eq "ACTIVE"')}`,
      `SSWS ${em.apiToken}`,
    );
    expect(ok.body).toHaveLength(3);
  });

  it("serves 10 users to q by default (200 without q)", async () => {
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: users(30), groups: [], apps: [] },
    });
    const ssws = `SSWS ${em.apiToken}`;
    expect((await api(em.url, "/api/v1/users?q=user", ssws)).body).toHaveLength(10);
    expect((await api(em.url, "/api/v1/users?q=user&limit=25", ssws)).body).toHaveLength(25);
    expect((await api(em.url, "/api/v1/users", ssws)).body).toHaveLength(30);
  });

  it("finds a user by id or login, 404 E0000007 otherwise", async () => {
    const all = users(3);
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    expect(
      (await api(em.url, `/api/v1/users/${all[1].id}`, `SSWS ${em.apiToken}`)).body,
    ).toMatchObject({
      id: all[1].id,
    });
    expect(
      (await api(em.url, "/api/v1/users/user2@example.com", `SSWS ${em.apiToken}`)).body,
    ).toMatchObject({
      id: all[2].id,
    });
    const missing = await api(em.url, "/api/v1/users/00uMISSING", `SSWS ${em.apiToken}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      errorCode: "E0000007",
      errorSummary: "Not found: Resource not found: 00uMISSING (User)",
      errorLink: "E0000007",
      errorCauses: [],
    });
  });

  it("keeps the cursor valid when users are added and removed between pages", async () => {
    const all = users(500);
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    const first = await api(em.url, "/api/v1/users", `SSWS ${em.apiToken}`);
    const next = parseLinks(first.headers.get("link")).next;
    const lastOfFirst = (first.body as OktaUser[])[199].id;
    em.store.removeUser(lastOfFirst); // the cursor's own user disappears
    em.store.addUser({
      id: "00uzzzzzzzzzzzzzzzzz",
      status: "ACTIVE",
      profile: { login: "new@x.io", email: "new@x.io" },
    });
    const rest = await listAll(em, next.slice(em.url.length));
    expect(rest.ids[0]).toBe(all[200].id);
    expect(rest.ids).toHaveLength(301);
    expect(rest.ids[rest.ids.length - 1]).toBe("00uzzzzzzzzzzzzzzzzz");
  });

  it("lists 100,000 users page by page, each exactly once", async () => {
    const all = users(100_000);
    const t0 = performance.now();
    em = await startOktaEmulator({
      rateLimits: "off",
      fixture: { users: all, groups: [], apps: [] },
    });
    const loaded = performance.now();
    em.counter.reset();
    const { ids, pages } = await listAll(em, "/api/v1/users");
    const listed = performance.now();
    expect(ids).toHaveLength(100_000);
    expect(new Set(ids).size).toBe(100_000);
    expect(pages).toBe(500);
    expect(em.counter.get("GET /api/v1/users")).toBe(500);
    console.log(
      `okta emulator: loaded 100k users in ${(loaded - t0).toFixed(0)} ms, listed 500 pages in ${(listed - loaded).toFixed(0)} ms`,
    );
  });
});

describe("Okta emulator group listing", () => {
  const groups: OktaGroup[] = [
    {
      id: "00g00000000000000001",
      type: "BUILT_IN",
      profile: { name: "Everyone", description: "All users" },
    },
    ...Array.from({ length: 25 }, (_, i) => ({
      id: `00g1${String(i).padStart(16, "0")}`,
      type: (i % 5 === 0 ? "APP_GROUP" : "OKTA_GROUP") as OktaGroup["type"],
      profile: { name: `team-${i}`, description: null },
    })),
  ];

  it("pages groups with after/limit and Link headers, default limit 10000", async () => {
    em = await startOktaEmulator({ rateLimits: "off", fixture: { users: [], groups, apps: [] } });
    const all = await api(em.url, "/api/v1/groups", `SSWS ${em.apiToken}`);
    expect(all.body).toHaveLength(26);
    expect(all.headers.get("link")).toBe(`<${em.url}/api/v1/groups?limit=10000>; rel="self"`);
    const { ids, pages } = await listAll(em, "/api/v1/groups?limit=10");
    expect(pages).toBe(3);
    expect(ids).toEqual(groups.map((g) => g.id));
  });

  it("moves lastMembershipUpdated, not lastUpdated, when members are added or removed", async () => {
    let clock = Date.UTC(2026, 0, 1);
    em = await startOktaEmulator({
      rateLimits: "off",
      now: () => clock,
      fixture: { users: users(2), groups, apps: [] },
    });
    const ssws = `SSWS ${em.apiToken}`;
    const team = groups[2];
    const before = (await api(em.url, `/api/v1/groups/${team.id}`, ssws)).body as OktaGroup;
    clock += 3_600_000;
    const user = "00u00000000000000001";
    const put = await api(em.url, `/api/v1/groups/${team.id}/users/${user}`, ssws, {
      method: "PUT",
    });
    expect(put.status).toBe(204);
    const after = (await api(em.url, `/api/v1/groups/${team.id}`, ssws)).body as OktaGroup;
    expect(after.lastUpdated).toBe(before.lastUpdated);
    expect(after.lastMembershipUpdated).toBe(new Date(clock).toISOString());
    expect(after.lastMembershipUpdated).not.toBe(before.lastMembershipUpdated);
    const members = await api(em.url, `/api/v1/groups/${team.id}/users`, ssws);
    expect((members.body as OktaUser[]).map((u) => u.id)).toEqual([user]);
    // The change is visible to the filter a sync uses.
    const changed = await api(
      em.url,
      `/api/v1/groups?filter=${encodeURIComponent(`lastMembershipUpdated gt "${before.lastMembershipUpdated}"`)}`,
      ssws,
    );
    expect((changed.body as OktaGroup[]).map((g) => g.id)).toEqual([team.id]);
    clock += 60_000;
    const del = await api(em.url, `/api/v1/groups/${team.id}/users/${user}`, ssws, {
      method: "DELETE",
    });
    expect(del.status).toBe(204);
    const removed = (await api(em.url, `/api/v1/groups/${team.id}`, ssws)).body as OktaGroup;
    expect(removed.lastUpdated).toBe(before.lastUpdated);
    expect(removed.lastMembershipUpdated).toBe(new Date(clock).toISOString());
    // Okta keeps the members of Everyone (BUILT_IN) itself.
    const everyone = await api(em.url, `/api/v1/groups/${groups[0].id}/users/${user}`, ssws, {
      method: "PUT",
    });
    expect(everyone.status).toBe(400);
  });

  it("filters by type and id, looks up by q without a Link header, 404 for a missing group", async () => {
    em = await startOktaEmulator({ rateLimits: "off", fixture: { users: [], groups, apps: [] } });
    const builtIn = await api(
      em.url,
      `/api/v1/groups?filter=${encodeURIComponent('type eq "BUILT_IN"')}&limit=200`,
      `SSWS ${em.apiToken}`,
    );
    expect((builtIn.body as OktaGroup[]).map((g) => g.profile.name)).toEqual(["Everyone"]);
    expect(builtIn.headers.get("link")).toBe(
      `<${em.url}/api/v1/groups?limit=200&filter=type+eq+%22BUILT_IN%22>; rel="self"`,
    );
    const byId = await api(
      em.url,
      `/api/v1/groups?filter=${encodeURIComponent(`id eq "${groups[3].id}"`)}`,
      `SSWS ${em.apiToken}`,
    );
    expect((byId.body as OktaGroup[]).map((g) => g.id)).toEqual([groups[3].id]);
    const q = await api(em.url, "/api/v1/groups?limit=200&q=team-1", `SSWS ${em.apiToken}`);
    expect((q.body as OktaGroup[]).length).toBe(11);
    expect(q.headers.get("link")).toBeNull();
    const missing = await api(em.url, "/api/v1/groups/00gMISSING", `SSWS ${em.apiToken}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      errorCode: "E0000007",
      errorSummary: "Not found: Resource not found: 00gMISSING (UserGroup)",
    });
  });
});
