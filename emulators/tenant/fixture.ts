/**
 * Tenant fixture loader (docs/formats.md "Tenant fixture"). Validates the
 * whole document before returning it, so an emulator never half-loads a
 * tenant: every problem is reported with its JSON path and the fix.
 */

import { readFileSync } from "node:fs";
import { ConfigError } from "../../core/http/errors";
import {
  OKTA_GROUP_TYPES as GROUP_TYPES,
  OKTA_USER_STATUSES as USER_STATUSES,
  type TenantFixture,
} from "../../core/model/tenant";

/** Stop collecting after this many problems: the first few are what one fixes first. */
const MAX_PROBLEMS = 20;

interface Problem {
  path: string;
  message: string;
}

class Checker {
  readonly problems: Problem[] = [];

  add(path: string, message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push({ path, message });
  }

  object(v: unknown, path: string, fix: string): v is Record<string, unknown> {
    if (v === undefined) {
      this.add(path, `${path} is missing: ${fix}`);
      return false;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      this.add(path, `${path} must be an object, got ${describe(v)}: ${fix}`);
      return false;
    }
    return true;
  }

  array(v: unknown, path: string, fix: string): v is unknown[] {
    if (v === undefined) {
      this.add(path, `${path} is missing: ${fix}`);
      return false;
    }
    if (!Array.isArray(v)) {
      this.add(path, `${path} must be an array, got ${describe(v)}: ${fix}`);
      return false;
    }
    return true;
  }

  /** A required non-empty string. */
  string(v: unknown, path: string, fix: string): v is string {
    if (v === undefined || v === null) {
      this.add(path, `${path} is missing: ${fix}`);
      return false;
    }
    if (typeof v !== "string") {
      this.add(path, `${path} must be a string, got ${describe(v)}: ${fix}`);
      return false;
    }
    if (v.trim() === "") {
      this.add(path, `${path} is empty: ${fix}`);
      return false;
    }
    return true;
  }

  /** Optional string or null (empty allowed: an empty externalId means unset). */
  optionalString(v: unknown, path: string, fix: string): void {
    if (v !== undefined && v !== null && typeof v !== "string") {
      this.add(path, `${path} must be a string or null, got ${describe(v)}: ${fix}`);
    }
  }

  optionalBoolean(v: unknown, path: string, fix: string): void {
    if (v !== undefined && typeof v !== "boolean") {
      this.add(path, `${path} must be true or false, got ${describe(v)}: ${fix}`);
    }
  }

  oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, fix: string): void {
    if (!this.string(v, path, fix)) return;
    if (!(allowed as readonly string[]).includes(v)) {
      this.add(path, `${path} is "${v}": ${fix} (one of ${allowed.join(", ")})`);
    }
  }

  /** Reports the second and later occurrences of a key. */
  unique(seen: Map<string, string>, key: string, path: string, what: string, fix: string): void {
    const first = seen.get(key);
    if (first !== undefined) {
      this.add(path, `${path} repeats ${what} "${key}" of ${first}: ${fix}`);
    } else {
      seen.set(key, path);
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return typeof v === "object" ? "an object" : `${typeof v} ${String(v)}`;
}

function checkOkta(c: Checker, okta: Record<string, unknown>): void {
  const users = okta.users;
  if (c.array(users, "okta.users", "list the Okta users (may be [])")) {
    const ids = new Map<string, string>();
    const logins = new Map<string, string>();
    users.forEach((u, i) => {
      const p = `okta.users[${i}]`;
      if (!c.object(u, p, "each Okta user is an object with id, status and profile")) return;
      if (c.string(u.id, `${p}.id`, "every Okta user needs an id such as 00u…")) {
        c.unique(ids, u.id, `${p}.id`, "the id", "Okta user ids are unique");
      }
      c.oneOf(u.status, USER_STATUSES, `${p}.status`, "every Okta user needs a status");
      if (
        !c.object(
          u.profile,
          `${p}.profile`,
          "every Okta user needs profile.login and profile.email",
        )
      ) {
        return;
      }
      const profile = u.profile;
      if (c.string(profile.login, `${p}.profile.login`, "every Okta user needs profile.login")) {
        // Okta enforces login uniqueness case-insensitively.
        c.unique(
          logins,
          profile.login.toLowerCase(),
          `${p}.profile.login`,
          "the login",
          "Okta logins are unique (case-insensitive)",
        );
      }
      c.string(profile.email, `${p}.profile.email`, "every Okta user needs profile.email");
      c.optionalString(profile.firstName, `${p}.profile.firstName`, "use a string or null");
      c.optionalString(profile.lastName, `${p}.profile.lastName`, "use a string or null");
    });
  }
  const groups = okta.groups;
  if (c.array(groups, "okta.groups", "list the Okta groups (may be [])")) {
    const ids = new Map<string, string>();
    groups.forEach((g, i) => {
      const p = `okta.groups[${i}]`;
      if (!c.object(g, p, "each Okta group is an object with id, type and profile")) return;
      if (c.string(g.id, `${p}.id`, "every Okta group needs an id such as 00g…")) {
        c.unique(ids, g.id, `${p}.id`, "the id", "Okta group ids are unique");
      }
      c.oneOf(g.type, GROUP_TYPES, `${p}.type`, "every Okta group needs a type");
      if (c.object(g.profile, `${p}.profile`, "every Okta group needs profile.name")) {
        c.string(g.profile.name, `${p}.profile.name`, "every Okta group needs profile.name");
        c.optionalString(g.profile.description, `${p}.profile.description`, "use a string or null");
      }
    });
  }
  const apps = okta.apps;
  if (apps === undefined) return; // apps are optional: most fixtures start without the AIM app
  if (c.array(apps, "okta.apps", "list the Okta apps (may be [])")) {
    const ids = new Map<string, string>();
    apps.forEach((a, i) => {
      const p = `okta.apps[${i}]`;
      if (!c.object(a, p, "each Okta app is an object")) return;
      if (c.string(a.id, `${p}.id`, "every Okta app needs an id such as 0oa…")) {
        c.unique(ids, a.id, `${p}.id`, "the id", "Okta app ids are unique");
      }
      c.string(a.name, `${p}.name`, 'every Okta app needs a name such as "oidc_client"');
      c.string(a.label, `${p}.label`, "every Okta app needs a label");
      c.string(
        a.signOnMode,
        `${p}.signOnMode`,
        'every Okta app needs a signOnMode such as "OPENID_CONNECT"',
      );
      if (
        c.object(a.credentials, `${p}.credentials`, "every Okta app needs credentials.oauthClient")
      ) {
        const oc = a.credentials.oauthClient;
        if (
          c.object(
            oc,
            `${p}.credentials.oauthClient`,
            "every Okta app needs credentials.oauthClient",
          )
        ) {
          c.string(
            oc.client_id,
            `${p}.credentials.oauthClient.client_id`,
            "every Okta app needs a client_id",
          );
          c.string(
            oc.token_endpoint_auth_method,
            `${p}.credentials.oauthClient.token_endpoint_auth_method`,
            'set it, e.g. "private_key_jwt"',
          );
        }
      }
      if (c.object(a.settings, `${p}.settings`, "every Okta app needs settings.oauthClient")) {
        const oc = a.settings.oauthClient;
        if (
          c.object(oc, `${p}.settings.oauthClient`, "every Okta app needs settings.oauthClient")
        ) {
          c.string(
            oc.application_type,
            `${p}.settings.oauthClient.application_type`,
            'e.g. "service"',
          );
          c.array(
            oc.grant_types,
            `${p}.settings.oauthClient.grant_types`,
            'e.g. ["client_credentials"]',
          );
          c.array(oc.response_types, `${p}.settings.oauthClient.response_types`, 'e.g. ["token"]');
          c.optionalBoolean(
            oc.dpop_bound_access_tokens,
            `${p}.settings.oauthClient.dpop_bound_access_tokens`,
            "use true or false",
          );
        }
      }
    });
  }
}

function checkDatabricks(c: Checker, db: Record<string, unknown>): void {
  c.string(db.accountId, "databricks.accountId", "set the Databricks account id (a UUID)");
  const ids = new Map<string, string>(); // SCIM ids are unique across the account
  const users = db.users;
  if (c.array(users, "databricks.users", "list the Databricks account users (may be [])")) {
    const userNames = new Map<string, string>();
    users.forEach((u, i) => {
      const p = `databricks.users[${i}]`;
      if (!c.object(u, p, "each Databricks user is an object with id and userName")) return;
      if (c.string(u.id, `${p}.id`, "every Databricks user needs an id (a numeric string)")) {
        c.unique(ids, u.id, `${p}.id`, "the id", "Databricks identity ids are unique");
      }
      if (c.string(u.userName, `${p}.userName`, "every Databricks user needs userName")) {
        // Databricks compares userNames case-insensitively.
        c.unique(
          userNames,
          u.userName.toLowerCase(),
          `${p}.userName`,
          "the userName",
          "Databricks userNames are unique (case-insensitive)",
        );
      }
      c.optionalString(u.externalId, `${p}.externalId`, "use a string, or omit it when unset");
      c.optionalString(u.displayName, `${p}.displayName`, "use a string");
      c.optionalBoolean(u.active, `${p}.active`, "use true or false");
      if (
        u.emails !== undefined &&
        c.array(u.emails, `${p}.emails`, 'use [{"value": "…", "primary": true}]')
      ) {
        u.emails.forEach((e, j) => {
          const ep = `${p}.emails[${j}]`;
          if (c.object(e, ep, 'each email is {"value": "…", "primary": true}')) {
            c.string(e.value, `${ep}.value`, "every email needs a value");
            c.optionalBoolean(e.primary, `${ep}.primary`, "use true or false");
          }
        });
      }
    });
  }
  const groups = db.groups;
  if (c.array(groups, "databricks.groups", "list the Databricks account groups (may be [])")) {
    groups.forEach((g, i) => {
      const p = `databricks.groups[${i}]`;
      if (!c.object(g, p, "each Databricks group is an object with id and displayName")) return;
      if (c.string(g.id, `${p}.id`, "every Databricks group needs an id (a numeric string)")) {
        c.unique(ids, g.id, `${p}.id`, "the id", "Databricks identity ids are unique");
      }
      c.string(g.displayName, `${p}.displayName`, "every Databricks group needs displayName");
      c.optionalString(g.externalId, `${p}.externalId`, "use a string, or omit it when unset");
    });
  }
  const sps = db.servicePrincipals;
  if (c.array(sps, "databricks.servicePrincipals", "list the service principals (may be [])")) {
    const appIds = new Map<string, string>();
    sps.forEach((s, i) => {
      const p = `databricks.servicePrincipals[${i}]`;
      if (
        !c.object(s, p, "each service principal is an object with id, applicationId, displayName")
      )
        return;
      if (c.string(s.id, `${p}.id`, "every service principal needs an id (a numeric string)")) {
        c.unique(ids, s.id, `${p}.id`, "the id", "Databricks identity ids are unique");
      }
      if (
        c.string(
          s.applicationId,
          `${p}.applicationId`,
          "every service principal needs applicationId (a UUID)",
        )
      ) {
        c.unique(
          appIds,
          s.applicationId,
          `${p}.applicationId`,
          "the applicationId",
          "applicationIds are unique",
        );
      }
      c.string(s.displayName, `${p}.displayName`, "every service principal needs displayName");
      c.optionalString(s.externalId, `${p}.externalId`, "use a string, or omit it when unset");
      c.optionalBoolean(s.active, `${p}.active`, "use true or false");
    });
  }
}

/**
 * Validates a parsed (or raw JSON text) fixture. `source` names it in errors
 * (a file path, "inline", ...). Returns a deep copy, so later mutation by an
 * emulator never reaches the caller's object; throws ConfigError (field =
 * JSON path of the first problem) listing every problem found.
 */
export function parseFixture(json: unknown, source: string): TenantFixture {
  let doc: unknown = json;
  if (typeof json === "string") {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      throw new ConfigError(
        "fixture",
        `${source}: not valid JSON (${(e as Error).message}): fix the syntax of the tenant fixture`,
      );
    }
  }
  const c = new Checker();
  if (c.object(doc, "(root)", 'a fixture is {"okta": {…}, "databricks": {…}}')) {
    if (c.object(doc.okta, "okta", 'add "okta": {"users": [], "groups": [], "apps": []}')) {
      checkOkta(c, doc.okta);
    }
    if (
      c.object(
        doc.databricks,
        "databricks",
        'add "databricks": {"accountId": "…", "users": [], "groups": [], "servicePrincipals": []}',
      )
    ) {
      checkDatabricks(c, doc.databricks);
    }
  }
  const first = c.problems[0];
  if (first !== undefined) {
    const more = c.problems.length >= MAX_PROBLEMS ? " (stopped after the first 20 problems)" : "";
    const list = c.problems.map((p) => `  - ${p.message}`).join("\n");
    throw new ConfigError(
      first.path,
      `${source}: invalid tenant fixture, ${c.problems.length} problem(s)${more}; nothing was loaded:\n${list}`,
    );
  }
  // Text was parsed into a fresh object already; an object argument is copied.
  const copy = (typeof json === "string" ? doc : structuredClone(doc)) as TenantFixture;
  copy.okta.apps ??= [];
  return copy;
}

/** Reads and validates a fixture file. */
export function loadFixture(path: string): TenantFixture {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(
      "fixture",
      `cannot read tenant fixture ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}: check the path`,
    );
  }
  return parseFixture(text, path);
}
