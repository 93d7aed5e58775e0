/**
 * A platform team's own Pulumi program, as it would sit in their repository:
 * okta-databricks-aim installed from npm (in the tests: from the tarball
 * `npm pack` made) and composed into the team's own component, beside the
 * team's own Okta provider. tsconfig.json is Pulumi's TypeScript template.
 *
 * test/package/package.test.ts type-checks this with that tsconfig and runs
 * it under mocks; test/engine/package.engine.test.ts runs it under the real
 * Pulumi engine against the emulators.
 */
import * as pulumi from "@pulumi/pulumi";
import * as okta from "@pulumi/okta";
import {
  DatabricksAim,
  FINDING_CODES,
  OktaAimApp,
  oktaProviderLocation,
  type FindingCode,
  type ReconcileRules,
} from "okta-databricks-aim";

interface DatabricksIdentityArgs {
  oktaOrgUrl: pulumi.Input<string>;
  databricksHost: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  rules?: pulumi.Input<ReconcileRules>;
  acceptFindings?: FindingCode[];
  writeRatePerSecond?: number;
  journalPath?: string;
}

/** The team's own component: the Okta app and the Databricks side, as its children. */
class DatabricksIdentity extends pulumi.ComponentResource {
  readonly clientId: pulumi.Output<string>;
  readonly aimEnabled: pulumi.Output<boolean>;
  readonly linksPending: pulumi.Output<number>;

  constructor(name: string, args: DatabricksIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:identity:DatabricksIdentity", name, {}, opts);
    const app = new OktaAimApp(
      `${name}-okta`,
      { label: "Databricks AIM (platform)", orgUrl: args.oktaOrgUrl, rotationTrigger: "2026-01" },
      { parent: this },
    );
    const aim = new DatabricksAim(
      `${name}-databricks`,
      {
        oktaOrgUrl: args.oktaOrgUrl,
        databricksHost: args.databricksHost,
        accountId: args.accountId,
        clientId: app.clientId,
        keyId: app.keyId,
        privateKeyPem: app.privateKeyPem,
        rules: args.rules,
        acceptFindings: args.acceptFindings,
        writeRatePerSecond: args.writeRatePerSecond,
        journalPath: args.journalPath,
      },
      { parent: this },
    );
    this.clientId = app.clientId;
    this.aimEnabled = aim.aimEnabled;
    this.linksPending = aim.pending.apply(
      (p) => (p?.users?.link ?? 0) + (p?.groups?.link ?? 0) + (p?.servicePrincipals?.link ?? 0),
    );
    this.registerOutputs({
      clientId: this.clientId,
      aimEnabled: this.aimEnabled,
      linksPending: this.linksPending,
    });
  }
}

const config = new pulumi.Config("platform");
const oktaOrgUrl = config.require("oktaOrgUrl");

/** Finding codes from the team's config, checked against the package's list. */
function acceptedFindings(): FindingCode[] {
  const given = config.getObject<string[]>("acceptFindings") ?? [];
  const unknown = given.filter((c) => !(FINDING_CODES as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new Error(`platform:acceptFindings: unknown finding codes ${unknown.join(", ")}`);
  return given as FindingCode[];
}

/** The team's Okta provider (a loopback http org, the emulator, is reached through its httpProxy). */
const oktaProvider = new okta.Provider("okta-platform", {
  ...oktaProviderLocation(oktaOrgUrl, "platform:oktaOrgUrl"),
  apiToken: config.requireSecret("oktaApiToken"),
});

const identity = new DatabricksIdentity(
  "identity",
  {
    oktaOrgUrl,
    databricksHost: config.require("databricksHost"),
    accountId: config.require("databricksAccountId"),
    rules: config.getObject<ReconcileRules>("rules") ?? {},
    acceptFindings: acceptedFindings(),
    writeRatePerSecond: config.getNumber("writeRatePerSecond"),
    journalPath: config.get("journalPath"),
  },
  { providers: [oktaProvider] },
);

export const clientId = identity.clientId;
export const aimEnabled = identity.aimEnabled;
export const linksPending = identity.linksPending;
