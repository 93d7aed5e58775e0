/** Test-only control endpoints: configure faults, read request counts (never faulted, no auth). */
import type { FaultConfig, ScriptedFault } from "../common/faults";
import type { OktaRoutes } from "./context";
import { oktaError } from "./errors";
import { setUpCustomRole } from "./iamRoutes";
import { isResponse } from "./listing";

export function registerControl({ ctx, store, router }: OktaRoutes): void {
  router.add("POST", "/__emulator/faults", (req) => {
    const body = req.json;
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return oktaError("E0000003");
    ctx.faults.configure(faultConfigFromJson(body as Record<string, unknown>));
    return { status: 204 };
  });
  /**
   * A custom role with its resource set, assigned to a client in one call:
   * `{"clientId", "label", "permissions": [...], "resources"?: [REST URLs or ORNs]}`
   * (default resources: every user and every group). Answers the assignment's ids.
   */
  router.add("POST", "/__emulator/custom-roles", (req) => {
    const b = req.json as Record<string, unknown> | null;
    if (b === null || typeof b !== "object" || Array.isArray(b)) return oktaError("E0000003");
    const a = setUpCustomRole(store, req.baseUrl, String(b.clientId ?? ""), {
      label: b.label as string,
      permissions: b.permissions as string[],
      resources: b.resources as string[] | undefined,
    });
    return isResponse(a) ? a : { status: 201, body: a };
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
