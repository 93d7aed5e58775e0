/**
 * iamv2 (AIM-aware): `/api/2.0/identity/accounts/{account_id}/...`, shapes
 * from databricks-sdk-py `service/iamv2.py`: list with page_size/page_token,
 * get, PATCH with `update_mask` (body: the identity object itself, e.g.
 * `{"external_id": "00u…"}`), resolve-by-external-id (get-or-create) and the
 * external-* look-ups. The last two fail while AIM is off.
 */
import type { EmulatorRequest, EmulatorResponse, Router } from "../common/server";
import { AimRefusal, type AimService } from "./aim";
import {
  guarded as guardedRoute,
  type DatabricksRateBucket,
  type EmulatorContext,
} from "./context";
import { databricksError, endpointNotFound } from "./errors";
import { compileFilter } from "./scimFilter";
import type { ScimKind, StoredGroup, StoredServicePrincipal, StoredUser } from "./store";

type Json = Record<string, unknown>;
type Stored = StoredUser | StoredGroup | StoredServicePrincipal;

interface KindSpec {
  scim: ScimKind;
  segment: string;
  external: string;
  listKey: string;
  resolveKey: string;
  noun: string;
  /** update_mask paths this kind accepts (snake_case). */
  masks: string[];
}

const KINDS: KindSpec[] = [
  {
    scim: "Users",
    segment: "users",
    external: "external-users",
    listKey: "users",
    resolveKey: "user",
    noun: "User",
    masks: [
      "external_id",
      "full_name",
      "full_name.given_name",
      "full_name.family_name",
      "account_user_status",
    ],
  },
  {
    scim: "Groups",
    segment: "groups",
    external: "external-groups",
    listKey: "groups",
    resolveKey: "group",
    noun: "Group",
    masks: ["external_id", "group_name"],
  },
  {
    scim: "ServicePrincipals",
    segment: "service-principals",
    external: "external-service-principals",
    listKey: "service_principals",
    resolveKey: "service_principal",
    noun: "Service principal",
    masks: ["external_id", "display_name", "account_sp_status"],
  },
];

function hasExternalId(x: Stored): boolean {
  return x.externalId !== undefined && x.externalId !== null && x.externalId !== "";
}

export function renderV2(kind: ScimKind, accountId: string, x: Stored): Json {
  if (kind === "Users") {
    const u = x as StoredUser;
    const out: Json = { account_id: accountId, user_id: u.id, username: u.userName };
    const fullName: Json = {};
    if (u.name?.givenName !== undefined) fullName.given_name = u.name.givenName;
    if (u.name?.familyName !== undefined) fullName.family_name = u.name.familyName;
    out.full_name = fullName;
    out.account_user_status = u.active === false ? "INACTIVE" : "ACTIVE";
    if (hasExternalId(u)) out.external_id = u.externalId;
    return out;
  }
  if (kind === "Groups") {
    const g = x as StoredGroup;
    const out: Json = { account_id: accountId, group_id: g.id, group_name: g.displayName };
    if (hasExternalId(g)) out.external_id = g.externalId;
    return out;
  }
  const s = x as StoredServicePrincipal;
  const out: Json = {
    account_id: accountId,
    service_principal_id: s.id,
    application_id: s.applicationId,
    display_name: s.displayName,
    account_sp_status: s.active === false ? "INACTIVE" : "ACTIVE",
  };
  if (hasExternalId(s)) out.external_id = s.externalId;
  return out;
}

function renderExternal(spec: KindSpec, accountId: string, externalId: string, x: Stored): Json {
  const name = `accounts/${accountId}/${spec.external}/${externalId}`;
  if (spec.scim === "Users") {
    const u = x as StoredUser;
    const out: Json = {
      name,
      account_id: accountId,
      external_user_id: externalId,
      internal_id: u.id,
      username: u.userName,
      display_name: u.displayName ?? u.userName,
      account_user_status: u.active === false ? "INACTIVE" : "ACTIVE",
    };
    if (u.name) out.full_name = { given_name: u.name.givenName, family_name: u.name.familyName };
    return out;
  }
  if (spec.scim === "Groups")
    return {
      name,
      account_id: accountId,
      external_group_id: externalId,
      internal_id: x.id,
      display_name: (x as StoredGroup).displayName,
    };
  const s = x as StoredServicePrincipal;
  return {
    name,
    account_id: accountId,
    external_service_principal_id: externalId,
    internal_id: s.id,
    application_id: s.applicationId,
    display_name: s.displayName,
    account_sp_status: s.active === false ? "INACTIVE" : "ACTIVE",
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeToken(token: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown };
    return typeof v.o === "number" && Number.isInteger(v.o) && v.o >= 0 ? v.o : undefined;
  } catch {
    return undefined;
  }
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * iamv2 is a Beta preview that account admins turn on; where it is off, its
 * endpoints answer 403 or 404 (docs/services.md; the bodies are unconfirmed).
 */
function previewOff(ctx: EmulatorContext, req: EmulatorRequest): EmulatorResponse | undefined {
  const preview = ctx.behaviour.iamv2Preview;
  if (preview === "off-403")
    return databricksError(
      403,
      "PERMISSION_DENIED",
      "The identity (iamv2) API preview is not enabled for this account.",
    );
  if (preview === "off-404") return endpointNotFound(req);
  return undefined;
}

export function registerIamV2(router: Router, ctx: EmulatorContext, aim: AimService): void {
  const base = "/api/2.0/identity/accounts/:accountId";
  const guarded = (
    bucket: DatabricksRateBucket,
    handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>,
  ) => guardedRoute(ctx, bucket, (req) => previewOff(ctx, req) ?? handler(req));
  for (const spec of KINDS) {
    router.add(
      "GET",
      `${base}/${spec.segment}`,
      guarded("list", (r) => list(ctx, spec, r)),
    );
    router.add(
      "POST",
      `${base}/${spec.segment}/resolve-by-external-id`,
      guarded("write", async (r) => {
        const body = r.json as Json | undefined;
        const externalId = body && typeof body === "object" ? body.external_id : undefined;
        if (typeof externalId !== "string" || externalId.trim() === "")
          return databricksError(400, "INVALID_PARAMETER_VALUE", "external_id is required.");
        return withAim(async () => ({
          status: 200,
          body: {
            [spec.resolveKey]: renderV2(
              spec.scim,
              ctx.accountId,
              await resolve(aim, spec, externalId),
            ),
          },
        }));
      }),
    );
    router.add(
      "GET",
      `${base}/${spec.external}/:externalId`,
      guarded("get", (r) =>
        withAim(async () => ({
          status: 200,
          body: renderExternal(
            spec,
            ctx.accountId,
            r.params.externalId,
            await resolve(aim, spec, r.params.externalId),
          ),
        })),
      ),
    );
    router.add(
      "GET",
      `${base}/${spec.segment}/:id`,
      guarded("get", (r) => getOne(ctx, spec, r)),
    );
    router.add(
      "PATCH",
      `${base}/${spec.segment}/:id`,
      guarded("patch", (r) => update(ctx, spec, r)),
    );
  }
}

async function withAim(fn: () => Promise<EmulatorResponse>): Promise<EmulatorResponse> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AimRefusal) return err.response;
    throw err;
  }
}

function resolve(aim: AimService, spec: KindSpec, externalId: string): Promise<Stored> {
  if (spec.scim === "Users") return aim.resolveUser(externalId);
  if (spec.scim === "Groups") return aim.resolveGroup(externalId);
  return aim.resolveServicePrincipal(externalId);
}

function list(ctx: EmulatorContext, spec: KindSpec, req: EmulatorRequest): EmulatorResponse {
  const rawSize = req.query.get("page_size");
  let pageSize = ctx.pageCap;
  if (rawSize !== null && rawSize !== "") {
    if (!/^\d+$/.test(rawSize))
      return databricksError(400, "INVALID_PARAMETER_VALUE", `Invalid page_size '${rawSize}'.`);
    // 0 means the server's default; larger than the cap is capped.
    pageSize = Number(rawSize) === 0 ? ctx.pageCap : Math.min(ctx.pageCap, Number(rawSize));
  }
  let offset = 0;
  const rawToken = req.query.get("page_token");
  if (rawToken) {
    const o = decodeToken(rawToken);
    if (o === undefined)
      return databricksError(400, "INVALID_PARAMETER_VALUE", "Invalid page_token.");
    offset = o;
  }
  let items = ctx.store.all(spec.scim).map((x) => renderV2(spec.scim, ctx.accountId, x));
  const filter = req.query.get("filter");
  if (filter && filter.trim()) {
    const compiled = compileFilter(filter);
    if (!compiled.ok) return databricksError(400, "INVALID_PARAMETER_VALUE", compiled.detail);
    items = items.filter((x) => compiled.test(x));
  }
  const page = items.slice(offset, offset + pageSize);
  const body: Json = { [spec.listKey]: page };
  if (offset + pageSize < items.length) body.next_page_token = encodeToken(offset + pageSize);
  return { status: 200, body };
}

/** Databricks' answer for an id that names no identity of this kind. */
function notFound(spec: KindSpec, id: string): EmulatorResponse {
  return databricksError(404, "RESOURCE_DOES_NOT_EXIST", `${spec.noun} ${id} does not exist.`);
}

function getOne(ctx: EmulatorContext, spec: KindSpec, req: EmulatorRequest): EmulatorResponse {
  const x = ctx.store.mapFor(spec.scim).get(req.params.id);
  if (!x) return notFound(spec, req.params.id);
  return { status: 200, body: renderV2(spec.scim, ctx.accountId, x) };
}

function update(ctx: EmulatorContext, spec: KindSpec, req: EmulatorRequest): EmulatorResponse {
  const stored = ctx.store.mapFor(spec.scim).get(req.params.id);
  if (!stored) return notFound(spec, req.params.id);
  let x = stored;
  const rawMask = req.query.get("update_mask");
  if (!rawMask || !rawMask.trim())
    return databricksError(
      400,
      "INVALID_PARAMETER_VALUE",
      "update_mask is required, e.g. update_mask=external_id.",
    );
  const paths = rawMask.split(",").map((p) => snake(p.trim()));
  for (const p of paths)
    if (!spec.masks.includes(p))
      return databricksError(
        400,
        "INVALID_PARAMETER_VALUE",
        `update_mask path '${p}' is not updatable; updatable: ${spec.masks.join(", ")}.`,
      );
  if (ctx.store.aimEnabled && hasExternalId(x) && paths.some((p) => p !== "external_id"))
    return databricksError(
      400,
      "INVALID_PARAMETER_VALUE",
      `${spec.noun} ${x.id} is sourced from the identity provider while automatic identity management is enabled: only external_id can be updated.`,
    );
  const body = req.json;
  if (!body || typeof body !== "object" || Array.isArray(body))
    return databricksError(
      400,
      "INVALID_PARAMETER_VALUE",
      "The request body must be a JSON object.",
    );
  const b = body as Json;
  const text = (v: unknown): string | undefined =>
    typeof v === "string" && v !== "" ? v : undefined;
  const fullName = (b.full_name ?? {}) as Json;
  // Validate every path before changing anything: a refused update has no effect.
  for (const p of paths) {
    if ((p === "group_name" || p === "display_name") && !text(b[p]))
      return databricksError(400, "INVALID_PARAMETER_VALUE", `${p} must not be empty.`);
    if (
      (p === "account_user_status" || p === "account_sp_status") &&
      b[p] !== "ACTIVE" &&
      b[p] !== "INACTIVE"
    )
      return databricksError(400, "INVALID_PARAMETER_VALUE", `${p} must be ACTIVE or INACTIVE.`);
  }
  // Accept-but-drop (behaviour.ts) changes a copy: the answer shows the write, the store keeps the old value.
  ctx.store.noteWrite(stored.id);
  if (ctx.behaviour.dropsWrite(spec.scim, stored.id, "iamv2")) x = structuredClone(stored);
  for (const p of paths) {
    if (p === "external_id") x.externalId = text(b.external_id);
    else if (p === "group_name" || p === "display_name") x.displayName = text(b[p]) as string;
    else if (p === "account_user_status" || p === "account_sp_status")
      (x as StoredUser | StoredServicePrincipal).active = b[p] === "ACTIVE";
    else {
      const u = x as StoredUser;
      const name = { ...(u.name ?? {}) };
      if (p === "full_name" || p === "full_name.given_name")
        name.givenName = text(fullName.given_name);
      if (p === "full_name" || p === "full_name.family_name")
        name.familyName = text(fullName.family_name);
      u.name = name;
    }
  }
  return { status: 200, body: renderV2(spec.scim, ctx.accountId, x) };
}
