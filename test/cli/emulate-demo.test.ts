/**
 * `emulate` in process (export lines, the key file's life, a fixture's own
 * app) and `demo`: duplicates appear without reconciliation and not with it,
 * for every linkable user and group.
 */
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderComparison, type DemoSummary, type LoginStats } from "../../cli/commands/demo";
import { smallTenant } from "../helpers/applyHarness";
import { aimApp } from "../helpers/fakeOkta";
import { runCli, tempDir } from "./helpers";

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("aimctl emulate (in process)", () => {
  it("prints export lines, then on abort closes and removes the key file", async () => {
    const stop = new AbortController();
    stop.abort(); // print, then stop at once (serving is covered below)
    const r = await runCli(["emulate", "--synthetic", "30", "--rate-limits", "off"], {
      signal: stop.signal,
    });
    expect(r.code).toBe(0);
    const names = [...r.stdout.matchAll(/^export (\w+)=/gm)].map((m) => m[1]);
    expect(names).toEqual([
      "OKTA_ORG_URL",
      "OKTA_CLIENT_ID",
      "OKTA_PRIVATE_KEY_FILE",
      "OKTA_API_TOKEN",
      "DATABRICKS_HOST",
      "DATABRICKS_ACCOUNT_ID",
      "DATABRICKS_CLIENT_ID",
      "DATABRICKS_CLIENT_SECRET",
    ]);
    const keyFile = /OKTA_PRIVATE_KEY_FILE='([^']+)'/.exec(r.stdout)?.[1] as string;
    expect(keyFile).toMatch(/okta-aim-private-key\.pem$/);
    expect(existsSync(keyFile)).toBe(false);
    expect(r.stderr).toMatch(
      /Okta API Services app "Databricks AIM" \(0oa\w+\) set up for AIM; private key in .* \(mode 0600\)/,
    );
    expect(r.stderr).toMatch(/Rate limits: off\./);
  });

  it("keeps a fixture's own service app (its key unknown unless given) and validates its options", async () => {
    const fixture = smallTenant(2);
    // A correctly set-up service app whose private key the emulator is not given.
    fixture.okta.apps.push(aimApp({ label: "Fixture AIM app" }));
    const dir = tempDir();
    const file = join(dir, "tenant.json");
    writeFileSync(file, JSON.stringify(fixture));
    const stop = new AbortController();
    stop.abort(); // print, then stop at once
    const r = await runCli(["emulate", "--fixture", "tenant.json", "--json"], {
      cwd: dir,
      signal: stop.signal,
    });
    expect(r.code).toBe(0);
    const creds = JSON.parse(r.stdout.split("\n")[0] as string);
    expect(creds.okta.clientId).toBe("0oaaimapp000000001");
    expect(creds.okta.privateKeyFile).toBeNull();
    expect(r.stderr).toMatch(
      /Using the fixture's API Services app "Fixture AIM app" .*pass --okta-private-key-file/,
    );

    const both = await runCli(["emulate", "--fixture", "x.json", "--synthetic", "5"]);
    expect(both.stderr).toMatch(
      /^aimctl: give exactly one tenant: --fixture FILE .* or --synthetic N/,
    );
    const limits = await runCli(["emulate", "--synthetic", "5", "--rate-limits", "fast"]);
    expect(limits.stderr).toMatch(/--rate-limits must be "realistic" .* or "off" \(got "fast"\)/);
    const badFixture = await runCli(["emulate", "--fixture", "/nonexistent.json"]);
    expect(badFixture.code).toBe(1);
    expect(badFixture.stderr).toMatch(
      /^aimctl: cannot read tenant fixture \/nonexistent\.json: ENOENT/,
    );
  });

  it("writes the key file with mode 0600 while serving", async () => {
    const stop = new AbortController();
    let first = "";
    const pending = runCli(["emulate", "--synthetic", "10", "--json", "--rate-limits", "off"], {
      signal: stop.signal,
      onStdout: (text) => {
        if (!first && text.includes("\n")) first = text.slice(0, text.indexOf("\n"));
      },
    });
    await until(() => first !== "");
    const key = JSON.parse(first).okta.privateKeyFile as string;
    expect(statSync(key).mode & 0o777).toBe(0o600);
    // Still serving: an unauthenticated Okta API call gets Okta's 401.
    const res = await fetch(`${JSON.parse(first).okta.orgUrl}/api/v1/users`);
    expect(res.status).toBe(401);
    stop.abort();
    const r = await pending;
    expect(r.code).toBe(0);
    expect(existsSync(key)).toBe(false);
  });
});

describe("aimctl demo", () => {
  it("shows duplicates without reconciliation and none with it, for every linkable identity", async () => {
    const r = await runCli(["demo", "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as DemoSummary;
    expect(s.tenant.oktaUsers).toBeGreaterThan(2000);
    expect(s.tenant.oktaGroups).toBeGreaterThan(200);
    // Without: every identity the plan would link gets a second identity at first login.
    expect(s.without.users.linkable).toBeGreaterThan(1000);
    expect(s.without.users.linkableDuplicated).toBe(s.without.users.linkable);
    expect(s.without.groups.linkableDuplicated).toBe(s.without.groups.linkable);
    expect(s.without.users.duplicatesCreated).toBeGreaterThan(0);
    // With: none of them does.
    expect(s.with.users.linkable).toBe(s.without.users.linkable);
    expect(s.with.users.linkableDuplicated).toBe(0);
    expect(s.with.groups.linkableDuplicated).toBe(0);
    expect(s.with.users.failed + s.without.users.failed).toBe(0);
    expect(s.with.apply.failed).toBe(0);
    expect(s.with.pendingAfterApply).toBe(0);
    expect(s.with.aimEnabled).toBe(true);
    // What remains is explained, code by code.
    expect(s.remainingFindings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["AMBIGUOUS_MATCH", "DUPLICATE_IDENTITY", "USERNAME_DRIFT"]),
    );
    for (const f of s.remainingFindings) expect(f.advice.length).toBeGreaterThan(20);
    // The narrative went to stderr and says which limits were raised.
    expect(r.stderr).toMatch(/Databricks PATCH 2\/s → 500\/s/);
    expect(r.stderr).toMatch(/Result: duplicate identities created by AIM at first login/);
    expect(r.stderr).toMatch(/Elapsed: /);
    console.log(
      `demo: ${(s.elapsedMs / 1000).toFixed(1)} s`,
      JSON.stringify({ without: s.without, with: { users: s.with.users, groups: s.with.groups } }),
    );
  });
});

describe("demo comparison table", () => {
  it("shows each count without and with reconciliation, then the findings and their advice", () => {
    const stats = (n: number): LoginStats => ({
      logins: 100 + n,
      linkable: 50,
      linkableDuplicated: n,
      duplicatesCreated: n + 1,
      newIdentities: n + 2,
      matchedExisting: 0,
      failed: 0,
    });
    const summary = {
      elapsedMs: 12_300,
      without: { users: stats(40), groups: stats(7) },
      with: { users: stats(0), groups: stats(3) },
      remainingFindings: [
        {
          code: "AMBIGUOUS_MATCH",
          count: 3,
          bySeverity: { error: 2, warning: 1, info: 0 },
          advice: "Give an override.",
        },
      ],
    } as unknown as DemoSummary;
    expect(renderComparison(summary).split("\n")).toEqual([
      "Result: duplicate identities created by AIM at first login",
      "                                                   without     with",
      "  linkable users given a duplicate at first login       40        0",
      "  linkable groups given a duplicate at first sync        7        3",
      "  all duplicate users created (any cause)               41        1",
      "  all duplicate groups created (any cause)               8        4",
      "  new users (no Databricks account before)              42        2",
      "  new groups (no Databricks group before)                9        5",
      "",
      "  Linkable = the 50 users and 50 groups the plan links. Duplicates left WITH reconciliation belong to identities the plan could not link safely: the findings below.",
      "",
      "Findings that remain (3), and what to do about each:",
      "  AMBIGUOUS_MATCH (2 error, 1 warning): Give an override.",
      "",
      "Elapsed: 12.3 s.",
    ]);
  });
});
