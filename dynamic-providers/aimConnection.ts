/**
 * `AimConnection`: the Okta connection of Databricks automatic identity
 * management (AIM), converged by core's `convergeAimConnection` (test the
 * candidate → configure → gate on findings → enable or disable → read back;
 * docs/architecture.md) through one of the two adapters of
 * core/databricks/aimAdmin.ts, chosen by `adapter`:
 *
 * - `auto` (the default): asks the account once per operation whether it has
 *   the admin API (core/databricks/aimAdapter.ts holds the rule) and uses
 *   `api` or `console`; the outputs `adapterUsed` and `adapterReason` say
 *   which and why, and an answer it cannot classify fails the operation;
 * - `api`: the assumed private-preview admin API (docs/aim-admin-api.md);
 * - `console`: configures nothing remotely; runs the same connection test
 *   itself and outputs the values to enter in the account console (the
 *   private key as the secret output `consolePrivateKeyPem`). Enabling is a
 *   click there; the resource reports whether AIM is on.
 *
 * Ordering: enabling is refused while the reconciliation reports error
 * findings, unless `acceptFindings` lists every such code. `check` puts the
 * blocking codes into the input `enableBlockedBy` (so a preview shows them),
 * and create/update configure and test the connection, then fail with the
 * reason instead of enabling.
 *
 * Drift: `diff` reads the live connection and compares it with the desired
 * one, so AIM switched off in the console shows in a plain `pulumi preview`
 * as an update with an info line that says what differs ("AIM is off in the
 * account …; the update turns it on"). The outputs keep the live state as of
 * the last update (`liveEnabled`, `liveConfigured`, `liveClientId`,
 * `liveAimStatus`); the inputs hold none of it (they would lag one up). "On" is confirmed through the public iamv2 look-up (see
 * aimAdmin.ts); give `probeExternalId` (the Okta id of an already linked
 * identity) so that the console adapter can tell "on" from "unknown".
 *
 * Secrets: the private key is a secret input (Pulumi encrypts it in state);
 * it is never in a non-secret output: `keyThumbprint` (the RFC 7638 kid of its
 * public half) stands for it in diffs. Databricks credentials come from
 * ./credentials.ts.
 *
 * Delete (pulumi destroy, or the connection removed from the program): with
 * `disableOnDelete` AIM is switched off first. Without it, delete refuses
 * while AIM is on with a connection to this stack's Okta app, which the same
 * destroy deletes next: it never leaves AIM enabled on a dead connection.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AimAdapterKind, AimAdapterMode } from "../core/model/aim";
import type { AimAdminState } from "../core/databricks/aimAdmin";
import type { AimConnectionTestResult } from "../core/databricks/api";
import type { FindingsSummary } from "./identityReconciliation";
import { databricksClient, logInfo, oktaAdminClient, rememberCredentials } from "./credentials";
import { initFailed } from "./initFailed";
import { forEngine } from "./forEngine";
import { loadCore } from "./loadCore";
import { accountIdProblems, databricksHostProblems, oktaOrgUrlProblems } from "./checks";
import { containsUnknown } from "./unknown";

/**
 * Every version must read state written by earlier ones.
 * v1: see Resolved…Inputs / Resolved…Outputs.
 * v2: consoleInstructions/consolePrivateKeyPem are null, never absent, with the api adapter
 *     (an absent output is unknown in a preview and showed as a stack-output change).
 * v3: the live connection is read in diff, not kept in the inputs (they lagged one up); the
 *     live* fields are outputs only.
 */
export const AIM_CONNECTION_PROVIDER_VERSION = "3";

export type AimAdapter = AimAdapterMode;

export interface AimConnectionArgs {
  /**
   * "auto" (default: "api" where the account answers the admin API, else
   * "console"), "api" (the private-preview admin API) or "console" (you
   * click; values are output).
   */
  readonly adapter?: pulumi.Input<AimAdapter>;
  /** `api` only: base path of the admin API (default /api/2.0/accounts/{account_id}/aim/okta). */
  readonly apiBasePath?: pulumi.Input<string>;
  /** Databricks accounts host, e.g. https://accounts.cloud.databricks.com. */
  readonly databricksHost: pulumi.Input<string>;
  /** Databricks account id (a UUID). */
  readonly accountId: pulumi.Input<string>;
  /** Okta org URL, https://{yourOktaDomain}. */
  readonly oktaOrgUrl: pulumi.Input<string>;
  /** Client ID of the Okta API Services app AIM uses. */
  readonly clientId: pulumi.Input<string>;
  /** kid of the key in the app's JWKS (needed when the app has several active keys). */
  readonly keyId?: pulumi.Input<string>;
  /**
   * ID of the Okta app (OktaAimApp.appId). Given, the connection keeps its key
   * the app's only ACTIVE key, switching it at a rotation just before AIM gets
   * it (AIM may send no `kid`); absent, the app's keys are left alone.
   */
  readonly oktaAppId?: pulumi.Input<string>;
  /** PKCS#8 PEM private key of the app's signing key; pass a secret (OktaAimApp.privateKeyPem). */
  readonly privateKeyPem: pulumi.Input<string>;
  /** Desired state of AIM (default true). false: configure and test only, keep AIM off. */
  readonly enabled?: pulumi.Input<boolean>;
  /** The reconciliation's findings (IdentityReconciliation.findings); error codes block enabling. */
  readonly reconciliationFindings?: pulumi.Input<FindingsSummary>;
  /**
   * Links the reconciliation still has to write (its `pending`, summed): AIM
   * is not enabled while any is (a backfill bounded per run is under way).
   */
  readonly reconciliationPending?: pulumi.Input<number>;
  /** Error finding codes accepted knowingly: AIM is enabled despite them. */
  readonly acceptFindings?: pulumi.Input<pulumi.Input<string>[]>;
  /** On delete, switch AIM off (default false: leave it as it is). */
  readonly disableOnDelete?: pulumi.Input<boolean>;
  /** Okta id of an identity already linked in Databricks, for the iamv2 "AIM is on" probe. */
  readonly probeExternalId?: pulumi.Input<string>;
}

/** What check and read bring in from the live connection. */
export interface LiveConnectionFields {
  liveConfigured?: boolean;
  liveEnabled?: boolean;
  /** "on" | "off" | "unknown" from the iamv2 probe. */
  liveAimStatus?: string;
  liveClientId?: string;
  liveOktaOrgUrl?: string;
}

export interface ResolvedAimConnectionInputs extends LiveConnectionFields {
  adapter: AimAdapter;
  apiBasePath?: string;
  databricksHost: string;
  accountId: string;
  oktaOrgUrl: string;
  clientId: string;
  keyId?: string;
  /** Absent (and in state written before it existed): the app's keys are left alone. */
  oktaAppId?: string;
  /** Secret input. */
  privateKeyPem: string;
  enabled: boolean;
  reconciliationFindings?: FindingsSummary;
  /** Absent (and in state written before it existed): none pending. */
  reconciliationPending?: number;
  acceptFindings: string[];
  disableOnDelete: boolean;
  probeExternalId?: string;
  providerVersion: string;
  /** From check: the kid (RFC 7638 thumbprint) of the private key's public half. */
  keyThumbprint?: string;
  /** From check: error finding codes not accepted (enabling is refused while non-empty). */
  enableBlockedBy?: string[];
}

export interface ResolvedAimConnectionOutputs extends Omit<
  ResolvedAimConnectionInputs,
  "privateKeyPem"
> {
  /** The last connection test (step messages are redacted by core). */
  connectionTest?: AimConnectionTestResult;
  /** The adapter the last update used ("api" or "console"; `auto` decides per operation). */
  adapterUsed?: AimAdapterKind;
  /** Why that adapter (core's aimAdapterLine without the prefix). */
  adapterReason?: string;
  liveAimStatusReason?: string;
  /** `console`: the steps to take in the account console (null with the api adapter). */
  consoleInstructions?: string[] | null;
  /** `console`: the private key to paste (secret output; null with the api adapter). */
  consolePrivateKeyPem?: string | null;
}

type Inputs = ResolvedAimConnectionInputs;
type Outputs = ResolvedAimConnectionOutputs;

/** Outputs that hold secrets (additionalSecretOutputs). */
export const AIM_CONNECTION_SECRET_OUTPUTS = ["privateKeyPem", "consolePrivateKeyPem"];

const REPLACING_INPUTS = ["databricksHost", "accountId"] as const;
/** Desired-state inputs whose change means reconfiguring. */
const SETTING_INPUTS = [
  "adapter",
  "apiBasePath",
  "oktaOrgUrl",
  "clientId",
  "keyId",
  "keyThumbprint",
  "oktaAppId",
  "enabled",
  "disableOnDelete",
  "probeExternalId",
  "providerVersion",
] as const;
const LIVE_FIELDS = [
  "liveConfigured",
  "liveEnabled",
  "liveAimStatus",
  "liveClientId",
  "liveOktaOrgUrl",
] as const;

/** Error codes of the findings not in acceptFindings (sorted); [] when nothing blocks. */
function blockingCodes(findings: FindingsSummary | undefined, accepted: string[]): string[] {
  return loadCore().enableBlockers(enableGate(findings, accepted, 0)).findingCodes;
}

/** The reconciliation's findings summary as core's gate (older state may lack errorCodes). */
function enableGate(
  findings: FindingsSummary | undefined,
  accepted: string[],
  pendingLinks: number | undefined,
) {
  return {
    errorCodes:
      findings && findings.error > 0 && Array.isArray(findings.errorCodes)
        ? findings.errorCodes
        : [],
    errorCount: findings?.error ?? 0,
    pendingLinks: pendingLinks ?? 0,
    accepted: accepted ?? [],
  };
}

/** The adapter of `inputs.adapter`, decided once per operation (auto asks the account). */
function openAdmin(
  inputs: Pick<
    Inputs,
    "adapter" | "apiBasePath" | "databricksHost" | "accountId" | "probeExternalId"
  >,
) {
  return loadCore().openAimAdmin({
    // State written before auto existed always holds "api" or "console".
    mode: inputs.adapter ?? "auto",
    client: databricksClient(inputs.databricksHost, inputs.accountId),
    basePath: inputs.apiBasePath || undefined,
    probeExternalId: inputs.probeExternalId || undefined,
  });
}

function liveFields(s: AimAdminState): LiveConnectionFields & { liveAimStatusReason: string } {
  const out: LiveConnectionFields & { liveAimStatusReason: string } = {
    liveConfigured: s.configured,
    liveEnabled: s.enabled,
    liveAimStatus: s.aimStatus,
    liveAimStatusReason: s.aimStatusReason,
  };
  if (s.clientId) out.liveClientId = s.clientId;
  if (s.oktaOrgUrl) out.liveOktaOrgUrl = s.oktaOrgUrl;
  return out;
}

function withoutLive<T extends object>(v: T): T {
  const copy = { ...v } as Record<string, unknown>;
  for (const k of LIVE_FIELDS) delete copy[k];
  return copy as T;
}

/** Problems with the inputs, each naming its field; `keyProblem`: what parsing the key found. */
function problems(news: Inputs, keyProblem: string | undefined): pulumi.dynamic.CheckFailure[] {
  const out: pulumi.dynamic.CheckFailure[] = [];
  const bad = (property: string, reason: string) => out.push({ property, reason });
  const known = (k: keyof Inputs) => !containsUnknown(news[k]);
  if (known("adapter") && !loadCore().isAimAdapterMode(news.adapter))
    bad("adapter", loadCore().aimAdapterModeProblem("[adapter]", news.adapter));
  if (
    known("apiBasePath") &&
    news.apiBasePath !== undefined &&
    (typeof news.apiBasePath !== "string" || !news.apiBasePath.startsWith("/"))
  )
    bad(
      "apiBasePath",
      "[apiBasePath] must be a path starting with /, e.g. /api/2.0/accounts/{account_id}/aim/okta.",
    );
  out.push(
    ...databricksHostProblems(news.databricksHost),
    ...accountIdProblems(news.accountId),
    ...oktaOrgUrlProblems("oktaOrgUrl", news.oktaOrgUrl),
  );
  if (known("clientId") && (typeof news.clientId !== "string" || !news.clientId.trim()))
    bad("clientId", "[clientId] must be the Client ID of the Okta API Services app.");
  if (
    known("oktaAppId") &&
    news.oktaAppId !== undefined &&
    (typeof news.oktaAppId !== "string" || !/^[A-Za-z0-9]+$/.test(news.oktaAppId))
  )
    bad(
      "oktaAppId",
      "[oktaAppId] must be the ID of the Okta API Services app (OktaAimApp.appId, e.g. 0oa1b2c3d4), or left out to leave the app's keys alone.",
    );
  // core's message names the field and never echoes the key.
  if (keyProblem) bad("privateKeyPem", keyProblem);
  if (known("enabled") && typeof news.enabled !== "boolean")
    bad("enabled", "[enabled] must be true or false.");
  if (known("disableOnDelete") && typeof news.disableOnDelete !== "boolean")
    bad("disableOnDelete", "[disableOnDelete] must be true or false.");
  if (known("acceptFindings")) {
    const { FINDING_CODES } = loadCore();
    const list = news.acceptFindings;
    if (!Array.isArray(list) || list.some((c) => typeof c !== "string"))
      bad(
        "acceptFindings",
        '[acceptFindings] must be a list of finding codes, e.g. ["EXTERNAL_ID_FOREIGN"].',
      );
    else
      for (const c of list)
        if (!(FINDING_CODES as readonly string[]).includes(c))
          bad(
            "acceptFindings",
            `[acceptFindings] lists "${c}", which is not a finding code: use ${FINDING_CODES.join(", ")}.`,
          );
  }
  return out;
}

/** The Okta app whose only ACTIVE key must be the connection's (credentials: ./credentials.ts). */
async function appKeyTarget(
  inputs: Inputs,
  appId: string,
): Promise<import("../core/workflows").AppKeyTarget> {
  const { publicJwkFromPrivateKeyPem } = loadCore();
  return {
    // Adding and (de)activating app keys is app management: okta.apps.manage for a service app.
    okta: oktaAdminClient(inputs.oktaOrgUrl, "apps"),
    appId,
    jwk: await publicJwkFromPrivateKeyPem(inputs.privateKeyPem),
  };
}

/** core's convergeAimConnection; returns outputs. Throws (state kept) when enabling is refused. */
async function converge(
  id: string | undefined,
  inputs: Inputs,
): Promise<{ id: string; outs: Outputs }> {
  const { admin, choice } = await openAdmin(inputs);
  const label = `AimConnection ${inputs.accountId} (${choice.used})`;
  logInfo(`AimConnection ${inputs.accountId}: ${loadCore().aimAdapterLine(choice)}`);
  const r = await loadCore().convergeAimConnection(admin, {
    config: {
      oktaOrgUrl: inputs.oktaOrgUrl,
      clientId: inputs.clientId,
      privateKey: inputs.privateKeyPem,
      ...(inputs.keyId ? { keyId: inputs.keyId } : {}),
    },
    enabled: inputs.enabled,
    gate: enableGate(
      inputs.reconciliationFindings,
      inputs.acceptFindings ?? [],
      inputs.reconciliationPending,
    ),
    ...(inputs.oktaAppId ? { appKey: await appKeyTarget(inputs, inputs.oktaAppId) } : {}),
  });
  if (r.appKey?.action === "switched")
    logInfo(
      `${label}: the new key is now the Okta app's only active key (was: ${r.appKey.previouslyActive?.join(", ") || "none"})${r.appKey.rolledBack ? "; rolled back: the connection test with it failed" : ""}`,
    );
  if (r.outcome === "testFailed" || !r.state) {
    const failed = r.test.steps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.message}`);
    throw new Error(
      `${label}: the connection test failed (${failed.join("; ") || "no steps ran"}); nothing was configured. Fix the Okta app (scopes, Read-Only Admin role, DPoP off, key in its JWKS) and run again.`,
    );
  }
  if (r.outcome === "enabled") logInfo(`${label}: AIM enabled`);
  if (r.outcome === "disabled") logInfo(`${label}: AIM disabled (enabled: false)`);
  const blocked = r.blockers.findingCodes;
  const resourceId = id ?? `${inputs.accountId}/okta`;
  const { privateKeyPem: _key, ...rest } = inputs;
  const outs: Outputs = {
    ...withoutLive(rest),
    enableBlockedBy: blocked,
    connectionTest: r.test,
    adapterUsed: choice.used,
    adapterReason: choice.reason,
    ...liveFields(r.state),
    consoleInstructions: null,
    consolePrivateKeyPem: null,
  };
  if (r.console) outs.consoleInstructions = r.console.instructions;
  if (r.outcome === "blocked" && blocked.length === 0) {
    // Only links still to write (a backfill bounded per run): not a failure of this up.
    logInfo(
      `${label}: AIM not enabled yet: ${r.blockers.pendingLinks} link(s) still to write; a later pulumi up enables it once none is pending. The connection is configured and tested.`,
    );
    return { id: resourceId, outs };
  }
  if (r.outcome === "blocked") {
    // id + properties: the host records the configured, tested connection; only enabling is refused.
    throw initFailed(
      `${label}: AIM not enabled: the reconciliation reports error findings ${blocked.join(", ")} (${inputs.reconciliationFindings?.error ?? 0} error(s)). Resolve them (aimctl plan lists them) or, if you accept them, add the codes to acceptFindings. The connection is configured and tested.`,
      resourceId,
      outs,
    );
  }
  if (admin.mode === "console") outs.consolePrivateKeyPem = inputs.privateKeyPem;
  return { id: resourceId, outs };
}

/**
 * How the live connection differs from the desired one, in words (what a
 * preview prints). Read here in `diff`, not in `check`: stored inputs are
 * written before the update, so a live value kept in them would lag one `up`
 * (after an up that enabled AIM, a later "switched off" preview read
 * `liveEnabled: false => false`). The outputs keep the live state as of the
 * last update.
 */
async function liveDrift(olds: Outputs, news: Inputs): Promise<string[]> {
  const where = [
    "adapter",
    "apiBasePath",
    "databricksHost",
    "accountId",
    "probeExternalId",
  ] as const;
  if (where.some((k) => containsUnknown(news[k]))) return [];
  const { admin, choice } = await openAdmin(news);
  const live = liveFields(await admin.read());
  const drift: string[] = [];
  // auto: the account gained (or lost) the admin API since the last update.
  if (olds.adapterUsed !== undefined && olds.adapterUsed !== choice.used)
    drift.push(
      `${loadCore().aimAdapterLine(choice)}, not ${olds.adapterUsed} as at the last update; the update ${choice.used === "api" ? "configures the connection through the admin API" : "gives the values to enter in the account console"}`,
    );
  if (live.liveEnabled !== undefined && live.liveEnabled !== news.enabled)
    drift.push(
      `AIM is ${live.liveEnabled ? "on" : "off"} in the account (${live.liveAimStatusReason}); the update turns it ${news.enabled ? "on" : "off"}`,
    );
  if (admin.mode === "api" && live.liveConfigured === false)
    drift.push(
      "no AIM connection is configured in the account; the update configures and tests it",
    );
  if (live.liveClientId !== undefined && live.liveClientId !== news.clientId)
    drift.push(
      `the connection uses client ${live.liveClientId}, not ${news.clientId}; the update reconfigures it`,
    );
  if (
    live.liveOktaOrgUrl !== undefined &&
    live.liveOktaOrgUrl.replace(/\/+$/, "") !== news.oktaOrgUrl.replace(/\/+$/, "")
  )
    drift.push(
      `the connection points at ${live.liveOktaOrgUrl}, not ${news.oktaOrgUrl}; the update reconfigures it`,
    );
  return drift;
}

export const aimConnectionProvider: pulumi.dynamic.ResourceProvider<Inputs, Outputs> = forEngine({
  async configure(req) {
    rememberCredentials(req.config);
  },

  async check(_olds, news) {
    const inputs: Inputs = {
      ...news,
      enabled: news.enabled ?? true,
      acceptFindings: news.acceptFindings ?? [],
      disableOnDelete: news.disableOnDelete ?? false,
    };
    // The key is parsed once here: its problems, else its thumbprint.
    let key: import("../core/keys/privateKey").AppPrivateKey | undefined;
    let keyProblem: string | undefined;
    if (!containsUnknown(inputs.privateKeyPem)) {
      try {
        key = loadCore().parsePrivateKey(inputs.privateKeyPem, "[privateKeyPem]");
      } catch (err) {
        keyProblem = (err as Error).message;
      }
    }
    const failures = problems(inputs, keyProblem);
    if (failures.length > 0) return { inputs, failures };
    const out: Inputs = withoutLive(inputs);
    delete out.keyThumbprint;
    delete out.enableBlockedBy;
    if (key) out.keyThumbprint = await loadCore().keyThumbprint(key);
    if (!containsUnknown(inputs.reconciliationFindings) && !containsUnknown(inputs.acceptFindings))
      out.enableBlockedBy = blockingCodes(inputs.reconciliationFindings, inputs.acceptFindings);
    return { inputs: out };
  },

  async diff(_id, olds, news) {
    const replaces = REPLACING_INPUTS.filter((k) => olds[k] !== news[k]);
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: false };
    const watched = [
      ...SETTING_INPUTS,
      "privateKeyPem",
      "reconciliationFindings",
      "acceptFindings",
    ] as const;
    if (watched.some((k) => containsUnknown((news as unknown as Record<string, unknown>)[k])))
      return { changes: true, replaces: [] };
    const settings = SETTING_INPUTS.some((k) => (olds[k] ?? null) !== (news[k] ?? null));
    const gate =
      JSON.stringify(olds.enableBlockedBy ?? []) !== JSON.stringify(news.enableBlockedBy ?? []);
    const drift = await liveDrift(olds, news);
    if (drift.length > 0)
      logInfo(`AimConnection ${news.accountId} (${news.adapter}): ${drift.join("; ")}`);
    return {
      changes: settings || gate || drift.length > 0,
      replaces: [],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs) {
    return converge(undefined, inputs);
  },

  async read(id, props) {
    if (!props) return { id, props };
    const { admin, choice } = await openAdmin(props);
    const state = await admin.read();
    // The api connection is gone (deleted out of band): so is this resource. Not when the last
    // update used the console path (auto, the account has gained the API): nothing was stored.
    const lastUsed = props.adapterUsed ?? props.adapter;
    if (admin.mode === "api" && lastUsed === "api" && !state.configured) return { id: "" };
    return {
      id,
      props: {
        ...props,
        ...liveFields(state),
        adapterUsed: choice.used,
        adapterReason: choice.reason,
      },
    };
  },

  async update(id, _olds, news) {
    return { outs: (await converge(id, news)).outs };
  },

  async delete(_id, props) {
    const { admin: aim } = await openAdmin(props);
    if (props.disableOnDelete) {
      // console: core refuses with the clicks to make (ERR_AIM_CONSOLE_ONLY).
      await aim.disable();
      logInfo(`AimConnection ${props.accountId}: AIM disabled (disableOnDelete)`);
      return;
    }
    // Never leave AIM enabled on a connection whose Okta app this destroy is about to delete:
    // the connection goes first (it depends on the app), so refusing here keeps everything.
    const live = await aim.read();
    const usesThisApp = live.clientId === undefined || live.clientId === props.clientId;
    if (live.enabled && usesThisApp)
      throw new Error(
        `AimConnection ${props.accountId}: not deleted: AIM is on and signs in to Okta with the app this stack manages (client ${props.clientId}); deleting the app would leave AIM enabled on a dead connection, failing every sync and login. Nothing was changed. To switch AIM off first: \`pulumi config set oktaAim:disableOnDelete true\`, \`pulumi up\`, then destroy again. To keep AIM running, keep the app: \`pulumi config set oktaAim:protect true\` and \`pulumi up\` protect the Okta app and the AIM connection, so that a destroy stops before deleting anything; or hand them over to another stack with \`pulumi state delete\`.`,
      );
  },
});

/** The AIM connection in the Databricks account: tested, configured, then enabled. */
export class AimConnection extends pulumi.dynamic.Resource {
  declare readonly adapter: pulumi.Output<AimAdapter>;
  declare readonly clientId: pulumi.Output<string>;
  /** Desired state of AIM. */
  declare readonly enabled: pulumi.Output<boolean>;
  /** Live: is AIM on (iamv2 probe, else the connection's flag). */
  declare readonly liveEnabled: pulumi.Output<boolean>;
  declare readonly liveConfigured: pulumi.Output<boolean>;
  declare readonly liveAimStatus: pulumi.Output<string>;
  declare readonly liveAimStatusReason: pulumi.Output<string>;
  declare readonly keyThumbprint: pulumi.Output<string>;
  /** Error finding codes that keep AIM off (not in acceptFindings). */
  declare readonly enableBlockedBy: pulumi.Output<string[]>;
  declare readonly connectionTest: pulumi.Output<AimConnectionTestResult>;
  /** The adapter the last update used: "api" or "console" (`auto` decides by asking the account). */
  declare readonly adapterUsed: pulumi.Output<AimAdapterKind>;
  /** Why that adapter, e.g. "auto: GET …/connection answered 404 ENDPOINT_NOT_FOUND, so …". */
  declare readonly adapterReason: pulumi.Output<string>;
  /** `console` adapter: what to do in the account console. */
  declare readonly consoleInstructions: pulumi.Output<string[] | null>;
  /** `console` adapter: the private key to paste there (secret). */
  declare readonly consolePrivateKeyPem: pulumi.Output<string | null>;

  constructor(name: string, args: AimConnectionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      aimConnectionProvider,
      name,
      {
        adapter: args.adapter ?? "auto",
        apiBasePath: args.apiBasePath,
        databricksHost: args.databricksHost,
        accountId: args.accountId,
        oktaOrgUrl: args.oktaOrgUrl,
        clientId: args.clientId,
        keyId: args.keyId,
        oktaAppId: args.oktaAppId,
        // Secret whatever the caller passed: Pulumi encrypts it in state.
        privateKeyPem: pulumi.secret(args.privateKeyPem),
        enabled: args.enabled ?? true,
        reconciliationFindings: args.reconciliationFindings,
        reconciliationPending: args.reconciliationPending,
        acceptFindings: args.acceptFindings ?? [],
        disableOnDelete: args.disableOnDelete ?? false,
        probeExternalId: args.probeExternalId,
        providerVersion: AIM_CONNECTION_PROVIDER_VERSION,
        keyThumbprint: undefined,
        enableBlockedBy: undefined,
        liveConfigured: undefined,
        liveEnabled: undefined,
        liveAimStatus: undefined,
        liveAimStatusReason: undefined,
        liveClientId: undefined,
        liveOktaOrgUrl: undefined,
        connectionTest: undefined,
        adapterUsed: undefined,
        adapterReason: undefined,
        consoleInstructions: undefined,
        consolePrivateKeyPem: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          ...AIM_CONNECTION_SECRET_OUTPUTS,
        ],
      },
      "okta-databricks-aim",
      "AimConnection",
    );
  }
}
