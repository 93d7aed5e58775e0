/**
 * The AIM connection use case, called by `aimctl apply --enable-aim` (which
 * prints) and the AimConnection provider (which translates to Pulumi). One
 * order, safe by construction (docs/architecture.md, "Enabling AIM"):
 *
 * 1. test the candidate configuration (the adapter's connection test with
 *    the values to configure, not the stored ones); when it fails, stop:
 *    nothing is configured, so AIM is never switched to, or left on, a
 *    connection known to fail;
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

export interface ConvergeAimConnectionOptions {
  config: AimConnectionConfig;
  /** Desired: AIM on (true) or off (false). */
  enabled: boolean;
  gate: EnableGate;
}

export interface ConvergeAimConnectionResult {
  outcome: AimConvergeOutcome;
  test: AimConnectionTestResult;
  blockers: EnableBlockers;
  /** `console`: what to enter in the account console (the key non-enumerable) and the steps. */
  console?: Pick<ConsoleConfigureResult, "consoleValues" | "instructions">;
  /** AIM as read back at the end (absent on `testFailed`: nothing changed). */
  state?: AimAdminState;
}

/** What the workflow needs of an adapter (createAimAdmin's ApiAimAdmin or ConsoleAimAdmin). */
export type ConvergeableAim =
  | Pick<ApiAimAdmin, "mode" | "test" | "configure" | "enable" | "disable" | "read">
  | Pick<ConsoleAimAdmin, "mode" | "test" | "configure" | "read">;

/** Test → configure → gate → enable/disable → read back (see the file comment). */
export async function convergeAimConnection(
  aim: ConvergeableAim,
  opts: ConvergeAimConnectionOptions,
): Promise<ConvergeAimConnectionResult> {
  const blockers = enableBlockers(opts.gate);
  const test = await aim.test(opts.config);
  if (!test.success) return { outcome: "testFailed", test, blockers };

  if (aim.mode === "console") {
    const c = await aim.configure(opts.config);
    const outcome = opts.enabled && isBlocked(blockers) ? "blocked" : "console";
    return {
      outcome,
      test,
      blockers,
      console: { consoleValues: c.consoleValues, instructions: c.instructions },
      state: await aim.read(),
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
  return { outcome, test, blockers, state: await aim.read() };
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
