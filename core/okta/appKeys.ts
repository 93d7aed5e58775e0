/**
 * The Okta app's client-authentication keys, kept so that AIM can sign in
 * whether or not its assertions carry a `kid`: Okta refuses an assertion
 * without `kid` while more than one of the app's keys is ACTIVE ("The
 * client_assertion JWT kid is invalid."), and no source says whether AIM
 * sends one (docs/services.md). So the key AIM signs with is the app's only
 * ACTIVE key; a new key waits INACTIVE until AIM is handed it.
 *
 * - `stageAppKey`: the new key is in the app, INACTIVE unless already there;
 * - `makeOnlyActiveKey`: the new key ACTIVE, then every other ACTIVE key
 *   INACTIVE (two ACTIVE keys only between those two calls: Okta refuses to
 *   deactivate the only active key, so the order cannot be reversed); gives
 *   back how to undo it.
 */
import type { OktaAppJwk } from "../model/tenant";
import type { OktaAppKeys } from "./api";

/** The public half of a signing key, as an app's JWKS holds it. */
export interface PublicAppJwk {
  kid: string;
  kty: string;
  n?: string;
  e?: string;
  x?: string;
  y?: string;
  crv?: string;
}

export interface AppKeyState {
  /** The key with this kid as Okta holds it (absent: not in the app). */
  key?: OktaAppJwk;
  /** kids of the ACTIVE keys, in Okta's order. */
  activeKids: string[];
}

export async function appKeyState(
  okta: OktaAppKeys,
  appId: string,
  kid: string,
): Promise<AppKeyState> {
  const keys = await okta.listAppKeys(appId);
  return {
    key: keys.find((k) => k.kid === kid),
    activeKids: keys.filter((k) => k.status === "ACTIVE").map((k) => k.kid),
  };
}

/** Whether AIM signing with `kid` is accepted as things are (the only ACTIVE key). */
export function isOnlyActiveKey(state: AppKeyState, kid: string): boolean {
  return state.activeKids.length === 1 && state.activeKids[0] === kid;
}

/** The key is in the app; added INACTIVE when it was not (nothing else changes). `state`: appKeyState's, read just before. */
export async function stageAppKey(
  okta: OktaAppKeys,
  appId: string,
  jwk: PublicAppJwk,
  state: AppKeyState,
): Promise<OktaAppJwk> {
  if (state.key) return state.key;
  const { kid, kty, n, e, x, y, crv } = jwk;
  const body = Object.fromEntries(
    Object.entries({ kid, kty, n, e, x, y, crv, status: "INACTIVE" }).filter(
      ([, v]) => v !== undefined,
    ),
  ) as OktaAppJwk;
  return okta.addAppKey(appId, body);
}

/**
 * The staged key becomes the app's only ACTIVE key. Returns the kids that
 * were ACTIVE before and an undo that restores exactly that.
 */
export async function makeOnlyActiveKey(
  okta: OktaAppKeys,
  appId: string,
  kid: string,
): Promise<{ previouslyActive: string[]; undo(): Promise<void> }> {
  const keys = await okta.listAppKeys(appId);
  const target = keys.find((k) => k.kid === kid);
  if (!target?.id) throw new Error(`the key ${kid} is not in Okta app ${appId}; stage it first`);
  const previouslyActive = keys.filter((k) => k.status === "ACTIVE");
  if (target.status !== "ACTIVE") await okta.setAppKeyStatus(appId, target.id, "ACTIVE");
  for (const k of previouslyActive)
    if (k.kid !== kid && k.id) await okta.setAppKeyStatus(appId, k.id, "INACTIVE");
  return {
    previouslyActive: previouslyActive.map((k) => k.kid),
    async undo() {
      for (const k of previouslyActive)
        if (k.kid !== kid && k.id) await okta.setAppKeyStatus(appId, k.id, "ACTIVE");
      if (target.status !== "ACTIVE" && target.id)
        await okta.setAppKeyStatus(appId, target.id, "INACTIVE");
    },
  };
}
