/**
 * The files aimctl is pointed at: JSON it reads (config, rules, a saved plan)
 * and files it will write (--out, --undo-file, --okta-cache). Both are
 * checked before anything is read from the services, so a bad path costs
 * nothing and leaves nothing behind.
 */
import { accessSync, constants, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { ConfigError } from "../core/http";

/**
 * A JSON file someone may have edited: a regular file (a FIFO or /dev/zero
 * would never end), read as UTF-8 with a leading byte-order mark dropped
 * (Windows editors write one; RFC 8259 lets a parser ignore it). Throws the
 * errno error (`code` set) or the SyntaxError; callers word the message.
 */
export function readJsonFile(file: string): unknown {
  if (!statSync(file).isFile())
    throw Object.assign(new Error(`${file} is not a regular file`), { code: "ENOTFILE" });
  const text = readFileSync(file, "utf8");
  return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Kernel pseudo-filesystems: a file there is not a file (reads and writes may block or fail oddly). */
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];

/** The nearest path at or above `file` that exists, with its real location (symlinks resolved). */
function nearestExisting(file: string): { path: string; real: string } {
  let p = file;
  for (;;) {
    try {
      return { path: p, real: realpathSync(p) };
    } catch {
      const up = dirname(p);
      if (up === p) return { path: p, real: p };
      p = up;
    }
  }
}

function under(root: string, p: string): boolean {
  return p === root || p.startsWith(`${root}${sep}`);
}

/**
 * Checks that `file` (absolute) can be written as a regular file: not under
 * /proc, /sys or /dev, not a folder or device, in a folder that exists or can
 * be created, writable (EACCES, EROFS). Touches nothing. Throws a ConfigError
 * naming `option`, the path and the fix.
 */
export function assertWritableFile(option: string, file: string, example: string): void {
  const fix = `give the path of a file in a folder you can write, e.g. ${example}`;
  const { path: existing, real } = nearestExisting(file);
  const realTarget = join(real, relative(existing, file));
  const pseudo = PSEUDO_ROOTS.find((r) => under(r, realTarget));
  if (pseudo)
    throw new ConfigError(
      option,
      `${option} ${file} is under ${pseudo}, a kernel pseudo-filesystem, not a folder of files: ${fix}.`,
    );
  const st = statSync(existing);
  if (existing === file) {
    if (st.isDirectory())
      throw new ConfigError(
        option,
        `${option} ${file} is a folder: ${fix} (for instance ${join(file, example)}).`,
      );
    if (!st.isFile())
      throw new ConfigError(option, `${option} ${file} is not a regular file: ${fix}.`);
  } else if (!st.isDirectory()) {
    throw new ConfigError(
      option,
      `${option} ${file} cannot be created: ${existing} is a file, not a folder: ${fix}.`,
    );
  }
  // The file is replaced or appended to, and new files are created in its folder: both must be writable.
  const folder = existing === file ? dirname(file) : existing;
  for (const p of existing === file ? [file, folder] : [folder]) {
    try {
      accessSync(p, constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "error";
      throw new ConfigError(
        option,
        `${option} ${file} cannot be written (${p} is ${code === "EROFS" ? "on a read-only file system" : "not writable"}, ${code}): ${fix}.`,
      );
    }
  }
}

/** `option`'s path resolved against `cwd`, checked with assertWritableFile; undefined when not given. */
export function writableFileOption(
  option: string,
  value: string | undefined,
  cwd: string,
  example: string,
): string | undefined {
  if (value === undefined) return undefined;
  const file = resolve(cwd, value);
  assertWritableFile(option, file, example);
  return file;
}
