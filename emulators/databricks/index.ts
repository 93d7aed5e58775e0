/**
 * A faithful local Databricks ACCOUNT: OAuth M2M, account SCIM v2, iamv2,
 * the assumed AIM admin API (docs/aim-admin-api.md) and AIM's login-time
 * behaviour. Real status codes and error bodies, a server-side page cap,
 * per-second rate limits with Retry-After, injectable faults. See
 * docs/emulators.md ("Databricks emulator") for every choice it makes.
 */
import crypto from "node:crypto";
import type { TenantFixture } from "../../core/model/tenant";
import { RequestCounter, WindowRateLimiter } from "../common/counters";
import { FaultInjector, type FaultConfig, type FaultDecision } from "../common/faults";
import {
  Router,
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
} from "../common/server";
import { AimRefusal, AimService } from "./aim";
import { AccountAuth } from "./auth";
import {
  behaviourFromJson,
  DatabricksBehaviour,
  type DatabricksBehaviourOptions,
} from "./behaviour";
import type { DatabricksRateBucket, EmulatorContext } from "./context";
import { databricksError, endpointNotFound } from "./errors";
import { registerIamV2 } from "./iamv2";
import { registerScim } from "./scim";
import { DatabricksStore } from "./store";

export type { DatabricksRateBucket } from "./context";
export {
  DatabricksBehaviour,
  type AimAdminApi,
  type DatabricksBehaviourOptions,
  type DropWriteRule,
  type Iamv2Preview,
} from "./behaviour";
export { DatabricksStore } from "./store";
export type { StoredUser, StoredGroup, StoredServicePrincipal, AimConnectionRecord } from "./store";

/** Per-second limits of the "realistic" profile (docs/services.md: a third-party compilation, unconfirmed). */
export const REALISTIC_RATE_LIMITS: Record<DatabricksRateBucket, number> = {
  get: 20,
  list: 240,
  patch: 2,
  write: 5,
};

/**
 * Account SCIM list `count`: "Default is 10000. Constraints: <= 100" (API
 * reference, list account users / groups). The strict emulator refuses more.
 */
export const SCIM_MAX_COUNT = 100;
export const DEFAULT_PAGE_CAP = SCIM_MAX_COUNT;

/** Paths of the test-only control endpoints: never faulted, never rate limited. */
const CONTROL_PATH = /^\/__emulator\//;

export interface DatabricksEmulatorOptions {
  fixture?: TenantFixture["databricks"];
  rateLimits?: "off" | "realistic" | Partial<Record<DatabricksRateBucket, number>>;
  /** Items served per SCIM page at most (default 100); a smaller page is what SCIM allows a server. */
  pageCap?: number;
  /**
   * The largest SCIM `count` accepted (default 100, the documented constraint;
   * at least `pageCap`): a larger one is refused with 400 `invalidValue`.
   */
  maxCount?: number;
  /** Switches for documented-but-inconvenient and unconfirmed behaviour (behaviour.ts). */
  behaviour?: DatabricksBehaviourOptions;
  faults?: FaultConfig;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  aimEnabled?: boolean;
  now?: () => number;
}

export interface DatabricksEmulator {
  url: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  token: string;
  store: DatabricksStore;
  counter: RequestCounter;
  faults: FaultInjector;
  /** The live behaviour switches (also `POST /__emulator/behaviour`). */
  behaviour: DatabricksBehaviour;
  setAimEnabled(on: boolean): void;
  /**
   * AIM's login behaviour (same as POST /__emulator/aim/login). `login` is
   * used only when no AIM connection is configured (the Okta login to use).
   */
  login(
    oktaUserId: string,
    login?: string,
  ): Promise<{ userId: string; created: boolean; duplicateOf: string[] }>;
  close(): Promise<void>;
}

/** Keeps the control endpoints out of fault injection whatever a test configures. */
class DatabricksFaultInjector extends FaultInjector {
  override decide(method: string, path: string): { fault?: FaultDecision; latencyMs: number } {
    if (CONTROL_PATH.test(path)) return { latencyMs: 0 };
    return super.decide(method, path);
  }
}

function faultResponse(fault: FaultDecision): EmulatorResponse {
  switch (fault.kind) {
    case "429": {
      const seconds = fault.value ?? 1;
      return databricksError(
        429,
        "REQUEST_LIMIT_EXCEEDED",
        "Too many requests. Please wait a moment and try again.",
        { "retry-after": String(seconds) },
      );
    }
    case "503":
      return databricksError(
        503,
        "TEMPORARILY_UNAVAILABLE",
        "The service is temporarily unavailable. Please try again later.",
        fault.value !== undefined ? { "retry-after": String(fault.value) } : undefined,
      );
    default:
      return databricksError(500, "INTERNAL_ERROR", "An internal error occurred.");
  }
}

/** Faults posted as JSON: `path` may be a prefix or `{"regex": "…"}`. */
function faultConfigFromJson(body: unknown): FaultConfig {
  if (!body || typeof body !== "object") return {};
  const b = body as Omit<FaultConfig, "script"> & { script?: Array<Record<string, unknown>> };
  const script = (b.script ?? []).map((s) => {
    const path = s.path as unknown;
    const times = s.times as unknown;
    return {
      ...s,
      path:
        path && typeof path === "object" && typeof (path as { regex?: unknown }).regex === "string"
          ? new RegExp((path as { regex: string }).regex)
          : (path as string | undefined),
      // JSON has no Infinity: null or "Infinity" stand for it.
      times: times === null || times === "Infinity" ? Infinity : (times as number | undefined),
    };
  }) as FaultConfig["script"];
  return { ...b, script };
}

export async function startDatabricksEmulator(
  opts: DatabricksEmulatorOptions = {},
): Promise<DatabricksEmulator> {
  const now = opts.now ?? Date.now;
  const accountId = opts.fixture?.accountId ?? crypto.randomUUID();
  const clientId = opts.clientId ?? crypto.randomUUID();
  const clientSecret = opts.clientSecret ?? `dose${crypto.randomBytes(24).toString("hex")}`;
  const token = opts.token ?? `dapi${crypto.randomBytes(16).toString("hex")}`;
  const pageCap = opts.pageCap ?? DEFAULT_PAGE_CAP;
  if (!Number.isInteger(pageCap) || pageCap < 1)
    throw new Error(`pageCap must be a positive integer (got ${String(opts.pageCap)})`);
  const maxCount = opts.maxCount ?? Math.max(SCIM_MAX_COUNT, pageCap);
  if (!Number.isInteger(maxCount) || maxCount < pageCap)
    throw new Error(
      `maxCount must be an integer of at least pageCap (got ${String(opts.maxCount)})`,
    );
  const behaviour = new DatabricksBehaviour(opts.behaviour);

  const limits: Partial<Record<DatabricksRateBucket, number>> =
    opts.rateLimits === "off"
      ? {}
      : opts.rateLimits === undefined || opts.rateLimits === "realistic"
        ? REALISTIC_RATE_LIMITS
        : opts.rateLimits;

  const store = new DatabricksStore(accountId);
  if (opts.fixture) store.load(opts.fixture);
  store.aimEnabled = opts.aimEnabled ?? false;

  const counter = new RequestCounter();
  const faults = new DatabricksFaultInjector();
  if (opts.faults) faults.configure(opts.faults);
  const limiter = new WindowRateLimiter(now);
  const auth = new AccountAuth({ accountId, clientId, clientSecret, token, now });

  const ctx: EmulatorContext = {
    store,
    accountId,
    pageCap,
    maxCount,
    behaviour,
    now,
    admit(req: EmulatorRequest, bucket: DatabricksRateBucket | undefined) {
      const refused = auth.check(req);
      if (refused) return refused;
      const limit = bucket ? limits[bucket] : undefined;
      if (bucket && limit !== undefined) {
        const w = limiter.take(bucket, limit, 1000);
        if (!w.allowed)
          return databricksError(
            429,
            "REQUEST_LIMIT_EXCEEDED",
            `Too many requests: the ${bucket.toUpperCase()} limit is ${limit} requests per second.`,
            { "retry-after": String(Math.max(1, Math.ceil((w.resetAtMs - now()) / 1000))) },
          );
      }
      return undefined;
    },
  };

  const router = new Router();
  const aim = new AimService(ctx);
  auth.register(router);
  registerScim(router, ctx);
  registerIamV2(router, ctx, aim);
  aim.register(router);

  router.add("POST", "/__emulator/faults", (req) => {
    faults.configure(faultConfigFromJson(req.json));
    return { status: 200, body: { ok: true } };
  });
  router.add("POST", "/__emulator/behaviour", (req) => {
    const parsed = behaviourFromJson(req.json);
    if (!parsed.ok) return databricksError(400, "INVALID_PARAMETER_VALUE", parsed.message);
    behaviour.configure(parsed.opts);
    return { status: 200, body: { ok: true } };
  });
  router.add("GET", "/__emulator/counts", () => ({
    status: 200,
    body: { counts: counter.snapshot(), total: counter.total(), injected: faults.injected },
  }));
  router.add("POST", "/__emulator/reset-counts", () => {
    counter.reset();
    return { status: 200, body: { ok: true } };
  });
  router.add("POST", "/__emulator/aim/login", async (req) => {
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (typeof body.okta_user_id !== "string" || body.okta_user_id === "")
      return databricksError(400, "INVALID_PARAMETER_VALUE", "okta_user_id is required.");
    try {
      const r = await aim.login(
        body.okta_user_id,
        typeof body.login === "string" && body.login ? body.login : undefined,
      );
      return {
        status: 200,
        body: { user_id: r.userId, created: r.created, duplicate_of: r.duplicateOf },
      };
    } catch (err) {
      if (err instanceof AimRefusal) return err.response;
      throw err;
    }
  });

  const server = await startEmulatorServer({
    router,
    faults,
    counter,
    faultResponse: (fault) => faultResponse(fault),
    notFound: endpointNotFound,
    methodNotAllowed: (req) =>
      databricksError(405, "METHOD_NOT_ALLOWED", `${req.method} is not allowed for ${req.path}`),
  });

  return {
    url: server.url,
    accountId,
    clientId,
    clientSecret,
    token,
    store,
    counter,
    faults,
    behaviour,
    setAimEnabled(on: boolean) {
      store.aimEnabled = on;
    },
    login: (oktaUserId: string, login?: string) => aim.login(oktaUserId, login),
    close: () => server.close(),
  };
}
