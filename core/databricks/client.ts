/**
 * The Databricks account client: OAuth M2M (or a static token), account
 * SCIM lists and PATCH, iamv2 look-ups and PATCH, over the shared HttpClient.
 *
 * Lists fetch page 1, learn the server's effective page size and the total
 * from it, then fetch the remaining pages concurrently (bounded, paced to the
 * LIST limit) without the SDK's trailing empty-page request. If the pages do
 * not add up (identities added or removed meanwhile), a sequential pass until
 * an empty page follows and the results are merged by id.
 */
import {
  AimError,
  ERROR_CODES,
  ConfigError,
  HttpClient,
  HttpError,
  AdaptivePacer,
  realSleep,
  type PaceReport,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type Sleep,
} from "../http";
import type { IdentityKind, WriteRoute } from "../model/plan";
import type { DatabricksGroup, DatabricksServicePrincipal, DatabricksUser } from "../model/tenant";
import type {
  DatabricksAccountConfig,
  DatabricksAuth,
  DatabricksIamV2,
  DatabricksIdentity,
  DatabricksIdentityReader,
  DatabricksIdentityWriter,
} from "./api";
import { journalAuth, type JournalAuth } from "../reconcile/journal";
import { validateDatabricksConfig } from "./config";

export type ScimResource = "Users" | "Groups" | "ServicePrincipals";
export type AimStatus = "on" | "off" | "unknown";

/**
 * The forms "AIM is off" takes in iamv2's answers: the account is not
 * onboarded (400 or 412 FAILED_PRECONDITION), or the iamv2 Beta preview is
 * not enabled for the account (403, or 404 from an endpoint that does not
 * exist for it).
 */
export type AimOffForm = "not-onboarded" | "iamv2-preview-off";

/** Each form in words, for reports. */
export const AIM_OFF_FORM_TEXT: Record<AimOffForm, string> = {
  "not-onboarded": "the account is not onboarded onto AIM",
  "iamv2-preview-off": "the iamv2 preview is not enabled for the account",
};

export interface AimStatusDetail {
  status: AimStatus;
  /** Set when status is "off": which form it took. */
  offForm?: AimOffForm;
  reason: string;
}

/** Where the iamv2 preview is switched on, for messages. */
const IAMV2_PREVIEW_FIX =
  "an account admin turns the iamv2 (identity) API preview on in the account console's Previews page";

const SCIM_RESOURCE: Record<IdentityKind, ScimResource> = {
  user: "Users",
  group: "Groups",
  servicePrincipal: "ServicePrincipals",
};
const IAMV2_SEGMENT: Record<IdentityKind, string> = {
  user: "users",
  group: "groups",
  servicePrincipal: "service-principals",
};
const IAMV2_EXTERNAL_ID_FIELD: Record<IdentityKind, string> = {
  user: "external_user_id",
  group: "external_group_id",
  servicePrincipal: "external_service_principal_id",
};

/** Only what reconciliation reads: less to transfer and to hold for 100k identities. */
export const SCIM_ATTRIBUTES: Record<ScimResource, string> = {
  Users: "id,userName,externalId,active",
  Groups: "id,displayName,externalId",
  ServicePrincipals: "id,applicationId,displayName,externalId",
};

/** Counting / pacing keys (templates, so that ids do not make a bucket each). */
export const DATABRICKS_BUCKETS = {
  token: "databricks POST /oidc/accounts/{account_id}/v1/token",
  scimList: (r: ScimResource) => `databricks LIST /api/2.0/accounts/{account_id}/scim/v2/${r}`,
  scimFilter: (r: ScimResource) =>
    `databricks LIST /api/2.0/accounts/{account_id}/scim/v2/${r}?filter=id`,
  scimPatch: (r: ScimResource) =>
    `databricks PATCH /api/2.0/accounts/{account_id}/scim/v2/${r}/{id}`,
  iamv2Patch: (k: IdentityKind) =>
    `databricks PATCH /api/2.0/identity/accounts/{account_id}/${IAMV2_SEGMENT[k]}/{id}`,
  iamv2External: (k: IdentityKind) =>
    `databricks GET /api/2.0/identity/accounts/{account_id}/external-${IAMV2_SEGMENT[k]}/{external_id}`,
} as const;

/** SCIM filters are limited to 200 nodes: n `eq` nodes + (n-1) `or` nodes ≤ 200 → n ≤ 100. */
export const MAX_IDS_PER_FILTER = 100;

/**
 * Account SCIM list `count`: "Default is 10000. Constraints: <= 100" (API
 * reference, list account users / groups). The SDK asks for 10000; a server
 * that enforces the constraint refuses that.
 */
export const SCIM_MAX_COUNT = 100;

export interface DatabricksClientOptions {
  /** Requested SCIM page size (`count`). Default 100, the documented maximum; the server may serve fewer. */
  pageSize?: number;
  /** A known server cap on `count` (unconfirmed for real accounts); the first page reveals it anyway. */
  serverPageCap?: number;
  /** Pages fetched at once after page 1 (default 8). */
  listConcurrency?: number;
  /**
   * Client-side LIST pace per resource, requests/s (default 100). The published limit is
   * 240/s (unconfirmed); a token bucket with burst = rate can spend burst + rate in one
   * second, so 100 stays under 240 in any fixed one-second window.
   */
  listRatePerSecond?: number;
  /** Ids per `id eq … or …` filter (default and maximum 100). */
  idsPerFilter?: number;
  /** Client-side pace of all writes together, requests/s (default 2: the PATCH limit, unconfirmed). */
  writeRatePerSecond?: number;
  /** Refresh an M2M token this long before it expires (default 60 s). */
  tokenRefreshSkewMs?: number;
  /** Accept an account id that is not a UUID (default: only for loopback hosts). */
  allowNonUuidAccountId?: boolean;
  /** Passed to the HttpClient (fetch, sleep, retries, onEvent, redactor, timeouts). */
  http?: Omit<HttpClientOptions, "service" | "rates">;
  now?: () => number;
}

export interface ListStats {
  resource: ScimResource;
  pages: number;
  effectivePageSize: number;
  totalResults: number;
  /** True when the concurrent pages did not add up and a sequential pass was made. */
  fallback: boolean;
  items: number;
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

interface TokenBody {
  access_token?: string;
  expires_in?: number;
  token_type?: string;
}

export class DatabricksAccountClient
  implements DatabricksIdentityReader, DatabricksIdentityWriter, DatabricksIamV2
{
  readonly host: string;
  readonly accountId: string;
  readonly http: HttpClient;
  /** What the last list of each resource did (tests, benchmarks, progress). */
  readonly lastList = new Map<ScimResource, ListStats>();
  private readonly auth: DatabricksAuth;
  private readonly opts: Required<
    Pick<
      DatabricksClientOptions,
      | "pageSize"
      | "listConcurrency"
      | "listRatePerSecond"
      | "idsPerFilter"
      | "writeRatePerSecond"
      | "tokenRefreshSkewMs"
    >
  > & { serverPageCap?: number };
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly writePacer: AdaptivePacer;
  private cachedToken?: { value: string; expiresAtMs: number };
  private tokenInFlight?: Promise<string>;

  constructor(config: DatabricksAccountConfig, options: DatabricksClientOptions = {}) {
    const valid = validateDatabricksConfig(config, {
      allowNonUuidAccountId: options.allowNonUuidAccountId,
    });
    this.host = valid.host;
    this.accountId = valid.accountId;
    this.auth = valid.auth;
    const positive = (field: string, v: number | undefined, dflt: number): number => {
      if (v === undefined) return dflt;
      if (!Number.isFinite(v) || v <= 0) {
        throw new ConfigError(field, `${field} must be a positive number (got ${String(v)}).`);
      }
      return v;
    };
    this.opts = {
      pageSize: Math.floor(positive("pageSize", options.pageSize, SCIM_MAX_COUNT)),
      serverPageCap:
        options.serverPageCap === undefined
          ? undefined
          : Math.floor(positive("serverPageCap", options.serverPageCap, 1)),
      listConcurrency: Math.floor(positive("listConcurrency", options.listConcurrency, 8)),
      listRatePerSecond: positive("listRatePerSecond", options.listRatePerSecond, 100),
      idsPerFilter: Math.min(
        MAX_IDS_PER_FILTER,
        Math.floor(positive("idsPerFilter", options.idsPerFilter, MAX_IDS_PER_FILTER)),
      ),
      writeRatePerSecond: positive("writeRatePerSecond", options.writeRatePerSecond, 2),
      tokenRefreshSkewMs: options.tokenRefreshSkewMs ?? 60_000,
    };
    this.sleep = options.http?.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    const rates: Record<string, number> = {};
    for (const r of Object.values(SCIM_RESOURCE)) {
      rates[DATABRICKS_BUCKETS.scimList(r)] = this.opts.listRatePerSecond;
      rates[DATABRICKS_BUCKETS.scimFilter(r)] = this.opts.listRatePerSecond;
    }
    // Databricks sends no X-Rate-Limit-* headers; header pacing stays on harmlessly.
    this.http = new HttpClient({ ...options.http, service: "databricks", rates });
    // One pace for every write (SCIM and iamv2, all kinds): the safe reading of "PATCH 2/s",
    // adapted to the answers (429 + Retry-After) since the published figure is unconfirmed.
    this.writePacer = new AdaptivePacer(this.opts.writeRatePerSecond, {
      now: this.now,
      sleep: this.sleep,
    });
    if (this.auth.kind === "oauthM2M") this.http.addSecrets(this.auth.clientSecret);
    else this.http.addSecrets(this.auth.token);
  }

  get authKind(): DatabricksAuth["kind"] {
    return this.auth.kind;
  }

  // ---------------------------------------------------------------- auth

  /** A bearer token: the static one, or a cached M2M token (one request in flight at most). */
  async accessToken(): Promise<string> {
    if (this.auth.kind === "token") return this.auth.token;
    const c = this.cachedToken;
    if (c && this.now() < c.expiresAtMs - this.opts.tokenRefreshSkewMs) return c.value;
    if (!this.tokenInFlight) {
      this.tokenInFlight = this.fetchM2MToken().finally(() => {
        this.tokenInFlight = undefined;
      });
    }
    return this.tokenInFlight;
  }

  private async fetchM2MToken(): Promise<string> {
    if (this.auth.kind !== "oauthM2M") throw new Error("unreachable: not M2M");
    const { clientId, clientSecret } = this.auth;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
    this.http.addSecrets(basic);
    const url = `${this.host}/oidc/accounts/${encodeURIComponent(this.accountId)}/v1/token`;
    let res: HttpResponse<TokenBody>;
    try {
      res = await this.http.request<TokenBody>({
        method: "POST",
        url,
        bucket: DATABRICKS_BUCKETS.token,
        headers: { authorization: `Basic ${basic}` },
        form: { grant_type: "client_credentials", scope: "all-apis" },
        idempotent: true, // a client-credentials grant has no side effects
      });
    } catch (err) {
      if (err instanceof HttpError && err.status !== undefined && err.status < 500) {
        throw new HttpError({
          service: "databricks",
          kind: err.kind,
          status: err.status,
          method: err.method,
          url: err.url,
          serviceCode: err.serviceCode,
          serviceMessage: err.serviceMessage,
          message: this.http.redactor.redact(
            `OAuth M2M token request failed: ${err.message}. Check DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (an OAuth secret of a service principal that is an account admin) and DATABRICKS_ACCOUNT_ID.`,
          ),
          cause: err,
        });
      }
      throw err;
    }
    const token = res.body?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new AimError(
        ERROR_CODES.databricksToken,
        `POST ${url} returned ${res.status} without an access_token: is DATABRICKS_HOST the accounts host (https://accounts.cloud.databricks.com)?`,
      );
    }
    this.http.addSecrets(token);
    const expiresIn = Number(res.body?.expires_in);
    const lifetimeMs = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3_600_000;
    this.cachedToken = { value: token, expiresAtMs: this.now() + lifetimeMs };
    return token;
  }

  /**
   * An authorised request to this account's host (the AIM admin adapter uses it);
   * a 401 with an M2M token refreshes the token once and retries.
   */
  async authorizedRequest<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.call<T>(req);
  }

  private async call<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const token = await this.accessToken();
    const send = (t: string) =>
      this.http.request<T>({ ...req, headers: { ...req.headers, authorization: `Bearer ${t}` } });
    try {
      return await send(token);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status !== 401 || this.auth.kind !== "oauthM2M") {
        throw err;
      }
      // Only drop the token this request used: a concurrent refresh may already have replaced it.
      if (this.cachedToken?.value === token) this.cachedToken = undefined;
      return await send(await this.accessToken());
    }
  }

  private accountPath(rest: string): string {
    return `${this.host}/api/2.0/accounts/${encodeURIComponent(this.accountId)}${rest}`;
  }

  private identityPath(rest: string): string {
    return `${this.host}/api/2.0/identity/accounts/${encodeURIComponent(this.accountId)}${rest}`;
  }

  // ---------------------------------------------------------------- SCIM lists

  listUsers(opts?: { onPage?: (count: number) => void }): Promise<DatabricksUser[]> {
    return this.listAll("Users", projectUser, opts?.onPage);
  }

  listGroups(opts?: { onPage?: (count: number) => void }): Promise<DatabricksGroup[]> {
    return this.listAll("Groups", projectGroup, opts?.onPage);
  }

  listServicePrincipals(opts?: {
    onPage?: (count: number) => void;
  }): Promise<DatabricksServicePrincipal[]> {
    return this.listAll("ServicePrincipals", projectServicePrincipal, opts?.onPage);
  }

  private async fetchPage(
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
    const url = this.accountPath(`/scim/v2/${resource}?${q.toString()}`);
    const res = await this.call<ScimListBody>({
      method: "GET",
      url,
      bucket: filter
        ? DATABRICKS_BUCKETS.scimFilter(resource)
        : DATABRICKS_BUCKETS.scimList(resource),
    });
    const body = res.body ?? {};
    const items = Array.isArray(body.Resources) ? body.Resources : [];
    const total = Number(body.totalResults);
    return { totalResults: Number.isFinite(total) ? total : items.length, items };
  }

  private async listAll<T extends { id: string }>(
    resource: ScimResource,
    project: (r: Record<string, unknown>) => T | undefined,
    onPage?: (count: number) => void,
  ): Promise<T[]> {
    const byId = new Map<string, T>();
    const take = (items: Array<Record<string, unknown>>): string[] => {
      const ids: string[] = [];
      for (const raw of items) {
        const p = project(raw);
        if (!p) continue;
        byId.set(p.id, p);
        ids.push(p.id);
      }
      onPage?.(items.length);
      return ids;
    };
    const requested = Math.max(
      1,
      Math.min(this.opts.pageSize, this.opts.serverPageCap ?? Number.POSITIVE_INFINITY),
    );
    const first = await this.fetchPage(resource, 1, requested);
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
        const seen = new Set(byId.keys());
        await mapLimit(starts, this.opts.listConcurrency, async (start) => {
          const page = await this.fetchPage(resource, start, effective);
          pages++;
          const expected = Math.min(effective, total - start + 1);
          if (page.totalResults !== total || page.items.length !== expected) consistent = false;
          for (const id of take(page.items)) {
            // An id on two pages means the list shifted under us.
            if (seen.has(id)) consistent = false;
            seen.add(id);
          }
        });
        if (byId.size !== total) consistent = false;
      }
    }

    if (!consistent) {
      // Sequential pass until an empty page; what it sees wins, nothing seen before is dropped
      // (a missed identity would become an AIM duplicate; a stale one is re-checked before writes).
      const step = Math.max(1, effective || requested);
      for (let start = 1; ; start += step) {
        const page = await this.fetchPage(resource, start, step);
        pages++;
        if (page.items.length === 0) break;
        take(page.items);
      }
    }
    this.lastList.set(resource, {
      resource,
      pages,
      effectivePageSize: effective,
      totalResults: total,
      fallback: !consistent,
      items: byId.size,
    });
    return [...byId.values()];
  }

  // ---------------------------------------------------------------- by id

  async getByIds(kind: IdentityKind, ids: string[]): Promise<DatabricksIdentity[]> {
    const resource = resourceFor(kind);
    const project = PROJECT[resource];
    const unique = [...new Set(ids.filter((id) => typeof id === "string" && id !== ""))];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += this.opts.idsPerFilter) {
      batches.push(unique.slice(i, i + this.opts.idsPerFilter));
    }
    const found = new Map<string, DatabricksIdentity>();
    await mapLimit(batches, this.opts.listConcurrency, async (batch) => {
      const filter = batch.map((id) => `id eq "${scimString(id)}"`).join(" or ");
      // The server may cap count below the batch size: page within the batch.
      let seen = 0;
      for (let start = 1; ;) {
        const page = await this.fetchPage(resource, start, batch.length, filter);
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

  // ---------------------------------------------------------------- writes

  acquireWriteSlot(): Promise<void> {
    return this.writePacer.acquire();
  }

  writePace(): PaceReport {
    return this.writePacer.report();
  }

  journalAuth(explicitKey?: string): JournalAuth {
    const secret =
      explicitKey ?? (this.auth.kind === "oauthM2M" ? this.auth.clientSecret : this.auth.token);
    return journalAuth(secret, this.accountId, this.host);
  }

  async setExternalId(
    kind: IdentityKind,
    id: string,
    externalId: string | null,
    route: WriteRoute,
    opts: { once?: boolean } = {},
  ): Promise<void> {
    if (!opts.once) await this.writePacer.acquire();
    const sentAt = this.now();
    try {
      await this.writeExternalId(kind, id, externalId, route, opts.once === true);
    } catch (err) {
      if (err instanceof HttpError && err.retryAfterMs !== undefined)
        this.writePacer.onThrottle(sentAt, err.retryAfterMs);
      throw err;
    }
    this.writePacer.onSuccess();
  }

  private async writeExternalId(
    kind: IdentityKind,
    id: string,
    externalId: string | null,
    route: WriteRoute,
    once: boolean,
  ): Promise<void> {
    const resource = resourceFor(kind);
    if (typeof id !== "string" || id.trim() === "") {
      throw new ConfigError("id", `setExternalId needs the Databricks ${kind} id (got "${id}").`);
    }
    // null removes the attribute; "" is written as "" (undo restores exactly what it found).
    const value = externalId;

    if (route === "scim") {
      const res = await this.call<Record<string, unknown> | undefined>({
        method: "PATCH",
        url: this.accountPath(`/scim/v2/${resource}/${encodeURIComponent(id)}`),
        bucket: DATABRICKS_BUCKETS.scimPatch(resource),
        noRetry: once,
        json: {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations:
            value === null
              ? [{ op: "remove", path: "externalId" }]
              : [{ op: "replace", path: "externalId", value }],
        },
      });
      this.checkPersisted(kind, id, value, res.body, "externalId", "SCIM PATCH");
    } else if (route === "iamv2") {
      // databricks-sdk-py iamv2 update_user/update_group/update_service_principal send the
      // resource's as_dict() (fields that are set) with ?update_mask=...; a masked field that is
      // absent from the body is cleared.
      const res = await this.call<Record<string, unknown> | undefined>({
        method: "PATCH",
        url: this.identityPath(
          `/${IAMV2_SEGMENT[kind]}/${encodeURIComponent(id)}?update_mask=external_id`,
        ),
        bucket: DATABRICKS_BUCKETS.iamv2Patch(kind),
        noRetry: once,
        json: value === null ? {} : { external_id: value },
      }).catch((err: unknown) => {
        if (!isIamv2Unavailable(err)) throw err;
        throw iamv2Unavailable(
          this.accountId,
          `PATCH ${IAMV2_SEGMENT[kind]}/{id}`,
          (err as HttpError).status,
          err,
          " Or write over SCIM (write route scim).",
        );
      });
      this.checkPersisted(kind, id, value, res.body, "external_id", "iamv2 PATCH");
    } else {
      throw new ConfigError(
        "route",
        `write route "${String(route)}" is unknown: use "scim" or "iamv2".`,
      );
    }
  }

  /** When the answer carries the field, it must hold what was written (the SCIM route is unconfirmed). */
  private checkPersisted(
    kind: IdentityKind,
    id: string,
    value: string | null,
    body: unknown,
    field: string,
    route: string,
  ): void {
    if (!body || typeof body !== "object" || !(field in body)) return;
    const got = (body as Record<string, unknown>)[field];
    const now = got === undefined || got === null || got === "" ? null : got;
    if (now !== (value === "" ? null : value)) {
      throw new AimError(
        ERROR_CODES.databricksWriteNotPersisted,
        `${route} of ${kind} ${id} answered success but ${field} is ${JSON.stringify(now)}, not ${JSON.stringify(value)}: try the other write route ("scim" or "iamv2").`,
      );
    }
  }

  // ---------------------------------------------------------------- iamv2

  async getByExternalId(
    kind: IdentityKind,
    externalId: string,
  ): Promise<{ id: string; externalId: string } | undefined> {
    resourceFor(kind);
    if (typeof externalId !== "string" || externalId === "") {
      throw new ConfigError("externalId", "getByExternalId needs a non-empty external id.");
    }
    let res: HttpResponse<Record<string, unknown> | undefined>;
    try {
      res = await this.call<Record<string, unknown> | undefined>({
        method: "GET",
        url: this.identityPath(
          `/external-${IAMV2_SEGMENT[kind]}/${encodeURIComponent(externalId)}`,
        ),
        bucket: DATABRICKS_BUCKETS.iamv2External(kind),
        acceptStatus: [404],
      });
    } catch (err) {
      if (isIamv2Unavailable(err))
        throw iamv2Unavailable(
          this.accountId,
          `GET external-${IAMV2_SEGMENT[kind]}`,
          (err as HttpError).status,
          err,
        );
      if (isAimNotOnboarded(err)) {
        throw new AimError(
          ERROR_CODES.aimNotEnabled,
          `automatic identity management is not enabled for Databricks account ${this.accountId}: the iamv2 look-up of external ${kind} answered "${(err as HttpError).serviceMessage ?? "not onboarded"}". Enable it (account console → Security → User provisioning → Automatic identity management) or check the adapter's state.`,
          { cause: err },
        );
      }
      throw err;
    }
    if (res.status === 404 && !isIdentityNotFound(res.body))
      throw iamv2Unavailable(this.accountId, `GET external-${IAMV2_SEGMENT[kind]}`, 404);
    if (res.status === 404 || !res.body) return undefined;
    const b = res.body;
    const id = b.internal_id ?? b.id;
    const ext = b[IAMV2_EXTERNAL_ID_FIELD[kind]] ?? b.external_id ?? externalId;
    if (id === undefined || id === null) return undefined;
    return { id: String(id), externalId: String(ext) };
  }

  /**
   * Whether AIM is on, seen through the public iamv2 look-up: "on" when a
   * linked identity resolves, "off" when the account is not onboarded,
   * "unknown" otherwise (no probe identity, 404, 403, network). Without a
   * probe a made-up id is looked up: it can only tell "off" from "unknown".
   * The probe must be an identity that is ALREADY linked: the look-up is
   * get-or-create, so an unlinked Okta id would make AIM create a user.
   */
  async aimStatus(probeExternalId?: string, kind: IdentityKind = "user"): Promise<AimStatus> {
    return (await this.aimStatusDetail(probeExternalId, kind)).status;
  }

  async aimStatusDetail(
    probeExternalId?: string,
    kind: IdentityKind = "user",
  ): Promise<AimStatusDetail> {
    const probe = probeExternalId && probeExternalId !== "" ? probeExternalId : "00u-aim-probe";
    try {
      const found = await this.getByExternalId(kind, probe);
      if (found && probeExternalId) return { status: "on", reason: `${kind} ${probe} resolves` };
      return {
        status: "unknown",
        reason: probeExternalId
          ? `${kind} ${probe} was not found: give the Okta id of an identity linked in Databricks`
          : "no probe identity given: give the Okta id of a linked identity to confirm AIM is on",
      };
    } catch (err) {
      const offForm = aimOffForm(err);
      if (offForm === "not-onboarded")
        return { status: "off", offForm, reason: AIM_OFF_FORM_TEXT[offForm] };
      if (offForm === "iamv2-preview-off")
        return {
          status: "off",
          offForm,
          reason: `${AIM_OFF_FORM_TEXT[offForm]} (${(err as AimError).message})`,
        };
      if (err instanceof AimError && !(err instanceof ConfigError)) {
        return { status: "unknown", reason: err.message };
      }
      throw err;
    }
  }
}

// ---------------------------------------------------------------- helpers

function resourceFor(kind: IdentityKind): ScimResource {
  const r = SCIM_RESOURCE[kind];
  if (!r) {
    throw new ConfigError(
      "kind",
      `identity kind "${String(kind)}" is unknown: use "user", "group" or "servicePrincipal".`,
    );
  }
  return r;
}

/**
 * How an error says that AIM cannot be used on this account, or undefined
 * when it says something else (one classifier for the client, the adapters
 * and the preflight).
 */
export function aimOffForm(err: unknown): AimOffForm | undefined {
  if (err instanceof AimError && err.code === ERROR_CODES.aimNotEnabled) return "not-onboarded";
  if (err instanceof AimError && err.code === ERROR_CODES.iamv2Unavailable)
    return "iamv2-preview-off";
  if (isAimNotOnboarded(err)) return "not-onboarded";
  if (isIamv2Unavailable(err)) return "iamv2-preview-off";
  return undefined;
}

/** A 404 that names a missing identity (RESOURCE_DOES_NOT_EXIST), not a missing endpoint. */
function isIdentityNotFound(body: unknown): boolean {
  const code =
    body && typeof body === "object" ? (body as { error_code?: unknown }).error_code : "";
  return code === "RESOURCE_DOES_NOT_EXIST" || code === "NOT_FOUND";
}

/**
 * iamv2 answering as if it were not there: 403, or a 404 that is not about
 * an identity (ENDPOINT_NOT_FOUND): the Beta preview is off for the account.
 */
export function isIamv2Unavailable(err: unknown): boolean {
  if (!(err instanceof HttpError) || err.service !== "databricks") return false;
  if (!/\/api\/2\.0\/identity\//.test(err.url)) return false;
  if (err.status === 403) return true;
  return (
    err.status === 404 &&
    err.serviceCode !== "RESOURCE_DOES_NOT_EXIST" &&
    err.serviceCode !== "NOT_FOUND"
  );
}

function iamv2Unavailable(
  accountId: string,
  call: string,
  status: number | undefined,
  cause?: unknown,
  alternative = "",
): AimError {
  return new AimError(
    ERROR_CODES.iamv2Unavailable,
    `the iamv2 API is not available for Databricks account ${accountId}: ${call} answered ${status ?? "an error"} (the iamv2 preview is off for the account, or the principal is not an account admin). AIM cannot be observed or used through it until ${IAMV2_PREVIEW_FIX}.${alternative}`,
    { cause },
  );
}

/** The iamv2 error for an account that is not onboarded onto AIM (400 FAILED_PRECONDITION). */
export function isAimNotOnboarded(err: unknown): boolean {
  if (!(err instanceof HttpError)) return false;
  const text = `${err.serviceCode ?? ""} ${err.serviceMessage ?? ""}`;
  return (
    (err.status === 400 || err.status === 412) &&
    (/not onboarded/i.test(text) ||
      /automatic identity management/i.test(text) ||
      (err.serviceCode === "FAILED_PRECONDITION" && /aim|identity/i.test(text)))
  );
}

/** A SCIM filter string literal: backslash and quote escaped (RFC 7644 uses JSON strings). */
function scimString(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Keeps only the fields reconciliation needs; a new object drops the rest of the page. */
export function projectUser(r: Record<string, unknown>): DatabricksUser | undefined {
  const id = str(r.id);
  const userName = str(r.userName);
  if (!id || userName === undefined) return undefined;
  const u: DatabricksUser = { id, userName };
  const ext = str(r.externalId);
  if (ext !== undefined) u.externalId = ext;
  if (typeof r.active === "boolean") u.active = r.active;
  return u;
}

export function projectGroup(r: Record<string, unknown>): DatabricksGroup | undefined {
  const id = str(r.id);
  const displayName = str(r.displayName);
  if (!id || displayName === undefined) return undefined;
  const g: DatabricksGroup = { id, displayName };
  const ext = str(r.externalId);
  if (ext !== undefined) g.externalId = ext;
  return g;
}

export function projectServicePrincipal(
  r: Record<string, unknown>,
): DatabricksServicePrincipal | undefined {
  const id = str(r.id);
  const applicationId = str(r.applicationId);
  if (!id || applicationId === undefined) return undefined;
  const sp: DatabricksServicePrincipal = {
    id,
    applicationId,
    displayName: str(r.displayName) ?? "",
  };
  const ext = str(r.externalId);
  if (ext !== undefined) sp.externalId = ext;
  return sp;
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
