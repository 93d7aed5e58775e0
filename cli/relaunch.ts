/**
 * The installed `aimctl` runs its command in a child Node process started
 * with AIMCTL_NODE_FLAGS. V8 sizes its young generation once, at start, and
 * Node 24's default grows it to two 64 MB semi-spaces during a large read:
 * with 16 MB ones the 100,000-identity plan peaked at 244 MB instead of 339 MB
 * for the same CPU (docs/performance.md, "Memory"). `v8.setFlagsFromString`
 * cannot change it later, and a shebang flag (`env -S`) is missing from
 * BusyBox's env (Alpine images), hence one relaunch.
 *
 * The parent only waits, and keeps the child's signals as they were:
 * - a signal to the process group (Ctrl-C) reaches the child directly; the
 *   child acknowledges it over IPC and the parent forwards nothing, so the
 *   first SIGINT still stops apply cleanly and a second one still exits;
 * - a signal sent to the parent alone is forwarded once;
 * - the parent killed (SIGKILL) closes the IPC channel and the child stops
 *   at once, as the single process did;
 * - the child's exit code, or the signal that ended it, is the parent's.
 */
import { spawn } from "node:child_process";

/** The Node flags the command runs with (one place: the bench's plan worker runs with them too). */
export const AIMCTL_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16"];

/** Set in the child. */
const RELAUNCHED = "AIMCTL_RELAUNCHED";
/** Runs the command in this process (the source checkout's launcher, under ts-node). */
export const NO_RELAUNCH = "AIMCTL_NO_RELAUNCH";
const SIGNAL_ACK = "aimctl:signal-received";
/** How long the parent waits for the child's acknowledgement before forwarding a signal. */
const ACK_WAIT_MS = 250;
const FORWARDED: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** True when this process should start the command in a child with AIMCTL_NODE_FLAGS. */
export function shouldRelaunch(
  env: NodeJS.ProcessEnv = process.env,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if (env[RELAUNCHED] === "1" || env[NO_RELAUNCH] === "1") return false;
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  return !AIMCTL_NODE_FLAGS.every((f) => given.includes(f));
}

/** Runs `script args` in a child Node with AIMCTL_NODE_FLAGS and takes on its exit. */
export function relaunch(script: string, args: readonly string[]): void {
  const child = spawn(
    process.execPath,
    [...AIMCTL_NODE_FLAGS, ...process.execArgv, script, ...args],
    {
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: { ...process.env, [RELAUNCHED]: "1" },
    },
  );
  let lastAck = Number.NEGATIVE_INFINITY;
  child.on("message", (m) => {
    if (m === SIGNAL_ACK) lastAck = Date.now();
  });
  const handlers = FORWARDED.map((sig) => {
    const handler = () => {
      const at = Date.now();
      setTimeout(() => {
        const acked = lastAck >= at - ACK_WAIT_MS;
        if (!acked && child.exitCode === null && child.signalCode === null) child.kill(sig);
      }, ACK_WAIT_MS).unref();
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  child.on("error", (err) => {
    process.stderr.write(`aimctl: could not start ${process.execPath}: ${err.message}\n`);
    process.exitCode = 1;
  });
  child.on("exit", (code, signal) => {
    for (const [sig, handler] of handlers) process.off(sig, handler);
    if (signal) {
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code ?? 1;
  });
}

/**
 * In a relaunched child: stop at once when the parent is gone (its IPC
 * channel closed), and never let the channel keep the process alive.
 */
export function attachToLauncher(): void {
  if (process.env[RELAUNCHED] !== "1" || !process.send) return;
  process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
  process.channel?.unref();
}

/** In a relaunched child: tell the parent a signal arrived here, so that it forwards none. */
export function acknowledgeSignal(): void {
  if (process.env[RELAUNCHED] === "1" && process.connected) process.send?.(SIGNAL_ACK);
}
