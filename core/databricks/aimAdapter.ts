/**
 * Which AIM admin adapter a run uses, and why: the one place for the rule
 * and its messages (the modes a user can ask for, and their refusal, are in
 * core/model/aim.ts, which the component can import too).
 *
 * `auto` (the default) asks the assumed admin API once, `GET {base}/connection`
 * (docs/aim-admin-api.md), and reads the answer:
 *
 * - 200 with a connection object, or 404 `RESOURCE_DOES_NOT_EXIST` (the
 *   contract's "never configured"): the API is there → `api`;
 * - any other 404 (`ENDPOINT_NOT_FOUND`, what a real account answers for a
 *   path it does not serve, or no code at all), or 403 (the "not enrolled"
 *   form `api` recognises too): the account has no such API → `console`;
 * - anything else (401, a 5xx after the HTTP layer's retries, a network
 *   failure, a 200 that is not a connection): an error that names the cause.
 *   Never a silent fallback: `console` on an account that does have the API
 *   would leave AIM unconfigured while the run reports "enter the values by
 *   hand", and a credential problem would hide behind it.
 */
import { AimError, ERROR_CODES, HttpError } from "../http/errors";
import type { AimAdapterKind, AimAdapterMode } from "../model/aim";

/** Which adapter is used, what was asked for, and why (one sentence). */
export interface AimAdapterChoice {
  used: AimAdapterKind;
  requested: AimAdapterMode;
  reason: string;
}

/** The line every surface prints: `AIM adapter: console (auto: …)`. */
export function aimAdapterLine(choice: AimAdapterChoice): string {
  return `AIM adapter: ${choice.used} (${choice.reason})`;
}

/** The choice when a mode other than auto was asked for. */
export function explicitAimAdapter(mode: AimAdapterKind): AimAdapterChoice {
  return { used: mode, requested: mode, reason: "set explicitly" };
}

/** What `GET {base}/connection` answered (the body when it succeeded, else the error). */
export type ConnectionProbeAnswer = { ok: true; body: unknown } | { ok: false; error: unknown };

/**
 * The rule (see the file comment). `request` names the call as messages
 * show it, e.g. `GET /api/2.0/accounts/…/aim/okta/connection`. Throws
 * ERR_AIM_ADAPTER_UNDECIDED for an answer it cannot classify.
 */
export function classifyAimAdminAnswer(
  answer: ConnectionProbeAnswer,
  request: string,
  accountId: string,
): AimAdapterChoice {
  const choice = (used: AimAdapterKind, why: string): AimAdapterChoice => ({
    used,
    requested: "auto",
    reason: `auto: ${request} ${why}`,
  });
  if (answer.ok) {
    const b = answer.body;
    if (b && typeof b === "object" && !Array.isArray(b))
      return choice(
        "api",
        "answered 200 with the configured connection, so this account has the AIM admin API",
      );
    throw undecided(request, accountId, "answered 200, but not with a connection object");
  }
  const err = answer.error;
  if (err instanceof HttpError && err.status === 404) {
    if (err.serviceCode === "RESOURCE_DOES_NOT_EXIST")
      return choice(
        "api",
        "answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API",
      );
    return choice(
      "console",
      `answered 404${err.serviceCode ? ` ${err.serviceCode}` : " without an error code"}, so this account has no AIM admin API; enter the values in the account console`,
    );
  }
  if (err instanceof HttpError && err.status === 403)
    return choice(
      "console",
      `answered 403${err.serviceCode ? ` ${err.serviceCode}` : ""}, so this account is not enrolled in the AIM admin API (a private preview); enter the values in the account console`,
    );
  if (err instanceof HttpError && err.status !== undefined)
    throw undecided(
      request,
      accountId,
      `answered ${err.status}${err.serviceCode ? ` ${err.serviceCode}` : ""}${err.serviceMessage ? ` (${err.serviceMessage})` : ""}${err.status >= 500 ? " after the retries" : ""}`,
      err,
    );
  throw undecided(
    request,
    accountId,
    `failed: ${err instanceof Error ? err.message : String(err)}`,
    err,
  );
}

function undecided(request: string, accountId: string, what: string, cause?: unknown): AimError {
  return new AimError(
    ERROR_CODES.aimAdapterUndecided,
    `AIM adapter auto cannot tell whether Databricks account ${accountId} has the AIM admin API: ${request} ${what}. Fix the cause (the Databricks host, account id and an account admin's credentials), or set the adapter explicitly: "api" or "console".`,
    cause === undefined ? undefined : { cause },
  );
}
