/**
 * Messages between the benchmark's processes. The orchestrator (run.ts)
 * forks an emulator host (emulatorHost.ts) and, per scenario, a worker
 * (worker.ts) that runs the tool the way `aimctl` would; the worker's CPU and
 * RSS are then the tool's own, not the emulators'.
 */
import type { DatabricksAccountConfig } from "../core/databricks/api";

export type RateProfile = "realistic" | "off";

export interface HostConfig {
  users: number;
  seed: number;
  /** Pathology rates over the generator's defaults (the bench's tenant: see run.ts TENANT_RATES). */
  rates?: Record<string, number>;
  okta: RateProfile;
  /** "realistic", "off", or realistic with the PATCH limit raised to this many per second. */
  databricks: RateProfile | { patchPerSecond: number };
  pageCap: number;
}

/** What the emulated tenant holds: the inputs of the minimum-call formula. */
export interface TenantCounts {
  oktaUsersListed: number;
  oktaDeprovisioned: number;
  oktaGroups: number;
  databricksUsers: number;
  databricksGroups: number;
  databricksServicePrincipals: number;
}

/** Secrets stay in IPC messages; nothing here is printed. */
export interface Connection {
  okta: {
    orgUrl: string;
    clientId: string;
    keyId: string;
    privateKeyPem: string;
    apiToken: string;
  };
  databricks: { host: string; accountId: string; clientId: string; clientSecret: string };
}

/** The Databricks account client's configuration for a connection (OAuth M2M). */
export function databricksConfig(conn: Connection): DatabricksAccountConfig {
  return {
    host: conn.databricks.host,
    accountId: conn.databricks.accountId,
    auth: {
      kind: "oauthM2M",
      clientId: conn.databricks.clientId,
      clientSecret: conn.databricks.clientSecret,
    },
  };
}

export interface HostUsage {
  cpuMs: number;
  rssMb: number;
}

export type HostRequest =
  { cmd: "start"; config: HostConfig } | { cmd: "counts"; id: number } | { cmd: "close" };

export type HostReply =
  | {
      type: "ready";
      connection: Connection;
      tenant: TenantCounts;
      generateMs: number;
      startMs: number;
    }
  | {
      type: "counts";
      id: number;
      okta: Record<string, number>;
      databricks: Record<string, number>;
      usage: HostUsage;
    }
  | { type: "error"; message: string };

export type Scenario =
  /**
   * Read (through an Okta snapshot cache, empty at first: a full read) and
   * plan; then, in new clients as a new process would, a preview: the same
   * read again, now incremental for Okta.
   */
  | { kind: "plan"; planOut: string; cacheFile: string }
  /** planLinks alone on generated tenants of these sizes (the CPU curve). */
  | { kind: "curve"; sizes: number[]; seed: number; rates?: Record<string, number> }
  /**
   * One `pulumi up` as the engine drives the IdentityReconciliation
   * provider: a preview (check, diff) and an update (check, diff, update) in
   * two host processes, bounded to `maxWritesPerRun` writes.
   */
  | { kind: "up"; journalDir: string; maxWritesPerRun: number }
  | {
      kind: "apply";
      planFile: string;
      /** Apply only the first N actions (a bounded sample); all when absent. */
      limit?: number;
      writeRatePerSecond: number;
      concurrency?: number;
    }
  | { kind: "scripted"; concurrency: number; sampleMax: number };

export type WorkerRequest = { type: "run"; connection?: Connection; scenario: Scenario };

export type WorkerMessage =
  | { type: "mark"; label: string }
  | { type: "result"; result: unknown }
  | { type: "error"; message: string };

export type OrchestratorToWorker = WorkerRequest | { type: "marked"; label: string };
