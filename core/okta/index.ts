export * from "./api";
export {
  OktaClient,
  DEFAULT_SCOPES,
  DEFAULT_PAGE_SIZE,
  nextLink,
  type OktaClientOptions,
} from "./client";
export { parsePrivateKey, type SigningKey, type AssertionAlg } from "./key";
