/**
 * The real binary in child processes: `emulate --json` prints its
 * credentials as the first stdout line, serves, and on SIGTERM closes and
 * removes the key file; `plan --json` against it is byte-identical across two
 * runs and the process exit code follows the plan (3 error findings, 2 pending,
 * 0 none; 1 the tool failed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EmulatorCredentials } from "../../cli/emulated";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "aimctl.js");
/** Nothing of the test runner's own OKTA_* / DATABRICKS_* environment leaks in. */
const BASE_ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };
/** Where the commands run: what they keep (.aimctl/: Okta snapshot cache) stays out of the checkout. */
const WORK = mkdtempSync(join(tmpdir(), "aimctl-subprocess-"));

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: WORK,
      env: { ...BASE_ENV, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on("exit", (code) => reject(new Error(`emulate exited ${code} before printing: ${err}`)));
  });
}

let emulator: ChildProcess | undefined;
afterAll(() => {
  if (emulator && emulator.exitCode === null) emulator.kill("SIGKILL");
  rmSync(WORK, { recursive: true, force: true });
});

describe("aimctl as a process", () => {
  it("emulate --json, plan --json twice (byte-identical, exit code by the plan), SIGTERM cleans up", async () => {
    emulator = spawn(
      process.execPath,
      [BIN, "emulate", "--synthetic", "80", "--seed", "3", "--json", "--rate-limits", "off"],
      { cwd: ROOT, env: BASE_ENV },
    );
    const line = await firstLine(emulator);
    const creds = JSON.parse(line) as EmulatorCredentials;
    expect(Object.keys(creds)).toEqual(["okta", "databricks"]);
    expect(Object.keys(creds.okta)).toEqual(["orgUrl", "clientId", "privateKeyFile", "apiToken"]);
    expect(Object.keys(creds.databricks)).toEqual([
      "host",
      "accountId",
      "clientId",
      "clientSecret",
    ]);
    expect(creds.okta.orgUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const keyFile = creds.okta.privateKeyFile as string;
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const env = {
      OKTA_ORG_URL: creds.okta.orgUrl,
      OKTA_CLIENT_ID: creds.okta.clientId,
      OKTA_PRIVATE_KEY_FILE: keyFile,
      DATABRICKS_HOST: creds.databricks.host,
      DATABRICKS_ACCOUNT_ID: creds.databricks.accountId,
      DATABRICKS_CLIENT_ID: creds.databricks.clientId,
      DATABRICKS_CLIENT_SECRET: creds.databricks.clientSecret,
    };
    const a = await run(["plan", "--json"], env);
    const b = await run(["plan", "--json"], env);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(b.stdout).toBe(a.stdout);
    const plan = JSON.parse(a.stdout) as {
      actions: unknown[];
      findings: Array<{ severity: string }>;
    };
    const expected = plan.findings.some((f) => f.severity === "error")
      ? 3
      : plan.actions.length > 0
        ? 2
        : 0;
    expect(a.code).toBe(expected);
    expect(b.code).toBe(expected);
    expect(a.stdout + a.stderr).not.toContain(creds.databricks.clientSecret);

    const missing = await run(["plan"], { DATABRICKS_HOST: creds.databricks.host });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^aimctl: OKTA_ORG_URL is not set/m);

    const exited = new Promise<number | null>((resolve) => emulator?.on("exit", resolve));
    emulator.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(keyFile)).toBe(false);
  });
});
