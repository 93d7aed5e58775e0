/**
 * The AIM connection use case, called by `aimctl apply --enable-aim` (which
 * prints) and the AimConnection provider (which translates to Pulumi). One
 * order, safe by construction (docs/architecture.md, "Enabling AIM"):
 *
 * 0. when the candidate's key is not yet the Okta app's only ACTIVE key (a
 *    rotation): put it in the app INACTIVE, test the stored connection (how
 *    AIM is doing before anything changes), then make it the only ACTIVE key
 *    (core/okta/appKeys.ts: AIM may send no `kid`, and Okta refuses a
 *    kid-less assertion while two keys are ACTIVE); `console`: stage it only
 *    while the previous key is still ACTIVE (AIM holds that one until the new
 *    key is entered by hand; the instructions say how to retire it, and the
 *    `up` that does activates the new key);
 * 1. test the candidate configuration (the adapter's connection test with
 *    the values to configure, not the stored ones); when it fails, stop:
 *    nothing is configured, so AIM is never switched to, or left on, a
 *    connection known to fail, and a key switch of step 0 is undone;
 * 2. configure it (`api`: PUT, which keeps AIM's on/off state; `console`:
 *    the values to enter by hand);
 * 3. gate: enabling is refused while links are pending or unaccepted error
 *    findings remain (switching off is never gated);
 * 4. enable, or disable when AIM should be off and is on (`api` only);
 * 5. read back what AIM reports now.
 */
import type { AimConnectionTestResult } from "../databricks/api";
import type {
  AimAdminState,
  AimConnectionConfig,
  ApiAimAdmin,
  ConsoleAimAdmin,
  ConsoleConfigureResult,
} from "../databricks/aimAdmin";
import type { OktaAppKeys } from "../okta/api";
import {
  appKeyState,
  isOnlyActiveKey,
  makeOnlyActiveKey,
  stageAppKey,
  type PublicAppJwk,
} from "../okta/appKeys";
import type { Snapshot } from "../reconcile/snapshot";

/** What enabling AIM waits for (from the reconciliation), and what is accepted knowingly. */
export interface EnableGate {
  /** Codes of the reconciliation's error findings (any order, repeats allowed). */
  errorCodes: readonly string[];
  /**
   * Error findings counted. State written before codes were kept has the
   * count only: then enabling is blocked on the count alone.
   */
  errorCount?: number;
  /** Links still to write: AIM would create a duplicate at each such identity's first login. */
  pendingLinks?: number;
  /** Error finding codes accepted: AIM is enabled despite them. */
  accepted: readonly string[];
}

/** Stands for error findings whose codes are unknown (see EnableGate.errorCount). */
export const UNKNOWN_ERROR_FINDINGS = "ERROR_FINDINGS";

export interface EnableBlockers {
  pendingLinks: number;
  /** Error finding codes not accepted, sorted and unique. */
  findingCodes: string[];
}

/** What keeps AIM from being enabled; nothing when both lists are empty. */
export function enableBlockers(gate: EnableGate): EnableBlockers {
  const pendingLinks = gate.pendingLinks ?? 0;
  const known = [...new Set(gate.errorCodes)];
  if (known.length === 0 && (gate.errorCount ?? 0) > 0)
    return { pendingLinks, findingCodes: [UNKNOWN_ERROR_FINDINGS] };
  return { pendingLinks, findingCodes: known.filter((c) => !gate.accepted.includes(c)).sort() };
}

export function isBlocked(b: EnableBlockers): boolean {
  return b.pendingLinks > 0 || b.findingCodes.length > 0;
}

/**
 * - `testFailed`: the candidate failed its test; nothing was configured;
 * - `blocked`: configured and tested, enabling refused (see `blockers`);
 * - `enabled`: AIM is on with the configuration;
 * - `disabled`: AIM was on and is now off, as desired;
 * - `configured`: configured and tested; AIM stays off, as desired;
 * - `console`: the `console` adapter: nothing is switched remotely; the
 *   values to enter and the clicks are in `console`.
 */
export type AimConvergeOutcome =
  "testFailed" | "blocked" | "enabled" | "disabled" | "configured" | "console";

/** Where the candidate's key must be the one ACTIVE key: the Okta app AIM signs in to. */
export interface AppKeyTarget {
  okta: OktaAppKeys;
  appId: string;
  /** The public half of the candidate's private key. */
  jwk: PublicAppJwk;
}

export interface ConvergeAimConnectionOptions {
  config: AimConnectionConfig;
  /** Desired: AIM on (true) or off (false). */
  enabled: boolean;
  gate: EnableGate;
  /** Keep the candidate's key the app's only ACTIVE key (step 0); absent: the app is not touched. */
  appKey?: AppKeyTarget;
}

/**
 * What step 0 did: `unchanged` (already the only ACTIVE key), `switched`
 * (now it is; `rolledBack` when the candidate then failed its test),
 * `staged` (console: in the app, INACTIVE, for the switch by hand).
 */
export interface AppKeyOutcome {
  action: "unchanged" | "switched" | "staged";
  /** kids that were ACTIVE before (switched). */
  previouslyActive?: string[];
  /** The stored connection's own test before the switch (absent: nothing stored yet). */
  storedTestBefore?: boolean;
  rolledBack?: boolean;
}

export interface ConvergeAimConnectionResult {
  outcome: AimConvergeOutcome;
  test: AimConnectionTestResult;
  blockers: EnableBlockers;
  /** `console`: what to enter in the account console (the key non-enumerable) and the steps. */
  console?: Pick<ConsoleConfigureResult, "consoleValues" | "instructions">;
  /** AIM as read back at the end (absent on `testFailed`: nothing changed). */
  state?: AimAdminState;
  appKey?: AppKeyOutcome;
}

/** What the workflow needs of an adapter (createAimAdmin's ApiAimAdmin or ConsoleAimAdmin). */
export type ConvergeableAim =
  | (Pick<ApiAimAdmin, "mode" | "test" | "configure" | "enable" | "disable" | "read"> &
      Partial<Pick<ApiAimAdmin, "testStored">>)
  | Pick<ConsoleAimAdmin, "mode" | "test" | "configure" | "read">;

const STAGED_NOT_TESTED =
  "not tested: the new key waits INACTIVE in the Okta app until it is switched by hand";

/** The instruction the console adapter adds when a new key waits INACTIVE in the app. */
export const CONSOLE_KEY_SWITCH_INSTRUCTION =
  "The new key is in the Okta app but INACTIVE (AIM may send no kid, and Okta refuses that while two keys are active). Right after entering it in the account console, make it the app's only active key: `pulumi config set oktaAim:retirePreviousKey true`, `pulumi up` (unset it afterwards). Until both are done, AIM's syncs fail.";

/** Step 0 (see the file comment); the undo of a switch when the candidate then fails. */
async function keepOnlyActiveKey(
  aim: ConvergeableAim,
  target: AppKeyTarget,
): Promise<{ outcome: AppKeyOutcome; undo?: () => Promise<void> }> {
  const state = await appKeyState(target.okta, target.appId, target.jwk.kid);
  if (isOnlyActiveKey(state, target.jwk.kid)) return { outcome: { action: "unchanged" } };
  await stageAppKey(target.okta, target.appId, target.jwk, state);
  // console: the switch waits until the previous key has left the app (retirePreviousKey, once the
  // new key is entered by hand); with no other ACTIVE key left, activating the new one is the switch.
  if (aim.mode === "console" && state.activeKids.some((k) => k !== target.jwk.kid))
    return { outcome: { action: "staged" } };
  const before =
    aim.mode === "api" && aim.testStored
      ? await aim.testStored().catch(() => undefined)
      : undefined;
  const sw = await makeOnlyActiveKey(target.okta, target.appId, target.jwk.kid);
  return {
    outcome: {
      action: "switched",
      previouslyActive: sw.previouslyActive,
      ...(before ? { storedTestBefore: before.success } : {}),
    },
    undo: sw.undo,
  };
}

/** Test → configure → gate → enable/disable → read back (see the file comment). */
export async function convergeAimConnection(
  aim: ConvergeableAim,
  opts: ConvergeAimConnectionOptions,
): Promise<ConvergeAimConnectionResult> {
  const blockers = enableBlockers(opts.gate);
  const key = opts.appKey ? await keepOnlyActiveKey(aim, opts.appKey) : undefined;
  const appKey = key ? { appKey: key.outcome } : {};
  // console, new key staged: Okta refuses an INACTIVE key, so there is nothing to test until the
  // switch by hand (the instructions say so); the previous key stays the one AIM can use.
  const test =
    key?.outcome.action === "staged"
      ? { success: false, steps: [{ name: "token", ok: false, message: STAGED_NOT_TESTED }] }
      : await aim.test(opts.config);
  if (!test.success && key?.outcome.action !== "staged") {
    if (key?.undo) {
      await key.undo();
      key.outcome.rolledBack = true;
    }
    return { outcome: "testFailed", test, blockers, ...appKey };
  }

  if (aim.mode === "console") {
    const c = await aim.configure(opts.config);
    const outcome = opts.enabled && isBlocked(blockers) ? "blocked" : "console";
    const instructions =
      key?.outcome.action === "staged"
        ? [...c.instructions, CONSOLE_KEY_SWITCH_INSTRUCTION]
        : c.instructions;
    return {
      outcome,
      test,
      blockers,
      console: { consoleValues: c.consoleValues, instructions },
      state: await aim.read(),
      ...appKey,
    };
  }

  const configured = await aim.configure(opts.config);
  let outcome: AimConvergeOutcome;
  if (opts.enabled) {
    if (isBlocked(blockers)) outcome = "blocked";
    else {
      await aim.enable();
      outcome = "enabled";
    }
  } else if (configured.enabled) {
    await aim.disable();
    outcome = "disabled";
  } else outcome = "configured";
  return { outcome, test, blockers, state: await aim.read(), ...appKey };
}

/**
 * The Okta id of one identity already linked in Databricks (a user whose
 * externalId is a live Okta user's id): the only safe iamv2 "is AIM on"
 * probe, since that look-up is get-or-create while AIM is on.
 */
export function linkedProbeId(snapshot: Pick<Snapshot, "okta" | "databricks">): string | undefined {
  const okta = new Set(
    snapshot.okta.users.filter((u) => u.status !== "DEPROVISIONED").map((u) => u.id),
  );
  const linked = snapshot.databricks.users
    .filter((u) => typeof u.externalId === "string" && okta.has(u.externalId))
    .map((u) => u.externalId as string)
    .sort();
  return linked[0];
}
