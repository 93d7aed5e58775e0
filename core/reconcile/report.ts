/**
 * Views of a plan: a compact summary small enough for Pulumi state (counts,
 * a digest of the link set, the first few names), a human text summary and a
 * Markdown summary for a pull-request comment. Pure: hashing is data only.
 */

import { createHash } from "node:crypto";
import { markdownCode, quoted, terminalSafe } from "./escape";
import {
  FINDING_CODES,
  SEVERITIES,
  type Finding,
  type FindingCode,
  type IdentityKind,
  type KindSummary,
  type Plan,
  type PlanAction,
  type PlanSummary,
  type Severity,
} from "../model/plan";
import { acceptedFindings, blockingFindings } from "./blocking";
import { cmp } from "./plan/messages";
import { comparePlans, samePlans, type PlanComparison } from "./compare";

// Re-exported: the list lives with its type (core/model/plan.ts); providers stored in state load it from here.
export { FINDING_CODES };

export const BUCKETS: readonly (keyof KindSummary)[] = [
  "link",
  "alreadyLinked",
  "conflict",
  "ambiguous",
  "duplicate",
  "unmatched",
];

/** Summary keys by identity kind, in plan order. */
const KINDS: ReadonlyArray<{ kind: IdentityKind; key: keyof PlanSummary; label: string }> = [
  { kind: "user", key: "users", label: "users" },
  { kind: "group", key: "groups", label: "groups" },
  { kind: "servicePrincipal", key: "servicePrincipals", label: "service principals" },
];

/** What an operator does about each finding code (text and Markdown reports). */
export const FINDING_ADVICE: Record<FindingCode, string> = {
  AMBIGUOUS_MATCH:
    "Several Okta identities match one Databricks identity. Make the Okta login/email (or group name) unique, or pin the match with userOverrides / groupOverrides.",
  EXTERNAL_ID_CONFLICT:
    "The Databricks identity already carries another Okta id (or an Okta-shaped id not in this org). Check which Okta identity is right, then clear or correct externalId, or set onConflict: overwrite.",
  EXTERNAL_ID_FOREIGN:
    "The externalId comes from another system (e.g. a previous IdP). AIM will not match it: clear it, or set onConflict: overwrite to replace it.",
  DUPLICATE_IDENTITY:
    "Several Databricks identities choose one Okta identity; only one may carry its id. Merge or remove the extras, or exclude them.",
  USERNAME_DRIFT:
    "The Okta login/email changed after linking: AIM would create a new user at the next login. Ask Databricks support for a username migration; this tool never renames users.",
  OKTA_EMAIL_NOT_UNIQUE:
    "Several Okta users share an email, so a username equal to it maps to more than one Okta user. Give each Okta user its own email.",
  OKTA_EMAIL_EQUALS_OTHER_LOGIN:
    "One Okta user's email is another user's login, so a username equal to it matches both. Change the email in Okta.",
  OKTA_USER_DEPROVISIONED:
    "The only Okta match is deprovisioned; the Databricks user is left unlinked. Deactivate or remove it in Databricks if the person has left.",
  OVERRIDE_INVALID:
    "An override names a Databricks identity that does not exist, or an Okta id that is missing (or DEPROVISIONED / BUILT_IN). Fix or remove the override.",
  MAPPING_INVALID:
    "A service principal mapping names an unknown applicationId or an Okta id that is not in this org. Fix or remove the mapping.",
};

export interface PendingCounts {
  /** Actions of this kind (links to write). */
  link: number;
  /** Of those, actions that replace an existing externalId. */
  overwrite: number;
}

/** What the reconciliation resource keeps in Pulumi state: small and stable. */
export interface PlanStateSummary {
  buckets: PlanSummary;
  pending: { users: PendingCounts; groups: PendingCounts; servicePrincipals: PendingCounts };
  findings: {
    error: number;
    warning: number;
    info: number;
    /** Every code present, zero when absent, so the key set never changes. */
    byCode: Record<FindingCode, number>;
  };
  /** sha256 (hex) of the canonical JSON of the actions. */
  digest: string;
  /** First names (plan order) of pending actions per kind. */
  firstPending: { users: string[]; groups: string[]; servicePrincipals: string[] };
}

/** Names shown per kind in firstPending. */
export const FIRST_PENDING_COUNT = 5;

/** JSON with object keys sorted at every level: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const src = v as Record<string, unknown>;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(src).sort()) sorted[k] = src[k];
      return sorted;
    }
    return v;
  });
}

export function actionsDigest(actions: readonly PlanAction[]): string {
  return createHash("sha256").update(canonicalJson(actions), "utf8").digest("hex");
}

/**
 * Findings for a reader: errors first, then warnings, then info, each by the
 * first name it concerns (the plan's own order, by kind, stays in the JSON).
 */
export function findingsBySeverity(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => SEVERITIES.indexOf(f.severity);
  return [...findings].sort(
    (a, b) => rank(a) - rank(b) || cmp(a.subjects[0] ?? "", b.subjects[0] ?? ""),
  );
}

/** The codes of the error findings, sorted and unique: what enabling AIM is gated on. */
export function errorFindingCodes(findings: readonly Finding[]): FindingCode[] {
  return [...new Set(findings.filter((f) => f.severity === "error").map((f) => f.code))].sort();
}

export function summarizePlan(plan: Plan): PlanStateSummary {
  const pending = {
    users: { link: 0, overwrite: 0 },
    groups: { link: 0, overwrite: 0 },
    servicePrincipals: { link: 0, overwrite: 0 },
  };
  const firstPending = {
    users: [] as string[],
    groups: [] as string[],
    servicePrincipals: [] as string[],
  };
  for (const a of plan.actions) {
    const key = KINDS.find((k) => k.kind === a.kind)?.key ?? "users";
    pending[key].link++;
    if (a.previousExternalId !== null) pending[key].overwrite++;
    if (firstPending[key].length < FIRST_PENDING_COUNT) firstPending[key].push(a.databricksName);
  }
  const byCode = Object.fromEntries(FINDING_CODES.map((c) => [c, 0])) as Record<
    FindingCode,
    number
  >;
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of plan.findings) {
    byCode[f.code]++;
    bySeverity[f.severity]++;
  }
  return {
    buckets: {
      users: { ...plan.summary.users },
      groups: { ...plan.summary.groups },
      servicePrincipals: { ...plan.summary.servicePrincipals },
    },
    pending,
    findings: { ...bySeverity, byCode },
    digest: actionsDigest(plan.actions),
    firstPending,
  };
}

export interface RenderOptions {
  /** Actions listed (default 20). */
  maxActions?: number;
  /** Findings listed in text / subjects listed per code in Markdown (default 50 / 10). */
  maxFindings?: number;
}

export interface MarkdownOptions extends RenderOptions {
  /** Error finding codes accepted knowingly: reported, but the verdict is not "Blocked" for them. */
  acceptedFindings?: readonly FindingCode[];
  /** The plan of the same state under the base branch's rules, shown beside this one. */
  base?: Plan;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

function headline(plan: Plan): string {
  const perKind = KINDS.map((k) => `${k.label} ${plan.summary[k.key].link}`).join(", ");
  const sev = severityCounts(plan.findings);
  return (
    `${plural(plan.actions.length, "identity", "identities")} to link (${perKind}); ` +
    `${plural(sev.error, "error")}, ${plural(sev.warning, "warning")}, ${sev.info} info`
  );
}

/** A plain-text summary for terminals and logs. */
export function renderPlanText(plan: Plan, opts: RenderOptions = {}): string {
  const maxActions = opts.maxActions ?? 20;
  const maxFindings = opts.maxFindings ?? 50;
  const lines: string[] = [`Plan: ${headline(plan)}`, ""];
  const width = Math.max(...BUCKETS.map((b) => b.length)) + 2;
  lines.push("".padEnd(20) + BUCKETS.map((b) => b.padStart(width)).join(""));
  for (const k of KINDS) {
    const s = plan.summary[k.key];
    lines.push(k.label.padEnd(20) + BUCKETS.map((b) => String(s[b]).padStart(width)).join(""));
  }
  if (plan.findings.length > 0) {
    lines.push("", `Findings (${plan.findings.length}):`);
    for (const f of findingsBySeverity(plan.findings).slice(0, maxFindings)) {
      lines.push(
        `  ${f.severity.toUpperCase().padEnd(7)} ${f.code} [${f.kind}] ${terminalSafe(f.message)}`,
      );
    }
    if (plan.findings.length > maxFindings) {
      lines.push(`  … and ${plan.findings.length - maxFindings} more (see the JSON plan)`);
    }
  }
  if (plan.actions.length > 0) {
    const shown = Math.min(maxActions, plan.actions.length);
    lines.push("", `Actions (${shown} of ${plan.actions.length}):`);
    for (const a of plan.actions.slice(0, maxActions)) {
      const prev =
        a.previousExternalId === null ? "" : ` (replaces ${quoted(a.previousExternalId)})`;
      lines.push(
        `  ${a.kind} ${quoted(a.databricksName)} -> ${terminalSafe(a.oktaId)} by ${a.matchedBy}${prev}`,
      );
    }
  }
  lines.push("", `Digest: ${actionsDigest(plan.actions)}`);
  return lines.join("\n") + "\n";
}

/** Lists longer than this fold into a `<details>` section, so a comment stays short to scroll. */
export const COLLAPSE_AFTER = 5;

/** `lines` as they are, or folded under `summary` when there are more than COLLAPSE_AFTER. */
function collapsible(summary: string, lines: readonly string[], entries = lines.length): string[] {
  if (entries <= COLLAPSE_AFTER) return [...lines];
  // GitHub renders Markdown inside <details> only after a blank line.
  return ["<details>", `<summary>${summary}</summary>`, "", ...lines, "", "</details>"];
}

const ACTIONS_HEADER = [
  "| kind | Databricks identity | Okta id | matched by | previous externalId |",
  "|---|---|---|---|---|",
];

/** One action as a table row; every tenant value a code span (escape.ts). */
function actionRow(a: PlanAction): string {
  const cell = (v: string) => markdownCode(v, { inTable: true });
  const prev = a.previousExternalId === null ? "" : cell(a.previousExternalId);
  return `| ${a.kind} | ${cell(a.databricksName)} | ${cell(a.oktaId)} | ${a.matchedBy} | ${prev} |`;
}

/**
 * A pull-request comment: the verdict, buckets, (with `base`) what the change
 * does to the plan, findings grouped by code with what to do, first actions;
 * long lists folded into `<details>`.
 */
export function renderPlanMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const maxActions = opts.maxActions ?? 20;
  const maxSubjects = opts.maxFindings ?? 10;
  const accepted = opts.acceptedFindings ?? [];
  const blocking = blockingFindings(plan.findings, accepted);
  const acceptedCodes = [...new Set(acceptedFindings(plan.findings, accepted).map((f) => f.code))];
  const out: string[] = ["### Okta → Databricks AIM reconciliation plan", ""];
  out.push(
    blocking.length > 0
      ? `**Blocked:** ${plural(blocking.length, "error finding")} must be resolved (or explicitly accepted) before AIM is enabled.`
      : acceptedCodes.length > 0
        ? `**Ready:** no blocking findings (accepted: ${acceptedCodes.sort().join(", ")}); AIM can be enabled after these links are written.`
        : "**Ready:** no error findings; AIM can be enabled after these links are written.",
    "",
    headline(plan),
    "",
  );
  out.push(`| | ${BUCKETS.join(" | ")} |`, `|---|${BUCKETS.map(() => "---:").join("|")}|`);
  for (const k of KINDS) {
    const s = plan.summary[k.key];
    out.push(`| ${k.label} | ${BUCKETS.map((b) => String(s[b])).join(" | ")} |`);
  }
  if (opts.base) out.push("", ...comparisonMarkdown(comparePlans(opts.base, plan), maxActions));
  if (plan.findings.length > 0) {
    out.push("", "#### Findings");
    for (const code of FINDING_CODES) {
      const fs = plan.findings.filter((f) => f.code === code);
      if (fs.length === 0) continue;
      const s = severityCounts(fs);
      const sevText = (["error", "warning", "info"] as const)
        .filter((x) => s[x] > 0)
        .map((x) => `${s[x]} ${x}`)
        .join(", ");
      const acceptedNote = acceptedCodes.includes(code) ? " — accepted" : "";
      out.push(
        "",
        `**\`${code}\`** — ${fs.length} (${sevText})${acceptedNote}`,
        "",
        `${FINDING_ADVICE[code]}`,
        "",
      );
      // Tenant values are quoted in the message: all of it is a code span (escape.ts).
      const items = fs
        .slice(0, maxSubjects)
        .map((f) => `- ${f.severity}: ${markdownCode(f.message)}`);
      if (fs.length > maxSubjects) items.push(`- … and ${fs.length - maxSubjects} more`);
      out.push(...collapsible(plural(fs.length, "finding"), items, fs.length));
    }
  }
  if (plan.actions.length > 0) {
    const shown = Math.min(maxActions, plan.actions.length);
    out.push(
      "",
      `#### Actions (${shown} of ${plan.actions.length})`,
      "",
      ...collapsible(
        `${plural(plan.actions.length, "link")} to write${shown < plan.actions.length ? ` (the first ${shown})` : ""}`,
        [...ACTIONS_HEADER, ...plan.actions.slice(0, maxActions).map(actionRow)],
        plan.actions.length,
      ),
    );
  }
  out.push("", `<sub>digest \`${actionsDigest(plan.actions)}\`</sub>`);
  return out.join("\n") + "\n";
}

/** What the change (head) does to the plan of its base: totals side by side, then the differences. */
function comparisonMarkdown(c: PlanComparison, maxRows: number): string[] {
  const out = ["#### Compared with the base branch", ""];
  if (samePlans(c)) {
    out.push(
      "This change leaves the plan as it is: the same links and the same findings as the base branch's rules.",
    );
    return out;
  }
  const row = (label: string, base: number, head: number) =>
    `| ${label} | ${base} | ${head} | ${head === base ? "" : head > base ? `+${head - base}` : `−${base - head}`} |`;
  out.push(
    "| | base | this change | |",
    "|---|---:|---:|---:|",
    row("links to write", c.base.links, c.head.links),
    row("error findings", c.base.findings.error, c.head.findings.error),
    row("warnings", c.base.findings.warning, c.head.findings.warning),
    row("info", c.base.findings.info, c.head.findings.info),
  );
  const links = [
    ...c.linksAdded.map((a) => ({ change: "added", a })),
    ...c.linksRemoved.map((a) => ({ change: "no longer planned", a })),
  ];
  if (links.length > 0) {
    const rows = links.slice(0, maxRows).map(({ change, a }) => `| ${change} ${actionRow(a)}`);
    if (links.length > maxRows) rows.push(`| … and ${links.length - maxRows} more | | | | | |`);
    out.push(
      "",
      ...collapsible(
        `${plural(c.linksAdded.length, "link")} added, ${c.linksRemoved.length} no longer planned`,
        ["| change " + ACTIONS_HEADER[0], "|---" + ACTIONS_HEADER[1], ...rows],
        links.length,
      ),
    );
  }
  const findings = [
    ...c.findingsAdded.map((f) => `- new ${f.severity} \`${f.code}\`: ${markdownCode(f.message)}`),
    ...c.findingsResolved.map(
      (f) => `- resolved ${f.severity} \`${f.code}\`: ${markdownCode(f.message)}`,
    ),
  ];
  if (findings.length > 0) {
    const items = findings.slice(0, maxRows);
    if (findings.length > maxRows) items.push(`- … and ${findings.length - maxRows} more`);
    out.push(
      "",
      ...collapsible(
        `${plural(c.findingsAdded.length, "new finding")}, ${c.findingsResolved.length} resolved`,
        items,
        findings.length,
      ),
    );
  }
  return out;
}

/** The comparison in a few lines, for terminals and logs. */
export function renderComparisonText(base: Plan, plan: Plan): string {
  const c = comparePlans(base, plan);
  if (samePlans(c))
    return "Compared with the base rules: no change (the same links and the same findings).\n";
  return (
    [
      "Compared with the base rules:",
      `  links to write  ${c.base.links} -> ${c.head.links} (${c.linksAdded.length} added, ${c.linksRemoved.length} no longer planned)`,
      `  error findings  ${c.base.findings.error} -> ${c.head.findings.error}; findings: ${c.findingsAdded.length} new, ${c.findingsResolved.length} resolved`,
    ].join("\n") + "\n"
  );
}
