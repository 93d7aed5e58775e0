/** What the planner knows about each Databricks identity while it decides. */
import type { IdentityKind, KindSummary, MatchedBy, PlanAction } from "../../model/plan";
import { externalIdOf } from "../../model/tenant";

export type Bucket = keyof KindSummary;

/** A Databricks identity as the planner sees it. */
export interface Identity {
  kind: IdentityKind;
  id: string;
  /** userName / displayName: what actions and findings call it. */
  name: string;
  /** The name as compared: normalised userName, group name key, or displayName. */
  key: string;
  externalId: string | null;
  bucket?: Bucket;
  /** The Okta id this identity is (or would be) linked to. */
  target?: string;
  matchedBy?: MatchedBy;
  /** The action this plan takes for it, if any. */
  action?: PlanAction;
}

/**
 * A Databricks identity before any decision. Every field is in the literal
 * (the undecided ones undefined): fields added one by one later would give
 * V8 a separate property store per identity and several object shapes.
 */
export function newIdentity(
  kind: IdentityKind,
  id: string,
  name: string,
  key: string,
  externalId: string | null | undefined,
): Identity {
  return {
    kind,
    id,
    name,
    key,
    externalId: externalIdOf(externalId),
    bucket: undefined,
    target: undefined,
    matchedBy: undefined,
    action: undefined,
  };
}

/** `ident` will be linked to `oktaId` (matched by `by`), unless a later rule says otherwise. */
export function choose(ident: Identity, oktaId: string, by: MatchedBy): void {
  ident.target = oktaId;
  ident.matchedBy = by;
}

/** Adds `value` to the list under `key`, creating it on first use. */
export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
