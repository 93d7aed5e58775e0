/**
 * The fewest API calls that can do the job, per endpoint, and the table rows
 * that compare them with what was counted (docs/performance.md explains the
 * formula). The minimum is physical: it follows from the tenant's sizes and
 * the largest pages the services document, never from what the client asks
 * for, so a client that pages smaller shows as a ratio above 1.
 * - plan: one token per service, then the pages each list needs: every Okta
 *   user of any status ceil(n / 200) (one `filter` pass returns every status;
 *   the plain list omits DEPROVISIONED users), Okta groups ceil(g / 10000),
 *   Databricks Users, Groups and ServicePrincipals ceil(n / 100); an empty
 *   list still takes one request.
 * - apply: one token, one write per link, and the reads a safe write needs
 *   (the design's rule: re-checked just before, read back after): at least two
 *   `id eq … or …` filters per 100 links of one kind (the SCIM filter's
 *   200-node limit), 2 × ceil(links_k / 100). The engine re-reads each
 *   identity on its own before its write (one read per write), a choice for
 *   journalling the value seen just before each write: its ratio is about 2.
 */
import { DATABRICKS_BUCKETS, type ScimResource } from "../core/databricks/client";
import type { IdentityKind, WriteRoute } from "../core/model/plan";
import type { TenantCounts } from "./protocol";

/**
 * The largest pages the services document, written here on purpose rather
 * than imported from the clients: this is the measuring stick for them.
 * Okta listUsers `limit` max 200, listGroups `limit` max 10000 (Okta
 * management API reference); Databricks account SCIM list `count`
 * "Constraints: <= 100" (API reference, list account users / groups).
 */
export const DOCUMENTED_MAX_PAGE = {
  oktaUsers: 200,
  oktaGroups: 10_000,
  databricksScim: 100,
} as const;

export interface EndpointRow {
  /** What the row counts, as printed. */
  endpoint: string;
  /** The emulator's counter key (method + route template). */
  emulatorKey: string;
  /** HttpClient stats buckets that the same calls land in. */
  clientBuckets: string[];
  minimum: number;
}

export interface CountedRow extends EndpointRow {
  /** Requests the emulator received for this row in the phase. */
  calls: number;
  /** Requests the client sent (every attempt), from HttpClient stats. */
  client: number;
  /** 429s (and 503 + Retry-After) the client received. */
  throttled: number;
}

export interface BucketStatsLike {
  requests: number;
  throttled: number;
}

/** Requests one list needs: at least one, even when it is empty. */
export function pages(n: number, pageSize: number): number {
  return Math.max(1, Math.ceil(n / pageSize));
}

const DBX_PREFIX = "/api/2.0/accounts/:accountId/scim/v2";
const RESOURCES: ScimResource[] = ["Users", "Groups", "ServicePrincipals"];
const RESOURCE_OF: Record<IdentityKind, ScimResource> = {
  user: "Users",
  group: "Groups",
  servicePrincipal: "ServicePrincipals",
};

export const OKTA_TOKEN_KEY = "POST /oauth2/v1/token";
export const DATABRICKS_TOKEN_KEY = "POST /oidc/accounts/:accountId/v1/token";

/**
 * The plan's rows. `databricksPageCap` is the server's page (the emulator's
 * `pageCap`): a server that serves fewer than the documented 100 makes more
 * pages necessary for any client.
 */
export function planRows(
  t: TenantCounts,
  databricksPageCap: number = DOCUMENTED_MAX_PAGE.databricksScim,
): EndpointRow[] {
  const dbxPage = Math.min(databricksPageCap, DOCUMENTED_MAX_PAGE.databricksScim);
  const dbxCounts: Record<ScimResource, number> = {
    Users: t.databricksUsers,
    Groups: t.databricksGroups,
    ServicePrincipals: t.databricksServicePrincipals,
  };
  return [
    {
      endpoint: "okta POST /oauth2/v1/token",
      emulatorKey: OKTA_TOKEN_KEY,
      clientBuckets: ["okta POST /oauth2/v1/token"],
      minimum: 1,
    },
    {
      endpoint: "okta GET /api/v1/users (every status)",
      emulatorKey: "GET /api/v1/users",
      clientBuckets: ["okta GET /api/v1/users"],
      minimum: pages(t.oktaUsersListed + t.oktaDeprovisioned, DOCUMENTED_MAX_PAGE.oktaUsers),
    },
    {
      endpoint: "okta GET /api/v1/groups",
      emulatorKey: "GET /api/v1/groups",
      clientBuckets: ["okta GET /api/v1/groups"],
      minimum: pages(t.oktaGroups, DOCUMENTED_MAX_PAGE.oktaGroups),
    },
    {
      endpoint: "databricks POST token (M2M)",
      emulatorKey: DATABRICKS_TOKEN_KEY,
      clientBuckets: [DATABRICKS_BUCKETS.token],
      minimum: 1,
    },
    ...RESOURCES.map((r) => ({
      endpoint: `databricks GET scim/v2/${r}`,
      emulatorKey: `GET ${DBX_PREFIX}/${r}`,
      clientBuckets: [DATABRICKS_BUCKETS.scimList(r)],
      minimum: pages(dbxCounts[r], dbxPage),
    })),
  ];
}

export function applyRows(
  linksByKind: Record<IdentityKind, number>,
  route: WriteRoute,
): EndpointRow[] {
  const rows: EndpointRow[] = [
    {
      endpoint: "databricks POST token (M2M)",
      emulatorKey: DATABRICKS_TOKEN_KEY,
      clientBuckets: [DATABRICKS_BUCKETS.token],
      minimum: 1,
    },
  ];
  for (const kind of ["user", "group", "servicePrincipal"] as const) {
    const links = linksByKind[kind];
    if (links === 0) continue;
    const r = RESOURCE_OF[kind];
    rows.push({
      endpoint: `databricks GET scim/v2/${r}?filter=id… (re-check + read-back)`,
      emulatorKey: `GET ${DBX_PREFIX}/${r}`,
      clientBuckets: [DATABRICKS_BUCKETS.scimFilter(r)],
      minimum: 2 * Math.ceil(links / DOCUMENTED_MAX_PAGE.databricksScim),
    });
    rows.push(
      route === "scim"
        ? {
            endpoint: `databricks PATCH scim/v2/${r}/{id}`,
            emulatorKey: `PATCH ${DBX_PREFIX}/${r}/:id`,
            clientBuckets: [DATABRICKS_BUCKETS.scimPatch(r)],
            minimum: links,
          }
        : {
            endpoint: `databricks PATCH iamv2 ${kind}`,
            emulatorKey: "",
            clientBuckets: [DATABRICKS_BUCKETS.iamv2Patch(kind)],
            minimum: links,
          },
    );
  }
  return rows;
}

/**
 * What the scripted approach calls (no minimum: it is the comparison, not the job).
 * Bucket names of the look-ups are passed in to keep this module free of the script.
 */
export function scriptRows(lookupBuckets: { user: string; group: string }): EndpointRow[] {
  return [
    {
      endpoint: "databricks POST token (M2M)",
      emulatorKey: DATABRICKS_TOKEN_KEY,
      clientBuckets: [DATABRICKS_BUCKETS.token],
      minimum: 0,
    },
    ...(["Users", "Groups"] as const).map((r) => ({
      endpoint: `databricks GET scim/v2/${r} (SDK paging)`,
      emulatorKey: `GET ${DBX_PREFIX}/${r}`,
      clientBuckets: [DATABRICKS_BUCKETS.scimList(r)],
      minimum: 0,
    })),
    {
      endpoint: "okta GET /api/v1/users/{login} (one per user)",
      emulatorKey: "GET /api/v1/users/:id",
      clientBuckets: [lookupBuckets.user],
      minimum: 0,
    },
    {
      endpoint: "okta GET /api/v1/groups?q={name} (one per group)",
      emulatorKey: "GET /api/v1/groups",
      clientBuckets: [lookupBuckets.group],
      minimum: 0,
    },
    ...(["Users", "Groups"] as const).map((r) => ({
      endpoint: `databricks PATCH scim/v2/${r}/{id}`,
      emulatorKey: `PATCH ${DBX_PREFIX}/${r}/:id`,
      clientBuckets: [DATABRICKS_BUCKETS.scimPatch(r)],
      minimum: 0,
    })),
  ];
}

/** Emulator counts of a phase: `after - before`, per key. */
export function delta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/**
 * Joins expected rows with what was counted. Counts under keys no row names
 * become rows with minimum 0 (calls the job did not need).
 */
export function countRows(
  rows: EndpointRow[],
  emulator: { okta: Record<string, number>; databricks: Record<string, number> },
  client: Map<string, BucketStatsLike>,
): CountedRow[] {
  const used = { okta: new Set<string>(), databricks: new Set<string>() };
  const usedBuckets = new Set<string>();
  const out: CountedRow[] = rows.map((row) => {
    const side = row.endpoint.startsWith("okta") ? "okta" : "databricks";
    used[side].add(row.emulatorKey);
    let c = 0;
    let throttled = 0;
    for (const b of row.clientBuckets) {
      usedBuckets.add(b);
      c += client.get(b)?.requests ?? 0;
      throttled += client.get(b)?.throttled ?? 0;
    }
    return { ...row, calls: emulator[side][row.emulatorKey] ?? 0, client: c, throttled };
  });
  for (const side of ["okta", "databricks"] as const) {
    for (const [key, n] of Object.entries(emulator[side])) {
      if (used[side].has(key)) continue;
      out.push({
        endpoint: `${side} ${key} (not needed)`,
        emulatorKey: key,
        clientBuckets: [],
        minimum: 0,
        calls: n,
        client: 0,
        throttled: 0,
      });
    }
  }
  for (const [bucket, st] of client) {
    if (usedBuckets.has(bucket) || st.requests === 0) continue;
    // Its calls already show under the emulator's key; listed for the client's view and 429s.
    out.push({
      endpoint: `${bucket} (client view, not needed)`,
      emulatorKey: "",
      clientBuckets: [bucket],
      minimum: 0,
      calls: 0,
      client: st.requests,
      throttled: st.throttled,
    });
  }
  return out;
}

export function totals(rows: CountedRow[]): {
  calls: number;
  client: number;
  minimum: number;
  throttled: number;
  ratio: number;
} {
  const calls = rows.reduce((n, r) => n + r.calls, 0);
  const client = rows.reduce((n, r) => n + r.client, 0);
  const minimum = rows.reduce((n, r) => n + r.minimum, 0);
  const throttled = rows.reduce((n, r) => n + r.throttled, 0);
  return { calls, client, minimum, throttled, ratio: minimum > 0 ? calls / minimum : NaN };
}
