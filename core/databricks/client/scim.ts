/**
 * Account SCIM reads: whole lists and identities by id. Lists fetch page 1,
 * learn the server's effective page size and the total from it, then fetch
 * the remaining pages concurrently (bounded, paced to the account's one
 * LIST budget, which the three lists and the id filters share)
 * without the SDK's trailing empty-page request. If the pages do not add up
 * (identities added or removed meanwhile), a sequential pass until an empty
 * page follows and the results are merged by id.
 */
import type { IdentityKind } from "../../model/plan";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
} from "../../model/tenant";
import type { DatabricksIdentity } from "../api";
import {
  accountPath,
  DATABRICKS_BUCKETS,
  DATABRICKS_BUDGETS,
  resourceFor,
  type AccountContext,
  type ScimResource,
} from "./context";

/** Only what reconciliation reads: less to transfer and to hold for 100k identities. */
export const SCIM_ATTRIBUTES: Record<ScimResource, string> = {
  Users: "id,userName,externalId,active",
  Groups: "id,displayName,externalId",
  ServicePrincipals: "id,applicationId,displayName,externalId",
};

/** SCIM filters are limited to 200 nodes: n `eq` nodes + (n-1) `or` nodes ≤ 200 → n ≤ 100. */
export const MAX_IDS_PER_FILTER = 100;

/**
 * Account SCIM list `count`: "Default is 10000. Constraints: <= 100" (API
 * reference, list account users / groups). The SDK asks for 10000; a server
 * that enforces the constraint refuses that.
 */
export const SCIM_MAX_COUNT = 100;

export interface ListStats {
  resource: ScimResource;
  pages: number;
  effectivePageSize: number;
  totalResults: number;
  /** True when the concurrent pages did not add up and a sequential pass was made. */
  fallback: boolean;
  items: number;
}

/** How lists are fetched (DatabricksClientOptions, validated). */
export interface ListOptions {
  pageSize: number;
  serverPageCap?: number;
  listConcurrency: number;
  idsPerFilter: number;
}

interface ScimPage {
  totalResults: number;
  items: Array<Record<string, unknown>>;
}

interface ScimListBody {
  totalResults?: number;
  itemsPerPage?: number;
  startIndex?: number;
  Resources?: Array<Record<string, unknown>>;
}

async function fetchPage(
  ctx: AccountContext,
  resource: ScimResource,
  startIndex: number,
  count: number,
  filter?: string,
): Promise<ScimPage> {
  const q = new URLSearchParams({
    attributes: SCIM_ATTRIBUTES[resource],
    startIndex: String(startIndex),
    count: String(count),
  });
  if (filter) q.set("filter", filter);
  const url = accountPath(ctx, `/scim/v2/${resource}?${q.toString()}`);
  const res = await ctx.authorizedRequest<ScimListBody>({
    method: "GET",
    url,
    bucket: filter
      ? DATABRICKS_BUCKETS.scimFilter(resource)
      : DATABRICKS_BUCKETS.scimList(resource),
    budget: DATABRICKS_BUDGETS.scimList,
  });
  const body = res.body ?? {};
  const items = Array.isArray(body.Resources) ? body.Resources : [];
  const total = Number(body.totalResults);
  return { totalResults: Number.isFinite(total) ? total : items.length, items };
}

/** Every identity of `resource`; what the listing did goes to `stats`. */
export async function listAll<T extends { id: string }>(
  ctx: AccountContext,
  opts: ListOptions,
  resource: ScimResource,
  project: (r: Record<string, unknown>) => T | undefined,
  onPage?: (count: number) => void,
  stats?: (s: ListStats) => void,
): Promise<T[]> {
  const byId = new Map<string, T>();
  /** Keeps a page's identities; returns how many of them were already kept. */
  const take = (items: Array<Record<string, unknown>>): number => {
    let repeated = 0;
    for (const raw of items) {
      const p = project(raw);
      if (!p) continue;
      if (byId.has(p.id)) repeated++;
      byId.set(p.id, p);
    }
    onPage?.(items.length);
    return repeated;
  };
  const requested = Math.max(
    1,
    Math.min(opts.pageSize, opts.serverPageCap ?? Number.POSITIVE_INFINITY),
  );
  const first = await fetchPage(ctx, resource, 1, requested);
  const total = first.totalResults;
  take(first.items);
  let pages = 1;
  const effective = first.items.length;
  let consistent = true;

  if (first.items.length < total) {
    if (effective === 0) consistent = false;
    else {
      const starts: number[] = [];
      for (let s = 1 + effective; s <= total; s += effective) starts.push(s);
      await mapLimit(starts, opts.listConcurrency, async (start) => {
        const page = await fetchPage(ctx, resource, start, effective);
        pages++;
        const expected = Math.min(effective, total - start + 1);
        if (page.totalResults !== total || page.items.length !== expected) consistent = false;
        // An id on two pages means the list shifted under us.
        if (take(page.items) > 0) consistent = false;
      });
      if (byId.size !== total) consistent = false;
    }
  }

  if (!consistent) {
    // Sequential pass until an empty page; what it sees wins, nothing seen before is dropped
    // (a missed identity would become an AIM duplicate; a stale one is re-checked before writes).
    const step = Math.max(1, effective || requested);
    for (let start = 1; ; start += step) {
      const page = await fetchPage(ctx, resource, start, step);
      pages++;
      if (page.items.length === 0) break;
      take(page.items);
    }
  }
  stats?.({
    resource,
    pages,
    effectivePageSize: effective,
    totalResults: total,
    fallback: !consistent,
    items: byId.size,
  });
  return [...byId.values()];
}

/** Re-reads identities by id: `id eq … or …` filters, at most `idsPerFilter` ids each. */
export async function getByIds(
  ctx: AccountContext,
  opts: ListOptions,
  kind: IdentityKind,
  ids: string[],
): Promise<DatabricksIdentity[]> {
  const resource = resourceFor(kind);
  const project = PROJECT[resource];
  const unique = [...new Set(ids.filter((id) => typeof id === "string" && id !== ""))];
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += opts.idsPerFilter) {
    batches.push(unique.slice(i, i + opts.idsPerFilter));
  }
  const found = new Map<string, DatabricksIdentity>();
  await mapLimit(batches, opts.listConcurrency, async (batch) => {
    const filter = batch.map((id) => `id eq "${scimString(id)}"`).join(" or ");
    // The server may cap count below the batch size: page within the batch.
    let seen = 0;
    for (let start = 1; ;) {
      const page = await fetchPage(ctx, resource, start, batch.length, filter);
      for (const raw of page.items) {
        const p = project(raw);
        if (p) found.set(p.id, p);
      }
      seen += page.items.length;
      if (page.items.length === 0 || seen >= page.totalResults) break;
      start += page.items.length;
    }
  });
  const out: DatabricksIdentity[] = [];
  for (const id of unique) {
    const v = found.get(id);
    if (v) out.push(v);
  }
  return out;
}

/** A SCIM filter string literal: backslash and quote escaped (RFC 7644 uses JSON strings). */
function scimString(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Keeps only the fields reconciliation needs; a new object drops the rest of
 * the page. Every field is in the literal (undefined when absent): a field
 * added afterwards costs V8 a separate property store per identity.
 */
export function projectUser(r: Record<string, unknown>): DatabricksUser | undefined {
  const id = str(r.id);
  const userName = str(r.userName);
  if (!id || userName === undefined) return undefined;
  return {
    id,
    userName,
    externalId: str(r.externalId),
    active: typeof r.active === "boolean" ? r.active : undefined,
  };
}

export function projectGroup(r: Record<string, unknown>): DatabricksGroup | undefined {
  const id = str(r.id);
  const displayName = str(r.displayName);
  if (!id || displayName === undefined) return undefined;
  return { id, displayName, externalId: str(r.externalId) };
}

export function projectServicePrincipal(
  r: Record<string, unknown>,
): DatabricksServicePrincipal | undefined {
  const id = str(r.id);
  const applicationId = str(r.applicationId);
  if (!id || applicationId === undefined) return undefined;
  return {
    id,
    applicationId,
    displayName: str(r.displayName) ?? "",
    externalId: str(r.externalId),
  };
}

const PROJECT: Record<
  ScimResource,
  (r: Record<string, unknown>) => DatabricksIdentity | undefined
> = {
  Users: projectUser,
  Groups: projectGroup,
  ServicePrincipals: projectServicePrincipal,
};

/** Runs `fn` over `items` with at most `limit` in flight; the first failure rejects. */
export async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
