/** The externalId writes: account SCIM PATCH (documented) or iamv2 PATCH `?update_mask=external_id`. */
import { AimError, ConfigError, ERROR_CODES, type HttpError } from "../../http";
import type { IdentityKind, WriteRoute } from "../../model/plan";
import {
  accountPath,
  DATABRICKS_BUCKETS,
  IAMV2_SEGMENT,
  identityPath,
  resourceFor,
  type AccountContext,
} from "./context";
import { iamv2Unavailable, isIamv2Unavailable } from "./iamv2";

/** One externalId write over `route`, checked against the answer. */
export async function writeExternalId(
  ctx: AccountContext,
  kind: IdentityKind,
  id: string,
  externalId: string | null,
  route: WriteRoute,
  once: boolean,
): Promise<void> {
  const resource = resourceFor(kind);
  if (typeof id !== "string" || id.trim() === "") {
    throw new ConfigError("id", `setExternalId needs the Databricks ${kind} id (got "${id}").`);
  }
  // null removes the attribute; "" is written as "" (undo restores exactly what it found).
  const value = externalId;

  if (route === "scim") {
    const res = await ctx.authorizedRequest<Record<string, unknown> | undefined>({
      method: "PATCH",
      url: accountPath(ctx, `/scim/v2/${resource}/${encodeURIComponent(id)}`),
      bucket: DATABRICKS_BUCKETS.scimPatch(resource),
      noRetry: once,
      json: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations:
          value === null
            ? [{ op: "remove", path: "externalId" }]
            : [{ op: "replace", path: "externalId", value }],
      },
    });
    checkPersisted(kind, id, value, res.body, "externalId", "SCIM PATCH");
  } else if (route === "iamv2") {
    // databricks-sdk-py iamv2 update_user/update_group/update_service_principal send the
    // resource's as_dict() (fields that are set) with ?update_mask=...; a masked field that is
    // absent from the body is cleared.
    const res = await ctx
      .authorizedRequest<Record<string, unknown> | undefined>({
        method: "PATCH",
        url: identityPath(
          ctx,
          `/${IAMV2_SEGMENT[kind]}/${encodeURIComponent(id)}?update_mask=external_id`,
        ),
        bucket: DATABRICKS_BUCKETS.iamv2Patch(kind),
        noRetry: once,
        json: value === null ? {} : { external_id: value },
      })
      .catch((err: unknown) => {
        if (!isIamv2Unavailable(err)) throw err;
        throw iamv2Unavailable(
          ctx.accountId,
          `PATCH ${IAMV2_SEGMENT[kind]}/{id}`,
          (err as HttpError).status,
          err,
          " Or write over SCIM (write route scim).",
        );
      });
    checkPersisted(kind, id, value, res.body, "external_id", "iamv2 PATCH");
  } else {
    throw new ConfigError(
      "route",
      `write route "${String(route)}" is unknown: use "scim" or "iamv2".`,
    );
  }
}

/** When the answer carries the field, it must hold what was written (the SCIM route is unconfirmed). */
function checkPersisted(
  kind: IdentityKind,
  id: string,
  value: string | null,
  body: unknown,
  field: string,
  route: string,
): void {
  if (!body || typeof body !== "object" || !(field in body)) return;
  const got = (body as Record<string, unknown>)[field];
  const now = got === undefined || got === null || got === "" ? null : got;
  if (now !== (value === "" ? null : value)) {
    throw new AimError(
      ERROR_CODES.databricksWriteNotPersisted,
      `${route} of ${kind} ${id} answered success but ${field} is ${JSON.stringify(now)}, not ${JSON.stringify(value)}: try the other write route ("scim" or "iamv2").`,
    );
  }
}
