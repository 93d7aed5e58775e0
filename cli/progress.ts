/**
 * Progress on stderr: one redrawn line (a bar for writes) on a terminal,
 * periodic plain lines otherwise, so that CI logs stay readable.
 */
import type { Plan, WriteRoute } from "../core/model/plan";
import type { WriteProgress } from "../core/reconcile/execute";
import type { Snapshot, SnapshotProgress, SnapshotSource } from "../core/reconcile/snapshot";
import type { ReconcileObserver } from "../core/workflows";
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

const SOURCE_LABEL: Record<SnapshotSource, string> = {
  "okta.users": "Okta users",
  "okta.groups": "Okta groups",
  "databricks.users": "Databricks users",
  "databricks.groups": "Databricks groups",
  "databricks.servicePrincipals": "Databricks service principals",
};

/**
 * Shows a reconciliation (core/workflows) on stderr: each read as a ticker
 * of counts per source and a closing line, then the writes with a bar. Call
 * `stop()` when the workflow ends, however it ends.
 */
export class ReconcileReporter implements ReconcileObserver {
  private reading?: { ticker: Ticker; counts: Map<SnapshotSource, SnapshotProgress> };
  private writing?: ReturnType<typeof writeReporter>;

  constructor(
    private readonly printer: Printer,
    /** Where the writes go, for the line that announces them. */
    private readonly apply?: { route: WriteRoute; undoFile: string },
  ) {}

  readStart(): void {
    const counts = new Map<SnapshotSource, SnapshotProgress>();
    const ticker = new Ticker(this.printer, () =>
      [...counts.values()]
        .map((c) => `${SOURCE_LABEL[c.source]} ${c.count}${c.done ? " ✓" : ""}`)
        .join(", "),
    );
    this.reading = { ticker, counts };
    ticker.line("Reading Okta and Databricks…");
  }

  readProgress(p: SnapshotProgress): void {
    this.reading?.counts.set(p.source, p);
    this.reading?.ticker.tick();
  }

  readDone(s: Snapshot): void {
    this.stopReading();
    this.printer.err(
      `Read ${s.okta.users.length} Okta users, ${s.okta.groups.length} Okta groups, ` +
        `${s.databricks.users.length} Databricks users, ${s.databricks.groups.length} groups, ` +
        `${s.databricks.servicePrincipals.length} service principals in ${(s.timing.totalMs / 1000).toFixed(1)} s.`,
    );
    const r = s.oktaRead;
    if (r.cacheFile)
      this.printer.err(
        r.mode === "incremental"
          ? `Okta: incremental read, ${r.usersFetched} user(s) changed (${r.reason}); cache ${r.cacheFile}.`
          : `Okta: full read (${r.reason}); cache ${r.cacheFile}.`,
      );
    if (r.cacheSaveError)
      this.printer.err(
        `Okta: the snapshot cache could not be written (${r.cacheSaveError}); the next read is full.`,
      );
  }

  applyStart(plan: Plan): void {
    if (this.apply) {
      this.printer.err(
        `Applying ${plan.actions.length} link(s) over the ${this.apply.route} route; undo journal: ${this.apply.undoFile}`,
      );
    }
    this.writing = writeReporter(this.printer, "applied");
  }

  writeProgress(p: WriteProgress): void {
    this.writing?.onProgress(p);
  }

  stop(): void {
    this.stopReading();
    this.writing?.stop();
    this.writing = undefined;
  }

  private stopReading(): void {
    this.reading?.ticker.stop();
    this.reading = undefined;
  }
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
