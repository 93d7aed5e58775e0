/**
 * The bad-input corpus (issue 12.5): inputs that used to get through, crash,
 * hang or mislead. Every case must exit 1 with one line that names the input
 * and says what to do, print no secret, and write nothing (no file in the
 * working directory, no write to the emulated account). The counts (tried /
 * clear / crashed / wrote) are printed at the end. Emulators on loopback; no
 * case reaches them except to be refused first.
 */
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatedTenant, type EmulatedTenant } from "../../cli/emulated";
import { smallTenant } from "../helpers/applyHarness";
import { runCli, STACK_FRAME, tempDir, PACKAGE_VERSION } from "./helpers";

const PASSWORD = "hunter2pw";

interface Case {
  name: string;
  argv: string[];
  env?: (t: EmulatedTenant) => Record<string, string>;
  setup?: (cwd: string) => void;
  /** What the one line must name (the input) and say (the fix). */
  names: RegExp;
  fix: RegExp;
}

const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

const summary = () => {
  const k = { link: 0, alreadyLinked: 0, conflict: 0, ambiguous: 0, duplicate: 0, unmatched: 0 };
  return { users: k, groups: k, servicePrincipals: k };
};
const planFile = (doc: Record<string, unknown>) => (cwd: string) =>
  writeFileSync(
    join(cwd, "p.json"),
    JSON.stringify({
      formatVersion: 1,
      toolVersion: PACKAGE_VERSION,
      summary: summary(),
      actions: [],
      findings: [],
      ...doc,
    }),
  );
const configFile = (text: string) => (cwd: string) => writeFileSync(join(cwd, "c.json"), text);
const withCredentials = (url: string) => url.replace("://", `://admin:${PASSWORD}@`);

const CASES: Case[] = [
  // Workspace URLs as the accounts host: refused before any request (was 6 retries and EAI_AGAIN).
  ...[
    ["dbc-a1b2c3d4-e5f6.cloud.databricks.com", "accounts.cloud.databricks.com"],
    ["adb-1234567890123456.7.azuredatabricks.net", "accounts.azuredatabricks.net"],
    ["1234567890123456.7.gcp.databricks.com", "accounts.gcp.databricks.com"],
  ].map(([ws, accounts]): Case => ({
    name: `workspace URL ${ws}`,
    argv: ["plan"],
    env: () => ({ DATABRICKS_HOST: `https://${ws}` }),
    names: /DATABRICKS_HOST .*is a workspace URL/,
    fix: new RegExp(`use the accounts host .*https://${accounts!.replace(/\./g, "\\.")}`),
  })),
  {
    name: "accounts host with ?o=123",
    argv: ["plan"],
    env: (t) => ({ DATABRICKS_HOST: `${t.env.DATABRICKS_HOST}/?o=123` }),
    names: /DATABRICKS_HOST .*a query \("\?o=123"\)/,
    fix: /use http:\/\/127\.0\.0\.1:\d+ /,
  },
  {
    name: "accounts host with #x",
    argv: ["plan"],
    env: (t) => ({ DATABRICKS_HOST: `${t.env.DATABRICKS_HOST}#x` }),
    names: /DATABRICKS_HOST .*a fragment \("#x"\)/,
    fix: /use http:\/\/127\.0\.0\.1:\d+\./,
  },
  {
    name: "accounts host with a password",
    argv: ["plan"],
    env: (t) => ({ DATABRICKS_HOST: withCredentials(t.env.DATABRICKS_HOST!) }),
    names: /DATABRICKS_HOST .*credentials/,
    fix: /DATABRICKS_CLIENT_SECRET/,
  },
  {
    name: "Okta org URL with a query",
    argv: ["plan"],
    env: (t) => ({ OKTA_ORG_URL: `${t.env.OKTA_ORG_URL}/?x=1` }),
    names: /OKTA_ORG_URL .*a query \("\?x=1"\)/,
    fix: /use http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    name: "Okta org URL with a password",
    argv: ["plan"],
    env: (t) => ({ OKTA_ORG_URL: withCredentials(t.env.OKTA_ORG_URL!) }),
    names: /OKTA_ORG_URL .*credentials/,
    fix: /use http:\/\/127\.0\.0\.1:\d+/,
  },
  // Every config key type-checked (writeRoute 5 used to apply over SCIM, exit 0).
  {
    name: 'config {"writeRoute": 5}',
    argv: ["apply", "--yes", "--config", "c.json"],
    setup: configFile('{"writeRoute": 5}'),
    names: /"writeRoute"/,
    fix: /"scim" or "iamv2"/,
  },
  {
    name: 'config {"okta": {"orgUrl": 5}}',
    argv: ["plan", "--config", "c.json"],
    setup: configFile('{"okta": {"orgUrl": 5}}'),
    names: /"okta\.orgUrl"/,
    fix: /must be a string/,
  },
  {
    name: 'config {"aim": []}',
    argv: ["plan", "--config", "c.json"],
    setup: configFile('{"aim": []}'),
    names: /"aim"/,
    fix: /must be an object/,
  },
  // Saved plans: checked whole, never a crash or "0 differ".
  {
    name: 'plan file "actions":[null]',
    argv: ["apply", "--yes", "--plan", "p.json"],
    setup: planFile({ actions: [null] }),
    names: /--plan .*p\.json .*actions\[0\] must be an action object \(got null\)/,
    fix: /give a file written by aimctl plan --out/,
  },
  {
    name: "plan file with a half action",
    argv: ["apply", "--yes", "--plan", "p.json"],
    setup: planFile({ actions: [{ kind: "user", databricksId: "1" }] }),
    names: /--plan .*actions\[0\]\.databricksName/,
    fix: /give a file written by aimctl plan --out/,
  },
  {
    name: "plan file with an unknown kind",
    argv: ["apply", "--yes", "--plan", "p.json"],
    setup: planFile({
      actions: [
        {
          kind: "robot",
          databricksId: "1",
          databricksName: "a",
          oktaId: "00u1",
          matchedBy: "login",
          previousExternalId: null,
        },
      ],
    }),
    names: /--plan .*actions\[0\]\.kind must be one of user, group, servicePrincipal/,
    fix: /give a file written by aimctl plan --out/,
  },
  {
    name: "plan file without summary counts",
    argv: ["apply", "--yes", "--plan", "p.json"],
    setup: planFile({ summary: {} }),
    names: /--plan .*summary\.users/,
    fix: /give a file written by aimctl plan --out/,
  },
  {
    name: "plan file that is a folder",
    argv: ["apply", "--yes", "--plan", "p.json"],
    setup: (cwd) => mkdirSync(join(cwd, "p.json")),
    names: /--plan .*p\.json cannot be read/,
    fix: /give a file written by aimctl plan --out/,
  },
  // Keys.
  {
    name: "RSA key under 2048 bits",
    argv: ["plan"],
    env: () => ({ OKTA_PRIVATE_KEY: rsa1024, OKTA_PRIVATE_KEY_FILE: "" }),
    names: /OKTA_PRIVATE_KEY is a 1024-bit RSA key/,
    fix: /generate a 2048-bit \(or larger\) key/,
  },
  {
    name: "unreadable key file (not also 'is not set')",
    argv: ["plan"],
    setup: (cwd) => writeFileSync(join(cwd, "key.pem"), "garbage"),
    env: () => ({ OKTA_PRIVATE_KEY_FILE: "key.pem" }),
    names: /OKTA_PRIVATE_KEY_FILE .*key\.pem.* does not hold a usable private key/,
    fix: /must be a PKCS#8 PEM/,
  },
  // Files to write: refused before the read (were crashes, or hangs under /proc).
  {
    name: "--out naming a folder",
    argv: ["plan", "--out", "d"],
    setup: (cwd) => mkdirSync(join(cwd, "d")),
    names: /--out .*\/d is a folder/,
    fix: /give the path of a file/,
  },
  {
    name: "--out under a file",
    argv: ["plan", "--out", "f/plan.json"],
    setup: (cwd) => writeFileSync(join(cwd, "f"), ""),
    names: /--out .*f\/plan\.json cannot be created/,
    fix: /give the path of a file/,
  },
  {
    name: "--out under /proc",
    argv: ["plan", "--out", "/proc/self/plan.json"],
    names: /--out \/proc\/self\/plan\.json is under \/proc/,
    fix: /give the path of a file/,
  },
  {
    name: "--undo-file under /proc",
    argv: ["apply", "--yes", "--undo-file", "/proc/self/undo.jsonl"],
    names: /--undo-file \/proc\/self\/undo\.jsonl is under \/proc/,
    fix: /give the path of a file/,
  },
  {
    name: "--undo-file naming a folder",
    argv: ["apply", "--yes", "--undo-file", "d"],
    setup: (cwd) => mkdirSync(join(cwd, "d")),
    names: /--undo-file .*\/d is a folder/,
    fix: /give the path of a file/,
  },
  {
    name: "--okta-cache under /sys",
    argv: ["plan", "--okta-cache", "/sys/cache.jsonl"],
    names: /--okta-cache \/sys\/cache\.jsonl is under \/sys/,
    fix: /give the path of a file/,
  },
];

// Root writes anywhere permissions say no: the read-only case means something only for others.
if (process.getuid?.() !== 0)
  CASES.push({
    name: "--out in a read-only folder",
    argv: ["plan", "--out", "ro/p.json"],
    setup: (cwd) => {
      mkdirSync(join(cwd, "ro"));
      chmodSync(join(cwd, "ro"), 0o500);
    },
    names: /--out .*ro\/p\.json cannot be written/,
    fix: /give the path of a file/,
  });

function filesUnder(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory()
      ? [relative(root, p) + "/", ...filesUnder(p, root)]
      : [relative(root, p)];
  });
}

const totalWrites = (t: EmulatedTenant) =>
  [...t.databricks.store.writeCounts.values()].reduce((a, b) => a + b, 0);

describe("bad-input corpus", () => {
  let tenant: EmulatedTenant;
  const counts = { tried: 0, clear: 0, crashed: 0, wrote: 0 };
  beforeAll(async () => {
    tenant = await startEmulatedTenant(smallTenant(3), {
      oktaRateLimits: "off",
      databricksRateLimits: "off",
    });
  });
  afterAll(async () => {
    await tenant?.close();
    console.log(
      `bad-input corpus: tried ${counts.tried}, clear ${counts.clear}, crashed ${counts.crashed}, wrote ${counts.wrote}`,
    );
  });

  it.each(CASES.map((c) => [c.name, c]))("%s", async (_name, c) => {
    const cwd = tempDir();
    c.setup?.(cwd);
    const before = filesUnder(cwd);
    const writesBefore = totalWrites(tenant);
    const r = await runCli(c.argv, { env: { ...tenant.env, ...c.env?.(tenant) }, cwd });
    const lines = r.stderr.trim().split("\n");
    const crashed = /unexpected error/.test(r.stderr) || STACK_FRAME.test(r.stderr);
    const wrote = totalWrites(tenant) !== writesBefore || filesUnder(cwd).join() !== before.join();
    const clear =
      r.code === 1 &&
      lines.length === 1 &&
      lines[0]!.startsWith("aimctl: ") &&
      c.names.test(lines[0]!) &&
      c.fix.test(lines[0]!) &&
      !`${r.stdout}${r.stderr}`.includes(PASSWORD) &&
      !crashed &&
      !wrote;
    counts.tried++;
    if (clear) counts.clear++;
    if (crashed) counts.crashed++;
    if (wrote) counts.wrote++;
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout, wrote }).toMatchObject({
      code: 1,
      stdout: "",
      wrote: false,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(c.names);
    expect(lines[0]).toMatch(c.fix);
    expect(r.stderr).not.toContain(PASSWORD);
    expect(crashed).toBe(false);
  });

  it("reads a config file that starts with a UTF-8 byte-order mark", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "c.json"), '\ufeff{"writeRoute": "scim"}');
    const r = await runCli(["plan", "--config", "c.json", "--no-okta-cache"], {
      env: tenant.env,
      cwd,
    });
    expect(r.stderr).not.toMatch(/not valid JSON/);
    expect(r.stdout).toMatch(/^Plan: /);
  });
});
