/**
 * The package as another team gets it: `npm pack`, the tarball installed into
 * a fresh project (test/package/consumer.ts) whose program composes the
 * components into its own (test/package/project/index.ts). Nothing of this
 * repository is on that project's path: what runs, runs from
 * node_modules/okta-databricks-aim.
 *
 * - the tarball holds compiled JavaScript and declarations, no TypeScript
 *   sources, and the project has no ts-node: nothing is compiled at run time;
 * - the program type-checks against the package's declarations with Pulumi's
 *   TypeScript template, and a wrong argument type fails;
 * - under mocks, the program registers the components and their children
 *   beneath its own component; the providers' stored code names the package's
 *   modules by package name, no path of this machine;
 * - that stored code, run by the dynamic-provider host in the project
 *   directory, loads core from the installed package (the working directory
 *   holds no core/, and OKTA_AIM_PROJECT_ROOT pointing elsewhere is ignored)
 *   and does its work against the emulators;
 * - `npx aimctl --version`, and `npx aimctl emulate` + `npx aimctl plan`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmulatorCredentials } from "../../cli/emulated";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import type { Registration } from "../components/mockMonitor";
import { smallTenant } from "../helpers/applyHarness";
import { CREDENTIAL_ENV } from "../helpers/providerCredentials";
import { startProviderHost, type ProviderHost } from "../providers/harness/host";
import { packAndInstall, PACKAGE_NAME, REPO_ROOT, type Consumer } from "./consumer";

const VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;
const C = "okta-databricks-aim:index:";
const D = "pulumi-nodejs:dynamic/okta-databricks-aim:";
const TEAM = "platform:identity:DatabricksIdentity";

let consumer: Consumer;

beforeAll(async () => {
  consumer = await packAndInstall();
}, 600_000);
afterAll(() => {
  if (consumer) rmSync(consumer.root, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? filesUnder(path.join(dir, e.name), `${prefix}${e.name}/`)
      : [`${prefix}${e.name}`],
  );
}

describe("the installed package", () => {
  it("holds compiled JavaScript and declarations only, and the project has no ts-node", () => {
    const files = filesUnder(consumer.packageDir);
    expect(files).toContain("dist/components/index.js");
    expect(files).toContain("dist/components/index.d.ts");
    expect(files).toContain("dist/core/providerApi.js");
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(files.some((f) => f.startsWith("test/") || f.startsWith("bench/"))).toBe(false);
    const pkg = JSON.parse(
      readFileSync(path.join(consumer.packageDir, "package.json"), "utf8"),
    ) as {
      bin: Record<string, string>;
    };
    const bin = path.join(consumer.packageDir, pkg.bin.aimctl!);
    expect(readFileSync(bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(existsSync(path.join(consumer.dir, "node_modules", "ts-node"))).toBe(false);
  });

  it("the program type-checks against the package's declarations; a wrong argument type fails", async () => {
    const ok = await consumer.run("npx", ["tsc", "--noEmit", "-p", "."]);
    expect(ok.stdout + ok.stderr).toBe("");
    expect(ok.code).toBe(0);

    writeFileSync(
      path.join(consumer.dir, "broken.ts"),
      [
        'import { DatabricksAim, type FindingCode } from "okta-databricks-aim";',
        'const accepted: FindingCode[] = ["NOT_A_FINDING_CODE"];',
        'new DatabricksAim("x", { oktaOrgUrl: "https://acme.okta.com", databricksHost: "h", accountId: 1, clientId: "c", privateKeyPem: "k", acceptFindings: accepted });',
        "",
      ].join("\n"),
    );
    const broken = await consumer.run("npx", [
      "tsc",
      "--noEmit",
      "--strict",
      "--module",
      "commonjs",
      "--moduleResolution",
      "node",
      "--target",
      "es2020",
      "broken.ts",
    ]);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toMatch(/broken\.ts\(2,\d+\): error TS2322: .*"NOT_A_FINDING_CODE"/);
    expect(broken.stdout).toMatch(/broken\.ts\(3,\d+\): error TS2322: .*number.*string/);
  }, 300_000);
});

describe("the consumer's program under mocks", () => {
  let registrations: Registration[];
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    const configFile = path.join(consumer.root, "mock-config.json");
    const resultFile = path.join(consumer.root, "mock-result.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        config: {
          "platform:oktaOrgUrl": "https://acme.okta.com",
          "platform:databricksHost": "https://accounts.cloud.databricks.com",
          "platform:databricksAccountId": "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
          "platform:oktaApiToken": "00-mock-okta-token",
          "platform:acceptFindings": JSON.stringify(["EXTERNAL_ID_FOREIGN"]),
        },
        secretKeys: ["platform:oktaApiToken"],
      }),
    );
    const r = await consumer.run(
      process.execPath,
      [
        "-r",
        path.join(REPO_ROOT, "node_modules/ts-node/register/transpile-only"),
        path.join(__dirname, "consumerMain.ts"),
        consumer.dir,
        configFile,
        resultFile,
      ],
      { env: { TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json") } },
    );
    if (r.code !== 0) throw new Error(`consumerMain exited ${r.code}:\n${r.stderr}`);
    ({ registrations, outputs } = JSON.parse(readFileSync(resultFile, "utf8")) as {
      registrations: Registration[];
      outputs: Record<string, unknown>;
    });
  }, 300_000);

  const find = (type: string, name: string) => {
    const r = registrations.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} ${name} among ${registrations.map((x) => x.name)}`);
    return r;
  };
  const urn = (types: string[], name: string) =>
    `urn:pulumi:dev::aim-platform::${types.join("$")}::${name}`;

  it("registers the components and their children beneath the team's own component", () => {
    expect(registrations.map((r) => `${r.type} ${r.name}`).sort()).toEqual(
      [
        `${TEAM} identity`,
        "pulumi:providers:okta okta-platform",
        `${C}OktaAimApp identity-okta`,
        `${D}SigningKey identity-okta-key`,
        "okta:app/oAuth:OAuth identity-okta-app",
        "okta:index/appOauthApiScope:AppOauthApiScope identity-okta-scopes",
        "okta:app/oauthRoleAssignment:OauthRoleAssignment identity-okta-role",
        `${D}OktaAppDpop identity-okta-dpop`,
        `${C}DatabricksAim identity-databricks`,
        `${D}IdentityReconciliation identity-databricks-reconciliation`,
        `${D}AimConnection identity-databricks-connection`,
      ].sort(),
    );
    expect(find(`${C}OktaAimApp`, "identity-okta").parent).toBe(urn([TEAM], "identity"));
    expect(find(`${C}DatabricksAim`, "identity-databricks").parent).toBe(urn([TEAM], "identity"));
    expect(find("okta:app/oAuth:OAuth", "identity-okta-app").parent).toBe(
      urn([TEAM, `${C}OktaAimApp`], "identity-okta"),
    );
    // The team's Okta provider, handed to its component, reaches the package's Okta resources.
    expect(find("okta:app/oAuth:OAuth", "identity-okta-app").provider).toMatch(
      /^urn:pulumi:dev::aim-platform::pulumi:providers:okta::okta-platform::/,
    );
    expect(find("pulumi:providers:okta", "okta-platform").inputs).toMatchObject({
      orgName: "acme",
      baseUrl: "okta.com",
    });
    expect(find(`${D}AimConnection`, "identity-databricks-connection").inputs).toMatchObject({
      clientId: "0oa-mock-client",
      keyId: "kid-mock",
      acceptFindings: ["EXTERNAL_ID_FOREIGN"],
    });
    expect(outputs).toMatchObject({
      clientId: "0oa-mock-client",
      aimEnabled: false,
      linksPending: 37,
    });
  });

  it("the providers' stored code names the package's modules by package name, no path of this machine", () => {
    const dynamic = registrations.filter((r) => r.type.startsWith(D));
    expect(dynamic).toHaveLength(4);
    for (const r of dynamic) {
      const text = String(r.inputs.__provider);
      const specifiers = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
      expect(specifiers.length, r.type).toBeGreaterThan(0);
      for (const s of specifiers)
        expect(s, `${r.type} requires ${s}`).toMatch(
          /^(node:[a-z_/]+|@pulumi\/pulumi|okta-databricks-aim\/dynamic-providers\/[A-Za-z]+)$/,
        );
      expect(specifiers).toContain(`${PACKAGE_NAME}/dynamic-providers/loadCore`);
      for (const machinePath of [REPO_ROOT, consumer.root, "/node_modules/"])
        expect(text, r.type).not.toContain(machinePath);
    }
  });

  describe("run by the dynamic-provider host in the project directory", () => {
    const OKTA_TOKEN = "00-package-okta-token";
    const DBX_TOKEN = "dapi-package-databricks-token";
    const fixture = smallTenant(3, { linked: 1, groups: 1, accountId: "acc-package" });
    let okta: OktaEmulator;
    let dbx: DatabricksEmulator;
    const hosts: ProviderHost[] = [];

    beforeAll(async () => {
      okta = await startOktaEmulator({
        fixture: fixture.okta,
        rateLimits: "off",
        apiToken: OKTA_TOKEN,
      });
      dbx = await startDatabricksEmulator({
        fixture: fixture.databricks,
        rateLimits: "off",
        token: DBX_TOKEN,
      });
    });
    afterAll(async () => {
      await Promise.all(hosts.map((h) => h.close()));
      await Promise.all([okta?.close(), dbx?.close()]);
    });

    async function hostFor(resource: string): Promise<ProviderHost> {
      const r = registrations.find((x) => x.type === `${D}${resource}`)!;
      const host = await startProviderHost({
        provider: String(r.inputs.__provider),
        type: r.type,
        projectDir: consumer.dir,
        unsetEnv: CREDENTIAL_ENV,
        // Where the source checkout's providers look for core: must not matter to the package's.
        env: { OKTA_AIM_PROJECT_ROOT: path.join(consumer.root, "no-such-project") },
      });
      hosts.push(host);
      await host.configure({
        "oktaAim:oktaApiToken": OKTA_TOKEN,
        "oktaAim:databricksToken": DBX_TOKEN,
      });
      return host;
    }

    it('OktaAppDpop turns "Require DPoP" off and reads it back', async () => {
      expect(existsSync(path.join(consumer.dir, "core"))).toBe(false);
      const host = await hostFor("OktaAppDpop");
      const app = okta.createServiceApp({ jwks: [], dpopBoundAccessTokens: true });
      const created = await host.create({
        orgUrl: okta.url,
        appId: app.id,
        dpopBoundAccessTokens: false,
        providerVersion: "2",
      });
      expect(okta.store.getApp(app.id)!.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
      expect(created.outs).toMatchObject({
        liveDpopBoundAccessTokens: false,
        clientId: app.credentials.oauthClient.client_id,
      });
      expect(host.stderr()).not.toContain(OKTA_TOKEN);
    });

    it("IdentityReconciliation plans in check and writes the links in create", async () => {
      const host = await hostFor("IdentityReconciliation");
      const stored = registrations.find((x) => x.type === `${D}IdentityReconciliation`)!.inputs;
      const checked = await host.check(
        {},
        {
          ...stored,
          oktaOrgUrl: okta.url,
          databricksHost: dbx.url,
          accountId: dbx.accountId,
          journalPath: path.join(consumer.root, "journal.jsonl"),
        },
      );
      expect(checked.failures).toEqual([]);
      expect(checked.inputs).toMatchObject({ liveRead: "read" });
      const created = await host.create(checked.inputs);
      expect(created.outs).toMatchObject({ linksWritten: 4, pending: { users: { link: 0 } } });
      expect(dbx.store.users.get("1000")?.externalId).toBe(fixture.okta.users[0]!.id);
      expect(host.stderr()).not.toContain(DBX_TOKEN);
    });
  });
});

describe("aimctl from the installed package", () => {
  let emulator: ChildProcess | undefined;
  afterAll(() => {
    if (emulator && emulator.exitCode === null) emulator.kill("SIGKILL");
  });

  it("npx aimctl --version prints the package's version", async () => {
    const r = await consumer.run("npx", ["aimctl", "--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${VERSION}\n`);
  });

  it("npx aimctl emulate, then npx aimctl plan against it (exit code by the plan)", async () => {
    emulator = spawn(
      "npx",
      ["aimctl", "emulate", "--synthetic", "60", "--seed", "5", "--json", "--rate-limits", "off"],
      { cwd: consumer.dir, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    const creds = JSON.parse(await firstLine(emulator)) as EmulatorCredentials;
    const env = {
      OKTA_ORG_URL: creds.okta.orgUrl,
      OKTA_CLIENT_ID: creds.okta.clientId,
      OKTA_PRIVATE_KEY_FILE: creds.okta.privateKeyFile as string,
      DATABRICKS_HOST: creds.databricks.host,
      DATABRICKS_ACCOUNT_ID: creds.databricks.accountId,
      DATABRICKS_CLIENT_ID: creds.databricks.clientId,
      DATABRICKS_CLIENT_SECRET: creds.databricks.clientSecret,
    };
    const json = await consumer.run("npx", ["aimctl", "plan", "--json"], { env });
    const plan = JSON.parse(json.stdout) as {
      toolVersion: string;
      actions: unknown[];
      findings: Array<{ severity: string }>;
    };
    expect(plan.toolVersion).toBe(VERSION);
    expect(plan.actions.length).toBeGreaterThan(0);
    const expected = plan.findings.some((f) => f.severity === "error") ? 3 : 2;
    expect(json.code).toBe(expected);
    const text = await consumer.run("npx", ["aimctl", "plan"], { env });
    expect(text.code).toBe(expected);
    expect(text.stdout).toMatch(/link/);
    expect(text.stdout + text.stderr).not.toContain(creds.databricks.clientSecret);

    const exited = new Promise<number | null>((resolve) => emulator?.on("exit", resolve));
    process.kill(-emulator.pid!, "SIGTERM");
    await exited;
  });
});

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
