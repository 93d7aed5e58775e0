/**
 * A small error hierarchy with stable codes callers can switch on
 * (`ERR_OKTA_RATE_LIMITED`, `ERR_DATABRICKS_FORBIDDEN`, ...). Messages carry
 * method, URL (query secrets removed) and status, never a secret.
 */

export type Service = "okta" | "databricks";

export type HttpErrorKind =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "SERVER"
  | "NETWORK"
  | "TIMEOUT"
  | "HTTP";

/**
 * Every code an error of this project carries, besides the HTTP ones
 * (`ERR_<SERVICE>_<KIND>`, see HttpError). Callers switch on these; a new
 * kind of failure gets a new code here, never a string literal elsewhere.
 */
export const ERROR_CODES = {
  /** Bad configuration or input (ConfigError): the message names the field and the fix. */
  config: "ERR_CONFIG",
  /** A URL that is not https:// (plain http only for loopback). */
  insecureUrl: "ERR_INSECURE_URL",
  /** The Okta token endpoint refused the client's credentials. */
  oktaToken: "ERR_OKTA_TOKEN",
  /** A Link header that loops, repeats or leaves the org. */
  oktaPagination: "ERR_OKTA_PAGINATION",
  /** An Okta answer without the fields its API reference gives (e.g. a role without `type`). */
  oktaUnexpectedBody: "ERR_OKTA_UNEXPECTED_BODY",
  oktaAppNotFound: "ERR_OKTA_APP_NOT_FOUND",
  /** Okta answered the DPoP change but kept the old value. */
  oktaDpopNotPersisted: "ERR_OKTA_DPOP_NOT_PERSISTED",
  /** The Databricks token endpoint refused the credentials. */
  databricksToken: "ERR_DATABRICKS_TOKEN",
  /** Databricks answered the externalId write but kept another value. */
  databricksWriteNotPersisted: "ERR_DATABRICKS_WRITE_NOT_PERSISTED",
  /** Another run holds the account's write lock (core/reconcile/accountLock.ts). */
  accountLocked: "ERR_ACCOUNT_LOCKED",
  /** A write answered as a success whose value is not there when read back. */
  writeNotPersisted: "ERR_WRITE_NOT_PERSISTED",
  /** iamv2 says the account is not onboarded onto AIM. */
  aimNotEnabled: "ERR_AIM_NOT_ENABLED",
  /** iamv2 (the AIM-era API) is not available to the account. */
  iamv2Unavailable: "ERR_IAMV2_UNAVAILABLE",
  /** The account does not have the (private-preview) AIM admin API. */
  aimNotEnrolled: "ERR_AIM_NOT_ENROLLED",
  /** Adapter auto could not classify the account's answer (core/databricks/aimAdapter.ts). */
  aimAdapterUndecided: "ERR_AIM_ADAPTER_UNDECIDED",
  /** The AIM admin API refused for a precondition (configure and test first). */
  aimPrecondition: "ERR_AIM_PRECONDITION",
  aimNotConfigured: "ERR_AIM_NOT_CONFIGURED",
  /** The console adapter cannot switch AIM: the message gives the clicks. */
  aimConsoleOnly: "ERR_AIM_CONSOLE_ONLY",
  /** The undo journal cannot be written or read. */
  undoJournal: "ERR_UNDO_JOURNAL",
  /** Not one of ours (a bug or an unexpected failure); recorded with its redacted message. */
  unexpected: "ERR_UNEXPECTED",
} as const;

/** The codes of HttpError: one per service and kind of HTTP failure. */
export type HttpErrorCode = `ERR_${Uppercase<Service>}_${HttpErrorKind}`;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES] | HttpErrorCode;

export class AimError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AimError";
    this.code = code;
  }
}

/** Bad configuration or input: names the field and the fix. */
export class ConfigError extends AimError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(ERROR_CODES.config, message);
    this.name = "ConfigError";
    this.field = field;
  }
}

export class InsecureUrlError extends AimError {
  constructor(message: string) {
    super(ERROR_CODES.insecureUrl, message);
    this.name = "InsecureUrlError";
  }
}

export class HttpError extends AimError {
  readonly service: Service;
  readonly kind: HttpErrorKind;
  readonly status?: number;
  readonly method: string;
  readonly url: string;
  /** Service error code from the body (`E0000047`, `invalid_client`, `INVALID_FILTER`, ...). */
  readonly serviceCode?: string;
  /** Redacted service error message from the body. */
  readonly serviceMessage?: string;
  /** For a 429 (or 503 with Retry-After) answered to a request sent once: how long to wait. */
  readonly retryAfterMs?: number;
  constructor(init: {
    service: Service;
    kind: HttpErrorKind;
    status?: number;
    method: string;
    url: string;
    serviceCode?: string;
    serviceMessage?: string;
    retryAfterMs?: number;
    message: string;
    cause?: unknown;
  }) {
    const code: HttpErrorCode = `ERR_${init.service.toUpperCase() as Uppercase<Service>}_${init.kind}`;
    super(code, init.message, { cause: init.cause });
    this.name = "HttpError";
    this.service = init.service;
    this.kind = init.kind;
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.serviceCode = init.serviceCode;
    this.serviceMessage = init.serviceMessage;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function kindForStatus(status: number): HttpErrorKind {
  if (status === 400 || status === 422) return "BAD_REQUEST";
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "SERVER";
  return "HTTP";
}
