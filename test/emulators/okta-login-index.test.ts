/**
 * The Okta emulator's look-up by login (GET /api/v1/users/{login}) uses an
 * index since the benchmark's scripted approach makes one per user; these
 * check that the index follows every change a scan would have seen.
 */
import { describe, expect, it } from "vitest";
import { OktaStore } from "../../emulators/okta";

function store(): OktaStore {
  const s = new OktaStore();
  s.loadFixture({
    users: [
      { id: "00u1", status: "ACTIVE", profile: { login: "Ann@Example.com", email: "ann@x.io" } },
      { id: "00u2", status: "ACTIVE", profile: { login: "bob@example.com", email: "bob@x.io" } },
    ],
    groups: [],
    apps: [],
  });
  return s;
}

describe("OktaStore.findUser by login", () => {
  it("finds by id, and by login case-insensitively", () => {
    const s = store();
    expect(s.findUser("00u2")?.profile.login).toBe("bob@example.com");
    expect(s.findUser("ann@example.COM")?.id).toBe("00u1");
    expect(s.findUser("nobody@example.com")).toBeUndefined();
  });

  it("follows added, renamed and removed users", () => {
    const s = store();
    expect(s.findUser("carol@example.com")).toBeUndefined();
    s.addUser({ id: "00u3", profile: { login: "carol@example.com", email: "c@x.io" } });
    expect(s.findUser("CAROL@example.com")?.id).toBe("00u3");
    s.updateUser("00u1", { profile: { login: "ann.new@example.com" } });
    expect(s.findUser("ann@example.com")).toBeUndefined();
    expect(s.findUser("ann.new@example.com")?.id).toBe("00u1");
    s.removeUser("00u2");
    expect(s.findUser("bob@example.com")).toBeUndefined();
  });

  it("finds each of 100,000 users by login (speed: npm run bench)", () => {
    const s = new OktaStore();
    const n = 100_000;
    s.loadFixture({
      users: Array.from({ length: n }, (_, i) => ({
        id: `00u${String(i).padStart(17, "0")}`,
        status: "ACTIVE" as const,
        profile: { login: `user${i}@example.com`, email: `user${i}@example.com` },
      })),
      groups: [],
      apps: [],
    });
    let found = 0;
    for (let i = 0; i < n; i++) if (s.findUser(`USER${i}@example.com`)) found++;
    expect(found).toBe(n);
  });
});
