/**
 * A fresh project that installs this package the way another team would:
 * `npm pack` here (which builds dist/ first: package.json "prepack"), then
 * `npm install <tarball>` into a temporary directory holding the program in
 * test/package/project/ and nothing else of this repository. What runs
 * there runs from node_modules/okta-databricks-aim: compiled JavaScript, its
 * own dependencies, and the project's own @pulumi/pulumi.
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../..");
/** The consumer program's sources (index.ts, Pulumi.yaml, tsconfig.json). */
export const PROJECT_SOURCES = path.join(__dirname, "project");
export const PACKAGE_NAME = "okta-databricks-aim";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Consumer {
  /** The temporary folder: the tarball and `project/`. */
  root: string;
  /** The consumer project (cwd of every command). */
  dir: string;
  tarball: string;
  /** Where the package was installed. */
  packageDir: string;
  /** Runs a command in the project (npx, node, …) with the given extra environment. */
  run(
    command: string,
    args: string[],
    opts?: { env?: Record<string, string>; cwd?: string },
  ): Promise<RunResult>;
}

/** The environment of a child command: this process's, minus what the npm running the tests set for its own package. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(npm_package_|npm_lifecycle_|INIT_CWD$)/.test(k) || /^(OKTA_|DATABRICKS_)/.test(k))
      delete env[k];
  return { ...env, ...extra };
}

export function run(
  command: string,
  args: string[],
  opts: { cwd: string; env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function must(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** npm of the Node running the tests (scripts/use-node.sh puts the pinned one first on PATH). */
const NPM = "npm";

/**
 * Packs this repository and installs the tarball into a new project beside
 * the Pulumi SDK and Okta provider versions this repository develops with
 * (its devDependencies), TypeScript and Node's types, as Pulumi's TypeScript
 * template has them.
 */
export async function packAndInstall(): Promise<Consumer> {
  const root = mkdtempSync(path.join(tmpdir(), "aim-package-"));
  must(
    await run(NPM, ["pack", "--pack-destination", root, "--no-audit", "--no-fund"], {
      cwd: REPO_ROOT,
    }),
    "npm pack",
  );
  const tarballs = readdirSync(root).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.join(", ") || "nothing"}`);
  const tarball = path.join(root, tarballs[0]!);

  const dir = path.join(root, "project");
  mkdirSync(dir);
  for (const f of readdirSync(PROJECT_SOURCES))
    copyFileSync(path.join(PROJECT_SOURCES, f), path.join(dir, f));
  const ours = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const pin = (name: string) => {
    const v = ours.devDependencies[name];
    if (!v) throw new Error(`package.json has no devDependency ${name}`);
    return v;
  };
  writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify(
      {
        name: "aim-platform",
        private: true,
        main: "index.ts",
        dependencies: {
          [PACKAGE_NAME]: `file:${tarball}`,
          "@pulumi/pulumi": pin("@pulumi/pulumi"),
          "@pulumi/okta": pin("@pulumi/okta"),
        },
        devDependencies: { typescript: pin("typescript"), "@types/node": pin("@types/node") },
      },
      null,
      2,
    )}\n`,
  );
  must(
    await run(NPM, ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir }),
    "npm install (consumer)",
  );
  return {
    root,
    dir,
    tarball,
    packageDir: path.join(dir, "node_modules", PACKAGE_NAME),
    run: (command, args, opts = {}) => run(command, args, { cwd: opts.cwd ?? dir, env: opts.env }),
  };
}
