/**
 * Progress on stderr: one redrawn line (a bar for writes) on a terminal,
 * periodic plain lines otherwise, so that CI logs stay readable.
 */
import type { WriteProgress } from "../core/reconcile/execute";
import type { Printer } from "./io";

/** Plain lines at most this often when stderr is not a terminal. */
export const LINE_INTERVAL_MS = 5_000;
/** Terminal redraws at most this often. */
const TTY_INTERVAL_MS = 100;

export class Ticker {
  private last = 0;
  private drawn = false;
  private readonly tty: boolean;

  constructor(
    private readonly printer: Printer,
    private readonly render: () => string,
    private readonly intervalMs = LINE_INTERVAL_MS,
  ) {
    this.tty = printer.io.stderr.isTTY === true;
    this.last = printer.now();
  }

  line(text: string): void {
    this.clear();
    this.printer.err(text);
  }

  tick(force = false): void {
    const now = this.printer.now();
    if (this.tty) {
      if (!force && now - this.last < TTY_INTERVAL_MS) return;
      this.last = now;
      const text = this.render();
      this.printer.io.stderr.write(`\r\x1b[2K${text.slice(0, 160)}`);
      this.drawn = true;
    } else {
      if (!force && now - this.last < this.intervalMs) return;
      this.last = now;
      this.printer.err(`  … ${this.render()}`);
    }
  }

  /** Ends a redrawn line (terminal) so that the next output starts clean. */
  stop(): void {
    if (this.tty && this.drawn) {
      this.printer.io.stderr.write(`\r\x1b[2K${this.render().slice(0, 160)}\n`);
      this.drawn = false;
    }
  }

  private clear(): void {
    if (this.tty && this.drawn) {
      this.printer.io.stderr.write("\r\x1b[2K");
      this.drawn = false;
    }
  }
}

export function renderWriteProgress(p: WriteProgress, verb: string, width = 24): string {
  const frac = p.total === 0 ? 1 : p.done / p.total;
  const filled = Math.round(frac * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const eta = p.etaSec === null ? "" : ` · ETA ${formatDuration(p.etaSec * 1000)}`;
  return (
    `${bar} ${Math.floor(frac * 100)}% ${p.done}/${p.total} · ${verb} ${p.applied}` +
    `, already done ${p.alreadyDone}, skipped ${p.skipped}, failed ${p.failed}` +
    ` · ${p.ratePerSec.toFixed(1)}/s${eta}`
  );
}

/** A write-progress reporter for applyPlan / undo. */
export function writeReporter(
  printer: Printer,
  verb: string,
): { onProgress: (p: WriteProgress) => void; stop: () => void } {
  let latest: WriteProgress | undefined;
  let finished = false;
  const ticker = new Ticker(printer, () => (latest ? renderWriteProgress(latest, verb) : ""));
  return {
    onProgress: (p) => {
      latest = p;
      // The end is always shown, once.
      const end = p.done === p.total && !finished;
      if (end) finished = true;
      ticker.tick(end);
    },
    stop: () => ticker.stop(),
  };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
