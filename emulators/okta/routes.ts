/**
 * Every route of the Okta emulator, by API surface (one module each, like
 * emulators/databricks/). Order matters where templates overlap: the router
 * answers with the first match.
 */
import type { Router } from "../common/server";
import { registerAppKeys } from "./appKeys";
import { registerApps } from "./apps";
import { registerClientRoles } from "./clientRoles";
import { oktaRoutes, type ApiContext } from "./context";
import { registerControl } from "./control";
import { registerGrants } from "./grants";
import { registerGroups } from "./groups";
import { registerIam } from "./iamRoutes";
import { limited } from "./rateLimits";
import { handleToken } from "./token";
import { registerUsers } from "./users";
import { registerWellKnown } from "./wellKnown";

export function registerRoutes(router: Router, ctx: ApiContext): void {
  const routes = oktaRoutes(router, ctx);
  router.add(
    "POST",
    "/oauth2/v1/token",
    limited(ctx, "token", (req) => handleToken(req, ctx.store, ctx.now)),
  );
  registerUsers(routes);
  registerGroups(routes);
  registerApps(routes);
  registerAppKeys(routes);
  registerGrants(routes);
  registerClientRoles(routes);
  registerIam(routes);
  registerWellKnown(routes);
  registerControl(routes);
}
