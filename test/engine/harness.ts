/**
 * Drives the real Pulumi CLI (built by `npm run engine:install` into
 * .pulumi-engine/) against this repository's own program (index.ts, run in
 * place: `--cwd` is the repository root, not a copy), with a file backend and
 * a stack config file in a temporary folder, so nothing is written into the
 * repository. Every command runs non-interactively; its exit code, stdout and
 * stderr come back for the test to assert on.
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const ENGINE_DIR = process.env.PULUMI_ENGINE_DIR ?? path.join(REPO_ROOT, ".pulumi-engine");

export interface EngineVersions {
  pulumi: string;
  languageHost: string;
  okta: string;
  go: string;
  buildSeconds: number;
}

/** What engine:install built; throws with the fix when it has not run. */
export function engineVersions(): EngineVersions {
  const file = path.join(ENGINE_DIR, "versions.json");
  if (!existsSync(file))
    throw new Error(
      `No Pulumi engine in ${ENGINE_DIR}: run \`npm run engine:install\` first (it builds the CLI from Go modules).`,
    );
  return JSON.parse(readFileSync(file, "utf8")) as EngineVersions;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertions that do not care which. */
  output: string;
  ms: number;
}

/** Fails with the command's whole output unless it exited 0. */
export function expectOk(r: CommandResult, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.output}`);
}

export interface StackOptions {
  stack?: string;
  /** Extra environment for every command (credentials the way a pipeline passes them). */
  env?: Record<string, string>;
  /** The Pulumi project to run (default: this repository, whose program is index.ts). */
  projectDir?: string;
}

/** One stack of the project in its own temporary backend. */
export class EngineStack {
  readonly dir: string;
  readonly stateDir: string;
  readonly configFile: string;
  readonly stack: string;
  readonly projectDir: string;
  private readonly env: Record<string, string>;
  /** Every command run, in order (what the suite prints at the end). */
  readonly history: Array<{ args: string[]; code: number | null; ms: number }> = [];

  constructor(opts: StackOptions = {}) {
    engineVersions();
    this.projectDir = opts.projectDir ?? REPO_ROOT;
    this.dir = mkdtempSync(path.join(tmpdir(), "aim-engine-"));
    this.stateDir = path.join(this.dir, "state");
    this.configFile = path.join(this.dir, "Pulumi.engine.yaml");
    // Unique, so that runs in two checkouts or at once never share Pulumi.<stack>.yaml.
    this.stack =
      opts.stack ??
      `engine-${path
        .basename(this.dir)
        .replace(/^aim-engine-/, "")
        .toLowerCase()}`;
    mkdirSync(this.stateDir);
    writeFileSync(this.configFile, "config: {}\n");
    const bin = path.join(ENGINE_DIR, "bin");
    const nodeBin = path.dirname(process.execPath);
    this.env = {
      ...(process.env as Record<string, string>),
      PATH: `${bin}:${nodeBin}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(ENGINE_DIR, "home"),
      PULUMI_BACKEND_URL: `file://${this.stateDir}`,
      PULUMI_CONFIG_PASSPHRASE: "engine-suite-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
      ...opts.env,
    };
    // The suite's own process may carry credentials; the stack gets only what the test gives it.
    for (const k of Object.keys(this.env))
      if (/^(OKTA_|DATABRICKS_)/.test(k) && !(opts.env && k in opts.env)) delete this.env[k];
  }

  /** Runs `pulumi ARGS --cwd <repo> --non-interactive --config-file <tmp> --stack <stack>`. */
  run(
    args: string[],
    opts: {
      stackArgs?: boolean;
      configFile?: boolean;
      input?: string;
      /** SIGKILL the CLI and everything it started once the output so far satisfies this. */
      killAfter?: (out: string) => boolean;
      /** SIGKILL likewise once this turns true (polled every 50 ms, e.g. on an emulator's state). */
      killWhen?: () => boolean;
    } = {},
  ): Promise<CommandResult> {
    const full = [
      ...args,
      "--cwd",
      this.projectDir,
      "--non-interactive",
      // `stack …` subcommands take no --config-file; everything else reads the temporary one.
      ...((opts.configFile ?? args[0] !== "stack") ? ["--config-file", this.configFile] : []),
      ...((opts.stackArgs ?? true) ? ["--stack", this.stack] : []),
    ];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(path.join(ENGINE_DIR, "bin", "pulumi"), full, {
        cwd: this.projectDir,
        env: this.env,
        stdio: ["pipe", "pipe", "pipe"],
        // Its own process group, so that a SIGKILL reaches the CLI and every plugin it started.
        detached: true,
      });
      let stdout = "";
      let stderr = "";
      let killed = false;
      const killTree = () => {
        if (killed) return;
        killed = true;
        // SIGKILL the CLI and every process below it, as a crashed runner would: the engine starts
        // plugins in process groups of their own, so killing the CLI's group alone left the
        // dynamic-provider host running (and writing) after the "crash".
        const tree = [child.pid!, ...descendants(child.pid!)];
        for (const pid of tree) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
      };
      const maybeKill = () => {
        if (opts.killAfter?.(stdout + stderr)) killTree();
      };
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        maybeKill();
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        maybeKill();
      });
      const poll = opts.killWhen
        ? setInterval(() => {
            if (opts.killWhen?.()) killTree();
          }, 50)
        : undefined;
      child.on("error", reject);
      child.on("close", (code, signal) => {
        if (poll) clearInterval(poll);
        const ms = Date.now() - started;
        this.history.push({ args, code, ms });
        resolve({ code, signal, stdout, stderr, output: stdout + stderr, ms });
      });
      child.stdin.end(opts.input ?? "");
    });
  }

  /**
   * `stack init` takes no --config-file and writes the passphrase's salt to
   * Pulumi.<stack>.yaml beside Pulumi.yaml: move that file into the temporary
   * folder at once, so nothing stays in the repository.
   */
  async init(): Promise<void> {
    const r = await this.run(["stack", "init"]);
    const written = path.join(this.projectDir, `Pulumi.${this.stack}.yaml`);
    if (existsSync(written)) {
      writeFileSync(this.configFile, readFileSync(written));
      rmSync(written);
    }
    if (r.code !== 0) throw new Error(`pulumi stack init failed:\n${r.output}`);
  }

  /**
   * `pulumi config set` into the stack's config file (secrets encrypted with
   * the passphrase). The value goes on stdin, as the docs tell users to pass
   * a PEM key (`< key.pem`): on the command line a value starting with "-"
   * is refused as "bad flag syntax".
   */
  async setConfig(key: string, value: string, secret = false): Promise<void> {
    const r = await this.run(["config", "set", key, ...(secret ? ["--secret"] : ["--plaintext"])], {
      input: value,
    });
    if (r.code !== 0) throw new Error(`pulumi config set ${key} failed:\n${r.output}`);
  }

  /** A structured value (map or list) written into the stack's config file, as a user edits Pulumi.<stack>.yaml. */
  setObjectConfig(key: string, value: unknown): void {
    const doc = (yaml.load(readFileSync(this.configFile, "utf8")) ?? {}) as {
      config?: Record<string, unknown>;
    };
    doc.config = { ...(doc.config ?? {}), [key]: value };
    writeFileSync(this.configFile, yaml.dump(doc));
  }

  async removeConfig(key: string): Promise<void> {
    const r = await this.run(["config", "rm", key]);
    if (r.code !== 0) throw new Error(`pulumi config rm ${key} failed:\n${r.output}`);
  }

  /** preview / up / refresh / destroy. */
  op(
    args: string[],
    opts: { killAfter?: (out: string) => boolean; killWhen?: () => boolean } = {},
  ): Promise<CommandResult> {
    return this.run(args, opts);
  }

  async exportState(): Promise<string> {
    const r = await this.run(["stack", "export"]);
    if (r.code !== 0) throw new Error(`pulumi stack export failed:\n${r.output}`);
    return r.stdout;
  }

  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.run(["stack", "output", "--json"]);
    if (r.code !== 0) throw new Error(`pulumi stack output failed:\n${r.output}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every process below `root` (Linux /proc), whatever process group or session it moved to. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid …"; comm may hold spaces and parentheses, so parse after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}
