/**
 * The installed bin's relaunch (cli/relaunch.ts): the command runs in a child
 * Node started with AIMCTL_NODE_FLAGS, and the pair behaves as the single
 * process did: its exit code, its output, one SIGINT whether it was sent to
 * the process group (Ctrl-C) or to the launcher alone, and nothing left
 * running when the launcher is SIGKILLed. Runs cli/main.ts under ts-node
 * without the checkout launcher's AIMCTL_NO_RELAUNCH, as dist/cli/main.js
 * runs from the package.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AIMCTL_NODE_FLAGS, shouldRelaunch } from "../../cli/relaunch";

const ROOT = join(__dirname, "..", "..");
const MAIN = join(ROOT, "cli", "main.ts");
const TS_NODE = ["-r", "ts-node/register/transpile-only"];
const BASE_ENV = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" };

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    for (const pid of childrenOf(c.pid ?? -1)) tryKill(pid);
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
});

function tryKill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function aimctl(args: string[], env: Record<string, string> = {}, detached = false, script = MAIN) {
  const child = spawn(process.execPath, [...TS_NODE, script, ...args], {
    cwd: ROOT,
    env: { ...BASE_ENV, ...env },
    detached,
  });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, out: () => ({ stdout, stderr }) };
}

/** Processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Starts `emulate` (serves until SIGINT/SIGTERM) and waits until it serves. */
async function serving(detached = false) {
  const run = aimctl(["emulate", "--synthetic", "20", "--seed", "4", "--json"], {}, detached);
  await until("emulate to print its credentials", () =>
    run.out().stdout.includes("\n") ? true : undefined,
  );
  const pid = run.child.pid as number;
  const worker = await until("the relaunched child", () => childrenOf(pid)[0]);
  return { ...run, worker };
}

describe("aimctl relaunched with its Node flags", () => {
  it("decides from the environment and the flags already given", () => {
    expect(shouldRelaunch({}, [])).toBe(true);
    expect(shouldRelaunch({ AIMCTL_NO_RELAUNCH: "1" }, [])).toBe(false);
    expect(shouldRelaunch({ AIMCTL_RELAUNCHED: "1" }, [])).toBe(false);
    expect(shouldRelaunch({}, [...AIMCTL_NODE_FLAGS])).toBe(false);
    expect(
      shouldRelaunch({ NODE_OPTIONS: `--trace-warnings ${AIMCTL_NODE_FLAGS.join(" ")}` }, []),
    ).toBe(false);
  });

  it("the child runs with the flags; output and exit code are the command's", async () => {
    const relaunched = aimctl(["plan"]);
    const inProcess = aimctl(["plan"], { AIMCTL_NO_RELAUNCH: "1" });
    const [a, b] = [await relaunched.exited, await inProcess.exited];
    expect(a.code).toBe(1);
    expect(a).toEqual(b);
    expect(relaunched.out().stderr).toMatch(/^aimctl: OKTA_ORG_URL is not set/m);
    expect(relaunched.out()).toEqual(inProcess.out());

    const s = await serving();
    const args = cmdline(s.worker);
    for (const f of AIMCTL_NODE_FLAGS) expect(args).toContain(f);
    expect(cmdline(s.child.pid as number)).not.toContain(AIMCTL_NODE_FLAGS[0]);
    s.child.kill("SIGTERM");
    expect(await s.exited).toEqual({ code: 0, signal: null });
  });

  it("one SIGINT, sent to the launcher alone or to the whole group, stops the command cleanly once", async () => {
    const keyFile = (stdout: string) =>
      (JSON.parse(stdout.split("\n")[0]) as { okta: { privateKeyFile: string } }).okta
        .privateKeyFile;

    const alone = await serving();
    process.kill(alone.child.pid as number, "SIGINT");
    expect(await alone.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(keyFile(alone.out().stdout))).toBe(false);

    // Ctrl-C: the terminal signals every process of the group; the child must not get two.
    const group = await serving(true);
    process.kill(-(group.child.pid as number), "SIGINT");
    expect(await group.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(keyFile(group.out().stdout))).toBe(false);
  });

  it("the child receives each SIGINT exactly once, whether sent to the group or to the launcher", async () => {
    const probe = join(__dirname, "fixtures", "relaunchProbe.ts");
    for (const toGroup of [true, false]) {
      const run = aimctl([], {}, true, probe);
      await until("the probe to be ready", () =>
        run.out().stdout.includes("ready") ? true : undefined,
      );
      const pid = run.child.pid as number;
      await until("the relaunched child", () => childrenOf(pid)[0]);
      process.kill(toGroup ? -pid : pid, "SIGINT");
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.out().stdout).toContain("SIGINT received 1\n");
    }
  });

  it("the launcher SIGKILLed: the child stops too", async () => {
    const s = await serving();
    s.child.kill("SIGKILL");
    expect(await s.exited).toEqual({ code: null, signal: "SIGKILL" });
    await until("the child to be gone", () => (running(s.worker) ? undefined : true));
  });
});
