/**
 * The undo journal: JSON lines, append-only. Apply writes an `intent` record
 * (with the value being replaced) and syncs it to disk BEFORE it issues a
 * write, then a `done` or `failed` record after. A process killed at any
 * point therefore leaves every write that may have happened on record, and
 * `undo` can restore them. Records hold identity ids, names and Okta ids,
 * never a credential.
 *
 * The journal travels (a pipeline artifact), so undo treats it as untrusted
 * input: every record carries an HMAC-SHA256 chained to the record before it
 * in its run, keyed by a key derived from the Databricks credential (or
 * AIMCTL_JOURNAL_KEY) and bound to the account. A record that was altered,
 * added, removed from the middle, written for another account or with
 * another key, of an unknown version or type, is refused (docs/decisions.md,
 * "Undo journal authentication").
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AimError, ConfigError, ERROR_CODES } from "../http/errors";
import type { JournalAuth } from "../keys/journalKey";
import type { IdentityKind, WriteRoute } from "../model/plan";

// The key is derived in core/keys, by the credential's owner; still exported from here.
export { journalAuth, type JournalAuth } from "../keys/journalKey";

/** 2: every record authenticated (`mac`), the run bound to its account. 1 is refused. */
export const JOURNAL_VERSION = 2;

/** Journals name identities: their folder (and the files) are the owner's alone. */
export const JOURNAL_DIR_MODE = 0o700;
export const JOURNAL_FILE_MODE = 0o600;

export interface RunRecord {
  type: "run";
  v: number;
  runId: string;
  at: string;
  accountId?: string;
  host?: string;
  keyId?: string;
  /** "apply" or "undo". */
  op: "apply" | "undo";
  route: WriteRoute;
  total: number;
}

export interface IntentRecord {
  type: "intent";
  runId: string;
  seq: number;
  at: string;
  kind: IdentityKind;
  databricksId: string;
  databricksName: string;
  /** The value this write sets (null: clear). */
  externalId: string | null;
  /** The value it replaces, as re-read just before the write (null: unset). */
  previousExternalId: string | null;
  route: WriteRoute;
  /** "apply": a link; "undo": a restore (ignored when computing what to undo). */
  op: "apply" | "undo";
}

export interface OutcomeRecord {
  type: "done" | "failed";
  runId: string;
  seq: number;
  at: string;
  code?: string;
  message?: string;
}

export interface EndRecord {
  type: "end";
  runId: string;
  at: string;
  counts: Record<string, number>;
  aborted?: string;
}

export type JournalRecord = (RunRecord | IntentRecord | OutcomeRecord | EndRecord) & {
  /** HMAC of the previous record's mac in this run and this record (without mac). */
  mac?: string;
};

const RECORD_TYPES = ["run", "intent", "done", "failed", "end"] as const;

/** JSON with keys sorted at every level (the text the MAC covers). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

function macOf(key: Buffer, previous: string, record: JournalRecord): string {
  const { mac: _mac, ...rest } = record;
  return crypto
    .createHmac("sha256", key)
    .update(`${previous}\n${canonical(rest)}`)
    .digest("base64url");
}

/** Appends records durably: each line is written and fsync'ed before `append` returns. */
export class JournalWriter {
  private fd: number | undefined;
  readonly file: string;

  /** The last mac per run: each record is chained to the one before it. */
  private readonly chain = new Map<string, string>();

  constructor(
    file: string,
    private readonly sync = true,
    private readonly auth?: JournalAuth,
  ) {
    this.file = path.resolve(file);
  }

  open(): void {
    if (this.fd !== undefined) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: JOURNAL_DIR_MODE });
      // 0600: the journal names identities; nobody else needs to read it.
      this.fd = fs.openSync(this.file, "a", JOURNAL_FILE_MODE);
    } catch (err) {
      throw new ConfigError(
        "undoFile",
        `cannot open the undo file ${this.file} for appending (${errnoText(err)}): give a writable path.`,
      );
    }
  }

  append(record: JournalRecord): void {
    if (this.fd === undefined) this.open();
    const fd = this.fd as number;
    if (this.auth) {
      const mac = macOf(this.auth.key, this.chain.get(record.runId) ?? "", record);
      this.chain.set(record.runId, mac);
      record = { ...record, mac };
    }
    try {
      fs.writeSync(fd, `${JSON.stringify(record)}\n`);
      if (this.sync) fs.fsyncSync(fd);
    } catch (err) {
      throw new AimError(
        ERROR_CODES.undoJournal,
        `cannot write to the undo file ${this.file} (${errnoText(err)}); no write was issued without its record.`,
      );
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      fs.closeSync(this.fd);
    } finally {
      this.fd = undefined;
    }
  }
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** The line number of each record. */
  lines: number[];
  /** Lines that did not parse (a torn last line after a kill is expected; others are not). */
  badLines: number[];
  /** Non-empty lines in the file. */
  lineCount: number;
}

export function readJournal(file: string): ParsedJournal {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(
      "undoFile",
      `cannot read the undo file ${file} (${errnoText(err)}): give the path that apply wrote.`,
    );
  }
  const records: JournalRecord[] = [];
  const recordLines: number[] = [];
  const badLines: number[] = [];
  let lineCount = 0;
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    lineCount = i + 1;
    try {
      const r = JSON.parse(line) as JournalRecord;
      if (r && typeof r === "object" && !Array.isArray(r) && typeof r.type === "string") {
        records.push(r);
        recordLines.push(i + 1);
      } else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { records, lines: recordLines, badLines, lineCount };
}

function errnoText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e?.code ?? e?.message ?? "unknown error";
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Checks a parsed journal before undo may act on it: known version and record
 * types, every record's mac (chained per run), the run written for this
 * account with this key. Throws a ConfigError naming the line and the fix; a
 * torn last line (a kill while appending) is the only line that may fail to
 * parse.
 */
export function verifyJournal(file: string, parsed: ParsedJournal, auth: JournalAuth): void {
  const refuse = (why: string) =>
    new ConfigError(
      "undoFile",
      `refusing ${file}: ${why}. Undo writes only what an authenticated journal of this account records; give the journal apply wrote, unchanged.`,
    );
  const total = parsed.lineCount;
  const torn = parsed.badLines.filter((n) => n !== total);
  if (torn.length) throw refuse(`line ${torn[0]} is not a journal record`);
  const runs = new Map<string, { mac: string }>();
  for (const [i, r] of parsed.records.entries()) {
    const line = parsed.lines[i];
    if (
      !RECORD_TYPES.includes(r.type as (typeof RECORD_TYPES)[number]) ||
      typeof r.runId !== "string"
    )
      throw refuse(`line ${line} is not a record this tool writes`);
    if (typeof r.mac !== "string") throw refuse(`line ${line} carries no authentication (mac)`);
    if (r.type === "run") {
      if (r.v !== JOURNAL_VERSION)
        throw refuse(
          `line ${line} is journal version ${JSON.stringify(r.v)}, and this aimctl reads only version ${JOURNAL_VERSION} (authenticated)`,
        );
      if (r.accountId !== auth.accountId)
        throw refuse(
          `line ${line} was written for Databricks account ${JSON.stringify(r.accountId)}, not ${auth.accountId}`,
        );
      if (r.keyId !== auth.keyId)
        throw refuse(
          `line ${line} was written with another journal key (the Databricks credential or AIMCTL_JOURNAL_KEY of that apply): set AIMCTL_JOURNAL_KEY to the key apply used`,
        );
      if (runs.has(r.runId)) throw refuse(`line ${line} starts run ${r.runId} a second time`);
      if (r.mac !== macOf(auth.key, "", r)) throw refuse(`line ${line} was altered`);
      runs.set(r.runId, { mac: r.mac });
      continue;
    }
    const run = runs.get(r.runId);
    if (!run) throw refuse(`line ${line} belongs to no run recorded before it`);
    if (r.mac !== macOf(auth.key, run.mac, r))
      throw refuse(`line ${line} was altered, or a record before it was removed or reordered`);
    run.mac = r.mac;
  }
  if (runs.size === 0) throw refuse("it holds no run record");
}
