/**
 * The "read" step: both sides' identities, read concurrently (Okta and
 * Databricks are independent services with independent rate limits, so a
 * sequential read would only add the two latencies).
 *
 * With a snapshot cache (core/okta/snapshotCache.ts) the Okta users are read
 * incrementally when the cache allows it; the groups are read first then, so
 * that the Everyone timestamp the cache keeps was seen before the users
 * were. Databricks has no change filter: it is read in full every time.
 */
import type { DatabricksIdentityReader } from "../databricks/api";
import type { DatabricksServicePrincipal, OktaGroup, OktaUser } from "../model/tenant";
import type { OktaReader } from "../okta/api";
import {
  everyoneGroup,
  incrementalFrom,
  latestUpdate,
  loadOktaCache,
  mergeUsers,
  saveOktaCache,
  type OktaSnapshotCacheOptions,
} from "../okta/snapshotCache";
import type { DatabricksSnapshot, OktaSnapshot } from "./plan";

// The planner's input types: readSnapshot's output feeds planLinks unchanged.
export type { OktaSnapshot, DatabricksSnapshot } from "./plan";

export type SnapshotSource =
  | "okta.users"
  | "okta.groups"
  | "databricks.users"
  | "databricks.groups"
  | "databricks.servicePrincipals";

export interface SnapshotProgress {
  source: SnapshotSource;
  /** Items read so far from this source. */
  count: number;
  /** True once this source is complete. */
  done: boolean;
}

export interface SnapshotTiming {
  /** Wall clock of the whole read (the slowest source, since they run concurrently). */
  totalMs: number;
  oktaMs: number;
  databricksMs: number;
  perSource: Record<SnapshotSource, number>;
}

/** How the Okta users were read. */
export interface OktaReadReport {
  mode: "full" | "incremental";
  /** Why a full read, or from when the incremental one asked for changes. */
  reason: string;
  /** Users Okta returned (all of them, or the changed ones). */
  usersFetched: number;
  /** The cache file, when a cache was used. */
  cacheFile?: string;
  /** The cache could not be written (the next read is then full); the read itself succeeded. */
  cacheSaveError?: string;
}

export interface Snapshot {
  okta: OktaSnapshot;
  databricks: DatabricksSnapshot;
  timing: SnapshotTiming;
  oktaRead: OktaReadReport;
}

export interface ReadSnapshotOptions {
  onProgress?: (p: SnapshotProgress) => void;
  /** Skip reading service principals (nothing maps them). Default false. */
  skipServicePrincipals?: boolean;
  /** Read Okta users incrementally through this cache (absent: a full read, nothing kept). */
  oktaCache?: OktaSnapshotCacheOptions;
  now?: () => number;
}

export async function readSnapshot(
  okta: OktaReader,
  databricks: DatabricksIdentityReader,
  opts: ReadSnapshotOptions = {},
): Promise<Snapshot> {
  const now = opts.now ?? Date.now;
  const started = now();
  const perSource = {} as Record<SnapshotSource, number>;

  const timed = async <T>(
    source: SnapshotSource,
    read: (onPage: (n: number) => void) => Promise<T[]>,
  ): Promise<T[]> => {
    const t0 = now();
    let count = 0;
    const items = await read((n) => {
      count += n;
      opts.onProgress?.({ source, count, done: false });
    });
    perSource[source] = now() - t0;
    opts.onProgress?.({ source, count: items.length, done: true });
    return items;
  };

  const oktaPart = (async () => {
    const t0 = now();
    const users = (since?: string) =>
      timed("okta.users", (onPage) =>
        okta.listUsers({ includeDeprovisioned: true, updatedSince: since, onPage }),
      );
    const groups = () => timed("okta.groups", (onPage) => okta.listGroups({ onPage }));
    const cache = opts.oktaCache;
    if (!cache || !okta.cacheKey) {
      const [u, g] = await Promise.all([users(), groups()]);
      const report: OktaReadReport = {
        mode: "full",
        reason: cache ? "the Okta reader names no org for a cache" : "no snapshot cache",
        usersFetched: u.length,
      };
      return { snapshot: { users: u, groups: g }, report, ms: now() - t0 };
    }
    const result = await readOktaCached(okta.cacheKey, cache, users, groups, now);
    return { ...result, ms: now() - t0 };
  })();
  const databricksPart = (async () => {
    const t0 = now();
    const [users, groups, servicePrincipals] = await Promise.all([
      timed("databricks.users", (onPage) => databricks.listUsers({ onPage })),
      timed("databricks.groups", (onPage) => databricks.listGroups({ onPage })),
      opts.skipServicePrincipals
        ? Promise.resolve([] as DatabricksServicePrincipal[])
        : timed("databricks.servicePrincipals", (onPage) =>
            databricks.listServicePrincipals({ onPage }),
          ),
    ]);
    return { snapshot: { users, groups, servicePrincipals }, ms: now() - t0 };
  })();

  // allSettled so that one side's failure does not leave the other's requests dangling unobserved.
  const [o, d] = await Promise.allSettled([oktaPart, databricksPart]);
  if (o.status === "rejected") throw o.reason;
  if (d.status === "rejected") throw d.reason;
  if (opts.skipServicePrincipals) perSource["databricks.servicePrincipals"] = 0;
  return {
    okta: o.value.snapshot,
    databricks: d.value.snapshot,
    timing: { totalMs: now() - started, oktaMs: o.value.ms, databricksMs: d.value.ms, perSource },
    oktaRead: o.value.report,
  };
}

/** Groups in full, then the users incrementally when the cache allows it; the cache rewritten. */
async function readOktaCached(
  key: string,
  cache: OktaSnapshotCacheOptions,
  listUsers: (since?: string) => Promise<OktaUser[]>,
  listGroups: () => Promise<OktaGroup[]>,
  now: () => number,
): Promise<{ snapshot: OktaSnapshot; report: OktaReadReport }> {
  const readAtMs = now();
  const [loaded, groups] = await Promise.all([loadOktaCache(cache.file, key), listGroups()]);
  const everyoneAt = everyoneGroup(groups)?.lastMembershipUpdated;
  const decision = loaded.ok
    ? incrementalFrom(loaded.content, everyoneAt, readAtMs, cache)
    : { full: loaded.reason };
  let users: OktaUser[];
  let report: OktaReadReport;
  let upTo: string | null;
  if ("since" in decision && loaded.ok) {
    const changed = await listUsers(decision.since);
    users = mergeUsers(loaded.content.users, changed);
    upTo = latestUpdate(changed, loaded.content.usersUpdatedUpTo);
    report = {
      mode: "incremental",
      reason: `users changed since ${decision.since}`,
      usersFetched: changed.length,
      cacheFile: cache.file,
    };
  } else {
    users = await listUsers();
    upTo = latestUpdate(users, null);
    report = {
      mode: "full",
      reason: "full" in decision ? decision.full : "no cache",
      usersFetched: users.length,
      cacheFile: cache.file,
    };
  }
  if (everyoneAt !== undefined) {
    try {
      await saveOktaCache(cache.file, {
        key,
        readAt: new Date(readAtMs).toISOString(),
        usersUpdatedUpTo: upTo,
        everyoneMembershipAt: everyoneAt,
        users,
      });
    } catch (e) {
      report.cacheSaveError = e instanceof Error ? e.message : String(e);
    }
  }
  return { snapshot: { users, groups }, report };
}
