/**
 * The Pulumi program (index.ts) under mocks with Pulumi.example.yaml's
 * config: the full resource graph and the stack outputs.
 *
 * How it is compiled matters: `pulumi up` runs a TypeScript program through
 * @pulumi/pulumi/cmd/run, which registers ts-node with the project's
 * tsconfig.json, `transpileOnly` = the tsconfig's `noCheck` (unset here, so
 * ts-node TYPE-CHECKS every file it loads), and compiler options
 * `{target: ES2020, module: nodenext, moduleResolution: nodenext,
 * sourceMap: "true", ...tsconfig compilerOptions}` (run.js, non-ESM branch).
 * The child below registers ts-node with exactly those options (read with
 * Pulumi's own `tsutils.loadTypeScriptCompilerOptions`) before loading the
 * program, so a type error in index.ts or anything it imports fails here as it
 * would fail `pulumi preview`. A control file with a type error proves the
 * registration type-checks. (`tsc -p .` in `npm test` checks the whole repo
 * with the same tsconfig as well.)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Registration } from "./mockMonitor";

const REPO_ROOT = path.resolve(__dirname, "../..");
const MAIN = path.join(__dirname, "programMain.ts");

/** Registers ts-node as @pulumi/pulumi/cmd/run does for a CommonJS TypeScript project, then loads `entry`. */
const PULUMI_TS_NODE = `
const tsutils = require("@pulumi/pulumi/tsutils");
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  transpileOnly: compilerOptions.noCheck,
  project: "tsconfig.json",
  skipProject: false,
  compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
});
require(process.argv[1]);
`;

function runChild(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    // No credentials and no engine: the program must not need either under mocks.
    for (const k of Object.keys(env)) if (/^(OKTA_|DATABRICKS_|PULUMI_)/.test(k)) delete env[k];
    const child = spawn(process.execPath, ["-e", PULUMI_TS_NODE, "--", ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

interface ProgramRun {
  registrations: Registration[];
  outputs: Record<string, unknown>;
  exportNames: string[];
  config: Record<string, string>;
}

let dir: string;

async function runProgram(mode?: string): Promise<ProgramRun> {
  const result = path.join(dir, `result-${mode ?? "default"}.json`);
  const { code, stderr } = await runChild([MAIN, result, ...(mode ? [mode] : [])]);
  if (code !== 0) throw new Error(`program exited ${code}:\n${stderr}`);
  return JSON.parse(readFileSync(result, "utf8")) as ProgramRun;
}

const C = "okta-databricks-aim:index:";
const D = "pulumi-nodejs:dynamic/okta-databricks-aim:";

describe("index.ts (the Pulumi program) under mocks with Pulumi.example.yaml", () => {
  let run: ProgramRun;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "aim-program-"));
    run = await runProgram();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("registers the full resource graph: OktaAimApp's children, then DatabricksAim's", () => {
    expect(run.registrations.map((r) => [r.type, r.name])).toEqual(
      [
        [`${C}OktaAimApp`, "aim"],
        [`${D}SigningKey`, "aim-key"],
        [`${C}DatabricksAim`, "aim"],
        ["okta:app/oAuth:OAuth", "aim-app"],
        ["okta:index/appOauthApiScope:AppOauthApiScope", "aim-scopes"],
        ["okta:app/oauthRoleAssignment:OauthRoleAssignment", "aim-role"],
        [`${D}OktaAppDpop`, "aim-dpop"],
        [`${D}IdentityReconciliation`, "aim-reconciliation"],
        [`${D}AimConnection`, "aim-connection"],
      ].sort(byRegistrationOrder(run)),
    );
    const parentOf = (name: string, type: string) =>
      run.registrations.find((r) => r.name === name && r.type === type)?.parent;
    const app = `urn:pulumi:test::okta-databricks-aim::${C}OktaAimApp::aim`;
    const aim = `urn:pulumi:test::okta-databricks-aim::${C}DatabricksAim::aim`;
    expect(parentOf("aim-reconciliation", `${D}IdentityReconciliation`)).toBe(aim);
    expect(parentOf("aim-connection", `${D}AimConnection`)).toBe(aim);
    expect(parentOf("aim-app", "okta:app/oAuth:OAuth")).toBe(app);
    const conn = run.registrations.find((r) => r.name === "aim-connection")!;
    expect(conn.dependencies).toContain(
      `urn:pulumi:test::okta-databricks-aim::${C}DatabricksAim$${D}IdentityReconciliation::aim-reconciliation`,
    );
  });

  it("wires the example config and the Okta app's outputs into the resources", () => {
    const rec = run.registrations.find((r) => r.name === "aim-reconciliation")!;
    expect(rec.inputs).toMatchObject({
      oktaOrgUrl: "https://example.okta.com",
      databricksHost: "https://accounts.cloud.databricks.com",
      accountId: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      writeRoute: "scim",
      revertOnDelete: false,
      rules: { onConflict: "report", exclude: { groups: ["account users", "admins"] } },
    });
    const conn = run.registrations.find((r) => r.name === "aim-connection")!;
    expect(conn.inputs).toMatchObject({
      adapter: "auto",
      apiBasePath: "/api/2.0/accounts/{account_id}/aim/okta",
      clientId: "0oa-mock-client",
      keyId: "kid-mock",
      enabled: true,
      acceptFindings: [],
    });
    const app = run.registrations.find((r) => r.name === "aim-app")!;
    expect(app.inputs).toMatchObject({
      label: "Databricks AIM",
      tokenEndpointAuthMethod: "private_key_jwt",
    });
    // Without oktaAim:oktaApiToken the default Okta provider (okta:* config) is used.
    expect(run.registrations.some((r) => r.type === "pulumi:providers:okta")).toBe(false);
  });

  it("exports client id, key id, the plan summary and findings by severity", () => {
    expect(run.outputs).toMatchObject({
      clientId: "0oa-mock-client",
      keyId: "kid-mock",
      planSummary: { pending: { users: { link: 37 } }, digest: "d".repeat(64) },
      findingsBySeverity: { error: 1, warning: 2, info: 3 },
      aimEnabled: false,
      enableBlockedBy: [],
      // What the connection's adapter "auto" chose, and why, from its outputs.
      aimAdapter: {
        used: "console",
        reason: "auto: GET /mock/connection answered 404 ENDPOINT_NOT_FOUND, so …",
      },
    });
    expect(run.exportNames.sort()).toEqual(
      [
        "aimAdapter",
        "aimEnabled",
        "clientId",
        "consoleInstructions",
        "consolePrivateKeyPem",
        "enableBlockedBy",
        "findingsBySeverity",
        "keyId",
        "planSummary",
      ].sort(),
    );
    // The mock gives no console instructions: nothing to enter.
    expect(run.outputs.consoleInstructions).toBeUndefined();
  });

  it("Pulumi.example.yaml documents every config key the program reads", () => {
    const source = readFileSync(path.join(REPO_ROOT, "index.ts"), "utf8");
    const read = [...source.matchAll(/config\.(?:get|require)\w*(?:<[^>]+>)?\("(\w+)"\)/g)].map(
      (m) => m[1],
    );
    expect(read.length).toBeGreaterThan(10);
    const example = readFileSync(path.join(REPO_ROOT, "Pulumi.example.yaml"), "utf8");
    for (const key of read) expect(example, key).toContain(`oktaAim:${key}`);
  });

  it("with oktaAim:oktaApiToken set (a secret), an explicit Okta provider serves OktaAimApp", async () => {
    const withToken = await runProgram("with-token");
    const provider = withToken.registrations.find((r) => r.type === "pulumi:providers:okta");
    expect(provider?.inputs).toMatchObject({ orgName: "example", baseUrl: "okta.com" });
    const app = withToken.registrations.find((r) => r.name === "aim-app")!;
    expect(app.provider).toMatch(
      /^urn:pulumi:test::okta-databricks-aim::pulumi:providers:okta::okta::/,
    );
  }, 120_000);

  it("okta:orgName/okta:baseUrl and databricks:host/databricks:accountId stand in for our keys", async () => {
    const viaProviders = await runProgram("provider-keys");
    const rec = viaProviders.registrations.find((r) => r.name === "aim-reconciliation")!;
    expect(rec.inputs).toMatchObject({
      oktaOrgUrl: "https://acme.oktapreview.com",
      databricksHost: "https://accounts.azuredatabricks.net",
      accountId: "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
    });
    const conn = viaProviders.registrations.find((r) => r.name === "aim-connection")!;
    expect(conn.inputs).toMatchObject({
      oktaOrgUrl: "https://acme.oktapreview.com",
      accountId: "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
    });
  }, 120_000);

  it("our key and the provider's, set to different orgs: refused, naming both and the fix", async () => {
    const result = path.join(dir, "result-disagree.json");
    const { code, stderr } = await runChild([MAIN, result, "provider-keys-disagree"]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(
      "oktaAim:oktaOrgUrl (https://other.okta.com) and okta:orgName (and okta:baseUrl) (https://acme.oktapreview.com) disagree: remove oktaAim:oktaOrgUrl (pulumi config rm oktaAim:oktaOrgUrl) or make the two the same.",
    );
  }, 120_000);

  it("the ts-node registration Pulumi uses type-checks (a type error fails the load)", async () => {
    const broken = path.join(dir, "broken.ts");
    writeFileSync(broken, 'const n: number = "not a number";\nexport default n;\n');
    const { code, stderr } = await runChild([broken]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("TS2322");
  }, 120_000);
});

/** Registration order depends on Output resolution; compare as sets by sorting into the actual order. */
function byRegistrationOrder(run: ProgramRun) {
  const index = (t: string[]) =>
    run.registrations.findIndex((r) => r.type === t[0] && r.name === t[1]);
  return (a: string[], b: string[]) => index(a) - index(b);
}
