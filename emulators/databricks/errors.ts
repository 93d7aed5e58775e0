/**
 * The two error shapes of the Databricks account APIs: SCIM endpoints answer
 * RFC 7644 error bodies (with `status` as a string), every other API answers
 * `{"error_code", "message"}`.
 */
import type { EmulatorRequest, EmulatorResponse } from "../common/server";

export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export function databricksError(
  status: number,
  errorCode: string,
  message: string,
  headers?: Record<string, string>,
): EmulatorResponse {
  return { status, headers, body: { error_code: errorCode, message } };
}

/** What the account answers for a path it does not serve (also an API the account does not have). */
export function endpointNotFound(req: Pick<EmulatorRequest, "method" | "path">): EmulatorResponse {
  return databricksError(404, "ENDPOINT_NOT_FOUND", `No API found for '${req.method} ${req.path}'`);
}

export function scimError(status: number, detail: string, scimType?: string): EmulatorResponse {
  const body: Record<string, unknown> = { schemas: [SCIM_ERROR_SCHEMA] };
  if (scimType) body.scimType = scimType;
  body.detail = detail;
  body.status = String(status);
  return { status, body };
}

/** The exact message when an AIM-only API is called on an account without AIM. */
export const NOT_ONBOARDED_MESSAGE =
  "The account is not onboarded onto automatic identity management.";

/** 400 by default; 412 where the account answers so (behaviour.ts `notOnboardedStatus`). */
export function notOnboarded(status: 400 | 412 = 400): EmulatorResponse {
  return databricksError(status, "FAILED_PRECONDITION", NOT_ONBOARDED_MESSAGE);
}
