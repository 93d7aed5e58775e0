/**
 * Okta management API client on the shared HTTP layer: OAuth 2.0 client
 * credentials with a private_key_jwt assertion (what AIM itself does) or an
 * SSWS API token, `Link` pagination, per-endpoint pacing buckets, and error
 * messages that say what to change in Okta.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import {
  AimError,
  ERROR_CODES,
  ConfigError,
  HttpClient,
  HttpError,
  realSleep,
  TokenCache,
  type AccessToken,
  type FetchLike,
  type HttpClientOptions,
  type HttpEvent,
  type HttpRequest,
  type HttpResponse,
  type Sleep,
} from "../http";
import { AIM_OKTA_ROLE_LABEL, AIM_OKTA_SCOPES } from "../model/aim";
import {
  oktaGroupType,
  oktaUserStatus,
  oneCopy,
  type OktaApp,
  type OktaAppJwk,
  type OktaGroup,
  type OktaGroupType,
  type OktaUser,
  type OktaUserStatus,
} from "../model/tenant";
import type {
  ListUsersOptions,
  OktaAppAdmin,
  OktaAppKeys,
  OktaAuth,
  OktaClientConfig,
  OktaConnectionTest,
  OktaReader,
} from "./api";
import { parsePrivateKey, type AppPrivateKey } from "../keys/privateKey";
import { parseOktaOrgUrl } from "./orgUrl";
import {
  parseResourceSetResources,
  parseRoleAssignment,
  parseRolePermissions,
  type OktaResourceSetResource,
  type OktaRoleAssignment,
  type OktaRolePermission,
} from "./roles";

/**
 * The largest page each list allows (Okta's API reference, listUsers /
 * listGroups): users 200, groups 10000. Every page counts once against the
 * list's per-minute rate limit, which AIM and every other integration of the
 * org share, so the fewest pages is what matters.
 */
export const USERS_MAX_LIMIT = 200;
export const GROUPS_MAX_LIMIT = 10_000;
export const DEFAULT_PAGE_SIZE = USERS_MAX_LIMIT;

/** The assertion lives 5 minutes: long enough for clock skew, short if it leaks. */
const ASSERTION_TTL_S = 300;
/** Renew the access token this long before it expires. */
const TOKEN_RENEW_BEFORE_MS = 60_000;
/** Token attempts after 5xx / connection errors (each with a fresh assertion). */
const TOKEN_ATTEMPTS = 3;
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** Before every user's lastUpdated: `lastUpdated gt EPOCH` is every user, any status. */
const EPOCH = "1970-01-01T00:00:00.000Z";

export interface OktaClientOptions {
  /** A ready HttpClient (service "okta"), or overrides for the one built here. */
  http?: HttpClient | Partial<Omit<HttpClientOptions, "service">>;
  fetch?: FetchLike;
  onEvent?: (e: HttpEvent) => void;
  /** Page size for the user lists (default and maximum 200). */
  pageSize?: number;
  /** Page size for the group list (default and maximum 10000). */
  groupPageSize?: number;
  /** Clock for the token cache (tests). */
  now?: () => number;
}

interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
}

export class OktaClient implements OktaReader, OktaAppAdmin, OktaAppKeys {
  readonly orgUrl: string;
  /** The org's host and the client id reading it ("api-token" for SSWS): never a secret. */
  readonly cacheKey: string;
  readonly http: HttpClient;
  private readonly auth: OktaAuth;
  /** The app's private key (private_key_jwt), parsed once. */
  private readonly appKey?: AppPrivateKey;
  private readonly scopes: string[];
  private readonly pageSize: number;
  private readonly groupPageSize: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly tokenRetryDelayMs: number;
  /** private_key_jwt: the access token, renewed before expiry and once after a 401. */
  private readonly tokens: TokenCache;

  constructor(config: OktaClientConfig, opts: OktaClientOptions = {}) {
    this.orgUrl = parseOktaOrgUrl(config?.orgUrl, "OKTA_ORG_URL");
    this.auth = config.auth;
    this.cacheKey = `${new URL(this.orgUrl).host}/${config.auth?.kind === "privateKeyJwt" ? config.auth.clientId : "api-token"}`;
    this.now = opts.now ?? Date.now;
    this.tokens = new TokenCache(() => this.requestToken(), {
      now: this.now,
      renewBeforeMs: TOKEN_RENEW_BEFORE_MS,
    });
    if (opts.http instanceof HttpClient) {
      if (opts.http.service !== "okta")
        throw new ConfigError(
          "http",
          `the HttpClient given must have service "okta", not "${opts.http.service}".`,
        );
      this.http = opts.http;
      this.sleep = realSleep;
      this.tokenRetryDelayMs = 250;
    } else {
      const over = opts.http ?? {};
      this.http = new HttpClient({
        service: "okta",
        ...over,
        fetch: over.fetch ?? opts.fetch,
        onEvent: over.onEvent ?? opts.onEvent,
      });
      this.sleep = over.sleep ?? realSleep;
      this.tokenRetryDelayMs = over.baseDelayMs ?? 250;
    }
    const limitOption = (field: string, v: number | undefined, max: number, what: string) => {
      const n = v ?? max;
      if (!Number.isInteger(n) || n < 1 || n > max)
        throw new ConfigError(
          field,
          `${field} must be an integer from 1 to ${max} (Okta's maximum for ${what}); got ${n}.`,
        );
      return n;
    };
    this.pageSize = limitOption("pageSize", opts.pageSize, USERS_MAX_LIMIT, "users");
    this.groupPageSize = limitOption(
      "groupPageSize",
      opts.groupPageSize,
      GROUPS_MAX_LIMIT,
      "groups",
    );

    if (config.auth?.kind === "privateKeyJwt") {
      const a = config.auth;
      if (typeof a.clientId !== "string" || !a.clientId.trim())
        throw new ConfigError(
          "OKTA_CLIENT_ID",
          "OKTA_CLIENT_ID is empty: give the Client ID of the Okta API Services app (Applications > the app > General > Client Credentials).",
        );
      this.appKey = parsePrivateKey(a.privateKey);
      this.http.addSecrets(...this.appKey.secrets);
      if (a.keyId !== undefined && !a.keyId.trim())
        throw new ConfigError(
          "OKTA_KEY_ID",
          "OKTA_KEY_ID is empty: give the Key ID (kid) of the app's public key, or leave it unset when the JWK carries its kid.",
        );
      // AIM's own scopes by default: the client reads as AIM does.
      this.scopes = a.scopes ?? [...AIM_OKTA_SCOPES];
      if (this.scopes.length === 0 || this.scopes.some((s) => !/^[\x21-\x7e]+$/.test(s)))
        throw new ConfigError(
          "OKTA_SCOPES",
          `OKTA_SCOPES must be a non-empty list of scope names such as ${AIM_OKTA_SCOPES.join(" ")}.`,
        );
    } else if (config.auth?.kind === "apiToken") {
      if (typeof config.auth.token !== "string" || !config.auth.token.trim())
        throw new ConfigError(
          "OKTA_API_TOKEN",
          "OKTA_API_TOKEN is empty: create an API token in the Okta admin console (Security > API > Tokens).",
        );
      this.http.addSecrets(config.auth.token);
      this.scopes = [];
    } else {
      throw new ConfigError("auth", 'auth.kind must be "privateKeyJwt" or "apiToken".');
    }
  }

  // ---------------------------------------------------------------- reader

  async listUsers(opts: ListUsersOptions = {}): Promise<OktaUser[]> {
    const includeDeprovisioned = opts.includeDeprovisioned ?? true;
    if (opts.updatedSince !== undefined && !includeDeprovisioned)
      throw new ConfigError(
        "updatedSince",
        "updatedSince reads every status (a filter returns DEPROVISIONED users too); it cannot be combined with includeDeprovisioned: false.",
      );
    const byId = new Map<string, OktaUser>();
    // The plain list omits DEPROVISIONED users; a `filter` returns every status. One
    // filtered pass from the epoch is therefore every user in the fewest pages.
    const filter = includeDeprovisioned
      ? `&filter=${encodeURIComponent(`lastUpdated gt "${oktaFilterDate(opts.updatedSince ?? EPOCH)}"`)}`
      : "";
    await this.paginate<Record<string, unknown>>(
      `${this.orgUrl}/api/v1/users?limit=${this.pageSize}${filter}`,
      "okta GET /api/v1/users",
      (page) => {
        for (const raw of page) {
          const u = projectOktaUser(raw);
          if (u) byId.set(u.id, u);
        }
        opts.onPage?.(byId.size);
      },
    );
    return [...byId.values()];
  }

  async listGroups(opts: { onPage?: (count: number) => void } = {}): Promise<OktaGroup[]> {
    const byId = new Map<string, OktaGroup>();
    await this.paginate<Record<string, unknown>>(
      `${this.orgUrl}/api/v1/groups?limit=${this.groupPageSize}`,
      "okta GET /api/v1/groups",
      (page) => {
        for (const raw of page) {
          const g = projectOktaGroup(raw);
          if (g) byId.set(g.id, g);
        }
        opts.onPage?.(byId.size);
      },
    );
    return [...byId.values()];
  }

  async getUser(idOrLogin: string): Promise<OktaUser | undefined> {
    return this.getOptional<OktaUser>(
      `/api/v1/users/${seg(idOrLogin)}`,
      "okta GET /api/v1/users/{id}",
    );
  }

  async getGroup(id: string): Promise<OktaGroup | undefined> {
    return this.getOptional<OktaGroup>(`/api/v1/groups/${seg(id)}`, "okta GET /api/v1/groups/{id}");
  }

  // ------------------------------------------------------------- app admin

  async getApp(appId: string): Promise<OktaApp | undefined> {
    return this.getOptional<OktaApp>(`/api/v1/apps/${seg(appId)}`, "okta GET /api/v1/apps/{id}");
  }

  async updateApp(appId: string, app: OktaApp): Promise<OktaApp> {
    // Full-object PUT; fixture-only and read-only members do not belong in it.
    const body: Record<string, unknown> = { ...app };
    for (const k of ["grants", "roles", "_links", "_embedded"]) delete body[k];
    const res = await this.api<OktaApp>({
      method: "PUT",
      url: `${this.orgUrl}/api/v1/apps/${seg(appId)}`,
      json: body,
      bucket: "okta PUT /api/v1/apps/{id}",
    });
    return stripLinks(res.body);
  }

  /** The app's client-authentication keys (Okta's key objects: `id` for the lifecycle calls, `kid`, `status`). */
  async listAppKeys(appId: string): Promise<OktaAppJwk[]> {
    const res = await this.api<OktaAppJwk[]>({
      method: "GET",
      url: `${this.orgUrl}/api/v1/apps/${seg(appId)}/credentials/jwks`,
      bucket: "okta GET /api/v1/apps/{id}/credentials/jwks",
    });
    return (res.body ?? []).map((k) => stripLinks(k));
  }

  /** Adds a public key to the app, ACTIVE or INACTIVE (Okta answers 201 with the key object). */
  async addAppKey(appId: string, jwk: OktaAppJwk): Promise<OktaAppJwk> {
    const res = await this.api<OktaAppJwk>({
      method: "POST",
      url: `${this.orgUrl}/api/v1/apps/${seg(appId)}/credentials/jwks`,
      json: jwk,
      bucket: "okta POST /api/v1/apps/{id}/credentials/jwks",
    });
    return stripLinks(res.body);
  }

  /** Activates or deactivates one of the app's keys by its Okta key id (not the kid). */
  async setAppKeyStatus(
    appId: string,
    keyId: string,
    status: "ACTIVE" | "INACTIVE",
  ): Promise<void> {
    await this.api({
      method: "POST",
      url: `${this.orgUrl}/api/v1/apps/${seg(appId)}/credentials/jwks/${seg(keyId)}/lifecycle/${status === "ACTIVE" ? "activate" : "deactivate"}`,
      bucket: "okta POST /api/v1/apps/{id}/credentials/jwks/{keyId}/lifecycle",
    });
  }

  async listAppGrants(appId: string): Promise<string[]> {
    const scopes: string[] = [];
    await this.paginate<{ scopeId: string }>(
      `${this.orgUrl}/api/v1/apps/${seg(appId)}/grants`,
      "okta GET /api/v1/apps/{id}/grants",
      (page) => scopes.push(...page.map((g) => g.scopeId)),
    );
    return scopes;
  }

  async listClientRoles(clientId: string): Promise<OktaRoleAssignment[]> {
    const roles: OktaRoleAssignment[] = [];
    const what = `GET /oauth2/v1/clients/${clientId}/roles`;
    await this.paginate<unknown>(
      `${this.orgUrl}/oauth2/v1/clients/${seg(clientId)}/roles`,
      "okta GET /oauth2/v1/clients/{id}/roles",
      (page) => roles.push(...page.map((r) => parseRoleAssignment(r, what))),
    );
    return roles;
  }

  async listRolePermissions(roleIdOrLabel: string): Promise<OktaRolePermission[]> {
    const res = await this.api<unknown>({
      method: "GET",
      url: `${this.orgUrl}/api/v1/iam/roles/${seg(roleIdOrLabel)}/permissions`,
      bucket: "okta GET /api/v1/iam/roles/{id}/permissions",
    });
    return parseRolePermissions(res.body, `GET /api/v1/iam/roles/${roleIdOrLabel}/permissions`);
  }

  /** Pages by the body's `_links.next` (this API's way), within the org like `paginate`. */
  async listResourceSetResources(resourceSetId: string): Promise<OktaResourceSetResource[]> {
    const resources: OktaResourceSetResource[] = [];
    const what = `GET /api/v1/iam/resource-sets/${resourceSetId}/resources`;
    const seen = new Set<string>();
    let url: string | undefined =
      `${this.orgUrl}/api/v1/iam/resource-sets/${seg(resourceSetId)}/resources`;
    while (url) {
      seen.add(url);
      const res: HttpResponse<unknown> = await this.api<unknown>({
        method: "GET",
        url,
        bucket: "okta GET /api/v1/iam/resource-sets/{id}/resources",
      });
      resources.push(...parseResourceSetResources(res.body, what));
      const href = (res.body as { _links?: { next?: { href?: unknown } } })._links?.next?.href;
      url =
        typeof href === "string"
          ? this.nextPageUrl(new URL(href, this.orgUrl).toString(), seen)
          : undefined;
    }
    return resources;
  }

  /** What AIM's own connection test does: a token, then one user and one group read. */
  async testConnection(): Promise<OktaConnectionTest> {
    const steps: OktaConnectionTest["steps"] = [];
    const step = async (name: "token" | "read_user" | "read_group", run: () => Promise<string>) => {
      try {
        steps.push({ name, ok: true, message: await run() });
        return true;
      } catch (e) {
        steps.push({
          name,
          ok: false,
          message: e instanceof Error ? this.http.redactor.redact(e.message) : "failed",
        });
        return false;
      }
    };
    const ok =
      (await step("token", async () => {
        if (this.auth.kind === "apiToken") return "API token (SSWS): no token request";
        const t = await this.tokens.get();
        return `${t.type} token for scopes ${this.scopes.join(" ")}`;
      })) &&
      (await step("read_user", async () => {
        const r = await this.api<unknown[]>({
          method: "GET",
          url: `${this.orgUrl}/api/v1/users?limit=1`,
          bucket: "okta GET /api/v1/users",
        });
        return `read ${Array.isArray(r.body) ? r.body.length : 0} user(s)`;
      })) &&
      (await step("read_group", async () => {
        const r = await this.api<unknown[]>({
          method: "GET",
          url: `${this.orgUrl}/api/v1/groups?limit=1`,
          bucket: "okta GET /api/v1/groups",
        });
        return `read ${Array.isArray(r.body) ? r.body.length : 0} group(s)`;
      }));
    return { ok, steps };
  }

  // -------------------------------------------------------------- plumbing

  private async getOptional<T>(path: string, bucket: string): Promise<T | undefined> {
    const res = await this.api<T>({
      method: "GET",
      url: `${this.orgUrl}${path}`,
      bucket,
      acceptStatus: [404],
    });
    return res.status === 404 ? undefined : stripLinks(res.body);
  }

  /** Follows `Link: <…>; rel="next"` until there is none, handing each page over as it comes. */
  private async paginate<T>(
    firstUrl: string,
    bucket: string,
    onPage: (page: readonly T[]) => void,
  ): Promise<void> {
    const seen = new Set<string>();
    let url: string | undefined = firstUrl;
    while (url) {
      seen.add(url);
      const next: string | undefined = await this.page(url, bucket, onPage);
      url = next === undefined ? undefined : this.nextPageUrl(next, seen);
    }
  }

  /**
   * One page, handed to `onPage` (which keeps what it needs) and dropped
   * here: the parsed page (about 1 KB per user) is not held while the next
   * request waits for its pace, which would carry it into V8's old generation.
   */
  private async page<T>(
    url: string,
    bucket: string,
    onPage: (page: readonly T[]) => void,
  ): Promise<string | undefined> {
    const res = await this.api<T[]>({ method: "GET", url, bucket });
    if (!Array.isArray(res.body))
      throw new AimError(
        ERROR_CODES.oktaPagination,
        `GET ${url.split("?")[0]} returned ${res.status} without a JSON array.`,
      );
    onPage(res.body);
    return nextLink(res.headers.get("link"));
  }

  /** A next-page link, once checked: within our own org, and not a page already read. */
  private nextPageUrl(next: string, seen: ReadonlySet<string>): string {
    // The bearer token goes with every page: follow only links to our own org.
    if (new URL(next).origin !== this.orgUrl)
      throw new AimError(
        ERROR_CODES.oktaPagination,
        `Okta's next-page link points to another origin (${new URL(next).origin}); refusing to send credentials there.`,
      );
    if (seen.has(next))
      throw new AimError(
        ERROR_CODES.oktaPagination,
        `Okta's next-page link repeats an earlier page (${next.split("?")[0]}); stopping to avoid a loop.`,
      );
    return next;
  }

  /** One API call with the right credentials; a 401 with an OAuth token renews it once. */
  private async api<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (this.auth.kind === "apiToken") {
      return this.call<T>({
        ...req,
        headers: { ...req.headers, authorization: `SSWS ${this.auth.token}` },
      });
    }
    return this.tokens.withToken((token) =>
      this.call<T>({
        ...req,
        headers: { ...req.headers, authorization: `${token.type} ${token.value}` },
      }),
    );
  }

  private async call<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    try {
      return await this.http.request<T>(req);
    } catch (e) {
      if (e instanceof HttpError && e.status === 403) {
        const hint =
          this.auth.kind === "apiToken"
            ? "the API token's admin lacks a role that allows this"
            : `the token lacks a scope for this call (it has ${this.scopes.join(" ")}; grant scopes on the app's 'Okta API Scopes' tab) or the app's admin roles do not allow it (assign ${AIM_OKTA_ROLE_LABEL} under 'Admin roles')`;
        throw rewrap(e, `${e.message}: ${hint}.`);
      }
      if (e instanceof HttpError && e.status === 401 && this.auth.kind === "apiToken")
        throw rewrap(e, `${e.message}: OKTA_API_TOKEN is invalid, expired or revoked.`);
      throw e;
    }
  }

  private async requestToken(): Promise<AccessToken> {
    const a = this.auth as Extract<OktaAuth, { kind: "privateKeyJwt" }>;
    const tokenUrl = `${this.orgUrl}/oauth2/v1/token`;
    for (let attempt = 1; ; attempt++) {
      // A fresh assertion per attempt: Okta consumes a jti even when the request fails.
      const assertion = await this.signAssertion(a, tokenUrl);
      this.http.addSecrets(assertion);
      try {
        const res = await this.http.request<TokenResponse>({
          method: "POST",
          url: tokenUrl,
          form: {
            grant_type: "client_credentials",
            scope: this.scopes.join(" "),
            client_assertion_type: ASSERTION_TYPE,
            client_assertion: assertion,
          },
          bucket: "okta POST /oauth2/v1/token",
          // Retried here, not in the HTTP layer: a retry needs a new jti.
          idempotent: false,
        });
        const b = res.body ?? {};
        if (typeof b.access_token !== "string" || !b.access_token)
          throw new AimError(
            ERROR_CODES.oktaToken,
            `POST ${tokenUrl} returned ${res.status} without an access_token.`,
          );
        this.http.addSecrets(b.access_token);
        if (b.token_type && b.token_type.toLowerCase() !== "bearer")
          throw new AimError(
            ERROR_CODES.oktaToken,
            `Okta issued a ${b.token_type} token; AIM uses Bearer tokens: turn off 'Require Demonstrating Proof of Possession (DPoP) header in token requests' on the Okta app.`,
          );
        const ttlS = typeof b.expires_in === "number" && b.expires_in > 0 ? b.expires_in : 3600;
        return { value: b.access_token, type: "Bearer", expiresAtMs: this.now() + ttlS * 1000 };
      } catch (e) {
        if (e instanceof HttpError) {
          const transient = e.kind === "SERVER" || e.kind === "NETWORK" || e.kind === "TIMEOUT";
          if (transient && attempt < TOKEN_ATTEMPTS) {
            const exp = this.tokenRetryDelayMs * 2 ** (attempt - 1);
            await this.sleep(exp / 2 + Math.random() * (exp / 2));
            continue;
          }
          throw explainTokenError(e, this.scopes, a.clientId);
        }
        throw e;
      }
    }
  }

  private async signAssertion(
    a: Extract<OktaAuth, { kind: "privateKeyJwt" }>,
    tokenUrl: string,
  ): Promise<string> {
    const k = this.appKey!;
    const kid = a.keyId ?? k.kid;
    const nowS = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader(kid ? { alg: k.alg, kid } : { alg: k.alg })
      .setIssuer(a.clientId)
      .setSubject(a.clientId)
      .setAudience(tokenUrl)
      .setIssuedAt(nowS)
      .setExpirationTime(nowS + ASSERTION_TTL_S)
      .setJti(randomUUID())
      .sign(k.key);
  }
}

/** What to change, per OAuth error of the token endpoint. */
function explainTokenError(e: HttpError, scopes: string[], clientId: string): HttpError {
  const what = e.serviceMessage
    ? ` (${e.serviceCode}: ${e.serviceMessage})`
    : e.serviceCode
      ? ` (${e.serviceCode})`
      : "";
  const prefix = `Okta refused the token request for client ${clientId}${what}`;
  switch (e.serviceCode) {
    case "invalid_dpop_proof":
      return rewrap(
        e,
        `${prefix}: the Okta app requires DPoP; AIM does not send DPoP proofs: turn off 'Require Demonstrating Proof of Possession (DPoP) header in token requests' in the app's General settings (settings.oauthClient.dpop_bound_access_tokens = false).`,
      );
    case "invalid_scope":
      return rewrap(
        e,
        `${prefix}: the app is not granted every scope requested (${scopes.join(" ")}): grant them on the app's 'Okta API Scopes' tab, or request fewer with OKTA_SCOPES.`,
      );
    case "invalid_client":
      return rewrap(
        e,
        `${prefix}: check OKTA_CLIENT_ID, that the app's client authentication is 'Public key / Private key', that OKTA_PRIVATE_KEY matches an ACTIVE public key of the app, and that OKTA_KEY_ID (kid) names that key.`,
      );
    case "unauthorized_client":
    case "unsupported_grant_type":
      return rewrap(
        e,
        `${prefix}: the app may not use the client credentials grant: use an API Services app with the 'Client Credentials' grant type.`,
      );
    default:
      return rewrap(e, `${prefix}: ${e.message}`);
  }
}

/** The same error (code, status, service fields) with a message that says what to do. */
function rewrap(e: HttpError, message: string): HttpError {
  return new HttpError({
    service: e.service,
    kind: e.kind,
    status: e.status,
    method: e.method,
    url: e.url,
    serviceCode: e.serviceCode,
    serviceMessage: e.serviceMessage,
    message,
    cause: e,
  });
}

/** The URL of `rel="next"` in a Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (m && /\brel\s*=\s*"?next"?/i.test(m[2])) return m[1];
  }
  return undefined;
}

function stripLinks<T>(o: T): T {
  if (o && typeof o === "object") delete (o as Record<string, unknown>)._links;
  return o;
}

const seg = (s: string) => encodeURIComponent(s);

/** Okta's filter date form, yyyy-MM-dd'T'HH:mm:ss.SSSZ; refuses what is not a date. */
export function oktaFilterDate(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms))
    throw new ConfigError("updatedSince", `updatedSince must be an ISO 8601 date; got "${iso}".`);
  return new Date(ms).toISOString();
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * Keeps what planning and the snapshot cache use (id, status, login, email,
 * lastUpdated) in a new object, so the rest of the page (about 1 KB per user
 * on real Okta) is not held for the whole read. Every field is in the
 * literal (lastUpdated undefined when Okta gives none): a field added
 * afterwards costs V8 a separate property store per user.
 */
export function projectOktaUser(r: Record<string, unknown>): OktaUser | undefined {
  const id = str(r.id);
  const profile = r.profile as Record<string, unknown> | null | undefined;
  const login = str(profile?.login);
  if (!id || login === undefined) return undefined;
  const status = str(r.status) ?? "ACTIVE";
  return {
    id,
    // The shared constant; a status this code does not know is kept as Okta gave it.
    status: oktaUserStatus(status) ?? (status as OktaUserStatus),
    profile: { login, email: oneCopy(login, str(profile?.email) ?? "") },
    lastUpdated: str(r.lastUpdated),
  };
}

/**
 * Keeps id, type, name and Everyone's membership timestamp (it tells the
 * snapshot cache of users created or deleted); nothing reads a group's
 * lastUpdated.
 */
export function projectOktaGroup(r: Record<string, unknown>): OktaGroup | undefined {
  const id = str(r.id);
  const profile = r.profile as Record<string, unknown> | null | undefined;
  const name = str(profile?.name);
  if (!id || name === undefined) return undefined;
  const type = str(r.type) ?? "OKTA_GROUP";
  return {
    id,
    type: oktaGroupType(type) ?? (type as OktaGroupType),
    profile: { name },
    lastMembershipUpdated: str(r.lastMembershipUpdated),
  };
}
