/**
 * Okta's two error body shapes: the management API's
 * `{errorCode, errorSummary, errorLink, errorId, errorCauses}` and the OAuth
 * endpoints' `{error, error_description}`.
 */
import { randomId } from "./ids";
import type { EmulatorResponse } from "../common/server";

export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: Array<{ errorSummary: string }>;
}

/** The summaries Okta documents for the codes this emulator produces. */
export const OKTA_ERRORS = {
  E0000001: { status: 400, summary: "Api validation failed: {0}" },
  E0000003: { status: 400, summary: "The request body was not well-formed." },
  E0000006: { status: 403, summary: "You do not have permission to perform the requested action" },
  E0000007: { status: 404, summary: "Not found: {0}" },
  E0000008: { status: 404, summary: "The requested path was not found" },
  E0000009: { status: 500, summary: "Internal Server Error" },
  E0000010: { status: 503, summary: "Service is in read only mode" },
  E0000011: { status: 401, summary: "Invalid token provided" },
  E0000022: { status: 405, summary: "The endpoint does not support the provided HTTP method" },
  E0000031: { status: 400, summary: "Invalid search criteria." },
  E0000090: { status: 409, summary: "Duplicate role assignment exception" },
  E0000047: { status: 429, summary: "API call exceeded rate limit due to too many requests." },
} as const;

export type OktaErrorCode = keyof typeof OKTA_ERRORS;

export function oktaErrorBody(
  code: OktaErrorCode,
  arg?: string,
  causes: string[] = [],
): OktaErrorBody {
  const summary = OKTA_ERRORS[code].summary.replace("{0}", arg ?? "");
  return {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    // Okta error ids look like "oae" + 22 characters.
    errorId: `oae${randomId(22)}`,
    errorCauses: causes.map((c) => ({ errorSummary: c })),
  };
}

export function oktaError(
  code: OktaErrorCode,
  arg?: string,
  opts: { causes?: string[]; headers?: Record<string, string> } = {},
): EmulatorResponse {
  return {
    status: OKTA_ERRORS[code].status,
    headers: opts.headers,
    body: oktaErrorBody(code, arg, opts.causes),
  };
}

/** A 404 for a missing resource, worded as Okta words it ("... (User)"). */
export function notFound(id: string, kind: string): EmulatorResponse {
  return oktaError("E0000007", `Resource not found: ${id} (${kind})`);
}

export function oauthError(
  status: number,
  error: string,
  description: string,
  headers?: Record<string, string>,
): EmulatorResponse {
  return {
    status,
    headers: { "cache-control": "no-cache, no-store", pragma: "no-cache", ...(headers ?? {}) },
    body: { error, error_description: description },
  };
}
