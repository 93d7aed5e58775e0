/**
 * The Databricks account client: OAuth M2M (or a static token), account
 * SCIM lists and PATCH, iamv2 look-ups and PATCH, over the shared HttpClient.
 * One part per concern: the credential (auth.ts, with the token cache the
 * Okta client shares), SCIM reads and paging (scim.ts), the externalId writes
 * (writes.ts), iamv2 and "is AIM on" (iamv2.ts); this class holds the
 * options, the write pace and the account they all use.
 */
import {
  AdaptivePacer,
  ConfigError,
  HttpClient,
  HttpError,
  realSleep,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type PaceReport,
  type Sleep,
} from "../../http";
import type { IdentityKind, WriteRoute } from "../../model/plan";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
} from "../../model/tenant";
import { journalAuth, type JournalAuth } from "../../keys/journalKey";
import type {
  DatabricksAccountConfig,
  DatabricksAuth,
  DatabricksIamV2,
  DatabricksIdentity,
  DatabricksIdentityReader,
  DatabricksIdentityWriter,
} from "../api";
import { validateDatabricksConfig } from "../config";
import { AccountAuth } from "./auth";
import {
  DATABRICKS_BUDGETS,
  DEFAULT_LIST_RATE_PER_SECOND,
  listPace,
  type AccountContext,
  type ScimResource,
} from "./context";
import { aimStatusDetail, getByExternalId, type AimStatus, type AimStatusDetail } from "./iamv2";
import {
  getByIds,
  listAll,
  MAX_IDS_PER_FILTER,
  projectGroup,
  projectServicePrincipal,
  projectUser,
  SCIM_MAX_COUNT,
  type ListOptions,
  type ListStats,
} from "./scim";
import { writeExternalId } from "./writes";

export { DATABRICKS_BUCKETS, type ScimResource } from "./context";
export {
  AIM_OFF_FORM_TEXT,
  aimOffForm,
  isAimNotOnboarded,
  isIamv2Unavailable,
  type AimOffForm,
  type AimStatus,
  type AimStatusDetail,
} from "./iamv2";
export {
  mapLimit,
  MAX_IDS_PER_FILTER,
  projectGroup,
  projectServicePrincipal,
  projectUser,
  SCIM_ATTRIBUTES,
  SCIM_MAX_COUNT,
  type ListStats,
} from "./scim";

export interface DatabricksClientOptions {
  /** Requested SCIM page size (`count`). Default 100, the documented maximum; the server may serve fewer. */
  pageSize?: number;
  /** A known server cap on `count` (unconfirmed for real accounts); the first page reveals it anyway. */
  serverPageCap?: number;
  /** Pages fetched at once after page 1 (default 8). */
  listConcurrency?: number;
  /**
   * Client-side pace of every SCIM LIST request of the account together (the
   * three lists and the id filters share one budget), requests/s. Default 200
   * with a burst of 20: at most 220 in any one-second window, under the
   * published 240/s (unconfirmed). A slower pace gets a burst of a tenth of it.
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

export class DatabricksAccountClient
  implements DatabricksIdentityReader, DatabricksIdentityWriter, DatabricksIamV2, AccountContext
{
  readonly host: string;
  readonly accountId: string;
  readonly http: HttpClient;
  /** What the last list of each resource did (tests, benchmarks, progress). */
  readonly lastList = new Map<ScimResource, ListStats>();
  private readonly credential: AccountAuth;
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

  constructor(config: DatabricksAccountConfig, options: DatabricksClientOptions = {}) {
    const valid = validateDatabricksConfig(config, {
      allowNonUuidAccountId: options.allowNonUuidAccountId,
    });
    this.host = valid.host;
    this.accountId = valid.accountId;
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
      listRatePerSecond: positive(
        "listRatePerSecond",
        options.listRatePerSecond,
        DEFAULT_LIST_RATE_PER_SECOND,
      ),
      idsPerFilter: Math.min(
        MAX_IDS_PER_FILTER,
        Math.floor(positive("idsPerFilter", options.idsPerFilter, MAX_IDS_PER_FILTER)),
      ),
      writeRatePerSecond: positive("writeRatePerSecond", options.writeRatePerSecond, 2),
      tokenRefreshSkewMs: options.tokenRefreshSkewMs ?? 60_000,
    };
    this.sleep = options.http?.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    const rates = { [DATABRICKS_BUDGETS.scimList]: listPace(this.opts.listRatePerSecond) };
    // Databricks sends no X-Rate-Limit-* headers; header pacing stays on harmlessly.
    this.http = new HttpClient({ ...options.http, service: "databricks", rates });
    // One pace for every write (SCIM and iamv2, all kinds): the safe reading of "PATCH 2/s",
    // adapted to the answers (429 + Retry-After) since the published figure is unconfirmed.
    this.writePacer = new AdaptivePacer(this.opts.writeRatePerSecond, {
      now: this.now,
      sleep: this.sleep,
    });
    this.credential = new AccountAuth(valid.auth, {
      host: this.host,
      accountId: this.accountId,
      http: this.http,
      now: this.now,
      tokenRefreshSkewMs: this.opts.tokenRefreshSkewMs,
    });
  }

  get authKind(): DatabricksAuth["kind"] {
    return this.credential.kind;
  }

  /** A bearer token: the static one, or a cached M2M token (one request in flight at most). */
  accessToken(): Promise<string> {
    return this.credential.accessToken();
  }

  /**
   * An authorised request to this account's host (the AIM admin adapter uses it);
   * a 401 with an M2M token refreshes the token once and retries.
   */
  authorizedRequest<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    return this.credential.send<T>(req);
  }

  // ---------------------------------------------------------------- SCIM reads

  private get listOptions(): ListOptions {
    return this.opts;
  }

  listUsers(opts?: { onPage?: (count: number) => void }): Promise<DatabricksUser[]> {
    return this.list("Users", projectUser, opts?.onPage);
  }

  listGroups(opts?: { onPage?: (count: number) => void }): Promise<DatabricksGroup[]> {
    return this.list("Groups", projectGroup, opts?.onPage);
  }

  listServicePrincipals(opts?: {
    onPage?: (count: number) => void;
  }): Promise<DatabricksServicePrincipal[]> {
    return this.list("ServicePrincipals", projectServicePrincipal, opts?.onPage);
  }

  private list<T extends { id: string }>(
    resource: ScimResource,
    project: (r: Record<string, unknown>) => T | undefined,
    onPage?: (count: number) => void,
  ): Promise<T[]> {
    return listAll(this, this.listOptions, resource, project, onPage, (s) =>
      this.lastList.set(resource, s),
    );
  }

  getByIds(kind: IdentityKind, ids: string[]): Promise<DatabricksIdentity[]> {
    return getByIds(this, this.listOptions, kind, ids);
  }

  // ---------------------------------------------------------------- writes

  acquireWriteSlot(): Promise<void> {
    return this.writePacer.acquire();
  }

  writePace(): PaceReport {
    return this.writePacer.report();
  }

  journalAuth(explicitKey?: string): JournalAuth {
    return journalAuth(explicitKey ?? this.credential.secret, this.accountId, this.host);
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
      await writeExternalId(this, kind, id, externalId, route, opts.once === true);
    } catch (err) {
      if (err instanceof HttpError && err.retryAfterMs !== undefined)
        this.writePacer.onThrottle(sentAt, err.retryAfterMs);
      throw err;
    }
    this.writePacer.onSuccess();
  }

  // ---------------------------------------------------------------- iamv2

  getByExternalId(
    kind: IdentityKind,
    externalId: string,
  ): Promise<{ id: string; externalId: string } | undefined> {
    return getByExternalId(this, kind, externalId);
  }

  /**
   * Whether AIM is on, seen through the public iamv2 look-up (see
   * iamv2.ts aimStatusDetail): the probe must be an identity that is
   * ALREADY linked, since the look-up is get-or-create.
   */
  async aimStatus(probeExternalId?: string, kind: IdentityKind = "user"): Promise<AimStatus> {
    return (await this.aimStatusDetail(probeExternalId, kind)).status;
  }

  aimStatusDetail(probeExternalId?: string, kind: IdentityKind = "user"): Promise<AimStatusDetail> {
    return aimStatusDetail(this, probeExternalId, kind);
  }
}
