export { OktaAimApp, AIM_OKTA_ROLE, AIM_OKTA_SCOPES, type OktaAimAppArgs } from "./OktaAimApp";
export { DatabricksAim, type DatabricksAimArgs } from "./DatabricksAim";
