/**
 * The Pulumi program: stack config → OktaAimApp (the Okta side) →
 * DatabricksAim (externalId reconciliation, then the AIM connection, enabled
 * last) → stack outputs. Every config key is documented in
 * Pulumi.example.yaml; credentials are read by the providers (see README
 * "Use with Pulumi"), never by this program except the optional Okta token
 * that configures the Okta provider explicitly.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
// The package's public API, as another program gets it from `import … from "okta-databricks-aim"`.
import {
  DatabricksAim,
  OktaAimApp,
  oktaOrgUrlFromProvider,
  oktaProviderLocation,
  parseDuration,
  DURATION_FORM,
  DEFAULT_AIM_ADAPTER,
  type AimAdapter,
  type FindingCode,
  type OktaAimAppAdoption,
  type PublicSigningJwk,
  type ReconcileRules,
  type WriteRoute,
} from "./components";

/** The namespace of this program's keys: `pulumi config set oktaAim:<key> …` (every export is a stack output). */
const CONFIG_NAMESPACE = "oktaAim";

const config = new pulumi.Config(CONFIG_NAMESPACE);
/** The official providers' keys: where a stack already sets them, ours are not needed again. */
const oktaProviderConfig = new pulumi.Config("okta");
const databricksProviderConfig = new pulumi.Config("databricks");

const oktaOrgUrl = setting(
  "oktaOrgUrl",
  "okta:orgName (and okta:baseUrl)",
  oktaProviderConfig.get("orgName") === undefined
    ? undefined
    : oktaOrgUrlFromProvider(
        {
          orgName: oktaProviderConfig.get("orgName"),
          baseUrl: oktaProviderConfig.get("baseUrl"),
          httpProxy: oktaProviderConfig.get("httpProxy"),
        },
        "okta:orgName / okta:baseUrl",
      ),
  "https://acme.okta.com",
);

const oktaProvider = explicitOktaProvider(oktaOrgUrl, config.getSecret("oktaApiToken"));

const databricksHost = setting(
  "databricksHost",
  "databricks:host",
  databricksProviderConfig.get("host")?.replace(/\/+$/, ""),
  "https://accounts.cloud.databricks.com",
);
const databricksAccountId = setting(
  "databricksAccountId",
  "databricks:accountId",
  databricksProviderConfig.get("accountId"),
  "<account id>",
);
/** "auto" (default), "api" or "console"; the component and its providers refuse anything else by name. */
const adapter = (config.get("adapter") ?? DEFAULT_AIM_ADAPTER) as AimAdapter;
/** Protect the Okta app and the AIM connection (and their children): `pulumi destroy` stops before deleting them. */
const protect = config.getBoolean("protect") ?? false;
const aimApiBasePath = config.get("aimApiBasePath");

const app = new OktaAimApp(
  "aim",
  {
    label: config.get("appLabel") ?? "Databricks AIM",
    orgUrl: oktaOrgUrl,
    rotationTrigger: config.get("keyRotation") ?? "initial",
    previousPublicJwks: config.getObject<PublicSigningJwk[]>("previousPublicJwks") ?? [],
    // Plain config, not DatabricksAim's outputs: the key reads AIM's live connection without a cycle.
    aimConnection: {
      databricksHost,
      accountId: databricksAccountId,
      adapter,
      ...(aimApiBasePath ? { apiBasePath: aimApiBasePath } : {}),
    },
    retirePreviousKey: config.getBoolean("retirePreviousKey") ?? false,
    ...adoption(),
  },
  { protect, ...(oktaProvider ? { providers: [oktaProvider] } : {}) },
);

const aim = new DatabricksAim(
  "aim",
  {
    oktaOrgUrl,
    databricksHost,
    accountId: databricksAccountId,
    clientId: app.clientId,
    keyId: app.keyId,
    oktaAppId: app.appId,
    privateKeyPem: app.privateKeyPem,
    rules: config.getObject<ReconcileRules>("rules") ?? {},
    writeRoute: (config.get("writeRoute") ?? "scim") as WriteRoute,
    revertOnDelete: config.getBoolean("revertOnDelete") ?? false,
    journalPath: config.get("journalPath"),
    writeRatePerSecond: config.getNumber("writeRatePerSecond"),
    maxWritesPerRun: config.getNumber("maxWritesPerRun"),
    writeTimeBudgetSeconds: durationSeconds("writeTimeBudget"),
    oktaSnapshotCache: config.getBoolean("oktaSnapshotCache") ?? true,
    oktaSnapshotCacheMaxAgeSeconds: durationSeconds("oktaSnapshotCacheMaxAge"),
    adapter,
    apiBasePath: aimApiBasePath,
    enableAim: config.getBoolean("enableAim") ?? true,
    acceptFindings: config.getObject<FindingCode[]>("acceptFindings") ?? [],
    disableOnDelete: config.getBoolean("disableOnDelete") ?? false,
    probeExternalId: config.get("probeExternalId"),
  },
  { protect },
);

/**
 * Our key, else what the official provider's keys say; both set must agree
 * (else the Okta provider would manage the app in one org while the
 * reconciliation reads another).
 */
function setting(
  key: string,
  providerKeys: string,
  fromProvider: string | undefined,
  example: string,
): string {
  const own = config.get(key);
  if (own !== undefined && fromProvider !== undefined && own.replace(/\/+$/, "") !== fromProvider)
    throw new pulumi.RunError(
      `${CONFIG_NAMESPACE}:${key} (${own}) and ${providerKeys} (${fromProvider}) disagree: remove ${CONFIG_NAMESPACE}:${key} (pulumi config rm ${CONFIG_NAMESPACE}:${key}) or make the two the same.`,
    );
  const value = own ?? fromProvider;
  if (value === undefined)
    throw new pulumi.RunError(
      `${CONFIG_NAMESPACE}:${key} is not set: pulumi config set ${CONFIG_NAMESPACE}:${key} ${example}, or set ${providerKeys} as for the official provider.`,
    );
  return value;
}

/**
 * Adopting a hand-made AIM app (docs/pulumi.md, "Adopting an existing app"):
 * oktaAim:adoptAppId with its existing key as the secret oktaAim:adoptPrivateKey.
 */
function adoption(): { adopt?: OktaAimAppAdoption } {
  const appId = config.get("adoptAppId");
  const privateKeyPem = config.getSecret("adoptPrivateKey");
  if (appId === undefined && privateKeyPem === undefined) return {};
  if (appId === undefined || privateKeyPem === undefined)
    throw new pulumi.RunError(
      `${CONFIG_NAMESPACE}:adoptAppId and ${CONFIG_NAMESPACE}:adoptPrivateKey go together: set ${appId === undefined ? `${CONFIG_NAMESPACE}:adoptAppId <0oa… id of the app>` : `--secret ${CONFIG_NAMESPACE}:adoptPrivateKey < key.pem`}, or remove both.`,
    );
  return { adopt: { appId, privateKeyPem, keyId: config.get("adoptKeyId") } };
}

/** A duration key ("5h", "30m", "2d") in whole seconds; a clear error naming the key otherwise. */
function durationSeconds(key: string): number | undefined {
  const raw = config.get(key);
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 1000)
    throw new pulumi.RunError(
      `${CONFIG_NAMESPACE}:${key} must be ${DURATION_FORM} (got "${raw}"): pulumi config set ${CONFIG_NAMESPACE}:${key} 5h`,
    );
  return Math.floor(ms / 1000);
}

/**
 * An explicit Okta provider when `oktaAim:oktaApiToken` is set, so one secret
 * serves the Okta provider and the dynamic providers. Otherwise the default
 * provider reads `okta:*` config (API token or OAuth app), as usual.
 *
 * A plain-http loopback org URL (a local emulator, never a real org) is
 * reached the only way the Okta provider can reach plain HTTP: through its
 * `httpProxy` setting (oktaProviderLocation).
 */
function explicitOktaProvider(
  orgUrl: string,
  apiToken: pulumi.Output<string> | undefined,
): okta.Provider | undefined {
  if (!apiToken) return undefined;
  return new okta.Provider("okta", {
    ...oktaProviderLocation(orgUrl, "oktaAim:oktaOrgUrl"),
    apiToken,
  });
}

/** OAuth client ID of the Okta app (enter it in the AIM connection when adapter is "console"). */
export const clientId = app.clientId;
/** kid of the app's current signing key. */
export const keyId = app.keyId;
/** Pending links per kind, buckets and the digest of the pending actions. */
export const planSummary = pulumi
  .all([aim.pending, aim.buckets, aim.digest])
  .apply(([pending, buckets, digest]) => ({ pending, buckets, digest }));
/** Findings by severity. */
export const findingsBySeverity = aim.findings.apply((f) => ({
  error: f?.error ?? 0,
  warning: f?.warning ?? 0,
  info: f?.info ?? 0,
}));
/** Whether AIM is on, as last seen. */
export const aimEnabled = aim.aimEnabled;
/** Error finding codes that keep AIM off (add to acceptFindings to override). */
export const enableBlockedBy = aim.enableBlockedBy;
/** The AIM adapter used ("api" or "console": what adapter "auto" chose) and why. */
export const aimAdapter = pulumi
  .all([aim.adapterUsed, aim.adapterReason])
  .apply(([used, reason]) => ({ used, reason }));
/** adapter "console": steps and the private key (secret) to enter in the account console. */
export const consoleInstructions = aim.consoleInstructions;
export const consolePrivateKeyPem = aim.consolePrivateKeyPem;
