/**
 * The undo journal: JSON lines, append-only. Apply writes an `intent` record
 * (with the value being replaced) and syncs it to disk BEFORE it issues a
 * write, then a `done` or `failed` record after. A process killed at any
 * point therefore leaves every write that may have happened on record, and
 * `undo` can restore them. Records hold identity ids, names and Okta ids,
 * never a credential.
 */
import fs from "node:fs";
import path from "node:path";
import { AimError, ConfigError, ERROR_CODES } from "../http/errors";
import type { IdentityKind, WriteRoute } from "../model/plan";

export const JOURNAL_VERSION = 1;

/** Journals name identities: their folder (and the files) are the owner's alone. */
export const JOURNAL_DIR_MODE = 0o700;
export const JOURNAL_FILE_MODE = 0o600;

export interface RunRecord {
  type: "run";
  v: number;
  runId: string;
  at: string;
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

export type JournalRecord = RunRecord | IntentRecord | OutcomeRecord | EndRecord;

/** Appends records durably: each line is written and fsync'ed before `append` returns. */
export class JournalWriter {
  private fd: number | undefined;
  readonly file: string;

  constructor(
    file: string,
    private readonly sync = true,
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
  /** Lines that did not parse (a torn last line after a kill is expected; others are not). */
  badLines: number[];
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
  const badLines: number[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as JournalRecord;
      if (r && typeof r === "object" && typeof r.type === "string") records.push(r);
      else badLines.push(i + 1);
    } catch {
      badLines.push(i + 1);
    }
  });
  return { records, badLines };
}

function errnoText(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e?.code ?? e?.message ?? "unknown error";
}

export function newRunId(): string {
  return `${Date.now().toString(36)}-${process.pid.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
