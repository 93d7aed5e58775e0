/**
 * What the rest of the project needs from Okta. `OktaClient` implements it
 * over HTTP; tests may implement it in memory.
 */
import type { AppPrivateKey } from "../keys/privateKey";
import type { OktaApp, OktaAppJwk, OktaGroup, OktaUser } from "../model/tenant";
import type { OktaResourceSetResource, OktaRoleAssignment, OktaRolePermission } from "./roles";

/** How the client authenticates to Okta's management API. */
export type OktaAuth =
  /** OAuth 2.0 client credentials with a private_key_jwt assertion (what AIM itself uses). */
  | {
      kind: "privateKeyJwt";
      clientId: string;
      /** Parsed once by the caller (AppPrivateKey), or given as PEM / JWK and parsed here. */
      privateKey: AppPrivateKey | string | Record<string, unknown>;
      keyId?: string;
      scopes?: string[];
    }
  /** An SSWS admin API token (what the Pulumi Okta provider typically uses). */
  | { kind: "apiToken"; token: string };

export interface OktaClientConfig {
  /** https://{yourOktaDomain}; http only for loopback. */
  orgUrl: string;
  auth: OktaAuth;
}

export interface OktaConnectionTest {
  ok: boolean;
  steps: Array<{ name: "token" | "read_user" | "read_group"; ok: boolean; message: string }>;
}

export interface ListUsersOptions {
  /** DEPROVISIONED users too (default true; the plain list omits them, a filter returns them). */
  includeDeprovisioned?: boolean;
  /** Only users whose lastUpdated is after this ISO date (every status). */
  updatedSince?: string;
  onPage?: (count: number) => void;
}

export interface OktaReader {
  /**
   * Names the org and the credentials that read it (the snapshot cache is
   * kept per key); absent: no cache.
   */
  readonly cacheKey?: string;
  /** Every user, DEPROVISIONED included, or those changed since `updatedSince`. */
  listUsers(opts?: ListUsersOptions): Promise<OktaUser[]>;
  /** Every group (BUILT_IN included; the engine excludes it). */
  listGroups(opts?: { onPage?: (count: number) => void }): Promise<OktaGroup[]>;
  getUser(idOrLogin: string): Promise<OktaUser | undefined>;
  getGroup(id: string): Promise<OktaGroup | undefined>;
}

export interface OktaAppAdmin {
  getApp(appId: string): Promise<OktaApp | undefined>;
  /** Full-object PUT, as Okta's API requires. */
  updateApp(appId: string, app: OktaApp): Promise<OktaApp>;
  listAppGrants(appId: string): Promise<string[]>;
  /** The client's role assignments: standard roles, and CUSTOM ones with their role and resource set. */
  listClientRoles(clientId: string): Promise<OktaRoleAssignment[]>;
  /** A custom role's permissions (scope okta.roles.read). */
  listRolePermissions(roleIdOrLabel: string): Promise<OktaRolePermission[]>;
  /** The resources a resource set holds (scope okta.roles.read). */
  listResourceSetResources(resourceSetId: string): Promise<OktaResourceSetResource[]>;
}

/** The app's client-authentication keys (`/api/v1/apps/{id}/credentials/jwks`). */
export interface OktaAppKeys {
  listAppKeys(appId: string): Promise<OktaAppJwk[]>;
  addAppKey(appId: string, jwk: OktaAppJwk): Promise<OktaAppJwk>;
  setAppKeyStatus(appId: string, keyId: string, status: "ACTIVE" | "INACTIVE"): Promise<void>;
}
