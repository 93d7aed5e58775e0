/** `/api/v1/apps/:appId/grants`: the Okta API scopes granted to an app. */
import type { OktaApp } from "../../core/model/tenant";
import type { OktaRoutes } from "./context";
import { notFound, oktaError } from "./errors";
import { isResponse, jsonBody } from "./listing";
import { renderGrant } from "./render";

const GRANTS_READ = ["okta.appGrants.read", "okta.appGrants.manage"];
const GRANTS_MANAGE = ["okta.appGrants.manage"];

export function registerGrants({ store, appRoute }: OktaRoutes): void {
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
}
