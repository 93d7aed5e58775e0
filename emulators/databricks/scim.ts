/**
 * Account SCIM v2: `/api/2.0/accounts/{account_id}/scim/v2/{Users|Groups|ServicePrincipals}`
 * (shapes from databricks-sdk-py `service/iam.py`). List paging with a
 * server-side cap, filters (see scimFilter.ts), attribute projection, get,
 * create, replace, PATCH (scim-patch) and delete.
 */
import crypto from "node:crypto";
import { patchBodyValidation, scimPatch, type ScimPatch, type ScimResource } from "scim-patch";
import type { EmulatorRequest, EmulatorResponse, Router } from "../common/server";
import { guarded, type EmulatorContext } from "./context";
import { scimError } from "./errors";
import { compileFilter, getCaseInsensitive, valuesAt } from "./scimFilter";
import type { ScimKind, StoredGroup, StoredServicePrincipal, StoredUser } from "./store";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const SP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";
export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const INVALID_SYNTAX = "Request is unparsable, syntactically incorrect, or violates schema.";

type Stored = StoredUser | StoredGroup | StoredServicePrincipal;
type Json = Record<string, unknown>;

const NOT_FOUND: Record<ScimKind, string> = {
  Users: "User not found",
  Groups: "Group not found",
  ServicePrincipals: "Service principal not found",
};

export function renderUser(u: StoredUser): Json {
  const out: Json = { schemas: [USER_SCHEMA], id: u.id, userName: u.userName };
  if (u.displayName !== undefined) out.displayName = u.displayName;
  out.active = u.active ?? true;
  out.emails = u.emails ?? [{ value: u.userName, type: "work", primary: true }];
  if (u.externalId !== undefined && u.externalId !== null) out.externalId = u.externalId;
  if (u.name) out.name = { ...u.name };
  return out;
}

export function renderGroup(g: StoredGroup, withMembers: boolean): Json {
  const out: Json = { schemas: [GROUP_SCHEMA], id: g.id, displayName: g.displayName };
  if (g.externalId !== undefined && g.externalId !== null) out.externalId = g.externalId;
  // Group lists no longer include members; a GET by id does.
  if (withMembers && g.members?.length) out.members = g.members.map((m) => ({ ...m }));
  out.meta = { resourceType: "Group" };
  return out;
}

export function renderServicePrincipal(s: StoredServicePrincipal): Json {
  const out: Json = {
    schemas: [SP_SCHEMA],
    id: s.id,
    applicationId: s.applicationId,
    displayName: s.displayName,
    active: s.active ?? true,
  };
  if (s.externalId !== undefined && s.externalId !== null) out.externalId = s.externalId;
  return out;
}

function render(kind: ScimKind, x: Stored, inList: boolean): Json {
  if (kind === "Users") return renderUser(x as StoredUser);
  if (kind === "Groups") return renderGroup(x as StoredGroup, !inList);
  return renderServicePrincipal(x as StoredServicePrincipal);
}

function splitList(v: string | null): string[] | undefined {
  if (v === null || v.trim() === "") return undefined;
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.9); `id` and `schemas` are always returned. */
export function project(resource: Json, attributes?: string[], excluded?: string[]): Json {
  if (attributes) {
    const out: Json = {};
    for (const [k, v] of Object.entries(resource)) {
      const lk = k.toLowerCase();
      if (lk === "id" || lk === "schemas") {
        out[k] = v;
        continue;
      }
      for (const a of attributes) {
        const [head, ...rest] = a.split(".");
        if (head.toLowerCase() !== lk) continue;
        if (rest.length === 0) out[k] = v;
        else if (v && typeof v === "object" && !Array.isArray(v)) {
          const sub = getCaseInsensitive(v as Json, rest.join("."));
          if (sub !== undefined) {
            const target = (out[k] ?? {}) as Json;
            const subKey =
              Object.keys(v as Json).find(
                (x) => x.toLowerCase() === rest.join(".").toLowerCase(),
              ) ?? rest.join(".");
            target[subKey] = sub;
            out[k] = target;
          }
        }
      }
    }
    return out;
  }
  if (excluded) {
    const out: Json = {};
    const ex = new Set(excluded.map((e) => e.toLowerCase()));
    for (const [k, v] of Object.entries(resource)) {
      const lk = k.toLowerCase();
      if (lk !== "id" && lk !== "schemas" && ex.has(lk)) continue;
      out[k] = v;
    }
    return out;
  }
  return resource;
}

function parseIntParam(
  req: EmulatorRequest,
  name: string,
): { ok: true; value: number | undefined } | { ok: false; res: EmulatorResponse } {
  const raw = req.query.get(name);
  if (raw === null || raw === "") return { ok: true, value: undefined };
  if (!/^-?\d+$/.test(raw.trim()))
    return {
      ok: false,
      res: scimError(
        400,
        `Invalid value '${raw}' for ${name}: an integer is required.`,
        "invalidValue",
      ),
    };
  return { ok: true, value: Number(raw) };
}

export function registerScim(router: Router, ctx: EmulatorContext): void {
  for (const kind of ["Users", "Groups", "ServicePrincipals"] as const) {
    const base = `/api/2.0/accounts/:accountId/scim/v2/${kind}`;
    router.add(
      "GET",
      base,
      guarded(ctx, "list", (req) => list(ctx, kind, req)),
    );
    router.add(
      "POST",
      base,
      guarded(ctx, "write", (req) => create(ctx, kind, req)),
    );
    router.add(
      "GET",
      `${base}/:id`,
      guarded(ctx, "get", (req) => getOne(ctx, kind, req)),
    );
    router.add(
      "PUT",
      `${base}/:id`,
      guarded(ctx, "write", (req) => replace(ctx, kind, req)),
    );
    router.add(
      "PATCH",
      `${base}/:id`,
      guarded(ctx, "patch", (req) => patch(ctx, kind, req)),
    );
    router.add(
      "DELETE",
      `${base}/:id`,
      guarded(ctx, "write", (req) => remove(ctx, kind, req)),
    );
  }
}

function list(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const startParam = parseIntParam(req, "startIndex");
  if (!startParam.ok) return startParam.res;
  const countParam = parseIntParam(req, "count");
  if (!countParam.ok) return countParam.res;
  // The API reference: "count … Constraints: <= 100". Strict: refused, not capped.
  if (countParam.value !== undefined && countParam.value > ctx.maxCount)
    return scimError(
      400,
      `Invalid value '${countParam.value}' for count: it must be at most ${ctx.maxCount}.`,
      "invalidValue",
    );
  // RFC 7644 §3.4.2.4: startIndex < 1 means 1, a negative count means 0.
  const startIndex = Math.max(1, startParam.value ?? 1);
  const count = Math.min(ctx.pageCap, Math.max(0, countParam.value ?? ctx.pageCap));

  let items: Stored[];
  const filterText = req.query.get("filter");
  if (filterText !== null && filterText.trim() !== "") {
    const compiled = compileFilter(filterText);
    if (!compiled.ok) return scimError(400, compiled.detail, "invalidFilter");
    if (compiled.ids) {
      const map = ctx.store.mapFor(kind);
      items = [...new Set(compiled.ids)].flatMap((id) => {
        const x = map.get(id);
        return x ? [x] : [];
      });
    } else items = ctx.store.all(kind).filter((x) => compiled.test(x));
  } else items = ctx.store.all(kind);

  const sortBy = req.query.get("sortBy");
  if (sortBy) {
    const descending = (req.query.get("sortOrder") ?? "").toLowerCase() === "descending";
    const key = (x: Stored): string => String(valuesAt(x, sortBy)[0] ?? "").toLowerCase();
    items = [...items].sort((a, b) => (descending ? -1 : 1) * key(a).localeCompare(key(b)));
  }

  const attributes = splitList(req.query.get("attributes"));
  const excluded = splitList(req.query.get("excludedAttributes"));
  const page = items.slice(startIndex - 1, startIndex - 1 + count);
  const body: Json = {
    totalResults: items.length,
    itemsPerPage: page.length,
    startIndex,
    schemas: [LIST_SCHEMA],
  };
  // An empty page carries no `Resources` key at all (clients must cope).
  if (page.length)
    body.Resources = page.map((x) => project(render(kind, x, true), attributes, excluded));
  return { status: 200, body };
}

function getOne(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const x = ctx.store.mapFor(kind).get(req.params.id);
  if (!x) return scimError(404, NOT_FOUND[kind]);
  return {
    status: 200,
    body: project(
      render(kind, x, false),
      splitList(req.query.get("attributes")),
      splitList(req.query.get("excludedAttributes")),
    ),
  };
}

function str(body: Json, key: string): string | undefined {
  const v = getCaseInsensitive(body, key);
  return typeof v === "string" ? v : undefined;
}

function create(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const body = req.json;
  if (!body || typeof body !== "object" || Array.isArray(body))
    return scimError(400, INVALID_SYNTAX, "invalidSyntax");
  const b = body as Json;
  const externalId = str(b, "externalId");
  if (externalId !== undefined && ctx.store.aimEnabled)
    return scimError(
      400,
      "Creating an identity with an external ID is not allowed while automatic identity management is enabled.",
      "invalidValue",
    );
  const store = ctx.store;
  if (kind === "Users") {
    const userName = str(b, "userName")?.trim();
    if (!userName) return scimError(400, "Required attribute userName is missing.", "invalidValue");
    if (store.findUsersByUserName(userName).length)
      return scimError(409, `User with username ${userName} already exists.`, "uniqueness");
    const emails = getCaseInsensitive(b, "emails");
    const name = getCaseInsensitive(b, "name");
    const user: StoredUser = {
      id: store.newId(),
      userName,
      displayName: str(b, "displayName"),
      active: getCaseInsensitive(b, "active") === false ? false : true,
      emails: Array.isArray(emails) ? (emails as StoredUser["emails"]) : undefined,
      externalId,
      name: name && typeof name === "object" ? (name as StoredUser["name"]) : undefined,
    };
    store.users.set(user.id, user);
    return { status: 201, body: renderUser(user) };
  }
  if (kind === "Groups") {
    const displayName = str(b, "displayName")?.trim();
    if (!displayName)
      return scimError(400, "Required attribute displayName is missing.", "invalidValue");
    for (const g of store.groups.values())
      if (g.displayName === displayName)
        return scimError(409, `Group with name ${displayName} already exists.`, "uniqueness");
    const members = getCaseInsensitive(b, "members");
    const group: StoredGroup = {
      id: store.newId(),
      displayName,
      externalId,
      members: Array.isArray(members) ? (members as StoredGroup["members"]) : undefined,
    };
    store.groups.set(group.id, group);
    return { status: 201, body: renderGroup(group, true) };
  }
  const applicationId = str(b, "applicationId") ?? crypto.randomUUID();
  for (const s of store.servicePrincipals.values())
    if (s.applicationId === applicationId)
      return scimError(
        409,
        `Service principal with application ID ${applicationId} already exists.`,
        "uniqueness",
      );
  const sp: StoredServicePrincipal = {
    id: store.newId(),
    applicationId,
    displayName: str(b, "displayName") ?? applicationId,
    active: getCaseInsensitive(b, "active") === false ? false : true,
    externalId,
  };
  store.servicePrincipals.set(sp.id, sp);
  return { status: 201, body: renderServicePrincipal(sp) };
}

/** PUT: replaces the mutable attributes; like PATCH, userName and emails changes are ignored. */
function replace(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const x = ctx.store.mapFor(kind).get(req.params.id);
  if (!x) return scimError(404, NOT_FOUND[kind]);
  const body = req.json;
  if (!body || typeof body !== "object" || Array.isArray(body))
    return scimError(400, INVALID_SYNTAX, "invalidSyntax");
  // Accept-but-drop (behaviour.ts): the answer shows the write, the store keeps the old value.
  const target = ctx.behaviour.dropsWrite(kind, x.id, "scim") ? structuredClone(x) : x;
  ctx.store.noteWrite(x.id);
  applyMutable(kind, target, body as Json);
  return { status: 200, body: render(kind, target, false) };
}

/** Copies the attributes the account SCIM API lets a client change; everything else is ignored. */
function applyMutable(kind: ScimKind, target: Stored, source: Json): void {
  const externalId = getCaseInsensitive(source, "externalId");
  target.externalId = typeof externalId === "string" ? externalId : undefined;
  const displayName = getCaseInsensitive(source, "displayName");
  if (kind === "Users") {
    const u = target as StoredUser;
    u.displayName = typeof displayName === "string" ? displayName : u.displayName;
    const active = getCaseInsensitive(source, "active");
    if (typeof active === "boolean") u.active = active;
    const name = getCaseInsensitive(source, "name");
    if (name && typeof name === "object") u.name = { ...(name as StoredUser["name"]) };
  } else if (kind === "Groups") {
    const g = target as StoredGroup;
    if (typeof displayName === "string" && displayName.trim()) g.displayName = displayName;
    const members = getCaseInsensitive(source, "members");
    g.members = Array.isArray(members) ? (members as StoredGroup["members"]) : undefined;
  } else {
    const s = target as StoredServicePrincipal;
    if (typeof displayName === "string" && displayName.trim()) s.displayName = displayName;
    const active = getCaseInsensitive(source, "active");
    if (typeof active === "boolean") s.active = active;
  }
}

function patch(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const x = ctx.store.mapFor(kind).get(req.params.id);
  if (!x) return scimError(404, NOT_FOUND[kind]);
  const body = req.json as ScimPatch | undefined;
  try {
    if (!body || typeof body !== "object" || !Array.isArray(body.Operations))
      throw new Error("not a PatchOp");
    if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_SCHEMA))
      throw new Error("schemas");
    patchBodyValidation(body);
  } catch {
    return scimError(400, INVALID_SYNTAX, "invalidSyntax");
  }
  const current = render(kind, x, false);
  let patched: Json;
  try {
    const resource = { ...structuredClone(current), meta: {} } as unknown as ScimResource;
    patched = scimPatch(resource, [...body.Operations], {
      mutateDocument: true,
      treatMissingAsAdd: true,
    }) as unknown as Json;
  } catch (err) {
    const scimType = (err as { scimType?: unknown }).scimType;
    return scimError(
      400,
      err instanceof Error ? err.message : INVALID_SYNTAX,
      typeof scimType === "string" ? scimType : "invalidValue",
    );
  }
  // Accept-but-drop (behaviour.ts): the answer is the same either way.
  ctx.store.noteWrite(x.id);
  if (!ctx.behaviour.dropsWrite(kind, x.id, "scim")) applyMutable(kind, x, patched);
  // The API reference gives `{}` as the answer; both SDKs discard it. Nothing is echoed.
  return { status: 200, body: {} };
}

function remove(ctx: EmulatorContext, kind: ScimKind, req: EmulatorRequest): EmulatorResponse {
  const map = ctx.store.mapFor(kind);
  if (!map.has(req.params.id)) return scimError(404, NOT_FOUND[kind]);
  map.delete(req.params.id);
  return { status: 204 };
}
