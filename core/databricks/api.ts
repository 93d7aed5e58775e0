/**
 * What the rest of the project needs from the Databricks account.
 * `DatabricksAccountClient` implements it over HTTP.
 */
import type { PaceReport } from "../http/pacing";
import type { AppPrivateKey } from "../keys/privateKey";
import type { JournalAuth } from "../keys/journalKey";
import type { IdentityKind, WriteRoute } from "../model/plan";
import type { DatabricksGroup, DatabricksServicePrincipal, DatabricksUser } from "../model/tenant";

export type DatabricksAuth =
  { kind: "oauthM2M"; clientId: string; clientSecret: string } | { kind: "token"; token: string };

export interface DatabricksAccountConfig {
  /** https://accounts.cloud.databricks.com (or Azure/GCP); http only for loopback. */
  host: string;
  accountId: string;
  auth: DatabricksAuth;
}

export type DatabricksIdentity = DatabricksUser | DatabricksGroup | DatabricksServicePrincipal;

export interface DatabricksIdentityReader {
  listUsers(opts?: { onPage?: (count: number) => void }): Promise<DatabricksUser[]>;
  listGroups(opts?: { onPage?: (count: number) => void }): Promise<DatabricksGroup[]>;
  listServicePrincipals(opts?: {
    onPage?: (count: number) => void;
  }): Promise<DatabricksServicePrincipal[]>;
  /** Re-reads identities by id in batches (SCIM filter `id eq … or …`); missing ids are absent. */
  getByIds(kind: IdentityKind, ids: string[]): Promise<DatabricksIdentity[]>;
}

export interface DatabricksIdentityWriter {
  /**
   * Sets (or clears, with null) an identity's externalId through the chosen
   * route. `once`: the caller took a slot with `acquireWriteSlot` and
   * re-checked live state; the write is sent once (a 429, 5xx or connection
   * error is thrown, never retried blindly).
   */
  setExternalId(
    kind: IdentityKind,
    id: string,
    externalId: string | null,
    route: WriteRoute,
    opts?: { once?: boolean },
  ): Promise<void>;
  /** Waits until the write pace allows the next write (absent: no pacing). */
  acquireWriteSlot?(): Promise<void>;
  /** The write pace now, and what it met (absent: not adaptive). */
  writePace?(): PaceReport;
  /**
   * What authenticates the undo journal of writes to this account: a key
   * derived from `explicitKey` (AIMCTL_JOURNAL_KEY) or else the writer's own
   * credential, which never leaves it.
   */
  journalAuth?(explicitKey?: string): JournalAuth;
}

/** iamv2 (AIM-aware) look-ups. */
export interface DatabricksIamV2 {
  /** GET external-users|external-groups|external-service-principals/{externalId}; undefined on 404. */
  getByExternalId(
    kind: IdentityKind,
    externalId: string,
  ): Promise<{ id: string; externalId: string } | undefined>;
}

/** The assumed AIM admin contract (docs/aim-admin-api.md); two adapters implement it. */
export interface AimConnectionState {
  configured: boolean;
  enabled: boolean;
  oktaOrgUrl?: string;
  clientId?: string;
}

export interface AimConnectionTestResult {
  success: boolean;
  steps: Array<{ name: string; ok: boolean; message: string }>;
}

export interface AimAdmin {
  readonly mode: "api" | "console";
  read(): Promise<AimConnectionState>;
  test(config: {
    oktaOrgUrl: string;
    clientId: string;
    privateKey: AppPrivateKey | string;
  }): Promise<AimConnectionTestResult>;
  configure(config: {
    oktaOrgUrl: string;
    clientId: string;
    privateKey: AppPrivateKey | string;
  }): Promise<AimConnectionState>;
  enable(): Promise<AimConnectionState>;
  disable(): Promise<AimConnectionState>;
  /**
   * Tests the connection AIM already holds, sending no key (undefined when
   * nothing is configured). Only adapters that can reach AIM have it.
   */
  testStored?(): Promise<AimConnectionTestResult | undefined>;
}
