export * from "./api";
export {
  OktaClient,
  DEFAULT_PAGE_SIZE,
  GROUPS_MAX_LIMIT,
  USERS_MAX_LIMIT,
  nextLink,
  type OktaClientOptions,
} from "./client";
export { AppPrivateKey, parsePrivateKey, type AssertionAlg } from "../keys/privateKey";
export { oktaOrgUrlProblem, parseOktaOrgUrl } from "./orgUrl";
export * from "./roles";
