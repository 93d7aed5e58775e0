/**
 * `aimctl check`: preflight only. Reads both sides, plans, and runs every
 * preflight check (the Okta app, a real connection test, AIM status, the
 * identity findings). The exit code follows cli/exitCodes.ts, like plan's:
 * 3 when a check of severity "error" fails, 2 when only links are pending,
 * 0 when nothing is left to do, 1 when reading failed.
 */
import type { AimAdapterChoice } from "../../core/databricks/aimAdapter";
import type { AppPrivateKey } from "../../core/keys/privateKey";
import type { FindingCode, Plan } from "../../core/model/plan";
import {
  preflightResult,
  runPreflight,
  type PreflightCheck,
  type PreflightResult,
} from "../../core/reconcile/preflight";
import { acceptFindingsOption, flag, parseArgs } from "../args";
import { EXIT, EXIT_CODES_HELP, outcomeExitCode, type ExitCode } from "../exitCodes";
import { describeFailure } from "../failure";
import { INPUT_HELP, INPUT_OPTIONS } from "../inputs";
import type { CliIo, Printer } from "../io";
import type { PreflightDeps } from "../../core/reconcile/preflight";
import { linkedProbeId } from "../../core/workflows";
import { aimAdminFor, sessionFromArgs, readAndPlan, type Session } from "../session";
import { terminalSafe } from "../../core/reconcile/escape";

export const CHECK_HELP = `aimctl check [--json] [--accept-findings CODE,...] [inputs]

Preflight only: the Okta API Services app AIM uses (service app, private_key_jwt,
both scopes granted, Read-Only Admin role, DPoP off; needs OKTA_API_TOKEN to read
the app's settings, otherwise those checks are warnings), a real connection test
(token, one user, one group), username uniqueness, duplicates, conflicts, username
drift, pending links and AIM status. Each failure says what to change and where.

  --json                   print the checks as JSON
  --accept-findings CODES  error finding codes accepted knowingly (comma-separated): the
                           identity checks they fail become warnings

${EXIT_CODES_HELP}
A failed check of severity "error" (the Okta app, the connection test, an identity
finding not accepted) is exit 3; links still pending with nothing blocking are exit 2,
also while AIM is on (aimctl apply writes them).

${INPUT_HELP}`;

export async function checkCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    { ...INPUT_OPTIONS, json: "boolean", "accept-findings": "string" },
    "check",
  );
  if (flag(args, "help")) {
    printer.out(CHECK_HELP);
    return EXIT.ok;
  }
  const accepted = acceptFindingsOption(args);
  const session = sessionFromArgs(args, io, printer, {
    okta: { privateKey: true },
    databricks: true,
    verbose: flag(args, "verbose"),
  });
  const { result, plan, readError, aimAdapter } = await runCheck(session, io, printer, accepted);
  if (flag(args, "json"))
    printer.out(JSON.stringify(aimAdapter ? { ...result, aimAdapter } : result, null, 2));
  else printer.out(renderPreflight(result, plan));
  if (readError) {
    printer.err(`aimctl: identity checks not run: reading failed: ${readError}`);
    return EXIT.failed;
  }
  return checkExitCode(result);
}

/**
 * Blocked when a check of severity "error" fails, except pending links: with
 * AIM on they are an error of the rollout (duplicates at first login), but
 * what they call for is apply, the same as plan's exit 2.
 */
export function checkExitCode(result: PreflightResult): ExitCode {
  const failing = result.checks.filter((c) => !c.ok);
  return outcomeExitCode({
    blocking: failing.filter((c) => c.severity === "error" && c.id !== "plan.pendingLinks").length,
    pending: failing.filter((c) => c.id === "plan.pendingLinks").length,
  });
}

/**
 * Reads, plans, and runs the preflight (shared with the demo). Reads with the
 * admin token when there is one, so that a broken AIM app (DPoP, scopes) is
 * still diagnosed; when reading fails, the app and connection checks run
 * anyway and `readError` says why the identity checks did not.
 */
export async function runCheck(
  session: Session,
  io: CliIo,
  printer: Printer,
  acceptedFindings: readonly FindingCode[] = [],
): Promise<{
  result: PreflightResult;
  plan?: Plan;
  readError?: string;
  /** Which AIM adapter the checks used and why (absent: none could be chosen; a check says why). */
  aimAdapter?: AimAdapterChoice;
}> {
  let read: Awaited<ReturnType<typeof readAndPlan>> | undefined;
  let readError: string | undefined;
  try {
    read = await readAndPlan(session, printer, session.oktaAdmin);
  } catch (err) {
    readError = describeFailure(err).replace(/^aimctl: /, "");
  }
  const o = session.inputs.okta;
  const admin = session.oktaAdmin;
  const probe = read ? linkedProbeId(read.snapshot) : undefined;
  // auto asks the account once; an answer it cannot classify is a failing check, not a fallback.
  const opened = await aimAdminFor(session, io.env, probe).then(
    (o) => ({ admin: o.admin, aimAdapter: { choice: o.choice } }),
    (error: unknown) => ({ admin: undefined, aimAdapter: { error } }),
  );
  printer.err("Running preflight checks (including a real AIM connection test)…");
  const raw = await runPreflight(
    {
      okta: admin ?? (session.oktaReader as NonNullable<Session["oktaReader"]>),
      appId: o.appId ?? (o.clientId as string),
      aimClientId: o.clientId,
      aim: opened.admin,
      aimAdapter: opened.aimAdapter,
      // The exchange AIM performs, run from here: the private key never leaves this process.
      localTest: (config) => localAimTest(session, io.env, config),
      iamv2: session.databricks,
      connection: { oktaOrgUrl: o.orgUrl as string, privateKey: o.privateKey as AppPrivateKey },
      probeExternalId: probe,
      acceptedFindings,
      redactor: session.redactor,
    },
    read?.plan,
  );
  return {
    result: admin ? raw : withoutAdminReads(raw),
    plan: read?.plan,
    readError,
    ...("choice" in opened.aimAdapter ? { aimAdapter: opened.aimAdapter.choice } : {}),
  };
}

/**
 * AIM's own client holds only okta.users.read and okta.groups.read, so it
 * cannot read the app's settings; without OKTA_API_TOKEN those checks are not
 * failures of the setup but checks not made. The connection test still
 * exercises the same settings (key, scopes, role, DPoP) end to end.
 */
export function withoutAdminReads(r: PreflightResult): PreflightResult {
  const checks = r.checks.map((c): PreflightCheck => {
    if (c.ok || !c.id.startsWith("okta.app.")) return c;
    return {
      ...c,
      severity: "warning",
      message: `not checked (no OKTA_API_TOKEN; AIM's own client may not read app settings): ${c.message}`,
      fix: "Set OKTA_API_TOKEN (an API token of a read-only admin: Okta Admin Console → Security → API → Tokens) so that check can read the app's settings; the connection test checks the same settings end to end.",
    };
  });
  // Severities changed, so the counts are core's counting of the new list, not runPreflight's.
  return preflightResult(checks);
}

export function renderPreflight(r: PreflightResult, plan?: Plan): string {
  const lines = [
    `Preflight: ${r.ok ? "OK" : "BLOCKED"} — ${r.counts.errors} error(s), ${r.counts.warnings} warning(s), ${r.counts.infos} info`,
    "",
  ];
  const width = Math.max(...r.checks.map((c) => c.id.length));
  for (const c of r.checks) {
    const mark = c.ok
      ? "ok  "
      : c.severity === "error"
        ? "FAIL"
        : c.severity === "warning"
          ? "WARN"
          : "info";
    // Messages quote tenant values (names, ids): one line each, nothing invisible.
    lines.push(`  ${mark}  ${c.id.padEnd(width)}  ${terminalSafe(c.message)}`);
    if (!c.ok && c.fix) lines.push(`        ${"".padEnd(width)}  fix: ${terminalSafe(c.fix)}`);
  }
  if (plan) {
    lines.push(
      "",
      `Plan: ${plan.actions.length} link(s) pending, ${plan.findings.length} finding(s). Run aimctl plan for details.`,
    );
  }
  return lines.join("\n");
}

/** The console adapter's connection test (local): what check runs when AIM holds no connection. */
async function localAimTest(
  session: Session,
  env: Record<string, string | undefined>,
  config: Parameters<NonNullable<PreflightDeps["localTest"]>>[0],
) {
  const { admin } = await aimAdminFor(
    { ...session, inputs: { ...session.inputs, aim: { adapter: "console" } } },
    env,
  );
  return admin.test(config);
}
