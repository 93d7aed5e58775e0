/**
 * Where aimctl reads and writes: injectable so that tests run `main()` in
 * process with their own streams, environment and working directory.
 * Human output goes to stdout, progress and logs to stderr.
 */
import { createInterface } from "node:readline";
import { Redactor } from "../core/http";
import { terminalOutput } from "../core/reconcile/escape";
import { acknowledgeSignal } from "./relaunch";

export interface OutStream {
  write(text: string): unknown;
  /** True when a terminal is attached (progress bar vs periodic lines). */
  isTTY?: boolean;
}

export interface InStream extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** Read for the apply confirmation; absent or not a TTY means "cannot ask". */
  stdin?: InStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Ends long-running commands (emulate) in process; the real CLI uses SIGTERM/SIGINT. */
  signal?: AbortSignal;
  now?: () => number;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/**
 * Line-oriented writers; everything that is not a deliberate credential
 * hand-off is redacted with `redactor`, the run's: the inputs register their
 * secrets with it, and the session hands it to every client it builds.
 */
export class Printer {
  constructor(
    readonly io: CliIo,
    readonly redactor: Redactor = new Redactor(),
  ) {}

  /** stdout, one or more lines; redacted, and nothing invisible reaches the terminal (escape.ts). */
  out(text = ""): void {
    this.io.stdout.write(
      terminalOutput(this.redactor.redact(text.endsWith("\n") ? text : `${text}\n`)),
    );
  }

  /** stdout without redaction: only for values the user asked to see (emulator credentials). */
  outRaw(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** stderr: progress, logs, warnings. */
  err(text = ""): void {
    this.io.stderr.write(
      terminalOutput(this.redactor.redact(text.endsWith("\n") ? text : `${text}\n`)),
    );
  }

  now(): number {
    return (this.io.now ?? Date.now)();
  }
}

let processAbort: AbortController | undefined;

/**
 * The signal that stops a long command. In process (tests) it is `io.signal`;
 * for the real CLI the first SIGINT/SIGTERM aborts (apply stops cleanly
 * between writes, emulate shuts down), a second one exits at once.
 */
export function interruptSignal(io: CliIo): AbortSignal | undefined {
  if (io.signal) return io.signal;
  if (io.stdout !== process.stdout) return undefined;
  if (!processAbort) {
    const controller = new AbortController();
    processAbort = controller;
    const onSignal = (sig: NodeJS.Signals) => {
      acknowledgeSignal();
      if (controller.signal.aborted) process.exit(sig === "SIGINT" ? 130 : 143);
      controller.abort(new Error(`${sig} received`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  return processAbort.signal;
}

/**
 * Asks a yes/no question on the terminal (stderr, answer on stdin): true for
 * "y" or "yes"; "no-tty" when there is no terminal to ask on (pipelines pass
 * --yes instead).
 */
export async function confirmOnTerminal(
  io: CliIo,
  printer: Printer,
  question: string,
): Promise<boolean | "no-tty"> {
  const stdin = io.stdin;
  if (!stdin || stdin.isTTY !== true) return "no-tty";
  printer.err(`${question} Type "yes" to continue: `);
  const rl = createInterface({ input: stdin, terminal: false });
  const answer = await new Promise<string>((done) => {
    rl.once("line", done);
    rl.once("close", () => done(""));
  });
  rl.close();
  return /^(y|yes)$/i.test(answer.trim());
}
