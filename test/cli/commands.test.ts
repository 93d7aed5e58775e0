/**
 * check, plan, apply and undo in process against both emulators: the exit
 * code contract of plan and check (0 nothing to do, 2 links pending, 3
 * blocked, 1 failed; cli/exitCodes.ts), byte-identical JSON plans in the
 * documented member order with their format and tool version, confirmation,
 * stale or unknown-format saved plans refused, the undo journal, enabling AIM
 * only when no unaccepted error finding remains, and no secret in any output.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TenantFixture } from "../../core/model/tenant";
import type { AimAdminApi } from "../../emulators/databricks";
import { startEmulatedTenant, type EmulatedTenant } from "../../cli/emulated";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { smallTenant, tenantWithAmbiguity } from "../helpers/applyHarness";
import { PACKAGE_VERSION, runCli, STACK_FRAME, tempDir, type CliRun } from "./helpers";

let tenant: EmulatedTenant | undefined;
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

/** `aimAdminApi`: the account serves the assumed AIM admin API ("on"); default: not, as a real one. */
async function start(
  fixture: TenantFixture,
  opts: { aimAdminApi?: AimAdminApi } = {},
): Promise<EmulatedTenant> {
  tenant = await startEmulatedTenant(fixture, {
    oktaRateLimits: "off",
    databricksRateLimits: "off",
    ...opts,
  });
  return tenant;
}

/** The AIM admin API's connection path on the emulated account, as the adapter line names it. */
const connectionPath = (t: EmulatedTenant) =>
  `/api/2.0/accounts/${t.databricks.accountId}/aim/okta/connection`;

function noSecrets(t: EmulatedTenant, ...runs: CliRun[]): void {
  const text = runs.map((r) => r.stdout + r.stderr).join("\n");
  expect(text).not.toContain(t.credentials.databricks.clientSecret);
  expect(text).not.toContain(t.credentials.okta.apiToken);
  const keyLine = readFileSync(t.credentials.okta.privateKeyFile as string, "utf8").split(
    "\n",
  )[5] as string;
  expect(text).not.toContain(keyLine);
}

describe("aimctl plan", () => {
  it("exit 2 with pending links; --json is the plan file, byte-identical across runs; --out saves it", async () => {
    const t = await start(smallTenant(6));
    const cwd = tempDir();
    const a = await runCli(["plan", "--json"], { env: t.env, cwd });
    const b = await runCli(["plan", "--json", "--out", "saved/plan.json"], { env: t.env, cwd });
    expect(a.code).toBe(2);
    expect(b.code).toBe(2);
    expect(a.stdout).toBe(b.stdout);
    expect(readFileSync(join(cwd, "saved/plan.json"), "utf8")).toBe(a.stdout);
    expect(readdirSync(join(cwd, "saved"))).toEqual(["plan.json"]); // no temp file left
    const plan = JSON.parse(a.stdout);
    expect(Object.keys(plan)).toEqual([
      "formatVersion",
      "toolVersion",
      "summary",
      "actions",
      "findings",
    ]);
    expect(plan.formatVersion).toBe(1);
    expect(plan.toolVersion).toBe(PACKAGE_VERSION);
    expect(Object.keys(plan.summary)).toEqual(["users", "groups", "servicePrincipals"]);
    expect(Object.keys(plan.summary.users)).toEqual([
      "link",
      "alreadyLinked",
      "conflict",
      "ambiguous",
      "duplicate",
      "unmatched",
    ]);
    expect(plan.summary.users).toEqual({
      link: 6,
      alreadyLinked: 2,
      conflict: 0,
      ambiguous: 0,
      duplicate: 0,
      unmatched: 1,
    });
    expect(plan.actions).toHaveLength(8);
    expect(Object.keys(plan.actions[0])).toEqual([
      "kind",
      "databricksId",
      "databricksName",
      "oktaId",
      "matchedBy",
      "previousExternalId",
    ]);
    expect(plan.findings).toEqual([]);
    expect(a.stdout.endsWith("}\n")).toBe(true);
    expect(a.stderr).toMatch(/Read 8 Okta users, 2 Okta groups, 9 Databricks users/);
    noSecrets(t, a, b);
  });

  it("human and Markdown output; exit 3 with error findings, the plan still printed", async () => {
    const t = await start(tenantWithAmbiguity());
    const human = await runCli(["plan"], { env: t.env });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(
      /^Plan: 6 identities to link \(users 4, groups 2, service principals 0\); 2 errors/,
    );
    expect(human.stdout).toContain("AMBIGUOUS_MATCH");
    expect(human.stdout).toMatch(
      /What to do about each finding:\n {2}AMBIGUOUS_MATCH \(1 error\): Several Okta identities match/,
    );
    const md = await runCli(["plan", "--markdown"], { env: t.env });
    expect(md.code).toBe(3);
    expect(md.stdout).toMatch(
      /^### Okta → Databricks AIM reconciliation plan\n\n\*\*Blocked:\*\* 2 error finding/,
    );
    const json = await runCli(["plan", "--json"], { env: t.env });
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).findings.map((f: { code: string }) => f.code)).toContain(
      "AMBIGUOUS_MATCH",
    );
    noSecrets(t, human, md, json);
  });

  it("--accept-findings: exit 2 only when every blocking code is accepted; unknown codes are refused (exit 1)", async () => {
    const t = await start(tenantWithAmbiguity());
    const one = await runCli(["plan", "--accept-findings", "AMBIGUOUS_MATCH"], { env: t.env });
    expect(one.code).toBe(3);
    expect(one.stdout).toContain("1 error finding(s) block enabling AIM");
    expect(one.stdout).toContain(
      "1 error finding(s) accepted (--accept-findings AMBIGUOUS_MATCH): they no longer block.",
    );
    const both = await runCli(
      ["plan", "--accept-findings", "ambiguous_match, OKTA_EMAIL_NOT_UNIQUE"],
      { env: t.env },
    );
    expect(both.code).toBe(2);
    expect(both.stdout).not.toContain("block enabling AIM");
    expect(both.stdout).toContain("AMBIGUOUS_MATCH (1 error)"); // still reported
    const typo = await runCli(["plan", "--accept-findings", "AMBIGUOUS"], { env: t.env });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(
      /^aimctl: --accept-findings names unknown finding code\(s\) AMBIGUOUS: use codes from AMBIGUOUS_MATCH, /m,
    );
    expect(typo.stdout).toBe("");
  });

  it("--base-rules plans the same read under other rules and shows the difference; a bad file stops before reading", async () => {
    const t = await start(tenantWithAmbiguity());
    const cwd = tempDir();
    writeFileSync(join(cwd, "new.json"), JSON.stringify({ exclude: { users: ["shared@*"] } }));
    writeFileSync(join(cwd, "old.json"), "{}");
    const r = await runCli(["plan", "--rules", "new.json", "--base-rules", "old.json"], {
      env: t.env,
      cwd,
    });
    expect(r.code).toBe(2); // the exit code follows the plan of --rules
    expect(r.stdout).toContain(
      "Compared with the base rules:\n  links to write  6 -> 6 (0 added, 0 no longer planned)\n  error findings  2 -> 0; findings: 1 new, 2 resolved\n",
    );
    expect(r.stderr.match(/^Read \d+ Okta users/gm)).toHaveLength(1); // one read, two plans

    writeFileSync(join(cwd, "bad.json"), JSON.stringify({ onConflict: "sometimes" }));
    const bad = await runCli(["plan", "--base-rules", "bad.json"], { env: t.env, cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^aimctl: --base-rules bad\.json: rules\.onConflict must be "report"/m,
    );
    expect(bad.stderr).not.toContain("Reading Okta");
  });

  it("keeps an Okta snapshot cache: the second plan asks Okta only for changed users; --no-okta-cache keeps nothing", async () => {
    const t = await start(generateTenant({ users: 50, seed: 2 }));
    const cwd = tempDir();
    const first = await runCli(["plan", "--json"], { env: t.env, cwd });
    expect(first.stderr).toMatch(
      /Okta: full read \(no cache at .*okta-snapshot-127\.0\.0\.1_\d+_\w+\.jsonl\)/,
    );
    const files = readdirSync(join(cwd, ".aimctl"));
    expect(files).toHaveLength(1);
    expect(statSync(join(cwd, ".aimctl", files[0])).mode & 0o777).toBe(0o600);
    const usersBefore = t.okta.counter.get("GET /api/v1/users");
    const second = await runCli(["plan", "--json"], { env: t.env, cwd });
    expect(second.stderr).toMatch(
      /Okta: incremental read, \d+ user\(s\) changed \(users changed since /,
    );
    expect(t.okta.counter.get("GET /api/v1/users") - usersBefore).toBe(1);
    expect(second.stdout).toBe(first.stdout);

    const other = tempDir();
    const off = await runCli(["plan", "--json", "--no-okta-cache"], { env: t.env, cwd: other });
    expect(off.stdout).toBe(first.stdout);
    expect(off.stderr).not.toContain("Okta: ");
    expect(existsSync(join(other, ".aimctl"))).toBe(false);

    const bad = await runCli(
      ["plan", "--okta-cache-max-age", "soon", "--okta-cache", "x.jsonl", "--no-okta-cache"],
      {
        env: t.env,
        cwd: other,
      },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '--okta-cache-max-age must be a duration above zero with a unit s, m, h or d, e.g. 30m or 24h (got "soon").',
    );
    expect(bad.stderr).toContain("--no-okta-cache and --okta-cache exclude each other");
  });

  it("exit 1 with a clear message when a service is unreachable", async () => {
    const t = await start(smallTenant(2));
    const env = { ...t.env, DATABRICKS_HOST: "http://127.0.0.1:9" };
    const r = await runCli(["plan"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aimctl: ERR_DATABRICKS_(NETWORK|TIMEOUT): /m);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    noSecrets(t, r);
  });
});

describe("aimctl apply and undo", () => {
  it("refuses without a terminal and without --yes; asks on a terminal", async () => {
    const t = await start(smallTenant(3));
    const before = JSON.stringify([...t.databricks.store.users.values()]);
    const r = await runCli(["apply"], { env: t.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refusing to write without confirmation: there is no terminal to ask on\. .* re-run with --yes/,
    );
    const no = await runCli(["apply"], { env: t.env, tty: ["n"] });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(
      /Write 5 externalId link\(s\) to Databricks account acc-apply-test\? Type "yes"/,
    );
    expect(JSON.stringify([...t.databricks.store.users.values()])).toBe(before);

    const cwd = tempDir();
    const yes = await runCli(["apply", "--write-rate", "200"], { env: t.env, tty: ["yes"], cwd });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/Applied 5 link\(s\), 0 already done, 0 skipped, 0 failed/);
    const journals = readdirSync(join(cwd, ".aimctl"));
    expect(journals).toEqual([expect.stringMatching(/^undo-\d{4}-\d\d-\d\dT[\d-]+Z\.jsonl$/)]);
    // The folder is the owner's alone, like the journals in it.
    expect(statSync(join(cwd, ".aimctl")).mode & 0o777).toBe(0o700);
    expect(statSync(join(cwd, ".aimctl", journals[0])).mode & 0o777).toBe(0o600);
  });

  it("--max-writes ends a backfill run cleanly with exit 2 (links still pending); the next run resumes and ends with 0", async () => {
    const t = await start(smallTenant(5)); // 7 links
    const cwd = tempDir();
    const args = ["apply", "--yes", "--write-rate", "200", "--max-writes", "3"];
    const first = await runCli(args, { env: t.env, cwd });
    expect(first.code).toBe(2);
    expect(first.stdout).toMatch(
      /Applied 3 link\(s\), 0 already done, 0 skipped, 0 failed, 4 not attempted/,
    );
    expect(first.stdout).toContain(
      "Stopped at the per-run bound (3 write(s) issued, the most allowed per run): 4 link(s) still pending. Run aimctl apply again to continue; it resumes from live state.",
    );
    expect(first.stdout).not.toContain("Not every action was applied");
    const plan = await runCli(["plan", "--json"], { env: t.env, cwd });
    expect((JSON.parse(plan.stdout) as { actions: unknown[] }).actions).toHaveLength(4);
    const second = await runCli(args, { env: t.env, cwd });
    expect(second.code).toBe(2);
    const last = await runCli(args, { env: t.env, cwd });
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(
      /Applied 1 link\(s\), 0 already done, 0 skipped, 0 failed, 0 not attempted/,
    );
    const bad = await runCli(["apply", "--yes", "--time-budget", "5"], { env: t.env, cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      "--time-budget must be a duration above zero with a unit s, m, h or d",
    );
  });

  it("apply exits 1 when a write answered success did not persist, naming the identity; the next plan still holds it", async () => {
    const t = await start(smallTenant(5));
    t.databricks.behaviour.configure({ dropWrites: [{ kind: "Users", ids: ["1002"] }] });
    const apply = await runCli(["apply", "--yes", "--write-rate", "200"], { env: t.env });
    expect(apply.code).toBe(1);
    expect(apply.stdout).toMatch(
      /failed user "user2@example\.com": ERR_WRITE_NOT_PERSISTED: user "user2@example\.com" \(1002\)/,
    );
    expect(apply.stdout).toMatch(/Write pace: settled at [\d.]+\/s \(asked 200\/s/);
    t.databricks.behaviour.configure({});
    const plan = await runCli(["plan", "--json"], { env: t.env });
    expect(plan.code).toBe(2);
    expect(
      (JSON.parse(plan.stdout) as { actions: Array<{ databricksId: string }> }).actions.map(
        (a) => a.databricksId,
      ),
    ).toEqual(["1002"]);
  });

  it("apply --yes writes every link (exit 0), a second plan is empty (exit 0), undo restores (exit 0)", async () => {
    const t = await start(smallTenant(5));
    const cwd = tempDir();
    const apply = await runCli(
      ["apply", "--yes", "--write-rate", "200", "--undo-file", "undo.jsonl"],
      {
        env: t.env,
        cwd,
      },
    );
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(
      /Applied 7 link\(s\), 0 already done, 0 skipped, 0 failed, 0 not attempted/,
    );
    expect(apply.stdout).toContain(`Undo journal: ${join(cwd, "undo.jsonl")}`);
    expect(apply.stderr).toMatch(/\[#{24}\] 100% 7\/7 · applied 7/); // the last progress line (no TTY)
    expect(t.databricks.store.users.get("1000")?.externalId).toBe("00u00000000000000000");

    const again = await runCli(["plan", "--json"], { env: t.env, cwd });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).actions).toEqual([]);
    const nothing = await runCli(["apply", "--yes"], { env: t.env, cwd });
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain("Nothing to apply");

    // Without a terminal, undo asks for --yes and writes nothing; a tampered journal is refused.
    const noTty = await runCli(["undo", "--file", "undo.jsonl"], { env: t.env, cwd });
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/refusing to write without confirmation: .* re-run with --yes/);
    expect(noTty.stderr).not.toMatch(/warning: AIM/); // AIM is off here
    const journal = readFileSync(join(cwd, "undo.jsonl"), "utf8");
    writeFileSync(
      join(cwd, "tampered.jsonl"),
      journal.replace('"previousExternalId":null', '"previousExternalId":"00u00000000000000009"'),
    );
    const tampered = await runCli(["undo", "--yes", "--file", "tampered.jsonl"], {
      env: t.env,
      cwd,
    });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/refusing .*tampered\.jsonl: line \d+ was altered/);
    expect(t.databricks.store.users.get("1000")?.externalId).toBe("00u00000000000000000");

    const undo = await runCli(["undo", "--yes", "--file", "undo.jsonl", "--write-rate", "200"], {
      env: t.env,
      cwd,
    });
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(
      /Restored 7 of 7 identit\(ies\), 0 already restored, 0 skipped, 0 failed/,
    );
    // While AIM may be on, undo says what restoring means for sign-in before writing.
    t.databricks.setAimEnabled(true);
    const warned = await runCli(["undo", "--yes", "--file", "undo.jsonl"], { env: t.env, cwd });
    t.databricks.setAimEnabled(false);
    expect(warned.stderr).toMatch(/warning: AIM may be on .* decides which Okta user signs in/);
    expect(t.databricks.store.users.get("1000")?.externalId ?? null).toBeNull();
    // "" counts as unset for matching, but undo gives it back as it was, not as absent.
    expect(t.databricks.store.users.get("1004")?.externalId).toBe("");
    const plan = await runCli(["plan"], { env: t.env, cwd });
    expect(plan.code).toBe(2);
    noSecrets(t, apply, again, undo, plan);
  });

  it("apply --plan refuses a plan of a format it does not know, naming formatVersion and the fix", async () => {
    const t = await start(smallTenant(2));
    const cwd = tempDir();
    expect((await runCli(["plan", "--out", "plan.json"], { env: t.env, cwd })).code).toBe(2);
    const saved = JSON.parse(readFileSync(join(cwd, "plan.json"), "utf8"));
    const before = JSON.stringify([...t.databricks.store.users.values()]);

    writeFileSync(
      join(cwd, "future.json"),
      JSON.stringify({ ...saved, formatVersion: 2, toolVersion: "9.0.0" }),
    );
    const future = await runCli(["apply", "--yes", "--plan", "future.json"], { env: t.env, cwd });
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(
      new RegExp(
        `^aimctl: --plan .*future\\.json has formatVersion 2 \\(written by aimctl 9\\.0\\.0\\), which this aimctl \\(${PACKAGE_VERSION.replace(/\./g, "\\.")}\\) reads plan format 1: run aimctl plan --out .*future\\.json again with this aimctl and apply that file, or apply it with the aimctl that wrote it\\.$`,
        "m",
      ),
    );

    const { formatVersion: _v, toolVersion: _t, ...unversioned } = saved;
    writeFileSync(join(cwd, "old.json"), JSON.stringify(unversioned));
    const old = await runCli(["apply", "--yes", "--plan", "old.json"], { env: t.env, cwd });
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^aimctl: --plan .*old\.json has no formatVersion \(/m);

    writeFileSync(join(cwd, "list.json"), "[]");
    const list = await runCli(["apply", "--yes", "--plan", "list.json"], { env: t.env, cwd });
    expect(list.stderr).toMatch(/^aimctl: --plan .*list\.json is not a plan \(a JSON object/m);

    // Refused before anything was read or written: no undo journal, no change.
    expect(existsSync(join(cwd, ".aimctl"))).toBe(false);
    expect(JSON.stringify([...t.databricks.store.users.values()])).toBe(before);
  });

  it("apply --plan FILE applies a plan that still matches, refuses one that no longer does", async () => {
    const t = await start(smallTenant(4));
    const cwd = tempDir();
    expect((await runCli(["plan", "--out", "plan.json"], { env: t.env, cwd })).code).toBe(2);
    // Someone links one user meanwhile: the saved plan is stale.
    t.databricks.store.users.get("1001")!.externalId = "00u00000000000000001";
    const stale = await runCli(["apply", "--yes", "--write-rate", "200", "--plan", "plan.json"], {
      env: t.env,
      cwd,
    });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(
      /aimctl: refusing to apply plan\.json: it no longer matches live state \(saved: 6 action\(s\), digest [0-9a-f]{12}; now: 5 action\(s\), digest [0-9a-f]{12}; 1 differ\)\. Run aimctl plan again/,
    );
    expect(existsSync(join(cwd, ".aimctl"))).toBe(false);
    expect((await runCli(["plan", "--out", "plan.json"], { env: t.env, cwd })).code).toBe(2);
    const fresh = await runCli(["apply", "--yes", "--write-rate", "200", "--plan", "plan.json"], {
      env: t.env,
      cwd,
    });
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toMatch(/The saved plan plan\.json still matches live state/);
    expect(fresh.stdout).toMatch(/Applied 5 link\(s\)/);
    const notAPlan = await runCli(["apply", "--yes", "--plan", "missing.json"], {
      env: t.env,
      cwd,
    });
    expect(notAPlan.stderr).toMatch(
      /^aimctl: --plan .*missing\.json cannot be read \(ENOENT\): give a file written by aimctl plan --out, unedited\./m,
    );
  });

  it("--enable-aim: refused while error findings remain, done once they are accepted", async () => {
    const t = await start(tenantWithAmbiguity(), { aimAdminApi: "on" });
    const cwd = tempDir();
    const refused = await runCli(["apply", "--yes", "--write-rate", "200", "--enable-aim"], {
      env: t.env,
      cwd,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Applied 6 link\(s\)/); // the safe links are written anyway
    // The default adapter, auto, found the admin API and says so.
    expect(refused.stdout).toContain(
      `AIM adapter: api (auto: GET ${connectionPath(t)} answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API)\n`,
    );
    expect(refused.stdout).toMatch(
      /AIM not enabled: 2 error finding\(s\) remain:\n {2}AMBIGUOUS_MATCH \(1\): Several Okta identities.*\n {2}OKTA_EMAIL_NOT_UNIQUE \(1\): .*\nResolve them and re-run, or accept them explicitly: --enable-aim --accept-findings AMBIGUOUS_MATCH,OKTA_EMAIL_NOT_UNIQUE/,
    );
    expect(t.databricks.store.aimEnabled).toBe(false);

    const accepted = await runCli(
      [
        "apply",
        "--yes",
        "--enable-aim",
        "--accept-findings",
        "ambiguous_match,OKTA_EMAIL_NOT_UNIQUE",
      ],
      { env: t.env, cwd },
    );
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/Nothing to apply/);
    // The refused run configured the connection (only enabling was refused): now it answers 200.
    expect(accepted.stdout).toContain(
      `AIM adapter: api (auto: GET ${connectionPath(t)} answered 200 with the configured connection, so this account has the AIM admin API)\n`,
    );
    expect(accepted.stdout).toMatch(/Connection test passed:\n {2}ok {3}token: /);
    expect(accepted.stdout).toMatch(
      /AIM enabled: connection configured, iamv2 probe says AIM is on/,
    );
    expect(t.databricks.store.aimEnabled).toBe(true);
    noSecrets(t, refused, accepted);
  });
  it("--enable-aim with the console adapter: runs the test, prints the clicks, never the key (exit 1)", async () => {
    const t = await start(smallTenant(2));
    const r = await runCli(
      ["apply", "--yes", "--write-rate", "200", "--enable-aim", "--aim-adapter", "console"],
      { env: t.env },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Connection test passed:/);
    expect(r.stdout).toMatch(
      /AIM not enabled by aimctl: the console adapter configures nothing remotely/,
    );
    expect(r.stdout).toMatch(/In the sidebar, click Security\./);
    expect(r.stdout).toContain(`Client ID ${t.credentials.okta.clientId}`);
    expect(r.stdout).toMatch(/Client Private key: the key from OKTA_PRIVATE_KEY_FILE=/);
    expect(r.stdout).toContain("AIM adapter: console (set explicitly)\n");
    expect(t.databricks.store.aimEnabled).toBe(false);
    noSecrets(t, r);
  });

  it("--enable-aim with the default adapter on an account without the admin API (as a real one today): the console path, and why", async () => {
    const t = await start(smallTenant(2));
    const r = await runCli(["apply", "--yes", "--write-rate", "200", "--enable-aim"], {
      env: t.env,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `AIM adapter: console (auto: GET ${connectionPath(t)} answered 404 ENDPOINT_NOT_FOUND, so this account has no AIM admin API; enter the values in the account console)\n`,
    );
    // The connection test ran here (the console path), then the values and clicks.
    expect(r.stdout).toMatch(/Connection test passed:\n {2}ok {3}token: /);
    expect(r.stdout).toMatch(
      /AIM not enabled by aimctl: the console adapter configures nothing remotely/,
    );
    expect(r.stdout).toContain(`Client ID ${t.credentials.okta.clientId}`);
    expect(t.databricks.store.connection).toBeUndefined();
    expect(t.databricks.store.aimEnabled).toBe(false);
    noSecrets(t, r);
  });

  it("--enable-aim: an answer auto cannot classify (500 after the retries) is an error naming it, never the console path", async () => {
    const t = await start(smallTenant(2), { aimAdminApi: "on" });
    t.databricks.faults.configure({
      script: [{ method: "GET", path: connectionPath(t), fault: "500", times: Infinity }],
    });
    const r = await runCli(["apply", "--yes", "--write-rate", "200", "--enable-aim"], {
      env: t.env,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Applied 4 link\(s\)/);
    expect(r.stdout).not.toMatch(/AIM adapter:|console adapter|Connection test/);
    expect(r.stderr).toContain(
      `ERR_AIM_ADAPTER_UNDECIDED: AIM adapter auto cannot tell whether Databricks account ${t.databricks.accountId} has the AIM admin API: GET ${connectionPath(t)} answered 500 INTERNAL_ERROR (An internal error occurred.) after the retries.`,
    );
    expect(r.stderr).toMatch(/set the adapter explicitly: "api" or "console"/);
    expect(t.databricks.store.aimEnabled).toBe(false);
    noSecrets(t, r);
  });
});

describe("aimctl check", () => {
  it("passes every app check with the admin token; the identity findings block it (exit 3)", async () => {
    const t = await start(tenantWithAmbiguity());
    const r = await runCli(["check", "--json"], { env: t.env });
    expect(r.code).toBe(3);
    const result = JSON.parse(r.stdout);
    const byId = Object.fromEntries(result.checks.map((c: { id: string }) => [c.id, c]));
    for (const id of [
      "okta.app.found",
      "okta.app.serviceType",
      "okta.app.clientAuth",
      "okta.app.signingKey",
      "okta.app.grants",
      "okta.app.adminRole",
      "okta.app.dpop",
      "aim.connectionTest",
    ])
      expect(byId[id], id).toMatchObject({ ok: true });
    expect(byId["tenant.usernameUnique"]).toMatchObject({ ok: false, severity: "error" });
    expect(result.ok).toBe(false);
    // The default adapter, auto, on an account without the admin API: console, and why.
    const why = `auto: GET ${connectionPath(t)} answered 404 ENDPOINT_NOT_FOUND, so this account has no AIM admin API; enter the values in the account console`;
    expect(result.aimAdapter).toEqual({ used: "console", requested: "auto", reason: why });
    expect(byId["aim.adapter"]).toMatchObject({
      ok: true,
      severity: "info",
      message: `AIM adapter: console (${why})`,
    });
    expect(byId["aim.connectionTest"].message).toMatch(/^connection test run from here passed/);
    const human = await runCli(["check"], { env: t.env });
    expect(human.stdout).toMatch(/^Preflight: BLOCKED — 1 error\(s\), 1 warning\(s\)/);
    const line = human.stdout.split("\n").find((l) => l.includes(" aim.adapter "));
    expect(line).toMatch(/^ {2}ok {4}aim\.adapter +AIM adapter: console \(auto: /);
    expect(line?.endsWith(`AIM adapter: console (${why})`)).toBe(true);
    expect(human.stdout).toMatch(
      /FAIL {2}tenant\.usernameUnique .*\n\s+fix: In Okta \(Directory → People\)/,
    );
    noSecrets(t, r, human);
  });

  it("a broader Okta admin role is a warning with its fix: check exits as without it, apply --enable-aim goes ahead", async () => {
    const t = await start(smallTenant(2), { aimAdminApi: "on" });
    t.okta.store.apps.get(t.app.id)!.roles = ["SUPER_ADMIN"];
    const r = await runCli(["check", "--json"], { env: t.env });
    expect(r.code).toBe(2); // links pending, nothing blocking: as with the Read-Only Admin role
    const result = JSON.parse(r.stdout);
    const role = result.checks.find((c: { id: string }) => c.id === "okta.app.adminRole");
    expect(role).toMatchObject({ ok: false, severity: "warning" });
    expect(role.fix).toMatch(
      /^Least privilege: Okta Admin Console → Applications → Applications → "Databricks AIM" → Admin roles → Edit assignments: Role "Read-Only Administrator", then Save Changes\. Then remove Super Administrator \(SUPER_ADMIN\) from the same Admin roles tab/,
    );
    expect(result.ok).toBe(true);
    const human = await runCli(["check"], { env: t.env });
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(
      /WARN {2}okta\.app\.adminRole +"Databricks AIM" reads users and groups through Super Administrator \(SUPER_ADMIN\) instead of the Read-Only Administrator role .*\n\s+fix: Least privilege: /,
    );
    const applied = await runCli(["apply", "--yes", "--write-rate", "200", "--enable-aim"], {
      env: t.env,
    });
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/AIM enabled: connection configured/);
    expect(t.databricks.store.aimEnabled).toBe(true);
    noSecrets(t, r, human, applied);
  });

  it("a custom role that cannot read groups blocks: check exit 3 naming what it lacks, apply does not enable", async () => {
    const t = await start(smallTenant(2));
    const clientId = t.app.credentials.oauthClient.client_id;
    t.okta.store.apps.get(t.app.id)!.roles = [];
    t.okta.assignCustomRole(clientId, { label: "users only", permissions: ["okta.users.read"] });
    const human = await runCli(["check"], { env: t.env });
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(
      /FAIL {2}okta\.app\.adminRole +"Databricks AIM" cannot read groups with its admin roles \(roles: custom role "users only" \(cr0\w+\): has none of okta\.groups\.read, okta\.groups\.manage\)/,
    );
    const applied = await runCli(["apply", "--yes", "--write-rate", "200", "--enable-aim"], {
      env: t.env,
    });
    // apply reads as AIM does (its own client): the group read itself is refused.
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(
      /aimctl: ERR_OKTA_FORBIDDEN: GET \S+\/api\/v1\/groups\?limit=10000 returned 403 .* or the app's admin roles do not allow it \(assign Read-Only Administrator under 'Admin roles'\)/,
    );
    expect(t.databricks.store.aimEnabled).toBe(false);
  });

  it("the adapter line: api where the account answers the admin API; an unclassifiable answer fails the check by name", async () => {
    const t = await start(smallTenant(2), { aimAdminApi: "on" });
    const r = await runCli(["check", "--json"], { env: t.env });
    const result = JSON.parse(r.stdout);
    const why = `auto: GET ${connectionPath(t)} answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API`;
    expect(result.aimAdapter).toEqual({ used: "api", requested: "auto", reason: why });
    const byId = Object.fromEntries(result.checks.map((c: { id: string }) => [c.id, c]));
    expect(byId["aim.adapter"]).toMatchObject({ ok: true, message: `AIM adapter: api (${why})` });
    expect(byId["aim.status"].message).toMatch(/\(api adapter\)/);

    t.databricks.faults.configure({
      script: [{ method: "GET", path: connectionPath(t), fault: "500", times: Infinity }],
    });
    const undecided = await runCli(["check", "--json"], { env: t.env });
    expect(undecided.code).toBe(3);
    const failed = JSON.parse(undecided.stdout);
    expect(failed.aimAdapter).toBeUndefined();
    const check = failed.checks.find((c: { id: string }) => c.id === "aim.adapter");
    expect(check).toMatchObject({ ok: false, severity: "error" });
    expect(check.message).toContain(
      `no AIM adapter chosen: ERR_AIM_ADAPTER_UNDECIDED: AIM adapter auto cannot tell whether Databricks account ${t.databricks.accountId} has the AIM admin API: GET ${connectionPath(t)} answered 500 INTERNAL_ERROR`,
    );
    expect(check.fix).toMatch(/set the AIM adapter explicitly: "api" or "console"/);
    noSecrets(t, r, undecided);
  });

  it("--accept-findings turns the identity checks it covers into warnings: exit 2 (links pending)", async () => {
    const t = await start(tenantWithAmbiguity());
    const r = await runCli(
      ["check", "--json", "--accept-findings", "AMBIGUOUS_MATCH,OKTA_EMAIL_NOT_UNIQUE"],
      { env: t.env },
    );
    expect(r.code).toBe(2);
    const result = JSON.parse(r.stdout);
    const unique = result.checks.find((c: { id: string }) => c.id === "tenant.usernameUnique");
    expect(unique).toMatchObject({ ok: false, severity: "warning" });
    expect(unique.message).toMatch(/\(accepted: AMBIGUOUS_MATCH, OKTA_EMAIL_NOT_UNIQUE\)$/);
    expect(result.ok).toBe(true);
    const pending = result.checks.find((c: { id: string }) => c.id === "plan.pendingLinks");
    expect(pending).toMatchObject({ ok: false, severity: "warning" });
    const partly = await runCli(["check", "--accept-findings", "AMBIGUOUS_MATCH"], { env: t.env });
    expect(partly.code).toBe(3);
  });

  it("credentials the service refuses are a failure of the tool (exit 1), not a finding", async () => {
    const t = await start(smallTenant(2));
    const env = { ...t.env, DATABRICKS_CLIENT_SECRET: "not-the-secret" };
    const r = await runCli(["check"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^aimctl: identity checks not run: reading failed: ERR_DATABRICKS_UNAUTHORIZED: /m,
    );
    noSecrets(t, r);
  });

  it("a clean tenant passes (exit 0) once its links are written (exit 2 before); without OKTA_API_TOKEN the app checks become warnings", async () => {
    const t = await start(smallTenant(3));
    const before = await runCli(["check"], { env: t.env });
    expect(before.code).toBe(2);
    expect(before.stdout).toMatch(/^Preflight: OK — 0 error\(s\), 1 warning\(s\)/);
    await runCli(["apply", "--yes", "--write-rate", "200"], { env: t.env });
    const ok = await runCli(["check"], { env: t.env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Preflight: OK — 0 error\(s\)/);
    const env = { ...t.env, OKTA_API_TOKEN: undefined };
    const noAdmin = await runCli(["check", "--json"], { env });
    expect(noAdmin.code).toBe(0);
    const result = JSON.parse(noAdmin.stdout);
    // The app checks that failed as errors are counted as warnings now (not runPreflight's counts).
    expect({ ok: result.ok, counts: result.counts }).toEqual({
      ok: true,
      counts: { errors: 0, warnings: 3, infos: 0 },
    });
    const found = result.checks.find((c: { id: string }) => c.id === "okta.app.found");
    expect(found).toMatchObject({ ok: false, severity: "warning" });
    expect(found.message).toMatch(/^not checked \(no OKTA_API_TOKEN/);
    expect(found.fix).toMatch(/Set OKTA_API_TOKEN/);
  });

  it("a DPoP-bound app fails the connection test with the console path of the fix", async () => {
    const t = await start(smallTenant(2));
    t.app.settings.oauthClient.dpop_bound_access_tokens = true;
    const r = await runCli(["check"], { env: t.env });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL {2}okta\.app\.dpop/);
    expect(r.stdout).toMatch(
      /Proof of possession: uncheck "Require Demonstrating Proof of Possession/,
    );
  });
});
