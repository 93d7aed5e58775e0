/**
 * The package's public API (`import … from "okta-databricks-aim"`): the two
 * components, their arguments, and the vocabulary those arguments use
 * (finding codes, matching rules, write routes, adapters). This repository's
 * own program, index.ts, imports from here only; so does any other Pulumi
 * program that installs the package (docs/pulumi.md, "Use it as a package").
 *
 * Renaming or dropping an export here is a breaking change of the package.
 */
export {
  OktaAimApp,
  AIM_OKTA_ROLE,
  AIM_OKTA_SCOPES,
  type OktaAimAppAdoption,
  type OktaAimAppArgs,
} from "./OktaAimApp";
export { DatabricksAim, type DatabricksAimArgs } from "./DatabricksAim";
export {
  FINDING_CODES,
  type FindingCode,
  type PlanSummary,
  type ReconcileRules,
  type Severity,
  type WriteRoute,
} from "../core/model/plan";
export type {
  PublicSigningJwk,
  RsaModulusLength,
  SigningKeyAlgorithm,
} from "../core/keys/signingKey";
export type { AimAdapter } from "../dynamic-providers/aimConnection";
export { AIM_ADAPTER_MODES, DEFAULT_AIM_ADAPTER, type AimAdapterKind } from "../core/model/aim";
export {
  oktaOrgUrlFromProvider,
  oktaProviderLocation,
  type OktaProviderLocation,
} from "../core/okta/orgUrl";
export { DURATION_FORM, parseDuration } from "../core/workflows/runBound";
export type { FindingsSummary, PendingSummary } from "../dynamic-providers/identityReconciliation";
