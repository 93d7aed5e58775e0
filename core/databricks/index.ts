export * from "./api";
export {
  DatabricksAccountClient,
  DATABRICKS_BUCKETS,
  MAX_IDS_PER_FILTER,
  SCIM_ATTRIBUTES,
  aimOffForm,
  AIM_OFF_FORM_TEXT,
  isAimNotOnboarded,
  isIamv2Unavailable,
  SCIM_MAX_COUNT,
  type AimOffForm,
  type AimStatus,
  type AimStatusDetail,
  type DatabricksClientOptions,
  type ListStats,
  type ScimResource,
} from "./client";
export {
  DATABRICKS_ENV,
  databricksConfigFromEnv,
  normaliseHost,
  validateDatabricksConfig,
  type DatabricksConfigOverrides,
} from "./config";
export {
  ApiAimAdmin,
  ConsoleAimAdmin,
  createAimAdmin,
  openAimAdmin,
  validateAimConnectionConfig,
  CONSOLE_STEPS,
  DEFAULT_AIM_API_BASE_PATH,
  type AimAdminOptions,
  type AimAdminState,
  type AimConnectionConfig,
  type ConsoleConfigureResult,
  type OpenedAimAdmin,
} from "./aimAdmin";
export { aimAdapterLine, type AimAdapterChoice } from "./aimAdapter";
