/**
 * One writer per Databricks account at a time: two applies (or an apply and
 * an undo) on one account double their writes, share one PATCH budget into a
 * storm of 429s and can leave a link unwritten. The lock is a lock file
 * (proper-lockfile: an atomic mkdir, refreshed every 10 s while the run
 * lives) in `AIMCTL_LOCK_DIR`, else the machine's temp folder, named after
 * the account. A run killed without releasing it leaves a lock that goes
 * stale 30 s after its last refresh: the next run then takes it; `breakLock`
 * (aimctl --break-lock) removes it at once. Beside it, `<lock>.json` says
 * who holds it, for the message.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lockfile from "proper-lockfile";
import { AimError, ERROR_CODES } from "../http/errors";

/** A lock not refreshed for this long belongs to a run that is gone. */
export const LOCK_STALE_MS = 30_000;
const LOCK_UPDATE_MS = 10_000;

export interface AccountLockOptions {
  /** What takes it ("apply", "undo", "pulumi up"), for the holder's description. */
  command: string;
  /** Where lock files live (default AIMCTL_LOCK_DIR, else <tmp>/aimctl-locks). */
  dir?: string;
  /** Remove a lock that is there first (the operator says its run is gone). */
  breakLock?: boolean;
}

interface Holder {
  pid: number;
  host: string;
  command: string;
  since: string;
  account: string;
}

export function lockDir(dir?: string): string {
  return dir ?? process.env.AIMCTL_LOCK_DIR ?? path.join(os.tmpdir(), "aimctl-locks");
}

function lockPath(dir: string, host: string, accountId: string): string {
  const id = crypto.createHash("sha256").update(`${host}\n${accountId}`).digest("hex").slice(0, 24);
  return path.join(dir, `account-${id}`);
}

/** Takes the account's lock or throws ERR_ACCOUNT_LOCKED naming the holder; returns the release. */
export async function lockAccount(
  host: string,
  accountId: string,
  opts: AccountLockOptions,
): Promise<() => Promise<void>> {
  const dir = lockDir(opts.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = lockPath(dir, host, accountId);
  const info = `${target}.json`;
  if (opts.breakLock) {
    fs.rmSync(`${target}.lock`, { recursive: true, force: true });
    fs.rmSync(info, { force: true });
  }
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, {
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: 0,
      // A lost lock (its folder removed, the clock jumped) must not crash the run mid-write;
      // the writes stay re-checked and journalled.
      onCompromised: () => undefined,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    let holder: Partial<Holder> = {};
    try {
      holder = JSON.parse(fs.readFileSync(info, "utf8")) as Holder;
    } catch {
      // No description (it is written just after the lock is taken): say what is known.
    }
    throw new AimError(
      ERROR_CODES.accountLocked,
      `Databricks account ${accountId} is being written by another aimctl run` +
        (holder.pid
          ? ` (${holder.command} by pid ${holder.pid} on ${holder.host} since ${holder.since})`
          : "") +
        `. Wait for it to finish. If that run is gone (killed), its lock goes stale ${LOCK_STALE_MS / 1000} s after its last refresh and the next run takes it, or remove it now with --break-lock (lock: ${target}.lock).`,
    );
  }
  const holder: Holder = {
    pid: process.pid,
    host: os.hostname(),
    command: opts.command,
    since: new Date().toISOString(),
    account: accountId,
  };
  fs.writeFileSync(info, JSON.stringify(holder), { mode: 0o600 });
  return async () => {
    fs.rmSync(info, { force: true });
    await release().catch(() => undefined);
  };
}
