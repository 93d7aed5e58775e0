/**
 * The iamv2 (AIM-era) look-ups, and how "AIM is off" shows in its answers:
 * the account not onboarded, or the iamv2 preview not enabled for it.
 */
import { AimError, ConfigError, ERROR_CODES, HttpError, type HttpResponse } from "../../http";
import type { IdentityKind } from "../../model/plan";
import {
  DATABRICKS_BUCKETS,
  IAMV2_SEGMENT,
  identityPath,
  resourceFor,
  type AccountContext,
} from "./context";

export type AimStatus = "on" | "off" | "unknown";

/**
 * The forms "AIM is off" takes in iamv2's answers: the account is not
 * onboarded (400 or 412 FAILED_PRECONDITION), or the iamv2 Beta preview is
 * not enabled for the account (403, or 404 from an endpoint that does not
 * exist for it).
 */
export type AimOffForm = "not-onboarded" | "iamv2-preview-off";

/** Each form in words, for reports. */
export const AIM_OFF_FORM_TEXT: Record<AimOffForm, string> = {
  "not-onboarded": "the account is not onboarded onto AIM",
  "iamv2-preview-off": "the iamv2 preview is not enabled for the account",
};

export interface AimStatusDetail {
  status: AimStatus;
  /** Set when status is "off": which form it took. */
  offForm?: AimOffForm;
  reason: string;
}

/** Where the iamv2 preview is switched on, for messages. */
const IAMV2_PREVIEW_FIX =
  "an account admin turns the iamv2 (identity) API preview on in the account console's Previews page";

const IAMV2_EXTERNAL_ID_FIELD: Record<IdentityKind, string> = {
  user: "external_user_id",
  group: "external_group_id",
  servicePrincipal: "external_service_principal_id",
};

/** iamv2 `GET external-{kind}/{externalId}`; undefined when no identity has it. */
export async function getByExternalId(
  ctx: AccountContext,
  kind: IdentityKind,
  externalId: string,
): Promise<{ id: string; externalId: string } | undefined> {
  resourceFor(kind);
  if (typeof externalId !== "string" || externalId === "") {
    throw new ConfigError("externalId", "getByExternalId needs a non-empty external id.");
  }
  let res: HttpResponse<Record<string, unknown> | undefined>;
  try {
    res = await ctx.authorizedRequest<Record<string, unknown> | undefined>({
      method: "GET",
      url: identityPath(ctx, `/external-${IAMV2_SEGMENT[kind]}/${encodeURIComponent(externalId)}`),
      bucket: DATABRICKS_BUCKETS.iamv2External(kind),
      acceptStatus: [404],
    });
  } catch (err) {
    if (isIamv2Unavailable(err))
      throw iamv2Unavailable(
        ctx.accountId,
        `GET external-${IAMV2_SEGMENT[kind]}`,
        (err as HttpError).status,
        err,
      );
    if (isAimNotOnboarded(err)) {
      throw new AimError(
        ERROR_CODES.aimNotEnabled,
        `automatic identity management is not enabled for Databricks account ${ctx.accountId}: the iamv2 look-up of external ${kind} answered "${(err as HttpError).serviceMessage ?? "not onboarded"}". Enable it (account console → Security → User provisioning → Automatic identity management) or check the adapter's state.`,
        { cause: err },
      );
    }
    throw err;
  }
  if (res.status === 404 && !isIdentityNotFound(res.body))
    throw iamv2Unavailable(ctx.accountId, `GET external-${IAMV2_SEGMENT[kind]}`, 404);
  if (res.status === 404 || !res.body) return undefined;
  const b = res.body;
  const id = b.internal_id ?? b.id;
  const ext = b[IAMV2_EXTERNAL_ID_FIELD[kind]] ?? b.external_id ?? externalId;
  if (id === undefined || id === null) return undefined;
  return { id: String(id), externalId: String(ext) };
}

/**
 * Whether AIM is on, seen through the public iamv2 look-up: "on" when a
 * linked identity resolves, "off" when the account is not onboarded,
 * "unknown" otherwise (no probe identity, 404, 403, network). Without a
 * probe a made-up id is looked up: it can only tell "off" from "unknown".
 * The probe must be an identity that is ALREADY linked: the look-up is
 * get-or-create, so an unlinked Okta id would make AIM create a user.
 */
export async function aimStatusDetail(
  ctx: AccountContext,
  probeExternalId?: string,
  kind: IdentityKind = "user",
): Promise<AimStatusDetail> {
  const probe = probeExternalId && probeExternalId !== "" ? probeExternalId : "00u-aim-probe";
  try {
    const found = await getByExternalId(ctx, kind, probe);
    if (found && probeExternalId) return { status: "on", reason: `${kind} ${probe} resolves` };
    return {
      status: "unknown",
      reason: probeExternalId
        ? `${kind} ${probe} was not found: give the Okta id of an identity linked in Databricks`
        : "no probe identity given: give the Okta id of a linked identity to confirm AIM is on",
    };
  } catch (err) {
    const offForm = aimOffForm(err);
    if (offForm === "not-onboarded")
      return { status: "off", offForm, reason: AIM_OFF_FORM_TEXT[offForm] };
    if (offForm === "iamv2-preview-off")
      return {
        status: "off",
        offForm,
        reason: `${AIM_OFF_FORM_TEXT[offForm]} (${(err as AimError).message})`,
      };
    if (err instanceof AimError && !(err instanceof ConfigError)) {
      return { status: "unknown", reason: err.message };
    }
    throw err;
  }
}

/**
 * How an error says that AIM cannot be used on this account, or undefined
 * when it says something else (one classifier for the client, the adapters
 * and the preflight).
 */
export function aimOffForm(err: unknown): AimOffForm | undefined {
  if (err instanceof AimError && err.code === ERROR_CODES.aimNotEnabled) return "not-onboarded";
  if (err instanceof AimError && err.code === ERROR_CODES.iamv2Unavailable)
    return "iamv2-preview-off";
  if (isAimNotOnboarded(err)) return "not-onboarded";
  if (isIamv2Unavailable(err)) return "iamv2-preview-off";
  return undefined;
}

/** A 404 that names a missing identity (RESOURCE_DOES_NOT_EXIST), not a missing endpoint. */
function isIdentityNotFound(body: unknown): boolean {
  const code =
    body && typeof body === "object" ? (body as { error_code?: unknown }).error_code : "";
  return code === "RESOURCE_DOES_NOT_EXIST" || code === "NOT_FOUND";
}

/**
 * iamv2 answering as if it were not there: 403, or a 404 that is not about
 * an identity (ENDPOINT_NOT_FOUND): the Beta preview is off for the account.
 */
export function isIamv2Unavailable(err: unknown): boolean {
  if (!(err instanceof HttpError) || err.service !== "databricks") return false;
  if (!/\/api\/2\.0\/identity\//.test(err.url)) return false;
  if (err.status === 403) return true;
  return (
    err.status === 404 &&
    err.serviceCode !== "RESOURCE_DOES_NOT_EXIST" &&
    err.serviceCode !== "NOT_FOUND"
  );
}

export function iamv2Unavailable(
  accountId: string,
  call: string,
  status: number | undefined,
  cause?: unknown,
  alternative = "",
): AimError {
  return new AimError(
    ERROR_CODES.iamv2Unavailable,
    `the iamv2 API is not available for Databricks account ${accountId}: ${call} answered ${status ?? "an error"} (the iamv2 preview is off for the account, or the principal is not an account admin). AIM cannot be observed or used through it until ${IAMV2_PREVIEW_FIX}.${alternative}`,
    { cause },
  );
}

/** The iamv2 error for an account that is not onboarded onto AIM (400 FAILED_PRECONDITION). */
export function isAimNotOnboarded(err: unknown): boolean {
  if (!(err instanceof HttpError)) return false;
  const text = `${err.serviceCode ?? ""} ${err.serviceMessage ?? ""}`;
  return (
    (err.status === 400 || err.status === 412) &&
    (/not onboarded/i.test(text) ||
      /automatic identity management/i.test(text) ||
      (err.serviceCode === "FAILED_PRECONDITION" && /aim|identity/i.test(text)))
  );
}
