/**
 * The "Require DPoP" setting of an Okta app
 * (`settings.oauthClient.dpop_bound_access_tokens`). AIM's client sends no
 * DPoP proof, so its token requests fail with `invalid_dpop_proof` while the
 * setting is on; the Okta Pulumi provider has no argument for it.
 */
import type { OktaApp } from "../model/tenant";
import { AimError, ERROR_CODES } from "../http/errors";
import type { OktaAppAdmin } from "./api";

/** The scope a token needs to read and update an app (a full-object PUT), as an OAuth service app asks for it. */
export const OKTA_APPS_MANAGE_SCOPES = ["okta.apps.manage"] as const;

export interface AppDpopState {
  appId: string;
  clientId: string;
  label: string;
  dpopBoundAccessTokens: boolean;
}

/** An absent flag reads as false (what Okta does for apps created before DPoP existed). */
export function appDpopState(app: OktaApp): AppDpopState {
  return {
    appId: app.id,
    clientId: app.credentials?.oauthClient?.client_id ?? app.id,
    label: app.label,
    dpopBoundAccessTokens: app.settings?.oauthClient?.dpop_bound_access_tokens === true,
  };
}

/** The live setting, or undefined when the app does not exist. */
export async function readAppDpop(
  admin: Pick<OktaAppAdmin, "getApp">,
  appId: string,
): Promise<AppDpopState | undefined> {
  const app = await admin.getApp(appId);
  return app ? appDpopState(app) : undefined;
}

export interface SetAppDpopResult {
  before: AppDpopState;
  after: AppDpopState;
  /** False when the app already had the wanted value (no PUT sent). */
  changed: boolean;
}

/**
 * Sets the flag: GET the app, change only the flag, PUT the full object back
 * (Okta's app update replaces the whole object). No PUT when nothing changes.
 */
export async function setAppDpop(
  admin: Pick<OktaAppAdmin, "getApp" | "updateApp">,
  appId: string,
  dpopBoundAccessTokens: boolean,
): Promise<SetAppDpopResult> {
  const app = await admin.getApp(appId);
  if (!app) {
    throw new AimError(
      ERROR_CODES.oktaAppNotFound,
      `Okta app ${appId} does not exist; create the API Services app first (okta.app.OAuth) and pass its id.`,
    );
  }
  const before = appDpopState(app);
  if (before.dpopBoundAccessTokens === dpopBoundAccessTokens) {
    return { before, after: before, changed: false };
  }
  const updated = await admin.updateApp(appId, {
    ...app,
    settings: {
      ...app.settings,
      oauthClient: { ...app.settings.oauthClient, dpop_bound_access_tokens: dpopBoundAccessTokens },
    },
  });
  const after = appDpopState(updated);
  if (after.dpopBoundAccessTokens !== dpopBoundAccessTokens) {
    throw new AimError(
      ERROR_CODES.oktaDpopNotPersisted,
      `Okta accepted the update of app ${appId} but dpop_bound_access_tokens is still ${after.dpopBoundAccessTokens}; turn "Require DPoP" off in the admin console (Applications > the app > General).`,
    );
  }
  return { before, after, changed: true };
}
