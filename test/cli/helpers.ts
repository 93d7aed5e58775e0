/** Runs aimctl's main() in process with captured streams, an environment and a working directory. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "../../cli/aimctl";
import type { CliIo, InStream } from "../../cli/io";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Lines typed on a terminal (stdin.isTTY = true); absent: no terminal. */
  tty?: string[];
  signal?: AbortSignal;
  /** stderr is a terminal (progress bar). */
  stderrTTY?: boolean;
  /** Sees stdout as it is written (for commands that keep running). */
  onStdout?: (textSoFar: string) => void;
}

export async function runCli(argv: string[], opts: RunOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  let stdin: InStream | undefined;
  if (opts.tty) {
    stdin = Readable.from(opts.tty.map((l) => `${l}\n`)) as unknown as InStream;
    stdin.isTTY = true;
  }
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        opts.onStdout?.(stdout);
        return true;
      },
    },
    stderr: { write: (s: string) => (stderr += s), isTTY: opts.stderrTTY },
    stdin,
    env: opts.env ?? {},
    cwd: opts.cwd ?? tempDir(),
    // Always a signal: in-process runs must never install process signal handlers.
    signal: opts.signal ?? new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function tempDir(prefix = "aimctl-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Lines that look like a stack trace frame. */
export const STACK_FRAME = /^\s+at .+\(.+:\d+:\d+\)$/m;

/** This package's version, as saved plans must carry it. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    version: string;
  }
).version;
