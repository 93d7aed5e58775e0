/**
 * `OktaAppDpop`: keeps `settings.oauthClient.dpop_bound_access_tokens` false on
 * an Okta app (the Okta provider cannot express it; AIM's client sends no DPoP
 * proof). create/update: GET the app, set the flag, PUT the full object.
 *
 * What a reviewer sees: `diff` reads the live flag; after someone turned
 * DPoP back on, a plain `pulumi preview` shows an update of this resource and
 * an info line that says so. The live value is not kept in the inputs: they
 * are stored before the update, so it would lag one up. `read` (refresh)
 * returns the live value as the input `dpopBoundAccessTokens`, so
 * `pulumi preview --refresh` shows `dpopBoundAccessTokens: true => false`.
 *
 * Credentials: an Okta admin API token or the Okta provider's OAuth service
 * app with okta.apps.manage (./credentials.ts, read in `configure` or from
 * the environment), never from the serialised closure nor inputs or outputs. delete leaves the app alone (false is the safe value,
 * and the app itself belongs to okta.app.OAuth).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AppDpopState } from "../core/okta/appDpop";
import { oktaOrgUrlProblems } from "./checks";
import { logInfo, oktaAdminClient, rememberCredentials } from "./credentials";
import { forEngine } from "./forEngine";
import { loadCore } from "./loadCore";
import { isUnknown } from "./unknown";

/**
 * Every version must read state written by earlier ones.
 * v1: orgUrl, appId, dpopBoundAccessTokens, liveDpopBoundAccessTokens; outs add clientId, label.
 * v2: the live flag is read in diff and kept in the outputs only (as an input it lagged one up).
 */
export const OKTA_APP_DPOP_PROVIDER_VERSION = "2";

export interface OktaAppDpopArgs {
  /** https://{yourOktaDomain} (http only for loopback). */
  readonly orgUrl: pulumi.Input<string>;
  /** ID of the Okta app (okta.app.OAuth `id`). */
  readonly appId: pulumi.Input<string>;
}

export interface ResolvedOktaAppDpopInputs {
  orgUrl: string;
  appId: string;
  /** Desired value; always false. */
  dpopBoundAccessTokens: boolean;
  /** v1 state only: the live value seen by its last `check`. */
  liveDpopBoundAccessTokens?: boolean;
  providerVersion: string;
}

export interface ResolvedOktaAppDpopOutputs extends ResolvedOktaAppDpopInputs {
  /** The live value after the last update (or refresh). */
  liveDpopBoundAccessTokens?: boolean;
  clientId: string;
  label: string;
}

/** Outputs from a live state; the inputs pass through unchanged. */
function outputsOf(
  inputs: ResolvedOktaAppDpopInputs,
  live: AppDpopState,
): ResolvedOktaAppDpopOutputs {
  return {
    ...inputs,
    liveDpopBoundAccessTokens: live.dpopBoundAccessTokens,
    clientId: live.clientId,
    label: live.label,
  };
}

export const oktaAppDpopProvider: pulumi.dynamic.ResourceProvider<
  ResolvedOktaAppDpopInputs,
  ResolvedOktaAppDpopOutputs
> = forEngine({
  async configure(req) {
    rememberCredentials(req.config);
  },

  async check(_olds, news) {
    const failures = oktaOrgUrlProblems("orgUrl", news.orgUrl);
    if (!isUnknown(news.appId) && (typeof news.appId !== "string" || !news.appId.trim())) {
      failures.push({ property: "appId", reason: "[appId] must be the id of the Okta app." });
    }
    if (news.dpopBoundAccessTokens !== false) {
      failures.push({
        property: "dpopBoundAccessTokens",
        reason: "[dpopBoundAccessTokens] must be false: AIM's client sends no DPoP proof.",
      });
    }
    const { liveDpopBoundAccessTokens: _v1, ...inputs } = news;
    return { inputs, failures };
  },

  async diff(_id, olds, news) {
    const replaces = (["orgUrl", "appId"] as const).filter((k) => olds[k] !== news[k]);
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    if (isUnknown(news.orgUrl) || isUnknown(news.appId)) return { changes: true };
    const live = (await loadCore().readAppDpop(oktaAdminClient(news.orgUrl, "apps"), news.appId))
      ?.dpopBoundAccessTokens;
    const drift = live !== undefined && live !== news.dpopBoundAccessTokens;
    if (drift)
      logInfo(
        `OktaAppDpop ${news.appId}: "Require DPoP" (dpop_bound_access_tokens) is ${live ? "on" : "off"} in Okta; AIM's client sends no DPoP proof, so its token requests would fail: the update turns it ${news.dpopBoundAccessTokens ? "on" : "off"}`,
      );
    const changes =
      drift ||
      olds.dpopBoundAccessTokens !== news.dpopBoundAccessTokens ||
      olds.providerVersion !== news.providerVersion;
    return { changes, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const { after } = await loadCore().setAppDpop(
      oktaAdminClient(inputs.orgUrl, "apps"),
      inputs.appId,
      inputs.dpopBoundAccessTokens,
    );
    return { id: inputs.appId, outs: outputsOf(inputs, after) };
  },

  async read(id, props) {
    if (!props) return { id, props };
    const live = await loadCore().readAppDpop(
      oktaAdminClient(props.orgUrl, "apps"),
      props.appId ?? id,
    );
    // The app is gone: so is this setting (an empty ID tells the engine).
    if (!live) return { id: "" };
    const outs = outputsOf(props, live);
    const { clientId: _c, label: _l, liveDpopBoundAccessTokens: _live, ...inputs } = outs;
    return {
      id,
      props: { ...outs, dpopBoundAccessTokens: live.dpopBoundAccessTokens },
      // Refresh records what Okta has, so the next preview diffs desired against it.
      // ReadResult types inputs as outputs; they are the input subset here.
      inputs: {
        ...inputs,
        dpopBoundAccessTokens: live.dpopBoundAccessTokens,
      } as ResolvedOktaAppDpopOutputs,
    };
  },

  async update(_id, _olds, news) {
    const { after } = await loadCore().setAppDpop(
      oktaAdminClient(news.orgUrl, "apps"),
      news.appId,
      news.dpopBoundAccessTokens,
    );
    return { outs: outputsOf(news, after) };
  },

  async delete() {
    // Leave the app as it is: false is the safe value and the app belongs to okta.app.OAuth.
  },
});

/** Keeps "Require DPoP" off on an Okta app. */
export class OktaAppDpop extends pulumi.dynamic.Resource {
  declare readonly appId: pulumi.Output<string>;
  declare readonly clientId: pulumi.Output<string>;
  /** Desired: false. */
  declare readonly dpopBoundAccessTokens: pulumi.Output<boolean>;
  /** Live value seen when this resource was last checked or written. */
  declare readonly liveDpopBoundAccessTokens: pulumi.Output<boolean>;

  constructor(name: string, args: OktaAppDpopArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      oktaAppDpopProvider,
      name,
      {
        orgUrl: args.orgUrl,
        appId: args.appId,
        dpopBoundAccessTokens: false,
        providerVersion: OKTA_APP_DPOP_PROVIDER_VERSION,
        liveDpopBoundAccessTokens: undefined,
        clientId: undefined,
        label: undefined,
      },
      opts,
      "okta-databricks-aim",
      "OktaAppDpop",
    );
  }
}
