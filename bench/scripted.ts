/**
 * The approach a platform engineer would script, for comparison: list the
 * Databricks users and groups the way the SDK does (pages until an empty
 * one), then for each identity ONE Okta look-up (a user by login:
 * `GET /api/v1/users/{userName}`; a group by name:
 * `GET /api/v1/groups?q={name}`), then a SCIM PATCH of
 * externalId per match that has none yet. Same HttpClient (retries, 429
 * handling) as the tool. Deliberately generous to the script: it runs
 * `concurrency` identities at once, skips nothing it would need, and makes
 * no second look-up by email when the login look-up misses (a thorough
 * script would, with more calls). Groups: the name search of the Okta SDKs'
 * listGroups (`q`), then the exact name among the results.
 *
 * `sampleMax` bounds the run: above that many identities, only every k-th
 * user and group is looked up (and patched); the lists are still read in
 * full. Each identity costs the same calls, so the caller scales up exactly
 * for look-ups and by the sample's match rate for PATCHes.
 */
import {
  DATABRICKS_BUCKETS,
  DatabricksAccountClient,
  mapLimit,
  SCIM_MAX_COUNT,
} from "../core/databricks/client";
import { HttpClient, type HttpEvent } from "../core/http";
import type { IdentityKind } from "../core/model/plan";
import type { OktaGroup, OktaUser } from "../core/model/tenant";
import { databricksConfig, type Connection } from "./protocol";

export const SCRIPT_BUCKETS = {
  userLookup: "okta GET /api/v1/users/{login}",
  groupLookup: "okta GET /api/v1/groups?q={name}",
} as const;

export interface ScriptedCounts {
  databricksUsers: number;
  databricksGroups: number;
  userLookups: number;
  groupLookups: number;
  userMatches: number;
  groupMatches: number;
  userPatches: number;
  groupPatches: number;
  /** Identities that already had an externalId (a script could skip their look-up). */
  alreadyHadExternalId: number;
  /** 1 = every identity; k = every k-th user and group only (a bounded run, scaled up by the caller). */
  sampleStep: number;
  sampledUsers: number;
  sampledGroups: number;
}

export interface ScriptedOptions {
  concurrency: number;
  /** Client-side pace of PATCHes and lists; very high when the emulator's limits are off. */
  writeRatePerSecond: number;
  listRatePerSecond: number;
  onEvent?: (e: HttpEvent) => void;
}

export function scriptedClients(
  conn: Connection,
  opts: ScriptedOptions,
): {
  okta: HttpClient;
  databricks: DatabricksAccountClient;
} {
  const okta = new HttpClient({ service: "okta", onEvent: opts.onEvent });
  okta.addSecrets(conn.okta.apiToken);
  const databricks = new DatabricksAccountClient(databricksConfig(conn), {
    writeRatePerSecond: opts.writeRatePerSecond,
    listRatePerSecond: opts.listRatePerSecond,
    http: { onEvent: opts.onEvent },
  });
  return { okta, databricks };
}

interface ScimIdentity {
  id: string;
  userName?: string;
  displayName?: string;
  externalId?: string;
}

/**
 * `databricks-sdk` style: `startIndex` advanced by what came back, until an empty page. The
 * SDK's `count` 10000 is refused by a server that enforces the documented "<= 100", so the
 * script asks for 100 as anyone would after the first failure.
 */
async function listSdkStyle(
  dbx: DatabricksAccountClient,
  resource: "Users" | "Groups",
): Promise<ScimIdentity[]> {
  const out: ScimIdentity[] = [];
  for (let start = 1; ;) {
    const url = `${dbx.host}/api/2.0/accounts/${encodeURIComponent(dbx.accountId)}/scim/v2/${resource}?startIndex=${start}&count=${SCIM_MAX_COUNT}`;
    const res = await dbx.authorizedRequest<{ Resources?: ScimIdentity[] }>({
      method: "GET",
      url,
      bucket: DATABRICKS_BUCKETS.scimList(resource),
    });
    const items = res.body?.Resources ?? [];
    if (items.length === 0) return out;
    for (const r of items)
      out.push({
        id: r.id,
        userName: r.userName,
        displayName: r.displayName,
        externalId: r.externalId,
      });
    start += items.length;
  }
}

export async function runScriptedApproach(
  conn: Connection,
  clients: { okta: HttpClient; databricks: DatabricksAccountClient },
  concurrency: number,
  sampleMax = 0,
): Promise<ScriptedCounts> {
  const { okta, databricks } = clients;
  const auth = { authorization: `SSWS ${conn.okta.apiToken}` };
  const counts: ScriptedCounts = {
    databricksUsers: 0,
    databricksGroups: 0,
    userLookups: 0,
    groupLookups: 0,
    userMatches: 0,
    groupMatches: 0,
    userPatches: 0,
    groupPatches: 0,
    alreadyHadExternalId: 0,
    sampleStep: 1,
    sampledUsers: 0,
    sampledGroups: 0,
  };
  const [users, groups] = await Promise.all([
    listSdkStyle(databricks, "Users"),
    listSdkStyle(databricks, "Groups"),
  ]);
  counts.databricksUsers = users.length;
  counts.databricksGroups = groups.length;
  const step =
    sampleMax > 0 ? Math.max(1, Math.ceil((users.length + groups.length) / sampleMax)) : 1;
  const userSample = users.filter((_, i) => i % step === 0);
  const groupSample = groups.filter((_, i) => i % step === 0);
  counts.sampleStep = step;
  counts.sampledUsers = userSample.length;
  counts.sampledGroups = groupSample.length;

  const link = async (kind: IdentityKind, db: ScimIdentity, oktaId: string | undefined) => {
    if (!oktaId) return;
    if (kind === "user") counts.userMatches++;
    else counts.groupMatches++;
    if (db.externalId) return; // linked already, or someone else's: a careful script leaves it
    await databricks.setExternalId(kind, db.id, oktaId, "scim");
    if (kind === "user") counts.userPatches++;
    else counts.groupPatches++;
  };

  await mapLimit(userSample, concurrency, async (u) => {
    if (u.externalId) counts.alreadyHadExternalId++;
    counts.userLookups++;
    const res = await okta.request<OktaUser>({
      method: "GET",
      url: `${conn.okta.orgUrl}/api/v1/users/${encodeURIComponent(u.userName ?? "")}`,
      headers: auth,
      bucket: SCRIPT_BUCKETS.userLookup,
      acceptStatus: [404],
    });
    const found = res.status === 200 && res.body.status !== "DEPROVISIONED" ? res.body : undefined;
    await link("user", u, found?.id);
  });

  await mapLimit(groupSample, concurrency, async (g) => {
    if (g.externalId) counts.alreadyHadExternalId++;
    counts.groupLookups++;
    const name = g.displayName ?? "";
    const res = await okta.request<OktaGroup[]>({
      method: "GET",
      url: `${conn.okta.orgUrl}/api/v1/groups?q=${encodeURIComponent(name)}`,
      headers: auth,
      bucket: SCRIPT_BUCKETS.groupLookup,
    });
    const found = (Array.isArray(res.body) ? res.body : []).find(
      (o) => o.type !== "BUILT_IN" && o.profile.name === name,
    );
    await link("group", g, found?.id);
  });
  return counts;
}
