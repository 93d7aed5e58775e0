/**
 * The "read" step: both sides' identities, read concurrently (Okta and
 * Databricks are independent services with independent rate limits, so a
 * sequential read would only add the two latencies).
 */
import type { DatabricksIdentityReader } from "../databricks/api";
import type { DatabricksServicePrincipal } from "../model/tenant";
import type { OktaReader } from "../okta/api";
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

export interface Snapshot {
  okta: OktaSnapshot;
  databricks: DatabricksSnapshot;
  timing: SnapshotTiming;
}

export interface ReadSnapshotOptions {
  onProgress?: (p: SnapshotProgress) => void;
  /** Skip reading service principals (nothing maps them). Default false. */
  skipServicePrincipals?: boolean;
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
    const [users, groups] = await Promise.all([
      timed("okta.users", (onPage) => okta.listUsers({ includeDeprovisioned: true, onPage })),
      timed("okta.groups", (onPage) => okta.listGroups({ onPage })),
    ]);
    return { snapshot: { users, groups }, ms: now() - t0 };
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
  };
}
