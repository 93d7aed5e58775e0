/**
 * The one module the dynamic providers load (dynamic-providers/loadCore.ts):
 * everything they call in core, under names that stay. Pulumi keeps each
 * provider's code in state and runs that stored copy on refresh and destroy,
 * so a name exported here is a promise to every state written since: move
 * what it points to freely, but never drop or rename an export.
 *
 * Providers serialised before this module existed name core's modules by
 * path instead (`core/reconcile/plan`, `core/databricks/client`, …; the
 * captured copies in test/providers/fixtures/ list them all). Those paths
 * and exports stay too, or a re-export takes their place:
 * test/providers/legacyState.test.ts runs the captured copies against
 * today's core.
 */
export {
  applyStatus,
  convergeAimConnection,
  enableBlockers,
  isBlocked,
  linkedProbeId,
  planAccount,
  reconcileAccount,
  UNKNOWN_ERROR_FINDINGS,
} from "./workflows";
export { createAimAdmin, openAimAdmin } from "./databricks/aimAdmin";
export { aimAdapterLine } from "./databricks/aimAdapter";
export { DatabricksAccountClient } from "./databricks/client";
export { accountsHostProblem, databricksConfigFromEnv } from "./databricks/config";
export { credentialLayer, databricksConfigFromLayers, databricksLayers } from "./databricks/layers";
export { chooseOktaAdminAuth } from "./okta/adminAuth";
export { OktaClient } from "./okta/client";
export { oktaOrgUrlProblem } from "./okta/orgUrl";
export { readAppDpop, setAppDpop } from "./okta/appDpop";
export { keyThumbprint, parsePrivateKey } from "./keys/privateKey";
export {
  adoptSigningKey,
  generateSigningKey,
  publicJwkFromPrivateKeyPem,
  resolveSigningKeySpec,
  signingKeySpecProblems,
} from "./keys/signingKey";
export { FINDING_CODES } from "./model/plan";
export { aimAdapterModeProblem, isAimAdapterMode } from "./model/aim";
export { canonicalJson, errorFindingCodes, summarizePlan } from "./reconcile/report";
export { validateRules } from "./reconcile/rules";
export { undo } from "./reconcile/undo";
export { oktaCacheFileName } from "./okta/snapshotCache";
