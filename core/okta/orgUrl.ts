/**
 * The Okta org URL: one rule for every place that takes one (the Okta client,
 * the AIM adapters, the OktaAimApp component, the providers' checks). An
 * absolute https:// URL (http only for a loopback host), scheme and host
 * alone: the org URL is also the issuer of the org authorization server's
 * tokens, so no path, query, fragment or credentials, and not the "-admin"
 * console host. `field` is how the caller names the input in its messages
 * (`OKTA_ORG_URL`, `oktaOrgUrl`, `[orgUrl]`).
 */
import { ConfigError, InsecureUrlError } from "../http/errors";
import { assertSecureUrl } from "../http/url";

const EXAMPLE = "https://acme.okta.com";

/** The org URL's origin (e.g. `https://acme.okta.com`); throws ConfigError / InsecureUrlError naming `field`. */
export function parseOktaOrgUrl(value: unknown, field: string): string {
  if (typeof value !== "string")
    throw new ConfigError(field, `${field} must be your Okta org URL as text, e.g. ${EXAMPLE}.`);
  if (!value.trim())
    throw new ConfigError(field, `${field} is empty: give your Okta org URL, e.g. ${EXAMPLE}.`);
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new ConfigError(
      field,
      `${field} is not a URL ("${value.slice(0, 100)}"): give your Okta org URL with its scheme, e.g. ${EXAMPLE}.`,
    );
  }
  assertSecureUrl(u.toString(), field);
  if (/-admin\.(okta|oktapreview|okta-emea)\.com$/i.test(u.hostname))
    throw new ConfigError(
      field,
      `${field} is the admin console (${u.hostname}): use the org URL without "-admin", e.g. https://${u.hostname.replace(/-admin\./i, ".")}.`,
    );
  if ((u.pathname !== "/" && u.pathname !== "") || u.search || u.hash || u.username || u.password)
    throw new ConfigError(
      field,
      `${field} must be the org's base URL without a path or query (got ${u.origin}${u.pathname}): use ${u.origin}; the org authorization server's issuer is exactly the org URL, not /oauth2/default.`,
    );
  return u.origin;
}

/** The problem with `value` as an org URL (parseOktaOrgUrl's message), or undefined. */
export function oktaOrgUrlProblem(value: unknown, field: string): string | undefined {
  try {
    parseOktaOrgUrl(value, field);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InsecureUrlError) return err.message;
    throw err;
  }
}
