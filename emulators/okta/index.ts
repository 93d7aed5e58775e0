/**
 * A faithful local Okta org: the org authorization server's token endpoint
 * (private_key_jwt client credentials), the management API parts this
 * project uses, Okta's error bodies, Link pagination, rate-limit headers and
 * injected faults. See docs/emulators.md, "Okta emulator".
 */
import { randomBytes } from "node:crypto";
import { AIM_OKTA_ROLE, AIM_OKTA_SCOPES } from "../../core/model/aim";
import type { OktaApp, OktaAppJwk, TenantFixture } from "../../core/model/tenant";
import { RequestCounter, WindowRateLimiter } from "../common/counters";
import { FaultInjector, type FaultConfig } from "../common/faults";
import { Router, startEmulatorServer, type EmulatorResponse } from "../common/server";
import { REALISTIC_RATE_LIMITS, type ApiContext, type OktaRateBucket } from "./context";
import { oktaError } from "./errors";
import type { CustomRoleAssignment, CustomRoleSetup } from "./iam";
import { setUpCustomRole } from "./iamRoutes";
import { isResponse } from "./listing";
import { injected429Headers } from "./rateLimits";
import { registerRoutes } from "./routes";
import { OktaStore } from "./store";

export type { OktaRateBucket } from "./context";
export { REALISTIC_RATE_LIMITS } from "./context";
export { UNLIMITED_RATE } from "./rateLimits";
export { OktaStore, SortedById, type IssuedToken } from "./store";
export { TOKEN_ERRORS, ACCESS_TOKEN_TTL_S } from "./token";
export { OKTA_ERRORS } from "./errors";
export type { CustomRoleAssignment, CustomRoleSetup } from "./iam";

export interface OktaEmulatorOptions {
  /** Users, groups and apps to start with (core/model/tenant.ts). */
  fixture?: TenantFixture["okta"];
  /** Per minute; default "realistic" (REALISTIC_RATE_LIMITS); "off" never refuses. */
  rateLimits?: "off" | "realistic" | Partial<Record<OktaRateBucket, number>>;
  faults?: FaultConfig;
  /** SSWS admin token; generated when absent. */
  apiToken?: string;
  now?: () => number;
}

export interface OktaEmulator {
  /** http://127.0.0.1:PORT (the "org URL"). */
  url: string;
  /** SSWS token, full admin. */
  apiToken: string;
  /** The in-memory state (users, groups, apps, tokens); tests mutate it. */
  store: OktaStore;
  counter: RequestCounter;
  faults: FaultInjector;
  /** Sets up an API Services app exactly as the AIM docs say, directly in the store. */
  createServiceApp(opts: {
    label?: string;
    jwks: OktaAppJwk[];
    grants?: string[];
    roles?: string[];
    dpopBoundAccessTokens?: boolean;
  }): OktaApp;
  /**
   * A custom role (its permissions), a resource set (default: every user and
   * every group) and its CUSTOM assignment to the client, directly in the
   * store (also `POST /__emulator/custom-roles`). Throws on bad input.
   */
  assignCustomRole(clientId: string, setup: CustomRoleSetup): CustomRoleAssignment;
  close(): Promise<void>;
}

/** Test-only control endpoints are never faulted, whatever config a test sets. */
class OktaFaultInjector extends FaultInjector {
  override decide(method: string, path: string): ReturnType<FaultInjector["decide"]> {
    if (path.startsWith("/__emulator/")) return { latencyMs: 0 };
    return super.decide(method, path);
  }
}

function resolveLimits(
  opt: OktaEmulatorOptions["rateLimits"],
): Partial<Record<OktaRateBucket, number>> {
  if (opt === "off") return {};
  if (opt === undefined || opt === "realistic") return { ...REALISTIC_RATE_LIMITS };
  return { ...REALISTIC_RATE_LIMITS, ...opt };
}

export async function startOktaEmulator(opts: OktaEmulatorOptions = {}): Promise<OktaEmulator> {
  const now = opts.now ?? Date.now;
  const store = new OktaStore(now);
  store.loadFixture(opts.fixture);
  const counter = new RequestCounter();
  const faults = new OktaFaultInjector();
  if (opts.faults) faults.configure(opts.faults);
  const apiToken = opts.apiToken ?? `00${randomBytes(30).toString("base64url")}`;
  const ctx: ApiContext = {
    store,
    apiToken,
    now,
    limiter: new WindowRateLimiter(now),
    limits: resolveLimits(opts.rateLimits),
    counter,
    faults,
  };
  const router = new Router();
  registerRoutes(router, ctx);

  const server = await startEmulatorServer({
    router,
    faults,
    counter,
    faultResponse: (fault, req): EmulatorResponse => {
      if (fault.kind === "429")
        return oktaError("E0000047", undefined, {
          headers: injected429Headers(ctx, req.path, fault.value),
        });
      if (fault.kind === "503") return oktaError("E0000010");
      return oktaError("E0000009");
    },
    notFound: () => oktaError("E0000008"),
    methodNotAllowed: () => oktaError("E0000022"),
  });

  return {
    url: server.url,
    apiToken,
    store,
    counter,
    faults,
    createServiceApp(o) {
      const app = store.normaliseApp({
        name: "oidc_client",
        label: o.label ?? "Databricks AIM",
        signOnMode: "OPENID_CONNECT",
        credentials: {
          oauthClient: {
            client_id: undefined as unknown as string, // filled with the app id
            token_endpoint_auth_method: "private_key_jwt",
            autoKeyRotation: true,
            pkce_required: false,
          },
        },
        settings: {
          oauthClient: {
            application_type: "service",
            grant_types: ["client_credentials"],
            response_types: ["token"],
            dpop_bound_access_tokens: o.dpopBoundAccessTokens ?? false,
            jwks: { keys: o.jwks },
          },
        },
        grants: o.grants ?? [...AIM_OKTA_SCOPES],
        roles: o.roles ?? [AIM_OKTA_ROLE],
      });
      return store.putApp(app);
    },
    assignCustomRole(clientId, setup) {
      const a = setUpCustomRole(store, server.url, clientId, setup);
      if (isResponse(a)) throw new Error(`assignCustomRole: ${JSON.stringify(a.body)}`);
      return a;
    },
    close: () => server.close(),
  };
}
