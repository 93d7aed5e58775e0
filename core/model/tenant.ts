/**
 * The tenant fixture (docs/formats.md "Tenant fixture"): native API shapes on
 * each side. Emulators load it; tests and the synthetic generator produce it.
 */

/** Every status an Okta user can have. */
export const OKTA_USER_STATUSES = [
  "STAGED",
  "PROVISIONED",
  "ACTIVE",
  "RECOVERY",
  "PASSWORD_EXPIRED",
  "LOCKED_OUT",
  "SUSPENDED",
  "DEPROVISIONED",
] as const;
export type OktaUserStatus = (typeof OKTA_USER_STATUSES)[number];

export interface OktaUser {
  id: string;
  status: OktaUserStatus;
  profile: {
    login: string;
    email: string;
    firstName?: string | null;
    lastName?: string | null;
    [key: string]: unknown;
  };
  created?: string;
  lastUpdated?: string;
  [key: string]: unknown;
}

export const OKTA_GROUP_TYPES = ["OKTA_GROUP", "APP_GROUP", "BUILT_IN"] as const;
export type OktaGroupType = (typeof OKTA_GROUP_TYPES)[number];

const USER_STATUS = new Map<string, OktaUserStatus>(OKTA_USER_STATUSES.map((s) => [s, s]));
const GROUP_TYPE = new Map<string, OktaGroupType>(OKTA_GROUP_TYPES.map((t) => [t, t]));

/**
 * The status `s` names as the one shared constant string, or undefined when
 * it names none. (JSON.parse gives a longer value such as "DEPROVISIONED" its
 * own copy per user: a million users, a million copies.)
 */
export function oktaUserStatus(s: string): OktaUserStatus | undefined {
  return USER_STATUS.get(s);
}

/**
 * `value`, or `kept` when they are equal: a user whose email is its login
 * (most users) then holds one string instead of two equal copies.
 */
export function oneCopy(kept: string, value: string): string {
  return value === kept ? kept : value;
}

/** The group type `t` names as the one shared constant string, or undefined. */
export function oktaGroupType(t: string): OktaGroupType | undefined {
  return GROUP_TYPE.get(t);
}

export interface OktaGroup {
  id: string;
  type: OktaGroupType;
  profile: { name: string; description?: string | null; [key: string]: unknown };
  created?: string;
  lastUpdated?: string;
  /** When members last joined or left (not `lastUpdated`, which follows the profile). */
  lastMembershipUpdated?: string;
  [key: string]: unknown;
}

/** A JWK as Okta stores it on an app (public part only). */
export interface OktaAppJwk {
  kid: string;
  kty: string;
  alg?: string;
  use?: string;
  e?: string;
  n?: string;
  crv?: string;
  x?: string;
  y?: string;
  status?: "ACTIVE" | "INACTIVE";
  id?: string;
  [key: string]: unknown;
}

/** The subset of Okta's app object that this project reads and writes. */
export interface OktaApp {
  id: string;
  name: string;
  label: string;
  status?: "ACTIVE" | "INACTIVE";
  signOnMode: string;
  credentials: {
    oauthClient: {
      client_id: string;
      token_endpoint_auth_method: string;
      autoKeyRotation?: boolean;
      pkce_required?: boolean;
      client_secret?: string;
    };
  };
  settings: {
    oauthClient: {
      application_type: string;
      grant_types: string[];
      response_types: string[];
      dpop_bound_access_tokens?: boolean;
      jwks?: { keys: OktaAppJwk[] };
      jwks_uri?: string;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  /** Fixture-only: scopes granted to the app (`/api/v1/apps/{id}/grants`). */
  grants?: string[];
  /** Fixture-only: admin roles assigned to the app's client (`/oauth2/v1/clients/{id}/roles`). */
  roles?: string[];
  [key: string]: unknown;
}

export interface DatabricksEmail {
  value: string;
  primary?: boolean;
  type?: string;
}

export interface DatabricksUser {
  id: string;
  userName: string;
  externalId?: string | null;
  displayName?: string;
  active?: boolean;
  emails?: DatabricksEmail[];
}

export interface DatabricksGroup {
  id: string;
  displayName: string;
  externalId?: string | null;
}

export interface DatabricksServicePrincipal {
  id: string;
  applicationId: string;
  displayName: string;
  externalId?: string | null;
  active?: boolean;
}

export interface TenantFixture {
  okta: {
    users: OktaUser[];
    groups: OktaGroup[];
    apps: OktaApp[];
  };
  databricks: {
    accountId: string;
    users: DatabricksUser[];
    groups: DatabricksGroup[];
    servicePrincipals: DatabricksServicePrincipal[];
  };
}

/**
 * A Databricks identity's externalId as the project compares it: absent,
 * null and "" are all unset (docs/matching.md: an empty-string externalId
 * counts as unset), returned as null. The one place this rule lives.
 */
export function externalIdOf(v: string | null | undefined): string | null {
  return v === undefined || v === null || v === "" ? null : v;
}
