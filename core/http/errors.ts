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

export class AimError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AimError";
    this.code = code;
  }
}

/** Bad configuration or input: names the field and the fix. */
export class ConfigError extends AimError {
  readonly field: string;
  constructor(field: string, message: string) {
    super("ERR_CONFIG", message);
    this.name = "ConfigError";
    this.field = field;
  }
}

export class InsecureUrlError extends AimError {
  constructor(message: string) {
    super("ERR_INSECURE_URL", message);
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
  constructor(init: {
    service: Service;
    kind: HttpErrorKind;
    status?: number;
    method: string;
    url: string;
    serviceCode?: string;
    serviceMessage?: string;
    message: string;
    cause?: unknown;
  }) {
    super(`ERR_${init.service.toUpperCase()}_${init.kind}`, init.message, { cause: init.cause });
    this.name = "HttpError";
    this.service = init.service;
    this.kind = init.kind;
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    this.serviceCode = init.serviceCode;
    this.serviceMessage = init.serviceMessage;
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
