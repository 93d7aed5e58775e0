/**
 * One writer per Databricks account: a second apply while one is writing is
 * refused with the holder named and nothing written; a lock left behind is
 * refused until --break-lock removes it (or it goes stale).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockAccount } from "../../core/reconcile/accountLock";
import { startEmulatedTenant, type EmulatedTenant } from "../../cli/emulated";
import { smallTenant } from "../helpers/applyHarness";
import { runCli, tempDir } from "./helpers";

let tenant: EmulatedTenant | undefined;
afterEach(async () => {
  await tenant?.close();
  tenant = undefined;
});

describe("the account write lock", () => {
  it("refuses a second apply while the first writes, naming the holder; the first finishes alone", async () => {
    // PATCH at its realistic 2/s: the first apply writes for a few seconds.
    tenant = await startEmulatedTenant(smallTenant(8), {
      oktaRateLimits: "off",
      databricksRateLimits: { patch: 2 },
    });
    const env = { ...tenant.env, AIMCTL_LOCK_DIR: tempDir("aimctl-locks-") };
    const first = runCli(["apply", "--yes"], { env, cwd: tempDir() });
    // Wait until the first run is writing (its first externalId landed).
    const store = tenant.databricks.store;
    for (
      let i = 0;
      i < 200 && ![...store.users.values()].some((u) => u.id === "1000" && u.externalId);
      i++
    )
      await new Promise((r) => setTimeout(r, 50));
    const before = JSON.stringify([...store.users.values()]);
    const second = await runCli(["apply", "--yes"], { env, cwd: tempDir() });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /ERR_ACCOUNT_LOCKED: Databricks account acc-apply-test is being written by another aimctl run \(aimctl apply by pid \d+ on .+ since .+\)\. Wait for it to finish\. .*--break-lock/,
    );
    expect(second.stdout).not.toMatch(/Applied \d+ link/);
    const r1 = await first;
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/Applied 10 link\(s\), 0 already done, 0 skipped, 0 failed/);
    // The second wrote nothing: every change since is the first run's (10 links, each once).
    expect(before).not.toBe(JSON.stringify([...store.users.values()]));
  });

  it("refuses while a lock is left behind, and --break-lock removes it", async () => {
    tenant = await startEmulatedTenant(smallTenant(2), {
      oktaRateLimits: "off",
      databricksRateLimits: "off",
    });
    const dir = tempDir("aimctl-locks-");
    const env = { ...tenant.env, AIMCTL_LOCK_DIR: dir };
    // A run that took the lock and was killed before releasing it (not yet stale).
    await lockAccount(tenant.credentials.databricks.host, tenant.credentials.databricks.accountId, {
      command: "aimctl apply",
      dir,
    });
    const refused = await runCli(["apply", "--yes", "--write-rate", "200"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("ERR_ACCOUNT_LOCKED");
    const broken = await runCli(["apply", "--yes", "--break-lock", "--write-rate", "200"], {
      env,
    });
    expect(broken.code).toBe(0);
    expect(broken.stdout).toMatch(/Applied 4 link\(s\)/);
  });

  it("a lock left by a process of this machine that is gone is taken at once; one from another machine is not", async () => {
    const dir = tempDir("aimctl-locks-");
    const host = "https://accounts.cloud.databricks.com";
    const account = "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
    // A run that took the lock, then died without releasing it: its holder file names a pid that no longer exists.
    await lockAccount(host, account, { command: "pulumi up", dir });
    const info = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith(".json"))!,
    );
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const holder = JSON.parse(readFileSync(info, "utf8")) as Record<string, unknown>;

    writeFileSync(info, JSON.stringify({ ...holder, pid: dead, host: "another-machine" }));
    await expect(lockAccount(host, account, { command: "pulumi up", dir })).rejects.toThrow(
      /ERR_ACCOUNT_LOCKED|being written by another aimctl run/,
    );

    writeFileSync(info, JSON.stringify({ ...holder, pid: dead, host: hostname() }));
    const release = await lockAccount(host, account, { command: "pulumi up", dir });
    expect(JSON.parse(readFileSync(info, "utf8"))).toMatchObject({ pid: process.pid });
    await release();
  });
});
