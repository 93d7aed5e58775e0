/**
 * The Okta management API routes: auth (SSWS and scoped Bearer tokens),
 * per-bucket rate limits with Okta's headers, users, groups, apps, app keys,
 * grants and client roles.
 */
import { randomBytes } from "node:crypto";
import type { OktaApp, OktaAppJwk, OktaGroup, OktaUser } from "../../core/model/tenant";
import type { FaultConfig, ScriptedFault } from "../common/faults";
import type { RequestCounter, WindowRateLimiter } from "../common/counters";
import {
  authHeader,
  type EmulatorRequest,
  type EmulatorResponse,
  type Handler,
  type Router,
} from "../common/server";
import { notFound, oktaError } from "./errors";
import {
  checkAllowed,
  evaluate,
  ExpressionError,
  parseExpression,
  type Expr,
  type Operator,
} from "./expression";
import { base32 } from "./ids";
import {
  KNOWN_ROLE_TYPES,
  renderApp,
  renderGrant,
  renderGroup,
  renderJwksKey,
  renderRole,
  renderUser,
} from "./render";
import type { OktaStore, IssuedToken, SortedById } from "./store";
import { handleToken } from "./token";
import type { FaultInjector } from "../common/faults";

/** Rate-limit buckets, after Okta's per-endpoint limits. */
export type OktaRateBucket =
  "token" | "users" | "userById" | "groups" | "groupById" | "apps" | "clientRoles";

/** Requests per minute in "realistic" mode (docs/emulators.md, "Okta emulator"). */
export const REALISTIC_RATE_LIMITS: Record<OktaRateBucket, number> = {
  token: 600,
  users: 600,
  userById: 2000,
  groups: 500,
  groupById: 1000,
  apps: 100,
  clientRoles: 100,
};

/** The limit advertised when rate limits are "off" (never enforced). */
export const UNLIMITED_RATE = 1_000_000;
const WINDOW_MS = 60_000;

export interface ApiContext {
  store: OktaStore;
  apiToken: string;
  now: () => number;
  limiter: WindowRateLimiter;
  /** Per-bucket limits; undefined bucket = not enforced. */
  limits: Partial<Record<OktaRateBucket, number>>;
  counter: RequestCounter;
  faults: FaultInjector;
}

// ---- auth -------------------------------------------------------------------

type Principal = { kind: "ssws" } | { kind: "client"; app: OktaApp; token: IssuedToken };

/** Roles allowed to write through the API with an OAuth token. */
const WRITE_ROLES = new Set(["SUPER_ADMIN", "ORG_ADMIN", "APP_ADMIN"]);

function bearerChallenge(
  req: EmulatorRequest,
  error: string,
  description: string,
  scope?: string,
): string {
  const org = req.baseUrl;
  const parts = [
    `authorization_uri="${org}/oauth2/v1/authorize"`,
    `realm="${org}"`,
    ...(scope ? [`scope="${scope}"`] : []),
    `error="${error}"`,
    `error_description="${description}"`,
    `resource="${req.path}"`,
  ];
  return `Bearer ${parts.join(", ")}`;
}

function authenticate(req: EmulatorRequest, ctx: ApiContext): Principal | EmulatorResponse {
  const h = authHeader(req);
  if (!h) return oktaError("E0000011");
  const [scheme, credential] = h;
  const s = scheme.toLowerCase();
  if (s === "ssws") {
    return credential === ctx.apiToken ? { kind: "ssws" } : oktaError("E0000011");
  }
  if (s === "bearer" || s === "dpop") {
    const token = ctx.store.tokens.get(credential);
    const invalid = () =>
      oktaError("E0000011", undefined, {
        headers: {
          "www-authenticate": bearerChallenge(req, "invalid_token", "The access token is invalid."),
        },
      });
    if (!token) return invalid();
    if (token.expiresAtMs <= ctx.now()) {
      ctx.store.tokens.delete(credential);
      return invalid();
    }
    // A DPoP-bound token must be presented with the DPoP scheme and a proof.
    if (token.tokenType === "DPoP" && (s !== "dpop" || !req.headers["dpop"])) return invalid();
    const app = ctx.store.getAppByClientId(token.clientId);
    if (!app || app.status === "INACTIVE") return invalid();
    return { kind: "client", app, token };
  }
  return oktaError("E0000011");
}

/**
 * Authenticates and authorises: any one of `scopes` for a token, an admin
 * role on the token's client (a write role for writes).
 */
function authorize(
  req: EmulatorRequest,
  ctx: ApiContext,
  scopes: string[],
  write: boolean,
): EmulatorResponse | undefined {
  const p = authenticate(req, ctx);
  if (!("kind" in p)) return p;
  if (p.kind === "ssws") return undefined;
  if (!scopes.some((s) => p.token.scopes.includes(s))) {
    return oktaError("E0000006", undefined, {
      headers: {
        "www-authenticate": bearerChallenge(
          req,
          "insufficient_scope",
          "The access token provided does not contain the required scopes.",
          scopes[0],
        ),
      },
    });
  }
  const roles = p.app.roles ?? [];
  if (roles.length === 0) return oktaError("E0000006");
  if (write && !roles.some((r) => WRITE_ROLES.has(r))) return oktaError("E0000006");
  return undefined;
}

// ---- rate limits ---------------------------------------------------------------

function rateHeaders(limit: number, remaining: number, resetAtMs: number): Record<string, string> {
  return {
    "x-rate-limit-limit": String(limit),
    "x-rate-limit-remaining": String(remaining),
    "x-rate-limit-reset": String(Math.ceil(resetAtMs / 1000)),
  };
}

/** Wraps a handler with its bucket's rate limit; every response carries the headers. */
function limited(ctx: ApiContext, bucket: OktaRateBucket, handler: Handler): Handler {
  return async (req) => {
    const enforced = ctx.limits[bucket];
    const w = ctx.limiter.take(bucket, enforced ?? UNLIMITED_RATE, WINDOW_MS);
    const headers = rateHeaders(w.limit, w.remaining, w.resetAtMs);
    if (!w.allowed && enforced !== undefined) return oktaError("E0000047", undefined, { headers });
    const out = await handler(req);
    return { ...out, headers: { ...headers, ...(out.headers ?? {}) } };
  };
}

/** The headers of an injected 429: the bucket's limit, nothing remaining, reset in `seconds`. */
export function injected429Headers(
  ctx: ApiContext,
  path: string,
  seconds: number | undefined,
): Record<string, string> {
  const bucket = bucketOf(path);
  const limit = (bucket && ctx.limits[bucket]) ?? UNLIMITED_RATE;
  const nowMs = ctx.now();
  const resetAtMs =
    seconds !== undefined
      ? nowMs + seconds * 1000
      : (Math.floor(nowMs / WINDOW_MS) + 1) * WINDOW_MS;
  return rateHeaders(limit, 0, resetAtMs);
}

function bucketOf(path: string): OktaRateBucket | undefined {
  if (path === "/oauth2/v1/token") return "token";
  if (path === "/api/v1/users") return "users";
  if (path.startsWith("/api/v1/users/")) return "userById";
  if (path === "/api/v1/groups") return "groups";
  if (path.startsWith("/api/v1/groups/")) return "groupById";
  if (path.startsWith("/api/v1/apps")) return "apps";
  if (path.startsWith("/oauth2/v1/clients/")) return "clientRoles";
  return undefined;
}

// ---- listing helpers -----------------------------------------------------------

function parseLimit(raw: string | null, def: number, max: number): number | EmulatorResponse {
  if (raw === null || raw === "") return def;
  if (!/^-?\d+$/.test(raw))
    return oktaError("E0000001", "limit", { causes: ["limit: The value must be a number."] });
  const n = Number(raw);
  if (n < 1) return def;
  return Math.min(n, max);
}

/** `<{org}{path}?{params}>; rel="…"`, encoded as Okta encodes (`+` for spaces, `%22` for quotes). */
function link(org: string, path: string, params: Array<[string, string]>, rel: string): string {
  const qs = new URLSearchParams(params).toString();
  return `<${org}${path}${qs ? `?${qs}` : ""}>; rel="${rel}"`;
}

function linkHeaders(
  req: EmulatorRequest,
  limit: number,
  extra: Array<[string, string]>,
  nextAfter: string | undefined,
): Record<string, string> {
  const after = req.query.get("after");
  const self = link(
    req.baseUrl,
    req.path,
    [
      ...(after ? ([["after", after]] as Array<[string, string]>) : []),
      ["limit", String(limit)],
      ...extra,
    ],
    "self",
  );
  const links = [self];
  if (nextAfter !== undefined)
    links.push(
      link(
        req.baseUrl,
        req.path,
        [["after", nextAfter], ["limit", String(limit)], ...extra],
        "next",
      ),
    );
  // Okta sends one Link header per relation; fetch() joins repeated headers with ", ".
  return { link: links.join(", ") };
}

function parseQueryExpr(
  text: string,
  allowed?: (attr: string, op: Operator) => boolean,
): Expr | EmulatorResponse {
  try {
    const expr = parseExpression(text);
    if (allowed && !checkAllowed(expr, allowed)) return oktaError("E0000031");
    return expr;
  } catch (e) {
    if (e instanceof ExpressionError) return oktaError("E0000031");
    throw e;
  }
}

const isResponse = (x: unknown): x is EmulatorResponse =>
  typeof x === "object" &&
  x !== null &&
  "status" in x &&
  typeof (x as { status: unknown }).status === "number";

const USER_FILTER_ATTRS = new Set([
  "status",
  "id",
  "profile.login",
  "profile.email",
  "profile.firstName",
  "profile.lastName",
  "type.id",
]);
const DATE_FILTER_OPS = new Set<Operator>(["eq", "gt", "ge", "lt", "le"]);

function userFilterAllowed(attr: string, op: Operator): boolean {
  if (attr === "lastUpdated") return DATE_FILTER_OPS.has(op);
  return USER_FILTER_ATTRS.has(attr) && op === "eq";
}

function groupFilterAllowed(attr: string, op: Operator): boolean {
  if (attr === "lastUpdated" || attr === "lastMembershipUpdated") return DATE_FILTER_OPS.has(op);
  return (attr === "id" || attr === "type") && op === "eq";
}

function jsonBody(req: EmulatorRequest): Record<string, unknown> | EmulatorResponse {
  if (req.json === null || typeof req.json !== "object" || Array.isArray(req.json))
    return oktaError("E0000003");
  return req.json as Record<string, unknown>;
}

/**
 * The `search` (any attribute) or `filter` (the attributes `filterAllowed`
 * accepts) of a list request as a predicate, with the parameter the Link
 * header repeats; undefined when neither is given.
 */
function searchOrFilter<T extends Record<string, unknown>>(
  req: EmulatorRequest,
  filterAllowed: (attr: string, op: Operator) => boolean,
): { pred: (item: T) => boolean; param: [string, string] } | EmulatorResponse | undefined {
  const search = req.query.get("search");
  const filter = search ? null : req.query.get("filter");
  const text = search || filter;
  if (!text) return undefined;
  const expr = parseQueryExpr(text, search ? undefined : filterAllowed);
  if (isResponse(expr)) return expr;
  return { pred: (item) => evaluate(expr, item), param: [search ? "search" : "filter", text] };
}

/** One page of a store collection after `?after=`, with Okta's Link headers. */
function storePage<T extends { id: string }>(
  req: EmulatorRequest,
  collection: SortedById<T>,
  limit: number,
  pred: (item: T) => boolean,
  extra: Array<[string, string]>,
  render: (item: T) => unknown,
): EmulatorResponse {
  let page: { items: T[]; hasMore: boolean };
  try {
    page = collection.page(req.query.get("after") ?? undefined, limit, pred);
  } catch (e) {
    // An expression that only fails on a value (e.g. a malformed date) fails while filtering.
    if (e instanceof ExpressionError) return oktaError("E0000031");
    throw e;
  }
  const last = page.items[page.items.length - 1];
  return {
    status: 200,
    headers: linkHeaders(req, limit, extra, page.hasMore && last ? last.id : undefined),
    body: page.items.map((item) => render(item)),
  };
}

// ---- routes ----------------------------------------------------------------------

export function registerRoutes(router: Router, ctx: ApiContext): void {
  const { store } = ctx;
  const USERS_READ = ["okta.users.read", "okta.users.manage"];
  const GROUPS_READ = ["okta.groups.read", "okta.groups.manage"];
  const APPS_READ = ["okta.apps.read", "okta.apps.manage"];
  const APPS_MANAGE = ["okta.apps.manage"];
  const GRANTS_READ = ["okta.appGrants.read", "okta.appGrants.manage"];
  const GRANTS_MANAGE = ["okta.appGrants.manage"];
  const ROLES_READ = ["okta.roles.read", "okta.roles.manage"];
  const ROLES_MANAGE = ["okta.roles.manage"];

  /** A route under its bucket's rate limit that serves only a caller `authorize` lets through. */
  const guarded = (
    method: string,
    path: string,
    bucket: OktaRateBucket,
    scopes: string[],
    write: boolean,
    fn: Handler,
  ): void => {
    router.add(
      method,
      path,
      limited(ctx, bucket, (req) => authorize(req, ctx, scopes, write) ?? fn(req)),
    );
  };
  type AppHandler = (req: EmulatorRequest, app: OktaApp) => EmulatorResponse;
  /** Guarded routes on the app a path parameter names; 404 (`kind`) when there is none. */
  const onApp =
    (
      bucket: OktaRateBucket,
      param: string,
      kind: string,
      find: (id: string) => OktaApp | undefined,
    ) =>
    (method: string, path: string, scopes: string[], write: boolean, fn: AppHandler): void =>
      guarded(method, path, bucket, scopes, write, (req) => {
        const app = find(req.params[param]);
        return app ? fn(req, app) : notFound(req.params[param], kind);
      });
  const appRoute = onApp("apps", "appId", "AppInstance", (id) => store.getApp(id));
  const clientRoute = onApp("clientRoles", "clientId", "Client", (id) =>
    store.getAppByClientId(id),
  );

  router.add(
    "POST",
    "/oauth2/v1/token",
    limited(ctx, "token", (req) => handleToken(req, store, ctx.now)),
  );

  // -- users
  guarded("GET", "/api/v1/users", "users", USERS_READ, false, (req) => {
    const limit = parseLimit(req.query.get("limit"), 200, 200);
    if (isResponse(limit)) return limit;
    const query = searchOrFilter<OktaUser>(req, userFilterAllowed);
    if (isResponse(query)) return query;
    const q = req.query.get("q");
    let pred: (u: OktaUser) => boolean;
    const extra: Array<[string, string]> = [];
    if (query) {
      pred = query.pred;
      extra.push(query.param);
    } else if (q) {
      const needle = q.toLowerCase();
      pred = (u) =>
        u.status !== "DEPROVISIONED" &&
        [u.profile.firstName, u.profile.lastName, u.profile.email, u.profile.login].some(
          (v) => typeof v === "string" && v.toLowerCase().startsWith(needle),
        );
      extra.push(["q", q]);
    } else {
      // The plain list omits deprovisioned users (filter/search return them).
      pred = (u) => u.status !== "DEPROVISIONED";
    }
    return storePage(req, store.users, limit, pred, extra, (u) => renderUser(req.baseUrl, u, true));
  });
  guarded("GET", "/api/v1/users/:id", "userById", USERS_READ, false, (req) => {
    const user = store.findUser(req.params.id);
    if (!user) return notFound(req.params.id, "User");
    return { status: 200, body: renderUser(req.baseUrl, user) };
  });

  // -- groups
  guarded("GET", "/api/v1/groups", "groups", GROUPS_READ, false, (req) => {
    const limit = parseLimit(req.query.get("limit"), 10000, 10000);
    if (isResponse(limit)) return limit;
    const q = req.query.get("q");
    if (q) {
      // Name-prefix lookup: one page, no Link header (as recorded).
      const needle = q.toLowerCase();
      const page = store.groups.page(undefined, limit, (g) =>
        g.profile.name.toLowerCase().startsWith(needle),
      );
      return { status: 200, body: page.items.map((g) => renderGroup(req.baseUrl, g)) };
    }
    const query = searchOrFilter<OktaGroup>(req, groupFilterAllowed);
    if (isResponse(query)) return query;
    return storePage(
      req,
      store.groups,
      limit,
      query ? query.pred : () => true,
      query ? [query.param] : [],
      (g) => renderGroup(req.baseUrl, g),
    );
  });
  guarded("GET", "/api/v1/groups/:id", "groupById", GROUPS_READ, false, (req) => {
    const group = store.groups.get(req.params.id);
    if (!group) return notFound(req.params.id, "UserGroup");
    return { status: 200, body: renderGroup(req.baseUrl, group) };
  });

  // -- apps
  guarded("GET", "/api/v1/apps", "apps", APPS_READ, false, (req) => {
    const limit = parseLimit(req.query.get("limit"), 20, 200);
    if (isResponse(limit)) return limit;
    const filter = req.query.get("filter");
    const q = req.query.get("q");
    let pred: (a: OktaApp) => boolean = () => true;
    const extra: Array<[string, string]> = [];
    if (filter) {
      const expr = parseQueryExpr(filter);
      if (isResponse(expr)) return expr;
      pred = (a) => evaluate(expr, a);
      extra.push(["filter", filter]);
    } else if (q) {
      const needle = q.toLowerCase();
      pred = (a) =>
        a.label.toLowerCase().startsWith(needle) || a.name.toLowerCase().startsWith(needle);
      extra.push(["q", q]);
    }
    const after = req.query.get("after");
    const all = [...store.apps.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const start = after ? all.findIndex((a) => a.id > after) : 0;
    const matching = (start < 0 ? [] : all.slice(start)).filter(pred);
    const items = matching.slice(0, limit);
    const more = matching.length > limit;
    return {
      status: 200,
      headers: linkHeaders(req, limit, extra, more ? items[items.length - 1].id : undefined),
      body: items.map((a) => renderApp(req.baseUrl, store, a)),
    };
  });
  guarded("POST", "/api/v1/apps", "apps", APPS_MANAGE, true, (req) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const invalid = validateAppBody(body);
    if (invalid) return invalid;
    const activate = req.query.get("activate") !== "false";
    const given = body as Partial<OktaApp>;
    const app = store.normaliseApp({
      ...given,
      id: undefined,
      status: activate ? "ACTIVE" : "INACTIVE",
      grants: [],
      roles: [],
    });
    const method = app.credentials.oauthClient.token_endpoint_auth_method;
    if (method === "client_secret_basic" || method === "client_secret_post")
      app.credentials.oauthClient.client_secret = randomSecret();
    store.putApp(app);
    const rendered = renderApp(req.baseUrl, store, app);
    // The secret is shown once, in the create response.
    if (app.credentials.oauthClient.client_secret) {
      const creds = rendered.credentials as { oauthClient: Record<string, unknown> };
      creds.oauthClient = {
        ...creds.oauthClient,
        client_secret: app.credentials.oauthClient.client_secret,
      };
    }
    return { status: 200, body: rendered };
  });
  appRoute("GET", "/api/v1/apps/:appId", APPS_READ, false, (req, app) => ({
    status: 200,
    body: renderApp(req.baseUrl, store, app),
  }));
  appRoute("PUT", "/api/v1/apps/:appId", APPS_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const invalid = validateAppBody(body);
    if (invalid) return invalid;
    const given = body as Partial<OktaApp>;
    const oauth = given.settings?.oauthClient;
    const previousKeys = app.settings.oauthClient.jwks?.keys ?? [];
    // Full replacement: what the body omits is reset (dpop_bound_access_tokens to false).
    const next = store.normaliseApp({
      ...given,
      id: app.id,
      created: app.created,
      status: app.status,
      grants: app.grants,
      roles: app.roles,
      credentials: {
        ...given.credentials,
        oauthClient: {
          ...(given.credentials?.oauthClient ?? {
            token_endpoint_auth_method: "private_key_jwt",
          }),
          client_id: app.credentials.oauthClient.client_id,
          client_secret: app.credentials.oauthClient.client_secret,
        },
      },
      settings: {
        ...(given.settings ?? {}),
        oauthClient: { ...(oauth as OktaApp["settings"]["oauthClient"]), jwks: undefined },
      },
    });
    if (oauth?.jwks) {
      const keys = store.normaliseKeys(oauth.jwks.keys ?? [], previousKeys);
      if (!keys.some((k) => k.status === "ACTIVE") && keys.length > 0)
        return oktaError("E0000001", "jwks", {
          causes: ["jwks: At least one key must be ACTIVE."],
        });
      next.settings.oauthClient.jwks = { keys };
    } else {
      delete next.settings.oauthClient.jwks;
    }
    store.putApp(next);
    return { status: 200, body: renderApp(req.baseUrl, store, next) };
  });
  appRoute("DELETE", "/api/v1/apps/:appId", APPS_MANAGE, true, (_req, app) => {
    if (app.status === "ACTIVE")
      return oktaError("E0000001", "status", {
        causes: ["status: An application must be deactivated before it can be deleted."],
      });
    store.apps.delete(app.id);
    return { status: 204 };
  });
  for (const action of ["activate", "deactivate"] as const) {
    appRoute("POST", `/api/v1/apps/:appId/lifecycle/${action}`, APPS_MANAGE, true, (_req, app) => {
      store.putApp({
        ...app,
        status: action === "activate" ? "ACTIVE" : "INACTIVE",
        lastUpdated: store.iso(),
      });
      return { status: 200, body: {} };
    });
  }

  // -- app keys
  const keysOf = (app: OktaApp): OktaAppJwk[] => app.settings.oauthClient.jwks?.keys ?? [];
  const setKeys = (app: OktaApp, keys: OktaAppJwk[]): void => {
    app.settings.oauthClient.jwks = { keys };
    app.lastUpdated = store.iso();
  };
  appRoute("GET", "/api/v1/apps/:appId/credentials/jwks", APPS_READ, false, (req, app) => ({
    status: 200,
    body: keysOf(app).map((k) => renderJwksKey(req.baseUrl, app.id, k)),
  }));
  appRoute("POST", "/api/v1/apps/:appId/credentials/jwks", APPS_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const jwk = body as OktaAppJwk;
    const causes: string[] = [];
    if (jwk.kty !== "RSA" && jwk.kty !== "EC") causes.push("kty: The value must be RSA or EC.");
    if (jwk.kty === "RSA" && (!jwk.e || !jwk.n)) causes.push("n, e: RSA keys need n and e.");
    if (jwk.kty === "EC" && (!jwk.x || !jwk.y)) causes.push("x, y: EC keys need x and y.");
    if (jwk.kid && keysOf(app).some((k) => k.kid === jwk.kid))
      causes.push("kid: A key with this kid already exists.");
    if (causes.length) return oktaError("E0000001", "jwks", { causes });
    const [key] = store.normaliseKeys([{ ...jwk, id: undefined, kid: jwk.kid ?? "" }]);
    if (!jwk.kid) key.kid = key.id as string;
    setKeys(app, [...keysOf(app), key]);
    return { status: 200, body: renderJwksKey(req.baseUrl, app.id, key) };
  });
  appRoute("GET", "/api/v1/apps/:appId/credentials/jwks/:keyId", APPS_READ, false, (req, app) => {
    const key = keysOf(app).find((k) => k.id === req.params.keyId);
    if (!key) return notFound(req.params.keyId, "JsonWebKey");
    return { status: 200, body: renderJwksKey(req.baseUrl, app.id, key) };
  });
  appRoute(
    "DELETE",
    "/api/v1/apps/:appId/credentials/jwks/:keyId",
    APPS_MANAGE,
    true,
    (req, app) => {
      const key = keysOf(app).find((k) => k.id === req.params.keyId);
      if (!key) return notFound(req.params.keyId, "JsonWebKey");
      if (key.status === "ACTIVE")
        return oktaError("E0000001", "jwks", {
          causes: ["status: An ACTIVE key cannot be deleted; deactivate it first."],
        });
      setKeys(
        app,
        keysOf(app).filter((k) => k !== key),
      );
      return { status: 204 };
    },
  );
  for (const action of ["activate", "deactivate"] as const) {
    appRoute(
      "POST",
      `/api/v1/apps/:appId/credentials/jwks/:keyId/lifecycle/${action}`,
      APPS_MANAGE,
      true,
      (req, app) => {
        const keys = keysOf(app);
        const key = keys.find((k) => k.id === req.params.keyId);
        if (!key) return notFound(req.params.keyId, "JsonWebKey");
        if (
          action === "deactivate" &&
          key.status === "ACTIVE" &&
          keys.filter((k) => k.status === "ACTIVE").length === 1
        )
          return oktaError("E0000001", "jwks", {
            causes: ["status: The only active key cannot be deactivated."],
          });
        const updated = {
          ...key,
          status: action === "activate" ? "ACTIVE" : "INACTIVE",
          lastUpdated: store.iso(),
        } as OktaAppJwk;
        setKeys(
          app,
          keys.map((k) => (k === key ? updated : k)),
        );
        return { status: 200, body: renderJwksKey(req.baseUrl, app.id, updated) };
      },
    );
  }

  // -- grants
  appRoute("GET", "/api/v1/apps/:appId/grants", GRANTS_READ, false, (req, app) => ({
    status: 200,
    body: (app.grants ?? []).map((s) => renderGrant(req.baseUrl, store, app, s)),
  }));
  appRoute("POST", "/api/v1/apps/:appId/grants", GRANTS_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const { issuer, scopeId } = body as { issuer?: unknown; scopeId?: unknown };
    const causes: string[] = [];
    if (typeof scopeId !== "string" || !/^okta\.[A-Za-z]+\.[A-Za-z]+$/.test(scopeId))
      causes.push("scopeId: The scope is not a valid Okta scope.");
    if (typeof issuer !== "string" || issuer.replace(/\/$/, "") !== req.baseUrl)
      causes.push("issuer: The issuer must be the org URL.");
    if (causes.length) return oktaError("E0000001", causes[0].split(":")[0], { causes });
    const scope = scopeId as string;
    if (!(app.grants ?? []).includes(scope)) app.grants = [...(app.grants ?? []), scope];
    return { status: 201, body: renderGrant(req.baseUrl, store, app, scope) };
  });
  const findGrant = (app: OktaApp, grantId: string): string | undefined =>
    (app.grants ?? []).find((s) => store.grantStamp(app.id, s).id === grantId);
  appRoute("GET", "/api/v1/apps/:appId/grants/:grantId", GRANTS_READ, false, (req, app) => {
    const scope = findGrant(app, req.params.grantId);
    if (!scope) return notFound(req.params.grantId, "OAuth2ScopeConsentGrant");
    return { status: 200, body: renderGrant(req.baseUrl, store, app, scope) };
  });
  appRoute("DELETE", "/api/v1/apps/:appId/grants/:grantId", GRANTS_MANAGE, true, (req, app) => {
    const scope = findGrant(app, req.params.grantId);
    if (!scope) return notFound(req.params.grantId, "OAuth2ScopeConsentGrant");
    app.grants = (app.grants ?? []).filter((s) => s !== scope);
    store.grantStamps.delete(`${app.id} ${scope}`);
    return { status: 204 };
  });

  // -- client roles
  clientRoute("GET", "/oauth2/v1/clients/:clientId/roles", ROLES_READ, false, (req, app) => ({
    status: 200,
    body: (app.roles ?? []).map((r) => renderRole(req.baseUrl, store, req.params.clientId, r)),
  }));
  clientRoute("POST", "/oauth2/v1/clients/:clientId/roles", ROLES_MANAGE, true, (req, app) => {
    const body = jsonBody(req);
    if (isResponse(body)) return body;
    const type = (body as { type?: unknown }).type;
    if (typeof type !== "string" || !KNOWN_ROLE_TYPES.has(type))
      return oktaError("E0000001", "type", { causes: ["type: Invalid role type."] });
    if ((app.roles ?? []).includes(type)) return oktaError("E0000090");
    app.roles = [...(app.roles ?? []), type];
    return { status: 201, body: renderRole(req.baseUrl, store, req.params.clientId, type) };
  });
  const findRole = (app: OktaApp, roleId: string): string | undefined =>
    (app.roles ?? []).find((r) => base32(r) === roleId);
  clientRoute(
    "GET",
    "/oauth2/v1/clients/:clientId/roles/:roleId",
    ROLES_READ,
    false,
    (req, app) => {
      const role = findRole(app, req.params.roleId);
      if (!role) return notFound(req.params.roleId, "Role");
      return { status: 200, body: renderRole(req.baseUrl, store, req.params.clientId, role) };
    },
  );
  clientRoute(
    "DELETE",
    "/oauth2/v1/clients/:clientId/roles/:roleId",
    ROLES_MANAGE,
    true,
    (req, app) => {
      const role = findRole(app, req.params.roleId);
      if (!role) return notFound(req.params.roleId, "Role");
      app.roles = (app.roles ?? []).filter((r) => r !== role);
      store.roleStamps.delete(`${req.params.clientId} ${role}`);
      return { status: 204 };
    },
  );

  // -- what the Okta Terraform/Pulumi provider also calls around apps (recorded)
  router.add("GET", "/.well-known/okta-organization", (req) => ({
    status: 200,
    body: {
      id: store.orgId,
      cell: "op3",
      _links: { organization: { href: req.baseUrl } },
      pipeline: "idx",
      settings: {
        analyticsCollectionEnabled: false,
        bugReportingEnabled: true,
        omEnabled: false,
        pssoEnabled: false,
        desktopMFAEnabled: false,
        itpEnabled: false,
      },
    },
  }));
  const idTokenSettings = (req: EmulatorRequest, app: OktaApp): Record<string, unknown> => ({
    issuer: req.baseUrl,
    orgUrl: null,
    customUrl: null,
    audience: app.credentials.oauthClient.client_id,
    issuerMode: "ORG_URL",
    ...(store.idTokenSettings.get(app.id) ?? {}),
  });
  appRoute(
    "GET",
    "/api/v1/internal/apps/:appId/settings/oauth/idToken",
    APPS_READ,
    false,
    (req, app) => ({ status: 200, body: idTokenSettings(req, app) }),
  );
  appRoute(
    "POST",
    "/api/v1/internal/apps/:appId/settings/oauth/idToken",
    APPS_MANAGE,
    true,
    (req, app) => {
      const body = jsonBody(req);
      if (isResponse(body)) return body;
      store.idTokenSettings.set(app.id, body);
      // Recorded: the POST answers with issuer/audience still null.
      return {
        status: 200,
        body: {
          issuer: null,
          orgUrl: null,
          customUrl: null,
          audience: null,
          issuerMode: "ORG_URL",
          ...body,
        },
      };
    },
  );

  // -- test-only control endpoints (never faulted, no auth)
  router.add("POST", "/__emulator/faults", (req) => {
    const body = req.json;
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return oktaError("E0000003");
    ctx.faults.configure(faultConfigFromJson(body as Record<string, unknown>));
    return { status: 204 };
  });
  router.add("GET", "/__emulator/counts", () => ({
    status: 200,
    body: {
      counts: ctx.counter.snapshot(),
      total: ctx.counter.total(),
      injected: ctx.faults.injected,
    },
  }));
}

/** FaultConfig from JSON: script paths are prefixes, or regular expressions written "/…/". */
function faultConfigFromJson(body: Record<string, unknown>): FaultConfig {
  const script = Array.isArray(body.script)
    ? (body.script as Array<Record<string, unknown>>).map((s): ScriptedFault => {
        const path = typeof s.path === "string" ? s.path : undefined;
        const re = path && /^\/(.*)\/$/.exec(path);
        return {
          method: typeof s.method === "string" ? s.method : undefined,
          path: re && path !== "/" ? new RegExp(re[1]) : path,
          fault: s.fault as ScriptedFault["fault"],
          after: typeof s.after === "number" ? s.after : undefined,
          times:
            s.times === null || s.times === "Infinity"
              ? Infinity
              : typeof s.times === "number"
                ? s.times
                : undefined,
          value: typeof s.value === "number" ? s.value : undefined,
        };
      })
    : undefined;
  const num = (k: string): number | undefined =>
    typeof body[k] === "number" ? (body[k] as number) : undefined;
  return {
    rate429: num("rate429"),
    rate500: num("rate500"),
    rate503: num("rate503"),
    rateDrop: num("rateDrop"),
    latencyMs: num("latencyMs"),
    seed: num("seed"),
    script,
  };
}

function validateAppBody(body: Record<string, unknown>): EmulatorResponse | undefined {
  const causes: string[] = [];
  if (typeof body.label !== "string" || body.label === "")
    causes.push("label: The field cannot be left blank");
  if (typeof body.name !== "string" || body.name === "")
    causes.push("name: The field cannot be left blank");
  const settings = body.settings as { oauthClient?: unknown } | undefined;
  if (body.name === "oidc_client" && (!settings || typeof settings.oauthClient !== "object"))
    causes.push("settings.oauthClient: The field cannot be left blank");
  if (!causes.length) return undefined;
  return oktaError("E0000001", causes.map((c) => c.split(":")[0]).join(", "), { causes });
}

function randomSecret(): string {
  return randomBytes(48).toString("base64url");
}
