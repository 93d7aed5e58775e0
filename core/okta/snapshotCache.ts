/**
 * The Okta snapshot cache: the users of the last read in a local file (JSON
 * lines, beside the project like the undo journal, never in Pulumi state), so
 * that the next read asks Okta only for what changed
 * (`filter=lastUpdated gt "…"`, every status, DEPROVISIONED included).
 *
 * What a lastUpdated filter cannot show is a deletion. Okta deletes a user
 * only once it is DEPROVISIONED (which moves lastUpdated), but both steps may
 * happen between two reads. Every user is a member of the BUILT_IN group
 * "Everyone", so a user created or deleted moves that group's
 * `lastMembershipUpdated`; the groups are read in full on every read (10,000
 * per page: one or two calls), which gives that timestamp for free and shows
 * group deletions too. The users are read incrementally only while
 * Everyone's timestamp is the one cached; otherwise in full. Also in full:
 * no cache, a corrupt or unreadable one, one of another org or client, one
 * older than `maxAgeMs`. docs/decisions.md "Incremental Okta reads" has the
 * reasoning and what is assumed.
 *
 * The file holds logins and emails (no credential): it is created 0600 in a
 * 0700 folder, written to a temporary name and renamed, so a crash leaves the
 * old file or the new one, never half of one.
 */
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { oktaUserStatus, oneCopy, type OktaGroup, type OktaUser } from "../model/tenant";

export const OKTA_CACHE_FORMAT = "okta-databricks-aim/okta-snapshot";
export const OKTA_CACHE_VERSION = 1;
/** The cache folder and files: they list the org's logins and emails. */
export const OKTA_CACHE_DIR_MODE = 0o700;
export const OKTA_CACHE_FILE_MODE = 0o600;

export const OKTA_CACHE_DEFAULTS = {
  /** A cache older than this is read again in full (bounds anything a filter could miss). */
  maxAgeMs: 24 * 3_600_000,
  /**
   * Re-read this much before the last change seen, and trust Everyone's
   * timestamp only once it is this old: covers Okta's whole-second
   * timestamps and a clock difference between Okta and this machine.
   */
  overlapMs: 2 * 60_000,
} as const;

/** The BUILT_IN group that holds every user of the org. */
export const EVERYONE_GROUP = "Everyone";

export interface OktaSnapshotCacheOptions {
  /** The cache file (JSON lines). */
  file: string;
  maxAgeMs?: number;
  overlapMs?: number;
}

/** What the cache keeps: the users and what tells whether they are still current. */
export interface OktaCacheContent {
  /** `OktaReader.cacheKey`: the org and the client that read it. */
  key: string;
  /** When the read that produced it started (this machine's clock, ISO). */
  readAt: string;
  /** The latest lastUpdated among the users (Okta's clock), null when none had one. */
  usersUpdatedUpTo: string | null;
  /** Everyone's lastMembershipUpdated when the read started. */
  everyoneMembershipAt: string;
  users: OktaUser[];
}

export type CacheLoad = { ok: true; content: OktaCacheContent } | { ok: false; reason: string };

interface Header {
  format: string;
  v: number;
  key: string;
  readAt: string;
  usersUpdatedUpTo: string | null;
  everyoneMembershipAt: string;
  users: number;
}

type UserLine = [id: string, status: string, login: string, email: string];

/** `okta-snapshot-<org host>-<client id>.jsonl`, safe as a file name. */
export function oktaCacheFileName(key: string): string {
  return `okta-snapshot-${key.replace(/[^A-Za-z0-9_.-]/g, "_")}.jsonl`;
}

/** Reads the cache; any problem is a reason for a full read, never an error. */
export async function loadOktaCache(file: string, key: string): Promise<CacheLoad> {
  let stream: fs.ReadStream;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    stream = fs.createReadStream(file, { encoding: "utf8" });
  } catch {
    return { ok: false, reason: `no cache at ${file}` };
  }
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let header: Header | undefined;
  let ended = false;
  const users: OktaUser[] = [];
  const corrupt = (why: string): CacheLoad => ({
    ok: false,
    reason: `cache ${file} is unusable (${why})`,
  });
  try {
    for await (const line of lines) {
      if (ended) return corrupt("data after the end record");
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return corrupt(`line ${users.length + (header ? 2 : 1)} is not JSON`);
      }
      if (!header) {
        const h = value as Partial<Header>;
        if (h?.format !== OKTA_CACHE_FORMAT) return corrupt("not an Okta snapshot cache");
        if (h.v !== OKTA_CACHE_VERSION) return corrupt(`format version ${String(h.v)}`);
        if (
          typeof h.key !== "string" ||
          !isDate(h.readAt) ||
          !(h.usersUpdatedUpTo === null || isDate(h.usersUpdatedUpTo)) ||
          !isDate(h.everyoneMembershipAt) ||
          !Number.isInteger(h.users)
        )
          return corrupt("header fields");
        header = h as Header;
        if (header.key !== key)
          return { ok: false, reason: `cache ${file} is of ${header.key}, not ${key}` };
        continue;
      }
      if (Array.isArray(value)) {
        const u = value as UserLine;
        const status = u.length === 4 ? oktaUserStatus(u[1]) : undefined;
        if (status === undefined || !u.every((x) => typeof x === "string") || !u[0])
          return corrupt(`user line ${users.length + 1}`);
        // The shape the Okta client projects (lastUpdated undefined: the cache keeps only the
        // newest), so planning sees one object shape whichever way the users were read.
        users.push({
          id: u[0],
          status,
          profile: { login: u[2], email: oneCopy(u[2], u[3]) },
          lastUpdated: undefined,
        });
        continue;
      }
      const end = value as { end?: boolean; users?: number };
      if (end?.end !== true || end.users !== users.length || header.users !== users.length)
        return corrupt("the end record does not match the users read");
      ended = true;
    }
  } catch (e) {
    return corrupt(e instanceof Error ? e.message : String(e));
  } finally {
    lines.close();
    stream.destroy();
  }
  if (!header) return corrupt("empty");
  if (!ended) return corrupt("no end record: cut short");
  return {
    ok: true,
    content: {
      key: header.key,
      readAt: header.readAt,
      usersUpdatedUpTo: header.usersUpdatedUpTo,
      everyoneMembershipAt: header.everyoneMembershipAt,
      users,
    },
  };
}

/** Writes the cache atomically (temporary file, then rename), 0600 in a 0700 folder. */
export async function saveOktaCache(file: string, content: OktaCacheContent): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  await fs.promises.mkdir(dir, { recursive: true, mode: OKTA_CACHE_DIR_MODE });
  const tmp = `${file}.${process.pid}.tmp`;
  const header: Header = {
    format: OKTA_CACHE_FORMAT,
    v: OKTA_CACHE_VERSION,
    key: content.key,
    readAt: content.readAt,
    usersUpdatedUpTo: content.usersUpdatedUpTo,
    everyoneMembershipAt: content.everyoneMembershipAt,
    users: content.users.length,
  };
  const handle = await fs.promises.open(tmp, "w", OKTA_CACHE_FILE_MODE);
  try {
    // Lines in chunks: one string for a million users would be ~100 MB at once.
    const CHUNK = 5_000;
    await handle.write(JSON.stringify(header) + "\n");
    for (let i = 0; i < content.users.length; i += CHUNK) {
      let text = "";
      for (const u of content.users.slice(i, i + CHUNK)) {
        const line: UserLine = [u.id, u.status, u.profile.login, u.profile.email];
        text += JSON.stringify(line) + "\n";
      }
      await handle.write(text);
    }
    await handle.write(JSON.stringify({ end: true, users: content.users.length }) + "\n");
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await fs.promises.rename(tmp, file);
}

/** The Everyone group of a group list, if the org has one (every real org does). */
export function everyoneGroup(groups: readonly OktaGroup[]): OktaGroup | undefined {
  return groups.find((g) => g.type === "BUILT_IN" && g.profile.name === EVERYONE_GROUP);
}

/**
 * Whether the users can be read incrementally from `cached`, and from when:
 * `{ since }`, or the reason for a full read.
 */
export function incrementalFrom(
  cached: OktaCacheContent,
  everyoneMembershipAt: string | undefined,
  nowMs: number,
  opts: { maxAgeMs?: number; overlapMs?: number } = {},
): { since: string } | { full: string } {
  const maxAgeMs = opts.maxAgeMs ?? OKTA_CACHE_DEFAULTS.maxAgeMs;
  const overlapMs = opts.overlapMs ?? OKTA_CACHE_DEFAULTS.overlapMs;
  const readAtMs = Date.parse(cached.readAt);
  if (readAtMs > nowMs + overlapMs)
    return { full: `cache from ${cached.readAt} is dated after now (has the clock changed?)` };
  if (nowMs - readAtMs > maxAgeMs)
    return {
      full: `cache from ${cached.readAt} is older than ${formatAge(maxAgeMs)}`,
    };
  if (everyoneMembershipAt === undefined)
    return { full: `the org has no BUILT_IN "${EVERYONE_GROUP}" group to tell of deletions` };
  if (everyoneMembershipAt !== cached.everyoneMembershipAt)
    return {
      full: `users were created or deleted since ${cached.readAt} ("${EVERYONE_GROUP}" membership changed at ${everyoneMembershipAt}; a filter does not show deletions)`,
    };
  if (Date.parse(cached.everyoneMembershipAt) + overlapMs >= readAtMs)
    return {
      full: `users were created or deleted within ${formatAge(overlapMs)} of the cached read; too close to tell what it saw`,
    };
  const upTo = cached.usersUpdatedUpTo === null ? readAtMs : Date.parse(cached.usersUpdatedUpTo);
  return { since: new Date(Math.min(upTo, readAtMs) - overlapMs).toISOString() };
}

/**
 * The cached users with the changed ones put in: a changed user replaces its
 * old self where it was, a new one is appended. A map of the changed users
 * only (usually a handful), not of the whole org.
 */
export function mergeUsers(cached: OktaUser[], changed: readonly OktaUser[]): OktaUser[] {
  if (changed.length === 0) return cached;
  const byId = new Map<string, OktaUser>();
  for (const u of changed) byId.set(u.id, u);
  const merged = new Array<OktaUser>(cached.length);
  for (let i = 0; i < cached.length; i++) {
    const old = cached[i] as OktaUser;
    const now = byId.get(old.id);
    if (now === undefined) merged[i] = old;
    else {
      merged[i] = now;
      byId.delete(old.id);
    }
  }
  for (const u of byId.values()) merged.push(u);
  return merged;
}

/** The latest of the users' lastUpdated (and `floor`), or null. */
export function latestUpdate(users: readonly OktaUser[], floor: string | null): string | null {
  let best = floor === null ? Number.NEGATIVE_INFINITY : Date.parse(floor);
  for (const u of users) {
    if (u.lastUpdated === undefined) continue;
    const t = Date.parse(u.lastUpdated);
    if (t > best) best = t;
  }
  return Number.isFinite(best) ? new Date(best).toISOString() : null;
}

function isDate(v: unknown): v is string {
  return typeof v === "string" && Number.isFinite(Date.parse(v));
}

function formatAge(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}
