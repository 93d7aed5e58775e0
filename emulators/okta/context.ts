/**
 * What the Okta emulator's route modules share: the context (store, limits,
 * counters, faults), the rate-limit buckets and the guarded-route helpers.
 */
import type { OktaApp } from "../../core/model/tenant";
import type { RequestCounter, WindowRateLimiter } from "../common/counters";
import type { FaultInjector } from "../common/faults";
import type { EmulatorRequest, EmulatorResponse, Handler, Router } from "../common/server";
import { authorize } from "./auth";
import { notFound } from "./errors";
import { limited } from "./rateLimits";
import type { OktaStore } from "./store";

/** Rate-limit buckets, after Okta's per-endpoint limits. */
export type OktaRateBucket =
  "token" | "users" | "userById" | "groups" | "groupById" | "apps" | "clientRoles" | "iam";

/** Requests per minute in "realistic" mode (docs/emulators.md, "Okta emulator"). */
export const REALISTIC_RATE_LIMITS: Record<OktaRateBucket, number> = {
  token: 600,
  users: 600,
  userById: 2000,
  groups: 500,
  groupById: 1000,
  apps: 100,
  clientRoles: 100,
  /** Custom roles and resource sets: no documented figure; the client roles' one. */
  iam: 100,
};

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

type AppHandler = (req: EmulatorRequest, app: OktaApp) => EmulatorResponse;
type AppRoute = (
  method: string,
  path: string,
  scopes: string[],
  write: boolean,
  fn: AppHandler,
) => void;

/** How a route module adds routes: every one rate limited and authorised. */
export interface OktaRoutes {
  ctx: ApiContext;
  store: OktaStore;
  router: Router;
  /** A route under its bucket's rate limit that serves only a caller `authorize` lets through. */
  guarded(
    method: string,
    path: string,
    bucket: OktaRateBucket,
    scopes: string[],
    write: boolean,
    fn: Handler,
  ): void;
  /** A guarded route on the app `:appId` names; 404 AppInstance when there is none. */
  appRoute: AppRoute;
  /** A guarded route on the app whose client `:clientId` names; 404 Client when there is none. */
  clientRoute: AppRoute;
}

export function oktaRoutes(router: Router, ctx: ApiContext): OktaRoutes {
  const { store } = ctx;
  const guarded: OktaRoutes["guarded"] = (method, path, bucket, scopes, write, fn) => {
    router.add(
      method,
      path,
      limited(ctx, bucket, (req) => authorize(req, ctx, scopes, write) ?? fn(req)),
    );
  };
  const onApp =
    (
      bucket: OktaRateBucket,
      param: string,
      kind: string,
      find: (id: string) => OktaApp | undefined,
    ): AppRoute =>
    (method, path, scopes, write, fn) =>
      guarded(method, path, bucket, scopes, write, (req) => {
        const app = find(req.params[param]);
        return app ? fn(req, app) : notFound(req.params[param], kind);
      });
  return {
    ctx,
    store,
    router,
    guarded,
    appRoute: onApp("apps", "appId", "AppInstance", (id) => store.getApp(id)),
    clientRoute: onApp("clientRoles", "clientId", "Client", (id) => store.getAppByClientId(id)),
  };
}
