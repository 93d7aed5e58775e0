/**
 * Preflight: the known failure modes of AIM, checked before it is enabled.
 * Each failing check says WHAT to change and WHERE (the console path, in the
 * consoles' own words), so a pipeline log is enough to fix it.
 *
 * Console wording checked against Okta's service-app / DPoP guides and
 * Databricks' "Configure Okta for automatic identity management" page:
 * Okta app tabs "General" (sections "Client Credentials", "General Settings"
 * with "Proof of possession"), "Okta API Scopes", "Admin roles"; Databricks
 * account console "Security → User provisioning → Automatic identity management".
 */
import { aimAdapterLine, type AimAdapterChoice } from "../databricks/aimAdapter";
import type { AimAdmin, AimConnectionState, DatabricksIamV2 } from "../databricks/api";
import { aimOffForm, AIM_OFF_FORM_TEXT, type AimOffForm } from "../databricks/client";
import { AimError, ERROR_CODES } from "../http/errors";
import type { AppPrivateKey } from "../keys/privateKey";
import { Redactor } from "../http/redact";
import { AIM_OKTA_ROLE, AIM_OKTA_ROLE_LABEL, AIM_OKTA_SCOPES } from "../model/aim";
import type { Finding, FindingCode, Plan, Severity } from "../model/plan";
import type { OktaApp } from "../model/tenant";
import type { OktaAppAdmin, OktaReader } from "../okta/api";
import {
  READ_PERMISSIONS,
  STANDARD_ROLE_READS,
  permissionsRead,
  resourceSetReach,
  roleName,
  widest,
  type OktaRoleAssignment,
  type Reach,
  type RoleReach,
} from "../okta/roles";
import { acceptedFindings, blockingFindings } from "./blocking";

export type PreflightCheckId =
  | "okta.app.found"
  | "okta.app.serviceType"
  | "okta.app.clientAuth"
  | "okta.app.signingKey"
  | "okta.app.grants"
  | "okta.app.adminRole"
  | "okta.app.dpop"
  | "aim.adapter"
  | "aim.connectionTest"
  | "aim.clientId"
  | "aim.status"
  | "plan.given"
  | "tenant.usernameUnique"
  | "plan.duplicates"
  | "plan.conflicts"
  | "plan.usernameDrift"
  | "plan.pendingLinks";

export interface PreflightCheck {
  id: PreflightCheckId;
  ok: boolean;
  /** How bad a failure of this check is ("error" blocks enabling AIM). */
  severity: Severity;
  message: string;
  /** What to change and where; null when the check passed. */
  fix: string | null;
}

export interface PreflightResult {
  /** No failing check of severity "error". */
  ok: boolean;
  checks: PreflightCheck[];
  counts: { errors: number; warnings: number; infos: number };
}

export interface PreflightDeps {
  /** Admin view of Okta (e.g. an SSWS API token), not AIM's own restricted client. */
  okta: OktaReader & OktaAppAdmin;
  /** The id of the Okta app AIM uses (0oa…). */
  appId: string;
  /** Its client id (0oa…); read from the app when absent. */
  aimClientId?: string;
  aim?: AimAdmin;
  /** Which AIM adapter `aim` is and why (openAimAdmin), or why none could be chosen. */
  aimAdapter?: { choice: AimAdapterChoice } | { error: unknown };
  /**
   * The connection test run here (the console adapter's: the token exchange
   * AIM performs, from this process). A preflight never sends the private
   * key anywhere: it tests what AIM holds (`aim.testStored`), or runs this.
   */
  localTest?: AimAdmin["test"];
  iamv2?: DatabricksIamV2;
  /** What the connection test sends (the private key is a secret: never echoed). */
  connection?: { oktaOrgUrl: string; privateKey: AppPrivateKey | string };
  /**
   * An Okta id whose Databricks identity is already linked, for the iamv2 AIM probe.
   * Never an unlinked one: the look-up is get-or-create while AIM is on. Default: a made-up id
   * (404 while AIM is on, FAILED_PRECONDITION while off).
   */
  probeExternalId?: string;
  /** Error finding codes accepted knowingly: the identity checks they fail become warnings. */
  acceptedFindings?: readonly FindingCode[];
  /** The session's redactor, applied to every message and fix (default: patterns only). */
  redactor?: Redactor;
}

const OKTA_APP = (label: string) => `Okta Admin Console → Applications → Applications → ${label}`;
const DBX_AIM =
  "Databricks account console → Security → User provisioning → Automatic identity management";
/** The fixes more than one check gives, where `where` is OKTA_APP(label). */
const FIX_DPOP = (where: string) =>
  `${where} → General → General Settings → Edit → Proof of possession: uncheck "Require Demonstrating Proof of Possession (DPoP) header in token requests", then Save.`;
const FIX_ADMIN_ROLE = (where: string) =>
  `${where} → Admin roles → Edit assignments: Role "${AIM_OKTA_ROLE_LABEL}", then Save Changes.`;
/** Least privilege: the role AIM needs, then none of the others (`names`: the roles to remove). */
const FIX_LEAST_PRIVILEGE = (where: string, names: string) =>
  `Least privilege: ${FIX_ADMIN_ROLE(where)} Then remove ${names} from the same Admin roles tab; AIM only reads users and groups.`;

export async function runPreflight(deps: PreflightDeps, plan?: Plan): Promise<PreflightResult> {
  const checks: PreflightCheck[] = [];
  const redactor = deps.redactor ?? new Redactor();
  const redact = (s: string) => redactor.redact(s);
  const add = (
    id: PreflightCheckId,
    ok: boolean,
    severity: Severity,
    message: string,
    fix?: string,
  ) =>
    checks.push({
      id,
      ok,
      severity,
      message: redact(message),
      fix: ok ? null : redact(fix ?? "") || null,
    });

  // --- The Okta app AIM uses ---
  let app: OktaApp | undefined;
  let appError: unknown;
  try {
    app = await deps.okta.getApp(deps.appId);
  } catch (err) {
    appError = err;
  }
  const label = app ? `"${app.label}"` : `the app ${deps.appId}`;
  const clientId = deps.aimClientId ?? app?.credentials?.oauthClient?.client_id;
  if (!app) {
    add(
      "okta.app.found",
      false,
      "error",
      appError
        ? `could not read the Okta app ${deps.appId}: ${describe(appError)}`
        : `the Okta app ${deps.appId} does not exist`,
      appError
        ? "Give an Okta credential that can read apps (an API token of an admin, or a service app with okta.apps.read), or check the org URL."
        : "Give the id of the API Services app AIM uses (Okta Admin Console → Applications → Applications → <app>: the id is in the URL), or create one: Applications → Create App Integration → API Services.",
    );
  } else {
    add(
      "okta.app.found",
      true,
      "error",
      `Okta app ${label} (${app.id}) found, client id ${clientId ?? "unknown"}`,
    );
    checkApp(app, label, add);
  }

  if (app || deps.aimClientId) {
    await checkGrantsAndRole(deps, label, clientId, add);
  }

  // --- The AIM connection, tested for real (through the adapter chosen) ---
  if (deps.aimAdapter && "choice" in deps.aimAdapter)
    add("aim.adapter", true, "info", aimAdapterLine(deps.aimAdapter.choice));
  else if (deps.aimAdapter)
    add(
      "aim.adapter",
      false,
      "error",
      `no AIM adapter chosen: ${describe(deps.aimAdapter.error)}`,
      'Fix the cause named above and re-run, or set the AIM adapter explicitly: "api" or "console".',
    );
  await checkConnection(deps, clientId, label, add);

  // --- AIM status: the admin view, then the public iamv2 probe ---
  const aimOn = await checkAimStatus(deps, clientId, add);

  // --- Identities (from the plan's findings) ---
  checkPlan(plan, aimOn, deps.acceptedFindings ?? [], add);

  return preflightResult(checks);
}

/** The result of a list of checks: failing checks counted by severity; ok when no error fails. */
export function preflightResult(checks: PreflightCheck[]): PreflightResult {
  const failing = checks.filter((c) => !c.ok);
  const counts = {
    errors: failing.filter((c) => c.severity === "error").length,
    warnings: failing.filter((c) => c.severity === "warning").length,
    infos: failing.filter((c) => c.severity === "info").length,
  };
  return { ok: counts.errors === 0, checks, counts };
}

type Add = (
  id: PreflightCheckId,
  ok: boolean,
  severity: Severity,
  message: string,
  fix?: string,
) => void;

function checkApp(app: OktaApp, label: string, add: Add): void {
  const where = OKTA_APP(label);
  const type = app.settings?.oauthClient?.application_type;
  add(
    "okta.app.serviceType",
    type === "service",
    "error",
    type === "service"
      ? `${label} is an API Services (service) app`
      : `${label} is a "${type ?? "unknown"}" app; AIM needs an API Services app (application_type "service") to use the client credentials flow`,
    "An app's type cannot be changed: Okta Admin Console → Applications → Applications → Create App Integration → API Services, then give the new app's id.",
  );
  const auth = app.credentials?.oauthClient?.token_endpoint_auth_method;
  add(
    "okta.app.clientAuth",
    auth === "private_key_jwt",
    "error",
    auth === "private_key_jwt"
      ? `${label} authenticates with Public key / Private key (private_key_jwt)`
      : `${label} authenticates with "${auth ?? "unknown"}"; AIM signs a private_key_jwt assertion and needs "private_key_jwt"`,
    `${where} → General → Client Credentials → Edit: set Client authentication to "Public key / Private key", add the public key of the key you give AIM, then Save.`,
  );
  const jwks = app.settings?.oauthClient?.jwks?.keys ?? [];
  const active = jwks.filter((k) => (k.status ?? "ACTIVE") === "ACTIVE");
  const hasUri = typeof app.settings?.oauthClient?.jwks_uri === "string";
  add(
    "okta.app.signingKey",
    active.length > 0 || hasUri,
    "error",
    active.length > 0
      ? `${label} has ${active.length} active public key(s) (${active.map((k) => k.kid).join(", ")})`
      : hasUri
        ? `${label} reads its keys from a JWKS URL`
        : `${label} has no active public key, so no assertion AIM signs can be verified`,
    `${where} → General → Client Credentials → Public Keys → Add key (the public part of the private key you give AIM), then Save; make sure it is Active.`,
  );
  const dpop = app.settings?.oauthClient?.dpop_bound_access_tokens === true;
  add(
    "okta.app.dpop",
    !dpop,
    "error",
    dpop
      ? `${label} requires DPoP; AIM's client sends no DPoP proof, so its token requests fail with invalid_dpop_proof`
      : `${label} does not require DPoP`,
    `${FIX_DPOP(where)} (The Okta Pulumi provider cannot set this; the oktaAppDpop resource keeps it off.)`,
  );
}

async function checkGrantsAndRole(
  deps: PreflightDeps,
  label: string,
  clientId: string | undefined,
  add: Add,
): Promise<void> {
  const where = OKTA_APP(label);
  try {
    const grants = await deps.okta.listAppGrants(deps.appId);
    const missing = AIM_OKTA_SCOPES.filter((s) => !grants.includes(s));
    add(
      "okta.app.grants",
      missing.length === 0,
      "error",
      missing.length === 0
        ? `${label} is granted ${AIM_OKTA_SCOPES.join(" and ")}`
        : `${label} is not granted ${missing.join(" and ")}; the token request fails with invalid_scope`,
      `${where} → Okta API Scopes: click Grant next to ${missing.join(" and ")}.`,
    );
  } catch (err) {
    add(
      "okta.app.grants",
      false,
      "warning",
      `could not read the scopes granted to ${label}: ${describe(err)}`,
      `Check by hand: ${where} → Okta API Scopes must show ${AIM_OKTA_SCOPES.join(" and ")} as Granted; or give preflight an Okta credential that can read apps.`,
    );
  }
  if (clientId) await checkAdminRole(deps, label, clientId, add);
}

const DIRECTORY = ["users", "groups"] as const;

/** What one role assignment lets the client read, and why (for the messages). */
interface AssessedRole {
  assignment: OktaRoleAssignment;
  reach: RoleReach;
  /** Why it reads less than everything, or what could not be read. */
  detail?: string;
}

/**
 * The client's admin roles against what AIM needs: Read-Only Administrator
 * passes; a broader role that reads every user and group works but is a
 * warning (least privilege); a role set whose reads miss identities (a
 * resource set, attribute conditions) or cannot be told is a warning; one
 * that cannot read users or groups at all is an error.
 */
async function checkAdminRole(
  deps: PreflightDeps,
  label: string,
  clientId: string,
  add: Add,
): Promise<void> {
  const where = OKTA_APP(label);
  let roles: OktaRoleAssignment[];
  try {
    roles = await deps.okta.listClientRoles(clientId);
  } catch (err) {
    add(
      "okta.app.adminRole",
      false,
      "warning",
      `could not read the admin roles of client ${clientId}: ${describe(err)}`,
      `Check by hand: ${where} → Admin roles must list "${AIM_OKTA_ROLE_LABEL}"; or give preflight a credential that can read roles.`,
    );
    return;
  }
  const names = (rs: readonly OktaRoleAssignment[]) => rs.map(roleName).join(", ");
  if (roles.length === 0) {
    add(
      "okta.app.adminRole",
      false,
      "error",
      `${label} does not hold the ${AIM_OKTA_ROLE_LABEL} role (roles: none); reads answer 403 without an admin role`,
      FIX_ADMIN_ROLE(where),
    );
    return;
  }
  const others = roles.filter((r) => r.kind === "custom" || r.type !== AIM_OKTA_ROLE);
  if (others.length < roles.length) {
    add(
      "okta.app.adminRole",
      others.length === 0,
      "warning",
      others.length === 0
        ? `${label} holds the ${AIM_OKTA_ROLE_LABEL} role`
        : `${label} holds the ${AIM_OKTA_ROLE_LABEL} role, and also ${names(others)}, which grant more than AIM needs`,
      `Least privilege: remove ${names(others)} from ${where} → Admin roles; AIM only reads users and groups.`,
    );
    return;
  }
  const assessed = await Promise.all(roles.map((r) => assessRole(deps.okta, r)));
  const reached: RoleReach = {
    users: widest(assessed.map((a) => a.reach.users)),
    groups: widest(assessed.map((a) => a.reach.groups)),
  };
  const at = (level: Reach) => DIRECTORY.filter((k) => reached[k] === level);
  const details = assessed
    .map((a) => (a.detail ? `${roleName(a.assignment)}: ${a.detail}` : roleName(a.assignment)))
    .join("; ");
  const held = `(roles: ${details})`;
  const fix = FIX_LEAST_PRIVILEGE(where, names(roles));
  const lacks = at("none");
  if (lacks.length) {
    add(
      "okta.app.adminRole",
      false,
      "error",
      `${label} cannot read ${lacks.join(" or ")} with its admin roles ${held}; AIM's reads of ${lacks.join(" and ")} answer 403`,
      `${FIX_ADMIN_ROLE(where)} Then remove ${names(roles)} from the same Admin roles tab (or give a custom role ${lacks.map((k) => READ_PERMISSIONS[k][0]).join(" and ")}: Security → Administrators → Roles).`,
    );
    return;
  }
  if (at("unknown").length) {
    add(
      "okta.app.adminRole",
      false,
      "warning",
      `could not tell whether ${label}'s admin roles read every user and group ${held}`,
      `Check by hand in Security → Administrators (the roles' permissions and resource sets), or: ${fix}`,
    );
    return;
  }
  const partly = at("some");
  if (partly.length) {
    add(
      "okta.app.adminRole",
      false,
      "warning",
      `${label}'s admin roles read only some ${partly.join(" and ")} ${held}: AIM would not see the identities outside them, and they grant more than AIM needs`,
      fix,
    );
    return;
  }
  const targeted = roles.some(
    (r) => r.kind === "standard" && STANDARD_ROLE_READS[r.type]?.groupTargets,
  );
  add(
    "okta.app.adminRole",
    false,
    "warning",
    `${label} reads users and groups through ${names(roles)} instead of the ${AIM_OKTA_ROLE_LABEL} role the Databricks documentation asks for: it works, but grants more than AIM needs${targeted ? "; and an assignment constrained to some groups reads only their users and groups" : ""}`,
    fix,
  );
}

/** One assignment's reach: the standard role table, or a custom role's permissions and resource set. */
async function assessRole(okta: OktaAppAdmin, a: OktaRoleAssignment): Promise<AssessedRole> {
  const unknown: RoleReach = { users: "unknown", groups: "unknown" };
  if (a.kind === "standard") {
    const known = STANDARD_ROLE_READS[a.type];
    if (!known)
      return { assignment: a, reach: unknown, detail: "a role type this tool does not know" };
    return {
      assignment: a,
      reach: known,
      detail: known.users === "none" ? "reads no users or groups" : undefined,
    };
  }
  let perms;
  try {
    perms = permissionsRead(await okta.listRolePermissions(a.roleId));
  } catch (err) {
    return {
      assignment: a,
      reach: unknown,
      detail: `its permissions could not be read: ${describe(err)}`,
    };
  }
  const lacking = DIRECTORY.filter((k) => !perms[k]).map(
    (k) => `has none of ${READ_PERMISSIONS[k].join(", ")}`,
  );
  if (lacking.length)
    return {
      assignment: a,
      reach: { users: perms.users ? "all" : "none", groups: perms.groups ? "all" : "none" },
      detail: lacking.join("; "),
    };
  let set: RoleReach = unknown;
  let setDetail: string | undefined;
  if (!a.resourceSetId) setDetail = "its assignment names no resource set";
  else
    try {
      set = resourceSetReach(await okta.listResourceSetResources(a.resourceSetId));
      const short = DIRECTORY.filter((k) => set[k] !== "all").map((k) =>
        set[k] === "none" ? `no ${k}` : `only some ${k}`,
      );
      if (short.length) setDetail = `resource set ${a.resourceSetId} holds ${short.join(" and ")}`;
    } catch (err) {
      setDetail = `its resource set ${a.resourceSetId} could not be read: ${describe(err)}`;
    }
  const conditioned = perms.conditioned.length
    ? `${perms.conditioned.join(", ")} carry attribute conditions (reads may omit login or email)`
    : undefined;
  // Attribute conditions on a read permission may hide the attributes AIM matches on.
  const reach: RoleReach = {
    users: conditioned && set.users === "all" ? "some" : set.users,
    groups: set.groups,
  };
  return {
    assignment: a,
    reach,
    detail: [setDetail, conditioned].filter(Boolean).join("; ") || undefined,
  };
}

async function checkConnection(
  deps: PreflightDeps,
  clientId: string | undefined,
  label: string,
  add: Add,
): Promise<void> {
  if (!deps.aim) {
    add(
      "aim.connectionTest",
      false,
      "warning",
      "connection test not run: no AIM adapter given",
      "Give the Databricks account credentials so that preflight can run the AIM connection test.",
    );
    return;
  }
  if (!deps.connection || !clientId) {
    add(
      "aim.connectionTest",
      false,
      "warning",
      `connection test not run: ${!deps.connection ? "no Okta org URL and private key given" : "the app's client id is unknown"}`,
      "Give the Okta org URL and the app's private key (a secret) so that preflight can run the token exchange AIM performs.",
    );
    return;
  }
  try {
    // What AIM holds, tested where it is; else the same exchange run from here. The key given
    // to preflight is used only locally (it never travels to Databricks).
    const stored = deps.aim.testStored ? await deps.aim.testStored() : undefined;
    const local = deps.aim.mode === "console" ? deps.aim.test.bind(deps.aim) : deps.localTest;
    if (!stored && !local) {
      add(
        "aim.connectionTest",
        false,
        "warning",
        "connection test not run: AIM holds no connection yet, and no local test was given",
        "Run aimctl check with the console adapter, or configure the connection first (aimctl apply --enable-aim).",
      );
      return;
    }
    const r =
      stored ??
      (await (local as NonNullable<typeof local>)({
        oktaOrgUrl: deps.connection.oktaOrgUrl,
        clientId,
        privateKey: deps.connection.privateKey,
      }));
    const where = stored ? "of the connection AIM holds" : "run from here";
    const failed = r.steps.filter((s) => !s.ok);
    const ok = r.success && failed.length === 0;
    add(
      "aim.connectionTest",
      ok,
      "error",
      ok
        ? `connection test ${where} passed (${r.steps.map((s) => `${s.name}: ${s.message}`).join("; ")})`
        : `connection test ${where} failed at ${failed.map((s) => `${s.name}: ${s.message}`).join("; ") || "an unnamed step"}`,
      fixForTestFailure(failed.map((s) => s.message).join(" "), label),
    );
  } catch (err) {
    const notEnrolled = err instanceof AimError && err.code === ERROR_CODES.aimNotEnrolled;
    add(
      "aim.connectionTest",
      false,
      "error",
      `connection test could not run: ${describe(err)}`,
      notEnrolled
        ? `This account exposes no AIM admin API: use adapter "console" and run the test in ${DBX_AIM} → Configure → Test connection.`
        : "Check the Databricks account host, account id and credentials (account admin), then re-run.",
    );
  }
}

function fixForTestFailure(text: string, label: string): string {
  const t = text.toLowerCase();
  const where = OKTA_APP(label);
  if (t.includes("invalid_dpop_proof") || t.includes("dpop")) return FIX_DPOP(where);
  if (t.includes("invalid_scope"))
    return `${where} → Okta API Scopes: Grant ${AIM_OKTA_SCOPES.join(" and ")}.`;
  if (t.includes("invalid_client"))
    return `The key or client id does not match the app: ${where} → General → Client Credentials must use Public key / Private key, list the public key of the private key you give AIM (Active, same kid), and show the client id you give AIM.`;
  if (t.includes("403") || t.includes("forbidden") || t.includes("insufficient"))
    return FIX_ADMIN_ROLE(where);
  return `Fix the failing step above, then run the test again (${DBX_AIM} → Configure → Test connection, or aimctl check).`;
}

/** Returns whether AIM is on (undefined when unknown). */
async function checkAimStatus(
  deps: PreflightDeps,
  clientId: string | undefined,
  add: Add,
): Promise<boolean | undefined> {
  let state: AimConnectionState | undefined;
  let stateError: unknown;
  if (deps.aim) {
    try {
      state = await deps.aim.read();
    } catch (err) {
      stateError = err;
    }
  }
  let probeOn: boolean | undefined;
  let offForm: AimOffForm | undefined;
  let probeError: unknown;
  if (deps.iamv2) {
    try {
      await deps.iamv2.getByExternalId("user", deps.probeExternalId ?? "00u-aim-preflight-probe");
      probeOn = true;
    } catch (err) {
      offForm = aimOffForm(err);
      if (offForm) probeOn = false;
      else probeError = err;
    }
  }
  if (state?.configured && clientId && state.clientId && state.clientId !== clientId)
    add(
      "aim.clientId",
      false,
      "error",
      `the AIM connection uses client id ${state.clientId}, but the Okta app has ${clientId}`,
      `${DBX_AIM} → Configure: set Client ID to ${clientId} (and its private key), then Test connection.`,
    );
  const on = probeOn ?? state?.enabled;
  const parts = [
    state
      ? `AIM connection ${state.configured ? "configured" : "not configured"}, ${state.enabled ? "enabled" : "disabled"} (${deps.aim?.mode} adapter)`
      : undefined,
    stateError ? `AIM connection unreadable: ${describe(stateError)}` : undefined,
    probeOn !== undefined
      ? `iamv2 probe: AIM is ${probeOn ? "on" : `off (${AIM_OFF_FORM_TEXT[offForm as AimOffForm]})`}`
      : undefined,
    probeError ? `iamv2 probe failed: ${describe(probeError)}` : undefined,
  ].filter(Boolean);
  const inconsistent = state !== undefined && probeOn !== undefined && state.enabled !== probeOn;
  add(
    "aim.status",
    !inconsistent && !probeError,
    "info",
    parts.length ? parts.join("; ") : "AIM status unknown: no Databricks account access given",
    inconsistent
      ? `The AIM admin view and the public iamv2 API disagree; check ${DBX_AIM} (someone may have switched AIM in the console).`
      : "Check the Databricks account credentials (account admin) and host.",
  );
  return on;
}

function checkPlan(
  plan: Plan | undefined,
  aimOn: boolean | undefined,
  accepted: readonly FindingCode[],
  add: Add,
): void {
  if (!plan) {
    add(
      "plan.given",
      false,
      "info",
      "identity checks not run: no plan given",
      "Run with a plan (aimctl check reads both sides and plans) to check usernames, duplicates and drift.",
    );
    return;
  }
  const of = (...codes: FindingCode[]) => plan.findings.filter((f) => codes.includes(f.code));
  const blocking = new Set(blockingFindings(plan.findings, accepted));
  /** A check over these findings is an error only when one of them blocks (is not accepted). */
  const severityOf = (fs: readonly Finding[], whenPassing: Severity): Severity =>
    fs.some((f) => blocking.has(f)) ? "error" : fs.length ? "warning" : whenPassing;
  const acceptedNote = (fs: readonly Finding[]): string => {
    const codes = [...new Set(acceptedFindings(fs, accepted).map((f) => f.code))].sort();
    return codes.length ? ` (accepted: ${codes.join(", ")})` : "";
  };

  const uniq = of(
    "OKTA_EMAIL_NOT_UNIQUE",
    "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
    "AMBIGUOUS_MATCH",
  ).filter((f) => f.code !== "AMBIGUOUS_MATCH" || f.kind === "user");
  const uniqErrors = uniq.filter((f) => f.severity === "error");
  add(
    "tenant.usernameUnique",
    uniq.length === 0,
    severityOf(uniq, "warning"),
    uniq.length === 0
      ? "every Databricks username maps to at most one Okta user (login or email)"
      : `${[
          uniqErrors.length
            ? `${uniqErrors.length} Databricks username(s) map to several Okta users`
            : "",
          uniq.length > uniqErrors.length
            ? `${uniq.length - uniqErrors.length} Okta email clash(es) affect no Databricks username yet`
            : "",
        ]
          .filter(Boolean)
          .join("; ")}: ${list(uniq)}${acceptedNote(uniq)}`,
    "In Okta (Directory → People), make each email unique and different from every other user's login (or exclude the Databricks user, or add an override userName → Okta id); AIM matches the username claim against both login and email.",
  );
  const dups = of("DUPLICATE_IDENTITY");
  add(
    "plan.duplicates",
    dups.length === 0,
    severityOf(dups, "error"),
    dups.length === 0
      ? "no Okta identity is chosen by two Databricks identities"
      : `${dups.length} Okta identit(ies) match several Databricks identities: ${list(dups)}${acceptedNote(dups)}`,
    "Merge or remove the duplicate Databricks identities (account console → User management), or exclude all but one, or name the right one with an override.",
  );

  // Conflicting externalIds, invalid overrides, and groups/SPs whose name several Okta groups share.
  const conflicts = [
    ...of("EXTERNAL_ID_CONFLICT", "EXTERNAL_ID_FOREIGN", "OVERRIDE_INVALID", "MAPPING_INVALID"),
    ...of("AMBIGUOUS_MATCH").filter((f) => f.kind !== "user"),
  ];
  add(
    "plan.conflicts",
    conflicts.length === 0,
    severityOf(conflicts, "warning"),
    conflicts.length === 0
      ? "no externalId conflicts, ambiguous group names or invalid overrides"
      : `${conflicts.length} conflict(s) or ambiguous match(es): ${list(conflicts)}${acceptedNote(conflicts)}`,
    'Correct the overrides/mappings named, give an override for an ambiguous group name, or set onConflict: "overwrite" to replace conflicting externalIds (the previous values go to the undo file).',
  );

  const drift = of("USERNAME_DRIFT");
  add(
    "plan.usernameDrift",
    drift.length === 0,
    "warning",
    drift.length === 0
      ? "no username drift"
      : `${drift.length} linked user(s) whose username no longer matches their Okta login or email: ${list(drift)}; AIM would create a new user at their next login`,
    "Ask Databricks support for a username migration of these users (or restore their Okta login/email); this tool never renames users.",
  );

  const pending = plan.actions.length;
  add(
    "plan.pendingLinks",
    pending === 0,
    aimOn ? "error" : "warning",
    pending === 0
      ? "every matched identity carries its Okta id as externalId"
      : `${pending} identit(ies) still lack their Okta id as externalId${aimOn ? " while AIM is ON: each gets a duplicate at its first login" : "; enabling AIM now would create duplicates at their first login"}`,
    "Apply the plan (aimctl apply, or pulumi up) before enabling AIM.",
  );
}

/** The findings' subjects, each named once (one identity may be in several findings). */
function list(findings: readonly Finding[], max = 5): string {
  const subjects = [...new Set(findings.flatMap((f) => f.subjects))];
  const shown = subjects.slice(0, max).join(", ");
  return subjects.length > max ? `${shown} and ${subjects.length - max} more` : shown;
}

function describe(err: unknown): string {
  if (err instanceof AimError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
