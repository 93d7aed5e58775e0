/**
 * `aimctl demo`: the whole story on the embedded sample tenant (a few
 * thousand users, a few hundred groups, every pathological case), in
 * process, twice on fresh copies of the same tenant:
 *
 * 1. WITHOUT reconciliation: AIM is enabled directly, then every Okta user
 *    logs in and every Okta group syncs;
 * 2. WITH it: check → plan → apply → enable AIM → the same logins.
 *
 * It prints the duplicate identities each run created, the findings that
 * remain and what to do about each. Rate limits are the realistic ones except
 * where a raise is needed to finish in under a minute; it says which.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FindingCode, Plan, Severity } from "../../core/model/plan";
import { parsePrivateKey } from "../../core/keys/privateKey";
import type { TenantFixture } from "../../core/model/tenant";
import { normalizeName } from "../../core/reconcile/normalize";
import { planLinks } from "../../core/reconcile/plan";
import { errorFindingCodes, FINDING_ADVICE, renderPlanText } from "../../core/reconcile/report";
import { convergeAimConnection } from "../../core/workflows";
import { REALISTIC_RATE_LIMITS as DBX_REALISTIC } from "../../emulators/databricks";
import { REALISTIC_RATE_LIMITS as OKTA_REALISTIC } from "../../emulators/okta";
import { sampleRules, sampleTenant } from "../../emulators/tenant/sample";
import { flag, parseArgs } from "../args";
import { EXIT } from "../exitCodes";
import { startEmulatedTenant, type EmulatedTenant } from "../emulated";
import type { Inputs } from "../inputs";
import { Printer, type CliIo } from "../io";
import { formatDuration } from "../progress";
import { aimAdminFor, openSession, type Session } from "../session";
import { runCheck } from "./check";
import { enableAimWith, reconcileWithProgress, reportApply } from "./apply";

export const DEMO_HELP = `aimctl demo [--json]

Runs the emulators in process with the embedded sample tenant and shows, twice on
fresh copies, what AIM does at first login WITHOUT reconciliation (AIM enabled
directly) and WITH it (check → plan → apply → enable AIM): duplicate identities
created, the findings that remain and what to do about each.

  --json   print a JSON summary on stdout (the narrative goes to stderr)`;

/** Raised limits, so that the demo finishes in under a minute (said in its output). */
export const DEMO_LIMITS = {
  /** PATCH 2/s would make the backfill of ~1,700 links take ~15 minutes. */
  databricksPatchPerSecond: 500,
  /** The client's write pace: below the raised PATCH limit, so no 429 storm. */
  clientWritesPerSecond: 400,
  /** Simulated logins and group syncs happen at once here, over days in reality. */
  databricksGetPerSecond: 1000,
  oktaUserByIdPerMinute: 100_000,
  oktaGroupByIdPerMinute: 100_000,
} as const;

const LOGIN_CONCURRENCY = 16;
const GROUP_SYNC_CONCURRENCY = 8;
/** Statuses that can sign in. */
const CAN_LOG_IN = new Set(["ACTIVE", "PASSWORD_EXPIRED", "RECOVERY", "LOCKED_OUT"]);

export interface LoginStats {
  /** Okta identities that logged in (users) / synced (groups). */
  logins: number;
  /** Identities the plan links (actions of this kind). */
  linkable: number;
  /** Of those, how many got a second identity at login instead of their own. */
  linkableDuplicated: number;
  /** Every identity created at login while one with its name already existed. */
  duplicatesCreated: number;
  /** Identities created at login with no namesake before (new people / groups). */
  newIdentities: number;
  /** Logins that landed on an existing identity. */
  matchedExisting: number;
  /** Logins AIM refused (e.g. an Okta read failed). */
  failed: number;
}

export interface DemoRun {
  users: LoginStats;
  groups: LoginStats;
}

export interface DemoSummary {
  elapsedMs: number;
  tenant: {
    oktaUsers: number;
    oktaGroups: number;
    databricksUsers: number;
    databricksGroups: number;
    databricksServicePrincipals: number;
  };
  raisedLimits: typeof DEMO_LIMITS;
  without: DemoRun;
  with: DemoRun & {
    preflight: { ok: boolean; errors: number; warnings: number };
    plan: { actions: number; errorFindings: number; warningFindings: number; infoFindings: number };
    apply: {
      applied: number;
      alreadyDone: number;
      skipped: number;
      failed: number;
      durationMs: number;
    };
    pendingAfterApply: number;
    aimEnabled: boolean;
  };
  remainingFindings: Array<{
    code: FindingCode;
    count: number;
    bySeverity: Record<Severity, number>;
    advice: string;
  }>;
}

export async function demoCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(argv, { json: "boolean" }, "demo");
  if (flag(args, "help")) {
    printer.out(DEMO_HELP);
    return EXIT.ok;
  }
  const json = flag(args, "json");
  // In JSON mode the narrative goes to stderr so stdout holds the summary only.
  const say = json ? new Printer({ ...io, stdout: io.stderr }, printer.redactor) : printer;
  const summary = await runDemo(io, say);
  if (json) printer.out(JSON.stringify(summary, null, 2));
  const ok =
    summary.without.users.linkableDuplicated > 0 &&
    summary.with.users.linkableDuplicated === 0 &&
    summary.with.groups.linkableDuplicated === 0;
  return ok ? EXIT.ok : EXIT.failed;
}

export async function runDemo(io: CliIo, say: Printer): Promise<DemoSummary> {
  const started = say.now();
  const fixture = sampleTenant();
  const rules = sampleRules(fixture);
  const reference = planLinks(fixture.okta, fixture.databricks, rules);
  const tenantFacts = {
    oktaUsers: fixture.okta.users.length,
    oktaGroups: fixture.okta.groups.length,
    databricksUsers: fixture.databricks.users.length,
    databricksGroups: fixture.databricks.groups.length,
    databricksServicePrincipals: fixture.databricks.servicePrincipals.length,
  };
  say.out(
    "aimctl demo — Okta → Databricks automatic identity management (AIM), on embedded emulators",
  );
  say.out("");
  say.out(
    `Sample tenant: ${tenantFacts.oktaUsers} Okta users, ${tenantFacts.oktaGroups} Okta groups; ` +
      `Databricks account: ${tenantFacts.databricksUsers} users, ${tenantFacts.databricksGroups} groups, ` +
      `${tenantFacts.databricksServicePrincipals} service principals; every pathological case of docs/domain.md present.`,
  );
  say.out(
    `Rate limits: the realistic ones, except (so that the demo finishes in under a minute):\n` +
      `  - Databricks PATCH ${DBX_REALISTIC.patch}/s → ${DEMO_LIMITS.databricksPatchPerSecond}/s (client paced at ${DEMO_LIMITS.clientWritesPerSecond}/s); ` +
      `at ${DBX_REALISTIC.patch}/s the ${reference.actions.length} links would take ~${formatDuration((reference.actions.length / DBX_REALISTIC.patch) * 1000)};\n` +
      `  - for the simulated logins, which happen all at once here but over days in reality: ` +
      `Okta GET /api/v1/users/{id} ${OKTA_REALISTIC.userById}/min → ${DEMO_LIMITS.oktaUserByIdPerMinute}/min, ` +
      `groups/{id} ${OKTA_REALISTIC.groupById}/min → ${DEMO_LIMITS.oktaGroupByIdPerMinute}/min, ` +
      `Databricks GET ${DBX_REALISTIC.get}/s → ${DEMO_LIMITS.databricksGetPerSecond}/s.`,
  );

  // ---- 1. without reconciliation
  say.out("");
  say.out("1) WITHOUT reconciliation: AIM enabled directly on a fresh copy of the tenant");
  const without = await runOnFreshTenant(fixture, reference, say, async (tenant, session) => {
    // The same workflow as aimctl apply --enable-aim, with nothing to gate on: no plan was read.
    const { outcome, test } = await convergeAimConnection(
      (await aimAdminFor(session, io.env)).admin,
      {
        config: connectionConfig(tenant),
        enabled: true,
        gate: { errorCodes: [], accepted: [] },
      },
    );
    if (outcome !== "enabled")
      throw new Error(
        `the emulated AIM connection was not enabled (${outcome}): ${JSON.stringify(test.steps)}`,
      );
    say.out(
      `   AIM connection tested (${test.steps.map((s) => `${s.name} ${s.ok ? "ok" : "FAILED"}`).join(", ")}), configured and enabled.`,
    );
    return {};
  });

  // ---- 2. with reconciliation
  say.out("");
  say.out("2) WITH reconciliation: check → plan → apply → enable AIM → every user logs in");
  const journalDir = mkdtempSync(join(tmpdir(), "aimctl-demo-"));
  let withRun: DemoSummary["with"];
  let remaining: Plan["findings"] = [];
  try {
    withRun = await runOnFreshTenant(fixture, reference, say, async (_tenant, session) => {
      say.out("");
      say.out("[check]");
      const { result: preflight } = await runCheck(session, io, say);
      const failing = preflight.checks.filter((c) => !c.ok);
      say.out(
        `   Preflight: ${preflight.ok ? "OK" : "BLOCKED"} — ${preflight.counts.errors} error(s), ${preflight.counts.warnings} warning(s).`,
      );
      for (const c of failing)
        say.out(
          `   ${c.severity === "error" ? "FAIL" : c.severity === "warning" ? "WARN" : "info"} ${c.id}: ${truncate(c.message, 160)}`,
        );

      say.out("");
      say.out("[plan]");
      const run = await reconcileWithProgress(session, say, io, {
        undoFile: join(journalDir, "undo.jsonl"),
        concurrency: 16,
        // A throwaway journal in a temp dir: no fsync per record (the real CLI keeps it).
        journalSync: false,
        verify: true,
        approve: ({ plan }) => {
          say.out(indent(renderPlanText(plan, { maxActions: 3, maxFindings: 5 })));
          say.out("[apply]");
          return true;
        },
      });
      const { plan } = run.planned;
      const after = run.verified ?? run.planned;
      if (run.apply) reportApply(run.apply, say, { showUndoFile: false }); // a temporary journal
      const result = {
        applied: run.counts.applied,
        alreadyDone: run.counts.alreadyDone,
        skipped: run.counts.skippedChanged,
        failed: run.counts.failed,
        durationMs: run.counts.durationMs,
      };

      say.out("");
      say.out("[enable AIM]");
      const errorCodes = errorFindingCodes(plan.findings);
      say.out(
        `   The demo accepts the ${errorCodes.length} error finding code(s) explicitly, as ` +
          `aimctl apply --enable-aim --accept-findings ${errorCodes.join(",")} would, to show what they cost.`,
      );
      const enabled = await enableAimWith(session, io, say, errorCodes, after);
      remaining = after.plan.findings;
      const sev = (s: Severity) => plan.findings.filter((f) => f.severity === s).length;
      return {
        preflight: {
          ok: preflight.ok,
          errors: preflight.counts.errors,
          warnings: preflight.counts.warnings,
        },
        plan: {
          actions: plan.actions.length,
          errorFindings: sev("error"),
          warningFindings: sev("warning"),
          infoFindings: sev("info"),
        },
        apply: result,
        pendingAfterApply: after.plan.actions.length,
        aimEnabled: enabled,
      };
    });
  } finally {
    rmSync(journalDir, { recursive: true, force: true });
  }

  const remainingFindings = groupFindings(remaining);
  const elapsedMs = say.now() - started;
  const summary: DemoSummary = {
    elapsedMs,
    tenant: tenantFacts,
    raisedLimits: DEMO_LIMITS,
    without,
    with: withRun,
    remainingFindings,
  };
  say.out("");
  say.out(renderComparison(summary));
  return summary;
}

/**
 * One run on a fresh copy of the tenant: `prepare` sets AIM up its way (directly,
 * or after reconciliation), then every Okta user logs in and every group syncs.
 */
async function runOnFreshTenant<T extends object>(
  fixture: TenantFixture,
  reference: Plan,
  say: Printer,
  prepare: (tenant: EmulatedTenant, session: Session) => Promise<T>,
): Promise<DemoRun & T> {
  return withTenant(fixture, async (tenant, session) => {
    const prepared = await prepare(tenant, session);
    say.out("");
    say.out("[every Okta user logs in, every Okta group syncs]");
    const run = await simulateLogins(tenant, session, fixture, reference, say);
    say.out(`   ${describeRun(run)}`);
    return { ...run, ...prepared };
  });
}

async function withTenant<T>(
  fixture: TenantFixture,
  run: (tenant: EmulatedTenant, session: Session) => Promise<T>,
): Promise<T> {
  const tenant = await startEmulatedTenant(structuredClone(fixture), {
    writeKeyFile: false,
    // The demo enables AIM end to end, through the admin API the emulator can serve.
    aimAdminApi: "on",
    oktaRateLimits: {
      ...OKTA_REALISTIC,
      userById: DEMO_LIMITS.oktaUserByIdPerMinute,
      groupById: DEMO_LIMITS.oktaGroupByIdPerMinute,
    },
    databricksRateLimits: {
      ...DBX_REALISTIC,
      patch: DEMO_LIMITS.databricksPatchPerSecond,
      get: DEMO_LIMITS.databricksGetPerSecond,
    },
  });
  try {
    const inputs: Inputs = {
      okta: {
        orgUrl: tenant.credentials.okta.orgUrl,
        clientId: tenant.credentials.okta.clientId,
        privateKey: parsePrivateKey(tenant.privateKeyPem as string),
        privateKeySource: "the demo's generated key",
        apiToken: tenant.credentials.okta.apiToken,
      },
      databricks: {
        host: tenant.credentials.databricks.host,
        accountId: tenant.credentials.databricks.accountId,
        clientId: tenant.credentials.databricks.clientId,
        clientSecret: tenant.credentials.databricks.clientSecret,
      },
      rules: sampleRules(fixture),
      writeRoute: "scim",
      aim: { adapter: "api" },
      sources: {},
    };
    const session = openSession(
      inputs,
      new Printer({
        stdout: { write: () => true },
        stderr: { write: () => true },
        env: {},
        cwd: ".",
      }),
      {
        okta: { privateKey: true },
        databricks: true,
        databricksClient: { writeRatePerSecond: DEMO_LIMITS.clientWritesPerSecond },
      },
    );
    return await run(tenant, session);
  } finally {
    await tenant.close();
  }
}

function connectionConfig(tenant: EmulatedTenant): {
  oktaOrgUrl: string;
  clientId: string;
  privateKey: string;
} {
  return {
    oktaOrgUrl: tenant.credentials.okta.orgUrl,
    clientId: tenant.credentials.okta.clientId,
    privateKey: tenant.privateKeyPem as string,
  };
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Every Okta user that can sign in logs in (the emulator's AIM login
 * behaviour) and every Okta group is resolved through the public iamv2
 * look-up (AIM's group sync: get-or-create by external id). Counts what was
 * created against what existed just before.
 */
export async function simulateLogins(
  tenant: EmulatedTenant,
  session: Session,
  fixture: TenantFixture,
  reference: Plan,
  say: Printer,
): Promise<DemoRun> {
  const store = tenant.databricks.store;
  const dbx = session.databricks;
  if (!dbx) throw new Error("simulateLogins needs a Databricks client");
  const preUsers = new Set(store.users.keys());
  const preUserNames = new Set([...store.users.values()].map((u) => normalizeName(u.userName)));
  const preGroups = new Set(store.groups.keys());
  const preGroupNames = new Set([...store.groups.values()].map((g) => g.displayName));

  const users: LoginStats = emptyStats();
  const userLanding = new Map<string, string>();
  const loginUsers = fixture.okta.users.filter((u) => CAN_LOG_IN.has(u.status));
  const t0 = say.now();
  await mapLimit(loginUsers, LOGIN_CONCURRENCY, async (o) => {
    users.logins++;
    try {
      const r = await tenant.databricks.login(o.id);
      userLanding.set(o.id, r.userId);
      if (!r.created || preUsers.has(r.userId)) users.matchedExisting++;
      else if (
        preUserNames.has(normalizeName(o.profile.login)) ||
        preUserNames.has(normalizeName(o.profile.email))
      )
        users.duplicatesCreated++;
      else users.newIdentities++;
    } catch {
      users.failed++;
    }
  });

  const groups: LoginStats = emptyStats();
  const groupLanding = new Map<string, string>();
  const syncGroups = fixture.okta.groups.filter((g) => g.type !== "BUILT_IN");
  await mapLimit(syncGroups, GROUP_SYNC_CONCURRENCY, async (g) => {
    groups.logins++;
    try {
      const r = await dbx.getByExternalId("group", g.id);
      if (!r) {
        groups.failed++;
        return;
      }
      groupLanding.set(g.id, r.id);
      if (preGroups.has(r.id)) groups.matchedExisting++;
      else if (preGroupNames.has(g.profile.name)) groups.duplicatesCreated++;
      else groups.newIdentities++;
    } catch {
      groups.failed++;
    }
  });

  for (const a of reference.actions) {
    const stats = a.kind === "user" ? users : a.kind === "group" ? groups : undefined;
    if (!stats) continue; // AIM for Okta syncs users and groups only
    stats.linkable++;
    const landed = (a.kind === "user" ? userLanding : groupLanding).get(a.oktaId);
    if (landed !== undefined && landed !== a.databricksId) stats.linkableDuplicated++;
  }
  say.err(
    `   ${users.logins} logins and ${groups.logins} group syncs in ${formatDuration(say.now() - t0)}.`,
  );
  return { users, groups };
}

function emptyStats(): LoginStats {
  return {
    logins: 0,
    linkable: 0,
    linkableDuplicated: 0,
    duplicatesCreated: 0,
    newIdentities: 0,
    matchedExisting: 0,
    failed: 0,
  };
}

function describeRun(r: DemoRun): string {
  return (
    `${r.users.logins} users logged in: ${r.users.duplicatesCreated} duplicate users created ` +
    `(${r.users.linkableDuplicated} of the ${r.users.linkable} linkable), ${r.users.newIdentities} new, ` +
    `${r.users.matchedExisting} matched their existing user${r.users.failed ? `, ${r.users.failed} refused` : ""}; ` +
    `${r.groups.logins} groups synced: ${r.groups.duplicatesCreated} duplicate groups ` +
    `(${r.groups.linkableDuplicated} of the ${r.groups.linkable} linkable), ${r.groups.newIdentities} new, ` +
    `${r.groups.matchedExisting} matched${r.groups.failed ? `, ${r.groups.failed} refused` : ""}.`
  );
}

function groupFindings(findings: Plan["findings"]): DemoSummary["remainingFindings"] {
  const by = new Map<FindingCode, Record<Severity, number>>();
  for (const f of findings) {
    const c = by.get(f.code) ?? { error: 0, warning: 0, info: 0 };
    c[f.severity]++;
    by.set(f.code, c);
  }
  return [...by.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, bySeverity]) => ({
      code,
      count: bySeverity.error + bySeverity.warning + bySeverity.info,
      bySeverity,
      advice: FINDING_ADVICE[code],
    }));
}

/** The comparison table: label, then which count of which run it shows (without vs with). */
const COMPARISON_ROWS: ReadonlyArray<
  [label: string, kind: keyof DemoRun, count: keyof LoginStats]
> = [
  ["linkable users given a duplicate at first login", "users", "linkableDuplicated"],
  ["linkable groups given a duplicate at first sync", "groups", "linkableDuplicated"],
  ["all duplicate users created (any cause)", "users", "duplicatesCreated"],
  ["all duplicate groups created (any cause)", "groups", "duplicatesCreated"],
  ["new users (no Databricks account before)", "users", "newIdentities"],
  ["new groups (no Databricks group before)", "groups", "newIdentities"],
];

export function renderComparison(s: DemoSummary): string {
  const rows = COMPARISON_ROWS.map(
    ([label, kind, count]) => [label, s.without[kind][count], s.with[kind][count]] as const,
  );
  const w = Math.max(...rows.map((r) => r[0].length));
  const lines = [
    "Result: duplicate identities created by AIM at first login",
    `  ${"".padEnd(w)}  without     with`,
    ...rows.map(
      ([label, a, b]) => `  ${label.padEnd(w)}  ${String(a).padStart(7)}  ${String(b).padStart(7)}`,
    ),
    "",
    `  Linkable = the ${s.without.users.linkable} users and ${s.without.groups.linkable} groups the plan links. ` +
      "Duplicates left WITH reconciliation belong to identities the plan could not link safely: the findings below.",
  ];
  lines.push(
    "",
    `Findings that remain (${s.remainingFindings.reduce((n, f) => n + f.count, 0)}), and what to do about each:`,
  );
  for (const f of s.remainingFindings) {
    const sev = (["error", "warning", "info"] as const)
      .filter((x) => f.bySeverity[x] > 0)
      .map((x) => `${f.bySeverity[x]} ${x}`)
      .join(", ");
    lines.push(`  ${f.code} (${sev}): ${f.advice}`);
  }
  lines.push("", `Elapsed: ${formatDuration(s.elapsedMs)}.`);
  return lines.join("\n");
}

function indent(text: string, by = "   "): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
