/** `/api/v1/apps/:appId/credentials/jwks`: an app's public keys (list, add, get, delete, lifecycle). */
import type { OktaApp, OktaAppJwk } from "../../core/model/tenant";
import type { OktaRoutes } from "./context";
import { notFound, oktaError } from "./errors";
import { isResponse, jsonBody } from "./listing";
import { renderJwksKey } from "./render";
import { APPS_MANAGE, APPS_READ } from "./scopes";

export function registerAppKeys({ store, appRoute }: OktaRoutes): void {
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
    // Okta's API reference: "201 Created" for addJwk.
    return { status: 201, body: renderJwksKey(req.baseUrl, app.id, key) };
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
}
