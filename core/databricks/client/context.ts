/** What the client's parts share: the account's paths, the resource names, the counting buckets. */
import { ConfigError, type HttpClient, type HttpRequest, type HttpResponse } from "../../http";
import type { IdentityKind } from "../../model/plan";

export type ScimResource = "Users" | "Groups" | "ServicePrincipals";

export const SCIM_RESOURCE: Record<IdentityKind, ScimResource> = {
  user: "Users",
  group: "Groups",
  servicePrincipal: "ServicePrincipals",
};

export const IAMV2_SEGMENT: Record<IdentityKind, string> = {
  user: "users",
  group: "groups",
  servicePrincipal: "service-principals",
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

/**
 * Fixed-rate budgets: one LIST limit covers every account SCIM list and id
 * filter (Users, Groups and ServicePrincipals together), so they spend one budget.
 */
export const DATABRICKS_BUDGETS = {
  scimList: "databricks account SCIM LIST (all resources)",
} as const;

/**
 * The client's default LIST pace, requests per second, under the account's
 * LIST limit of 240/s (docs/services.md: a third-party compilation,
 * unconfirmed). A token bucket can spend `burst + rate` in one fixed
 * one-second window; with a burst of a tenth of the rate (`listPace`) 200/s
 * stays at or under 220.
 */
export const DEFAULT_LIST_RATE_PER_SECOND = 200;

export function listPace(perSecond: number): { perSecond: number; burst: number } {
  return { perSecond, burst: Math.max(1, Math.floor(perSecond / 10)) };
}

/** The account and an authorised way to call it. */
export interface AccountContext {
  readonly host: string;
  readonly accountId: string;
  readonly http: HttpClient;
  /** A request with the account's bearer token (an M2M token is renewed once after a 401). */
  authorizedRequest<T>(req: HttpRequest): Promise<HttpResponse<T>>;
}

/** `{host}/api/2.0/accounts/{account_id}{rest}` (account SCIM). */
export function accountPath(ctx: AccountContext, rest: string): string {
  return `${ctx.host}/api/2.0/accounts/${encodeURIComponent(ctx.accountId)}${rest}`;
}

/** `{host}/api/2.0/identity/accounts/{account_id}{rest}` (iamv2). */
export function identityPath(ctx: AccountContext, rest: string): string {
  return `${ctx.host}/api/2.0/identity/accounts/${encodeURIComponent(ctx.accountId)}${rest}`;
}

export function resourceFor(kind: IdentityKind): ScimResource {
  const r = SCIM_RESOURCE[kind];
  if (!r) {
    throw new ConfigError(
      "kind",
      `identity kind "${String(kind)}" is unknown: use "user", "group" or "servicePrincipal".`,
    );
  }
  return r;
}
