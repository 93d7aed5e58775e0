/**
 * The externalId decisions, once each identity has its Okta identity:
 * already linked, a link to write, a conflict (or an overwrite under
 * onConflict "overwrite"); and duplicates: one Okta identity chosen by
 * several Databricks identities, or a link that would hand an Okta id to a
 * second identity that keeps carrying it.
 */
import type { FindingCode, PlanAction } from "../../model/plan";
import { OKTA_ID_PATTERN } from "../normalize";
import type { PlanContext } from "./context";
import type { Identity } from "./identity";
import { cmp, kindLabel, listPlain } from "./messages";
import { usernameMatches } from "./checks";
import { KIND_ORDER } from "./findings";

/**
 * Each Okta id chosen as a target, and the one identity that chose it
 * (withdrawSharedLinks reads it again). An id chosen twice maps to the
 * identities that chose it, all duplicates.
 */
export type TargetOwners = Map<string, Identity | Identity[]>;

/** One Okta identity chosen by several Databricks identities: all of them are duplicates. */
export function markDuplicates(ctx: PlanContext, all: readonly Identity[]): TargetOwners {
  // One map look-up per target; a list only for the rare shared ones.
  const owners: TargetOwners = new Map();
  const shared: string[] = [];
  for (const ident of all) {
    if (ident.bucket !== undefined || ident.target === undefined) continue;
    const owner = owners.get(ident.target);
    if (owner === undefined) owners.set(ident.target, ident);
    else if (Array.isArray(owner)) owner.push(ident);
    else {
      owners.set(ident.target, [owner, ident]);
      shared.push(ident.target);
    }
  }
  for (const oktaId of shared) {
    const idents = owners.get(oktaId) as Identity[];
    const who = ctx.okta.describe(oktaId) ?? `Okta id ${oktaId}`;
    const names = idents.map((i) => `${kindLabel(i.kind)} "${i.name}" (${i.id})`).sort(cmp);
    for (const ident of idents) ident.bucket = "duplicate";
    // One finding per duplicate set, naming every member (was the same text once per identity).
    const first = firstOf(idents);
    ctx.findings.add(
      "DUPLICATE_IDENTITY",
      "error",
      first.kind,
      idents.map((i) => i.name),
      `${who} is chosen by ${idents.length} Databricks identities: ${listPlain(names)}. ` +
        `Only one may carry its id; merge or remove the extra identities, or exclude them.`,
      first.name,
    );
  }
  return owners;
}

/** The identity a finding about a set is filed under: the first by kind, then name. */
function firstOf(idents: readonly Identity[]): Identity {
  return [...idents].sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || cmp(a.name, b.name),
  )[0] as Identity;
}

/**
 * The live Okta user another user's externalId links it to, when that user's
 * login and email both differ from the username: a rename, or the address is
 * now someone else's. Replacing the externalId would hand the identity (and
 * its permissions) from the linked person to the one who now holds the name.
 */
function driftedLinkedUser(ctx: PlanContext, ident: Identity, ext: string) {
  // An override names the Okta user outright: re-pointing the link is that decision, made by hand.
  if (ident.kind !== "user" || ident.matchedBy === "override") return undefined;
  const o = ctx.okta.linkableUser(ext);
  if (o === undefined) return undefined;
  return usernameMatches(ident, o) ? undefined : o;
}

/** The externalId rules for an identity with exactly one chosen Okta identity. */
export function decide(ctx: PlanContext, ident: Identity): void {
  if (ident.bucket !== undefined || ident.target === undefined) return;
  const target = ident.target;
  const ext = ident.externalId;
  if (ext === target) {
    ident.bucket = "alreadyLinked";
    return;
  }
  if (ext === null) {
    link(ctx, ident, target, null);
    return;
  }
  const owner = ctx.okta.describe(ext);
  const oktaShaped = owner !== null || OKTA_ID_PATTERN.test(ext);
  const code: FindingCode = oktaShaped ? "EXTERNAL_ID_CONFLICT" : "EXTERNAL_ID_FOREIGN";
  const what = `Databricks ${kindLabel(ident.kind)} "${ident.name}" matches ${ctx.okta.describe(target) ?? target}`;
  const live = liveOwner(ctx, ident.kind, ext);
  const has =
    owner !== null
      ? live
        ? `but its externalId is the id of ${owner}: it is already linked to that ${kindLabel(ident.kind)}, and with AIM on, ${owner} is matched to this identity`
        : `but its externalId is the id of ${owner}`
      : oktaShaped
        ? `but its externalId "${ext}" looks like an Okta id that is not in this org (deleted, or another org)`
        : `but its externalId "${ext}" is not an Okta id (another identity provider?)`;
  const drifted = driftedLinkedUser(ctx, ident, ext);
  if (drifted !== undefined) {
    // Never overwritten, whatever onConflict says: that would give one person's identity to another.
    ident.bucket = "conflict";
    ctx.findings.add(
      code,
      "error",
      ident.kind,
      [ident.name],
      `${what} ${has}. That user's login and email ("${drifted.profile.login}", "${drifted.profile.email}") ` +
        `no longer equal "${ident.name}" (a rename, or the address is now someone else's): replacing the ` +
        `externalId would hand this identity and its permissions to another person, so it is never ` +
        `overwritten. Ask Databricks support for a username migration to the linked user's current login, ` +
        `or exclude "${ident.name}" until it is settled (if the link itself is the mistake, clear the externalId in Databricks and plan again).`,
      ident.name,
    );
    return;
  }
  if (ctx.overwrite) {
    link(ctx, ident, target, ext);
    ctx.findings.add(
      code,
      "warning",
      ident.kind,
      [ident.name],
      `${what} ${has}; onConflict "overwrite": it will be replaced (previous value recorded in the action).`,
      ident.name,
    );
    return;
  }
  ident.bucket = "conflict";
  ctx.findings.add(
    code,
    oktaShaped ? "error" : "warning",
    ident.kind,
    [ident.name],
    `${what} ${has}. AIM will not match it; clear or correct the externalId, ` +
      `or set onConflict "overwrite" to replace it.`,
    ident.name,
  );
}

/** The id is a present, linkable Okta identity of the same kind (a user not DEPROVISIONED, a group not BUILT_IN). */
function liveOwner(ctx: PlanContext, kind: Identity["kind"], id: string): boolean {
  return kind === "group"
    ? ctx.okta.linkableGroup(id) !== undefined
    : ctx.okta.linkableUser(id) !== undefined;
}

function link(ctx: PlanContext, ident: Identity, oktaId: string, previous: string | null): void {
  ident.bucket = "link";
  const action: PlanAction = {
    kind: ident.kind,
    databricksId: ident.id,
    databricksName: ident.name,
    oktaId,
    matchedBy: ident.matchedBy ?? "override",
    previousExternalId: previous,
  };
  ident.action = action;
  ctx.actions.push(action);
}

/**
 * A link must not hand an Okta id to a second Databricks identity: when
 * another identity keeps carrying that id (one in conflict, ambiguous,
 * excluded, ...), AIM resolves the Okta identity to either of them at
 * login. Such a link is withdrawn and reported as DUPLICATE_IDENTITY.
 * Decision (docs/matching.md, "Duplicates"): "carried" is the externalId
 * each identity has once the plan is applied.
 */
export function withdrawSharedLinks(
  ctx: PlanContext,
  all: readonly Identity[],
  owners: TargetOwners,
): void {
  const { actions } = ctx;
  if (actions.length === 0) return;
  // Each action writes an Okta id that one identity alone chose (markDuplicates made the
  // others duplicates), so a second carrier can only be an identity without an action
  // whose externalId is that id: one look-up per such identity, no map of its own.
  const carriers = new Map<string, Identity[]>();
  for (const ident of all) {
    const ext = ident.externalId;
    // Its own target (already linked, or a duplicate): the owner is itself, never another.
    if (ext === null || ident.action !== undefined || ext === ident.target) continue;
    const owner = owners.get(ext);
    if (owner === undefined || Array.isArray(owner) || owner === ident) continue;
    if (owner.action?.oktaId !== ext) continue;
    const list = carriers.get(ext);
    if (list === undefined) carriers.set(ext, [owner, ident]);
    else list.push(ident);
  }
  const withdrawn = new Set<PlanAction>();
  for (const [oktaId, idents] of carriers) {
    const linking = idents.filter((i) => i.action !== undefined && i.action.oktaId === oktaId);
    if (linking.length === 0) continue;
    for (const ident of linking) {
      withdrawn.add(ident.action as PlanAction);
      ident.bucket = "duplicate";
      ident.action = undefined;
    }
    // One finding per set: the identities a link was withdrawn from, and those carrying the id.
    const names = (list: readonly Identity[]) =>
      list.map((o) => `${kindLabel(o.kind)} "${o.name}" (${o.id})`).sort(cmp);
    const carrying = idents.filter((i) => !linking.includes(i));
    const first = firstOf(linking);
    ctx.findings.add(
      "DUPLICATE_IDENTITY",
      "error",
      first.kind,
      idents.map((i) => i.name),
      `${ctx.okta.describe(oktaId) ?? `Okta id ${oktaId}`} matches Databricks ${listPlain(names(linking))} ` +
        `but is already the externalId of ${listPlain(names(carrying))}; linking would give AIM two identities for it. ` +
        `Correct or clear the other externalId, or merge the identities, then plan again.`,
      first.name,
    );
  }
  if (withdrawn.size === 0) return;
  // Compacted in place: a spread of a tenant-sized list overflows the call stack (~200k).
  let kept = 0;
  for (const a of actions) if (!withdrawn.has(a)) actions[kept++] = a;
  actions.length = kept;
}
