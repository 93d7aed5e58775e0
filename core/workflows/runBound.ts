/**
 * The per-run bound of a reconciliation (a long backfill spread over pipeline
 * jobs), and the durations people write for it: one rule for aimctl's flags,
 * the providers' inputs and the stack config.
 */
import { ConfigError } from "../http/errors";
import type { RunBound } from "../reconcile/execute";

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * "90s", "30m", "5h", "2d" in milliseconds, or undefined when `text` is not
 * such a duration (callers name the field and the fix).
 */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*([smhd])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]] : 0;
  return ms > 0 ? ms : undefined;
}

/** How a duration is asked for in messages. */
export const DURATION_FORM = "a duration above zero with a unit s, m, h or d, e.g. 30m or 24h";

export interface RunBoundOptions {
  /** At most this many identities written per run. */
  maxWritesPerRun?: number;
  /** No write starts once this long has passed since the first (ms). */
  writeTimeBudgetMs?: number;
}

/** Problems with a bound, each naming its field: whole numbers above zero, or unset. */
export function runBoundProblems(opts: RunBoundOptions): ConfigError[] {
  const problems: ConfigError[] = [];
  const check = (field: keyof RunBoundOptions, what: string) => {
    const v = opts[field];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      problems.push(
        new ConfigError(
          field,
          `${field} must be a whole number above zero (${what}); got ${JSON.stringify(v)}. Leave it unset for no bound.`,
        ),
      );
  };
  check("maxWritesPerRun", "writes per run");
  check("writeTimeBudgetMs", "milliseconds of writing per run");
  return problems;
}

/** The engine's bound for a run whose first write starts at `startMs`. */
export function runBound(opts: RunBoundOptions, startMs: number): RunBound {
  return {
    ...(opts.maxWritesPerRun !== undefined ? { maxWrites: opts.maxWritesPerRun } : {}),
    ...(opts.writeTimeBudgetMs !== undefined
      ? { deadlineMs: startMs + opts.writeTimeBudgetMs }
      : {}),
  };
}
