/**
 * Findings beside the buckets: username drift of linked users, and the
 * tenant-wide Okta checks (emails shared, an email that is another user's
 * login) that make a username map to more than one Okta user.
 */
import type { Severity } from "../../model/plan";
import type { OktaUser } from "../../model/tenant";
import { normalizeName } from "../normalize";
import type { PlanContext } from "./context";
import { push, type Identity } from "./identity";
import { cmp, listNames } from "./messages";

/** The Databricks userName equals the Okta user's login or email (normalised). */
export function usernameMatches(ident: Identity, o: OktaUser): boolean {
  return (
    ident.key === normalizeName(o.profile.login) || ident.key === normalizeName(o.profile.email)
  );
}

/**
 * USERNAME_DRIFT: the externalId names a live Okta user whose login and
 * email both differ from the Databricks userName. Not reported for an
 * identity whose externalId this plan replaces.
 */
export function checkDrift(ctx: PlanContext, users: readonly Identity[]): void {
  for (const ident of users) {
    if (
      ident.externalId === null ||
      ident.bucket === "link" ||
      ctx.excludeUsers.matches(ident.name)
    )
      continue;
    // Linked to the user its name matches: that user's login or email is its name.
    if (
      ident.externalId === ident.target &&
      (ident.matchedBy === "login" || ident.matchedBy === "email")
    )
      continue;
    // Also for an identity in conflict: the user it is linked to was renamed, or its
    // address is now someone else's (DESIGN: a username migration, never an overwrite).
    const o = ctx.okta.linkableUser(ident.externalId);
    if (o === undefined || usernameMatches(ident, o)) continue;
    ctx.findings.add(
      "USERNAME_DRIFT",
      "warning",
      "user",
      [ident.name],
      `Databricks user "${ident.name}" is linked to Okta user ${o.id}, whose login is now ` +
        `"${o.profile.login}" (email "${o.profile.email}"). AIM would create a new user at the next ` +
        `login: ask Databricks support for a username migration; this tool does not rename users.`,
      ident.name,
    );
  }
}

/**
 * Tenant-wide Okta checks over non-DEPROVISIONED users. Error when a
 * (non-excluded) Databricks userName equals the contested value, else
 * warning: the username claim would not map to exactly one Okta user.
 *
 * Both findings need two Okta users under one normalised value, so only
 * the few keys of the name index with two or more entries are examined.
 */
export function checkTenant(ctx: PlanContext, users: readonly Identity[]): void {
  interface Contested {
    value: string;
    /** Users whose email is the value. */
    emailOwners: OktaUser[];
    /** Users whose login is the value. */
    loginOwners: OktaUser[];
    /** Users whose email is the value and whose login is not. */
    others: OktaUser[];
  }
  const contested = new Map<string, Contested>();
  for (const [value, entry] of ctx.okta.sharedNames()) {
    const c: Contested = { value, emailOwners: [], loginOwners: [], others: [] };
    for (const { user, by } of entry) {
      if (by === "login") {
        c.loginOwners.push(user);
        if (normalizeName(user.profile.email) === value) c.emailOwners.push(user);
      } else {
        c.emailOwners.push(user);
        c.others.push(user);
      }
    }
    const shared = c.emailOwners.length >= 2;
    const equalsLogin = c.loginOwners.length > 0 && c.others.length > 0;
    if (shared || equalsLogin) contested.set(value, c);
  }
  if (contested.size === 0) return;
  const affectedBy = new Map<string, string[]>();
  for (const ident of users) {
    if (contested.has(ident.key) && !ctx.excludeUsers.matches(ident.name))
      push(affectedBy, ident.key, ident.name);
  }
  for (const c of contested.values()) {
    const affected = (affectedBy.get(c.value) ?? []).sort(cmp);
    const severity: Severity = affected.length > 0 ? "error" : "warning";
    if (c.emailOwners.length >= 2) {
      const logins = c.emailOwners.map((o) => o.profile.login).sort(cmp);
      ctx.findings.add(
        "OKTA_EMAIL_NOT_UNIQUE",
        severity,
        "tenant",
        [c.value, ...logins, ...affected],
        `${c.emailOwners.length} Okta users share the email "${c.value}": ${listNames(logins)}. ` +
          (affected.length > 0
            ? `Databricks user(s) ${listNames(affected)} cannot be matched to exactly one Okta user. `
            : `No Databricks username is this email today, but one created by AIM would be ambiguous. `) +
          `Give each Okta user its own email.`,
        c.value,
      );
    }
    if (c.loginOwners.length > 0 && c.others.length > 0) {
      const otherLogins = c.others.map((o) => o.profile.login).sort(cmp);
      const ownerLogins = c.loginOwners.map((o) => o.profile.login).sort(cmp);
      ctx.findings.add(
        "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
        severity,
        "tenant",
        [c.value, ...ownerLogins, ...otherLogins, ...affected],
        `"${c.value}" is the login of Okta user ${listNames(ownerLogins)} and the email of ` +
          `${listNames(otherLogins)}. ` +
          (affected.length > 0
            ? `Databricks user(s) ${listNames(affected)} would match both. `
            : `A Databricks username equal to it would match both. `) +
          `Change the email of the other user(s) in Okta.`,
        c.value,
      );
    }
  }
}
