/** What the emulator's route modules share. */
import type { EmulatorRequest, EmulatorResponse } from "../common/server";
import type { DatabricksBehaviour } from "./behaviour";
import type { DatabricksStore } from "./store";

/**
 * Rate-limit buckets (per-second windows, shared by account SCIM and iamv2):
 * `get` (read one), `list`, `patch`, `write` (POST, PUT, DELETE).
 */
export type DatabricksRateBucket = "get" | "list" | "patch" | "write";

export interface EmulatorContext {
  store: DatabricksStore;
  accountId: string;
  /** Items served per SCIM page at most. */
  pageCap: number;
  /** The largest SCIM `count` accepted; more is refused with 400 (the documented constraint). */
  maxCount: number;
  behaviour: DatabricksBehaviour;
  now: () => number;
  /**
   * Authenticates the Bearer token, checks the account id in the path and
   * takes from the bucket's rate limit; returns the refusal, if any.
   */
  admit(
    req: EmulatorRequest,
    bucket: DatabricksRateBucket | undefined,
  ): EmulatorResponse | undefined;
}

/** Wraps a handler with `admit`. */
export function guarded(
  ctx: EmulatorContext,
  bucket: DatabricksRateBucket | undefined,
  handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>,
): (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse> {
  return (req) => ctx.admit(req, bucket) ?? handler(req);
}
