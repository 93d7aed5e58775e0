/** Progress on stderr: a redrawn bar on a terminal, periodic lines otherwise, the end shown once. */
import { describe, expect, it } from "vitest";
import { Printer, type CliIo } from "../../cli/io";
import { formatDuration, renderWriteProgress, writeReporter } from "../../cli/progress";
import type { WriteProgress } from "../../core/reconcile/execute";

function printerAt(tty: boolean, clock: { t: number }): { printer: Printer; err: () => string } {
  let err = "";
  const io: CliIo = {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s), isTTY: tty },
    env: {},
    cwd: "/",
    now: () => clock.t,
  };
  return { printer: new Printer(io), err: () => err };
}

const p = (done: number, total = 10): WriteProgress => ({
  done,
  total,
  applied: done,
  alreadyDone: 0,
  skipped: 0,
  failed: 0,
  ratePerSec: 2,
  etaSec: (total - done) / 2,
});

describe("write progress", () => {
  it("renders a bar with counts, rate and ETA", () => {
    expect(renderWriteProgress(p(5), "applied", 10)).toBe(
      "[#####.....] 50% 5/10 · applied 5, already done 0, skipped 0, failed 0 · 2.0/s · ETA 2.5 s",
    );
    expect(formatDuration(905_000)).toBe("15 min 5 s");
  });

  it("redraws one line on a terminal and ends it with a newline", () => {
    const clock = { t: 0 };
    const { printer, err } = printerAt(true, clock);
    const r = writeReporter(printer, "applied");
    for (let i = 1; i <= 10; i++) {
      clock.t += 150;
      r.onProgress(p(i));
    }
    r.stop();
    const text = err();
    expect(text.split("\r\x1b[2K").length - 1).toBeGreaterThanOrEqual(10);
    expect(
      text.endsWith(
        "[########################] 100% 10/10 · applied 10, already done 0, skipped 0, failed 0 · 2.0/s · ETA 0 ms\n",
      ),
    ).toBe(true);
    expect(text.split("\n")).toHaveLength(2); // one line, terminated once
  });

  it("prints a plain line every 5 s without a terminal, and the end once", () => {
    const clock = { t: 0 };
    const { printer, err } = printerAt(false, clock);
    const r = writeReporter(printer, "applied");
    for (let i = 1; i <= 10; i++) {
      clock.t += 1_000; // 10 s in all
      r.onProgress(p(i));
    }
    r.onProgress(p(10)); // a repeated final event
    r.stop();
    const lines = err().trimEnd().split("\n");
    expect(lines).toEqual([
      "  … [############............] 50% 5/10 · applied 5, already done 0, skipped 0, failed 0 · 2.0/s · ETA 2.5 s",
      "  … [########################] 100% 10/10 · applied 10, already done 0, skipped 0, failed 0 · 2.0/s · ETA 0 ms",
    ]);
    expect(err()).not.toContain("\r");
  });
});
