/**
 * One writer per Databricks account at a time: two applies (or an apply and
 * an undo) on one account double their writes, share one PATCH budget into a
 * storm of 429s and can leave a link unwritten. The lock is a lock file
 * (proper-lockfile: an atomic mkdir, refreshed every 10 s while the run
 * lives) in `AIMCTL_LOCK_DIR`, else the machine's temp folder, named after
 * the account. A run killed without releasing it leaves a lock that goes
 * stale 30 s after its last refresh: the next run then takes it, at once
 * when the holder ran on this machine and its process is gone (a crashed
 * `pulumi up` resumed straight after `pulumi cancel` and `refresh`, under
 * the real engine, was refused otherwise); `breakLock` (aimctl --break-lock)
 * removes it at once. Beside it, `<lock>.json` says who holds it, for the
 * message and that check.
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
  const take = () =>
    lockfile.lock(target, {
      realpath: false,
      stale: LOCK_STALE_MS,
      update: LOCK_UPDATE_MS,
      retries: 0,
      // A lost lock (its folder removed, the clock jumped) must not crash the run mid-write;
      // the writes stay re-checked and journalled.
      onCompromised: () => undefined,
    });
  let release: () => Promise<void>;
  try {
    release = await take().catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== "ELOCKED" || !heldByGoneProcess(readHolder(info))) throw err;
      fs.rmSync(`${target}.lock`, { recursive: true, force: true });
      fs.rmSync(info, { force: true });
      return take();
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ELOCKED") throw err;
    const holder = readHolder(info);
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

/** Who holds the lock, as its `<lock>.json` says (empty: not written yet, just after the lock is taken). */
function readHolder(info: string): Partial<Holder> {
  try {
    return JSON.parse(fs.readFileSync(info, "utf8")) as Holder;
  } catch {
    return {};
  }
}

/**
 * The holder ran on this machine and its process no longer exists. Only then
 * is it known to be gone; from another machine the lock waits to go stale.
 * (`kill(pid, 0)` sends nothing: ESRCH means no such process, EPERM one that
 * exists under another user.)
 */
function heldByGoneProcess(holder: Partial<Holder>): boolean {
  if (!holder.pid || holder.host !== os.hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
