/**
 * The emulator's switches for behaviour that the documentation states but
 * that a client would rather not meet, and for what no source settles. The
 * defaults are the strict reading (docs/emulators.md says, per switch, what
 * the documentation says and what stays unconfirmed):
 *
 * - `dropWrites`: chosen writes are answered as successes and not persisted
 *   (account SCIM PATCH answers `{}` whatever happened, so only a read-back
 *   can tell);
 * - `aimSendsKid`: whether AIM's Okta client puts a `kid` in its client
 *   assertion (no source says; default: it does not);
 * - `iamv2Preview`: the iamv2 Beta preview switched off for the account
 *   answers 403 or 404 on every iamv2 endpoint;
 * - `notOnboardedStatus`: the status of FAILED_PRECONDITION when the account
 *   is not onboarded onto AIM (400 or 412);
 * - `aimAdminApi`: whether the account has the assumed AIM admin API
 *   (docs/aim-admin-api.md). Default "off-404": a real account answers its
 *   path 404 ENDPOINT_NOT_FOUND today; "off-403" is the "not enrolled" form,
 *   "on" serves the contract (tests of the `api` adapter turn it on).
 */
import type { ScimKind } from "./store";

/** Which write path a drop rule matches: account SCIM PATCH/PUT or iamv2 PATCH. */
export type WriteRouteName = "scim" | "iamv2";

export interface DropWriteRule {
  /** Identity kind (any when absent). */
  kind?: ScimKind;
  /** Identity ids (any when absent). */
  ids?: string[];
  /** Route (any when absent). */
  route?: WriteRouteName;
  /** How many matching writes to drop (default: all). */
  times?: number;
}

export type Iamv2Preview = "on" | "off-403" | "off-404";
export type AimAdminApi = "on" | "off-403" | "off-404";

export interface DatabricksBehaviourOptions {
  dropWrites?: DropWriteRule[];
  aimSendsKid?: boolean;
  iamv2Preview?: Iamv2Preview;
  notOnboardedStatus?: 400 | 412;
  aimAdminApi?: AimAdminApi;
}

const IAMV2_PREVIEWS: readonly Iamv2Preview[] = ["on", "off-403", "off-404"];
const AIM_ADMIN_APIS: readonly AimAdminApi[] = ["on", "off-403", "off-404"];
const SCIM_KINDS: readonly ScimKind[] = ["Users", "Groups", "ServicePrincipals"];

/** The live switches; `configure` replaces all of them (absent ones return to the default). */
export class DatabricksBehaviour {
  aimSendsKid = false;
  iamv2Preview: Iamv2Preview = "on";
  notOnboardedStatus: 400 | 412 = 400;
  aimAdminApi: AimAdminApi = "off-404";
  /** Writes answered as successes but not persisted, by rule. */
  readonly dropped: Array<{ kind: ScimKind; id: string; route: WriteRouteName }> = [];
  private rules: Array<DropWriteRule & { used: number }> = [];

  constructor(opts: DatabricksBehaviourOptions = {}) {
    this.configure(opts);
  }

  configure(opts: DatabricksBehaviourOptions): void {
    this.aimSendsKid = opts.aimSendsKid ?? false;
    this.iamv2Preview = opts.iamv2Preview ?? "on";
    this.notOnboardedStatus = opts.notOnboardedStatus ?? 400;
    this.aimAdminApi = opts.aimAdminApi ?? "off-404";
    this.rules = (opts.dropWrites ?? []).map((r) => ({ ...r, used: 0 }));
  }

  /** True when this write must be acknowledged and dropped (counts against the rule's `times`). */
  dropsWrite(kind: ScimKind, id: string, route: WriteRouteName): boolean {
    for (const r of this.rules) {
      if (r.kind !== undefined && r.kind !== kind) continue;
      if (r.route !== undefined && r.route !== route) continue;
      if (r.ids !== undefined && !r.ids.includes(id)) continue;
      if (r.times !== undefined && r.used >= r.times) continue;
      r.used++;
      this.dropped.push({ kind, id, route });
      return true;
    }
    return false;
  }
}

/**
 * Reads the switches posted to `POST /__emulator/behaviour`; a problem is
 * returned as a message naming the field (the control endpoint answers 400).
 */
export function behaviourFromJson(
  body: unknown,
): { ok: true; opts: DatabricksBehaviourOptions } | { ok: false; message: string } {
  if (!body || typeof body !== "object" || Array.isArray(body))
    return { ok: false, message: "the body must be a JSON object of behaviour switches" };
  const b = body as Record<string, unknown>;
  const known = ["dropWrites", "aimSendsKid", "iamv2Preview", "notOnboardedStatus", "aimAdminApi"];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length)
    return {
      ok: false,
      message: `unknown switch(es) ${unknown.join(", ")}: use ${known.join(", ")}`,
    };
  const opts: DatabricksBehaviourOptions = {};
  if (b.aimSendsKid !== undefined) {
    if (typeof b.aimSendsKid !== "boolean")
      return { ok: false, message: "aimSendsKid must be true or false" };
    opts.aimSendsKid = b.aimSendsKid;
  }
  if (b.iamv2Preview !== undefined) {
    if (!IAMV2_PREVIEWS.includes(b.iamv2Preview as Iamv2Preview))
      return { ok: false, message: `iamv2Preview must be one of ${IAMV2_PREVIEWS.join(", ")}` };
    opts.iamv2Preview = b.iamv2Preview as Iamv2Preview;
  }
  if (b.aimAdminApi !== undefined) {
    if (!AIM_ADMIN_APIS.includes(b.aimAdminApi as AimAdminApi))
      return { ok: false, message: `aimAdminApi must be one of ${AIM_ADMIN_APIS.join(", ")}` };
    opts.aimAdminApi = b.aimAdminApi as AimAdminApi;
  }
  if (b.notOnboardedStatus !== undefined) {
    if (b.notOnboardedStatus !== 400 && b.notOnboardedStatus !== 412)
      return { ok: false, message: "notOnboardedStatus must be 400 or 412" };
    opts.notOnboardedStatus = b.notOnboardedStatus;
  }
  if (b.dropWrites !== undefined) {
    if (!Array.isArray(b.dropWrites))
      return { ok: false, message: "dropWrites must be an array of rules" };
    const rules: DropWriteRule[] = [];
    for (const [i, raw] of b.dropWrites.entries()) {
      const r = (raw ?? {}) as Record<string, unknown>;
      const where = `dropWrites[${i}]`;
      if (typeof raw !== "object" || raw === null || Array.isArray(raw))
        return { ok: false, message: `${where} must be an object` };
      if (r.kind !== undefined && !SCIM_KINDS.includes(r.kind as ScimKind))
        return { ok: false, message: `${where}.kind must be one of ${SCIM_KINDS.join(", ")}` };
      if (r.route !== undefined && r.route !== "scim" && r.route !== "iamv2")
        return { ok: false, message: `${where}.route must be "scim" or "iamv2"` };
      if (
        r.ids !== undefined &&
        (!Array.isArray(r.ids) || r.ids.some((id) => typeof id !== "string"))
      )
        return { ok: false, message: `${where}.ids must be an array of identity ids` };
      if (
        r.times !== undefined &&
        r.times !== null &&
        (typeof r.times !== "number" || !Number.isInteger(r.times) || r.times < 0)
      )
        return { ok: false, message: `${where}.times must be a non-negative integer` };
      rules.push({
        kind: r.kind as ScimKind | undefined,
        ids: r.ids as string[] | undefined,
        route: r.route as WriteRouteName | undefined,
        // JSON has no Infinity: null or absent means every matching write.
        times: typeof r.times === "number" ? r.times : undefined,
      });
    }
    opts.dropWrites = rules;
  }
  return { ok: true, opts };
}
