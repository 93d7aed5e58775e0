/**
 * The Databricks side of automatic identity management (AIM): first the
 * externalId reconciliation (every existing identity that corresponds to an
 * Okta identity gets the Okta id), then the AIM connection, enabled last.
 * Ordering is a `dependsOn`, not nesting: the connection waits for the
 * reconciliation, and its input `reconciliationFindings` carries the error
 * findings that keep AIM off unless accepted.
 *
 * No I/O here: the children do it. Children: `${name}-reconciliation`
 * (IdentityReconciliation), `${name}-connection` (AimConnection).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  aimAdapterModeProblem,
  DEFAULT_AIM_ADAPTER,
  isAimAdapterMode,
  type AimAdapterKind,
} from "../core/model/aim";
import type { FindingCode, PlanSummary, ReconcileRules, WriteRoute } from "../core/model/plan";
import { AimConnection, type AimAdapter } from "../dynamic-providers/aimConnection";
import {
  IdentityReconciliation,
  type FindingsSummary,
  type PendingSummary,
} from "../dynamic-providers/identityReconciliation";

export interface DatabricksAimArgs {
  /** Okta org URL, https://{yourOktaDomain}. */
  readonly oktaOrgUrl: pulumi.Input<string>;
  /** Databricks accounts host, e.g. https://accounts.cloud.databricks.com. */
  readonly databricksHost: pulumi.Input<string>;
  /** Databricks account id (a UUID). */
  readonly accountId: pulumi.Input<string>;
  /** Client ID of the Okta API Services app (OktaAimApp.clientId). */
  readonly clientId: pulumi.Input<string>;
  /** kid of the app's current signing key (OktaAimApp.keyId). */
  readonly keyId?: pulumi.Input<string>;
  /**
   * ID of the Okta app (OktaAimApp.appId): the connection then keeps its key
   * the app's only ACTIVE key and switches it at a rotation just before AIM
   * gets it (AIM may send no `kid`). Absent: the app's keys are left alone.
   */
  readonly oktaAppId?: pulumi.Input<string>;
  /** PEM private key of the app's signing key (OktaAimApp.privateKeyPem); kept secret. */
  readonly privateKeyPem: pulumi.Input<string>;
  /** Matching rules: overrides, exclusions, onConflict, service principal mappings. */
  readonly rules?: pulumi.Input<ReconcileRules>;
  /** How externalIds are written: "scim" (default) or "iamv2". */
  readonly writeRoute?: pulumi.Input<WriteRoute>;
  /** On delete, restore the externalIds the reconciliation wrote (default false). */
  readonly revertOnDelete?: pulumi.Input<boolean>;
  /** Undo journal path, relative to the project (default under .okta-databricks-aim/). */
  readonly journalPath?: pulumi.Input<string>;
  /** Writes per second (default 2, the published PATCH limit); raise only with a raised account limit. */
  readonly writeRatePerSecond?: pulumi.Input<number>;
  /** At most this many links written per `pulumi up`; the next up continues (default: no bound). */
  readonly maxWritesPerRun?: pulumi.Input<number>;
  /** No write starts once this many seconds of writing have passed in one `pulumi up` (default: no bound). */
  readonly writeTimeBudgetSeconds?: pulumi.Input<number>;
  /** Keep the Okta users of the last read beside the journal and read only changes (default true). */
  readonly oktaSnapshotCache?: pulumi.Input<boolean>;
  /** Read Okta in full when that cache is older than this many seconds (default 86400). */
  readonly oktaSnapshotCacheMaxAgeSeconds?: pulumi.Input<number>;
  /**
   * "auto" (default: the private-preview admin API where the account answers
   * it, else the console path), "api" or "console" (values to enter are output).
   */
  readonly adapter?: pulumi.Input<AimAdapter>;
  /** `api` only: base path of the AIM admin API. */
  readonly apiBasePath?: pulumi.Input<string>;
  /** Desired state of AIM (default true). */
  readonly enableAim?: pulumi.Input<boolean>;
  /** Error finding codes accepted knowingly: AIM is enabled despite them. */
  readonly acceptFindings?: pulumi.Input<pulumi.Input<FindingCode>[]>;
  /** On delete, switch AIM off (default false). */
  readonly disableOnDelete?: pulumi.Input<boolean>;
  /** Okta id of an identity already linked in Databricks, to confirm AIM is on. */
  readonly probeExternalId?: pulumi.Input<string>;
}

/** Okta → Databricks AIM on the Databricks side: links first, then the connection. */
export class DatabricksAim extends pulumi.ComponentResource {
  /** Links still to write, per kind (0 after a successful up). */
  readonly pending: pulumi.Output<PendingSummary>;
  /** Every Databricks identity's bucket, counted per kind. */
  readonly buckets: pulumi.Output<PlanSummary>;
  /** sha256 of the pending link actions. */
  readonly digest: pulumi.Output<string>;
  /** Findings per severity and code. */
  readonly findings: pulumi.Output<FindingsSummary>;
  /** Whether AIM is on (live, as last seen). */
  readonly aimEnabled: pulumi.Output<boolean>;
  /** Error finding codes that keep AIM off. */
  readonly enableBlockedBy: pulumi.Output<string[]>;
  /** `console` adapter: what to do in the account console. */
  readonly consoleInstructions: pulumi.Output<string[] | null>;
  /** `console` adapter: the private key to paste there (secret). */
  readonly consolePrivateKeyPem: pulumi.Output<string | null>;
  /** The AIM adapter the connection used: "api" or "console" (what `auto` chose). */
  readonly adapterUsed: pulumi.Output<AimAdapterKind>;
  /** Why that adapter, e.g. "auto: GET …/connection answered 404 ENDPOINT_NOT_FOUND, so …". */
  readonly adapterReason: pulumi.Output<string>;

  constructor(name: string, args: DatabricksAimArgs, opts?: pulumi.ComponentResourceOptions) {
    super("okta-databricks-aim:index:DatabricksAim", name, {}, opts);
    const problem = argsProblems(args)[0];
    if (problem) throw new pulumi.ResourceError(problem, this);

    const reconciliation = createReconciliation(name, args, this);
    const connection = createConnection(name, args, reconciliation, this);

    this.pending = reconciliation.pending;
    this.buckets = reconciliation.buckets;
    this.digest = reconciliation.digest;
    this.findings = reconciliation.findings;
    this.aimEnabled = connection.liveEnabled;
    this.enableBlockedBy = connection.enableBlockedBy;
    this.consoleInstructions = connection.consoleInstructions;
    this.consolePrivateKeyPem = pulumi.secret(connection.consolePrivateKeyPem);
    this.adapterUsed = connection.adapterUsed;
    this.adapterReason = connection.adapterReason;
    this.registerOutputs({
      pending: this.pending,
      buckets: this.buckets,
      digest: this.digest,
      findings: this.findings,
      aimEnabled: this.aimEnabled,
      enableBlockedBy: this.enableBlockedBy,
      consoleInstructions: this.consoleInstructions,
      consolePrivateKeyPem: this.consolePrivateKeyPem,
      adapterUsed: this.adapterUsed,
      adapterReason: this.adapterReason,
    });
  }
}

/** Problems with arguments known at construction time, each naming its field. */
export function argsProblems(args: DatabricksAimArgs): string[] {
  if (!args || typeof args !== "object")
    return [
      "[args] must be an object with oktaOrgUrl, databricksHost, accountId, clientId and privateKeyPem.",
    ];
  const problems: string[] = [];
  const required = [
    "oktaOrgUrl",
    "databricksHost",
    "accountId",
    "clientId",
    "privateKeyPem",
  ] as const;
  for (const k of required)
    if (args[k] === undefined || args[k] === null) problems.push(`[${k}] must be given.`);
  const known = <T>(v: pulumi.Input<T> | undefined): v is T =>
    v !== undefined && !pulumi.Output.isInstance(v) && !(v instanceof Promise);
  if (known(args.adapter) && !isAimAdapterMode(args.adapter))
    problems.push(aimAdapterModeProblem("[adapter]", args.adapter));
  if (known(args.writeRoute) && args.writeRoute !== "scim" && args.writeRoute !== "iamv2")
    problems.push(
      `[writeRoute] must be "scim" or "iamv2"; got ${JSON.stringify(args.writeRoute)}.`,
    );
  return problems;
}

function createReconciliation(
  name: string,
  args: DatabricksAimArgs,
  parent: pulumi.Resource,
): IdentityReconciliation {
  return new IdentityReconciliation(
    `${name}-reconciliation`,
    {
      oktaOrgUrl: args.oktaOrgUrl,
      databricksHost: args.databricksHost,
      accountId: args.accountId,
      rules: args.rules,
      writeRoute: args.writeRoute,
      revertOnDelete: args.revertOnDelete,
      journalPath: args.journalPath,
      writeRatePerSecond: args.writeRatePerSecond,
      maxWritesPerRun: args.maxWritesPerRun,
      writeTimeBudgetSeconds: args.writeTimeBudgetSeconds,
      oktaSnapshotCache: args.oktaSnapshotCache,
      oktaSnapshotCacheMaxAgeSeconds: args.oktaSnapshotCacheMaxAgeSeconds,
      // Reads users and groups with the AIM app's own key when no Okta admin credential is set.
      oktaReadKey: pulumi
        .all([args.clientId, args.keyId, args.privateKeyPem])
        .apply(([clientId, keyId, privateKeyPem]) => ({
          clientId,
          privateKeyPem,
          ...(keyId ? { keyId } : {}),
        })),
    },
    { parent },
  );
}

function createConnection(
  name: string,
  args: DatabricksAimArgs,
  reconciliation: IdentityReconciliation,
  parent: pulumi.Resource,
): AimConnection {
  return new AimConnection(
    `${name}-connection`,
    {
      adapter: args.adapter ?? DEFAULT_AIM_ADAPTER,
      apiBasePath: args.apiBasePath,
      databricksHost: args.databricksHost,
      accountId: args.accountId,
      oktaOrgUrl: args.oktaOrgUrl,
      clientId: args.clientId,
      keyId: args.keyId,
      oktaAppId: args.oktaAppId,
      privateKeyPem: args.privateKeyPem,
      enabled: args.enableAim ?? true,
      reconciliationFindings: reconciliation.findings,
      // A backfill bounded per run leaves links pending: AIM waits for the last one.
      reconciliationPending: reconciliation.pending.apply(
        (p) => (p?.users?.link ?? 0) + (p?.groups?.link ?? 0) + (p?.servicePrincipals?.link ?? 0),
      ),
      acceptFindings: args.acceptFindings,
      disableOnDelete: args.disableOnDelete,
      probeExternalId: args.probeExternalId,
    },
    // AIM is enabled last: only after the links are written.
    { parent, dependsOn: [reconciliation] },
  );
}
