/**
 * A small, strict argument parser: `--name value`, `--name=value`, boolean
 * `--name`, and a few short aliases. An unknown option or a missing value is
 * a ConfigError naming the option, so a typo never runs with defaults.
 */
import { ConfigError } from "../core/http";
import { FINDING_CODES, type FindingCode } from "../core/model/plan";
import { DURATION_FORM, parseDuration } from "../core/workflows/runBound";

export type OptionKind = "string" | "boolean";
export type OptionSpec = Record<string, OptionKind>;

export interface ParsedArgs {
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const SHORT: Record<string, string> = { "-h": "help", "-y": "yes" };

export function parseArgs(argv: readonly string[], spec: OptionSpec, command: string): ParsedArgs {
  const options: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const full: OptionSpec = { help: "boolean", ...spec };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (SHORT[arg]) name = SHORT[arg];
    else if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else {
      throw new ConfigError(
        arg,
        `unknown option ${arg} for aimctl ${command}: see aimctl ${command} --help.`,
      );
    }
    const kind = full[name];
    if (!kind) {
      throw new ConfigError(
        `--${name}`,
        `unknown option --${name} for aimctl ${command}: see aimctl ${command} --help.`,
      );
    }
    if (kind === "boolean") {
      if (inline !== undefined)
        throw new ConfigError(`--${name}`, `--${name} takes no value (got "${inline}").`);
      options[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new ConfigError(`--${name}`, `--${name} needs a value: --${name} <value>.`);
      }
      value = next;
      i++;
    }
    if (value.trim() === "")
      throw new ConfigError(`--${name}`, `--${name} is empty: give it a value.`);
    options[name] = value;
  }
  return { options, positionals };
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === "string" ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

/** A positive integer option, or a ConfigError naming it. */
export function intOption(
  args: ParsedArgs,
  name: string,
  opts: { min?: number; max?: number } = {},
): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const min = opts.min ?? 0;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max)
    throw new ConfigError(
      `--${name}`,
      `--${name} must be a whole number from ${min} to ${max} (got "${raw}").`,
    );
  return Number(raw);
}

/** A duration such as 90s, 30m, 6h or 2d, in milliseconds; or a ConfigError naming the option. */
export function durationOption(args: ParsedArgs, name: string): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined)
    throw new ConfigError(`--${name}`, `--${name} must be ${DURATION_FORM} (got "${raw}").`);
  return ms;
}

/** A positive rate (requests per second), or a ConfigError naming the option. */
export function rateOption(args: ParsedArgs, name: string): number | undefined {
  const raw = str(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > 10_000)
    throw new ConfigError(
      `--${name}`,
      `--${name} must be a number of writes per second above 0 and at most 10000 (got "${raw}").`,
    );
  return n;
}

/** `--write-rate N` as Databricks client options (default: the client's 2/s). */
export function writeRateOptions(args: ParsedArgs): { writeRatePerSecond?: number } {
  const rate = rateOption(args, "write-rate");
  return rate === undefined ? {} : { writeRatePerSecond: rate };
}

/** `--accept-findings CODE,...`: error finding codes accepted knowingly (case-insensitive). */
export function acceptFindingsOption(args: ParsedArgs): FindingCode[] {
  const raw = str(args, "accept-findings");
  if (!raw) return [];
  const codes = raw
    .split(",")
    .map((c) => c.trim().toUpperCase())
    .filter(Boolean);
  const unknown = codes.filter((c) => !FINDING_CODES.includes(c as FindingCode));
  if (unknown.length)
    throw new ConfigError(
      "--accept-findings",
      `--accept-findings names unknown finding code(s) ${unknown.join(", ")}: use codes from ${FINDING_CODES.join(", ")}.`,
    );
  return codes as FindingCode[];
}
