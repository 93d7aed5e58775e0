/**
 * `/api/v1/apps`: list, create, get, full replacement (PUT), delete,
 * lifecycle; and the internal idToken settings the Okta Terraform/Pulumi
 * provider also calls around apps (recorded).
 */
import { randomBytes } from "node:crypto";
import type { OktaApp } from "../../core/model/tenant";
import type { EmulatorRequest, EmulatorResponse } from "../common/server";
import type { OktaRoutes } from "./context";
import { oktaError } from "./errors";
import { evaluate } from "./expression";
import { isResponse, jsonBody, linkHeaders, parseLimit, parseQueryExpr } from "./listing";
import { renderApp } from "./render";
import { APPS_MANAGE, APPS_READ } from "./scopes";

export function registerApps({ store, guarded, appRoute }: OktaRoutes): void {
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
    // An org that forces DPoP on this app (test switch): the update is accepted, the flag stays on.
    if (store.dpopForced.has(app.id)) next.settings.oauthClient.dpop_bound_access_tokens = true;
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
