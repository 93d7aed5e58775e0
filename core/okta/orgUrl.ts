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
import { assertSecureUrl, baseUrlExtras } from "../http/url";

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
  const extras = baseUrlExtras(u);
  if (extras.length)
    throw new ConfigError(
      field,
      `${field} must be the org's base URL without ${extras.join(", ")}: use ${u.origin}${
        u.pathname.startsWith("/oauth2")
          ? "; the org authorization server's issuer is exactly the org URL, not /oauth2/default"
          : ""
      }.`,
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

/**
 * Where the Okta Pulumi (Terraform) provider is told an org is: it builds
 * `https://{orgName}.{baseUrl}` (okta:orgName, okta:baseUrl) and reaches a
 * plain-HTTP org only through its `httpProxy` setting.
 */
export interface OktaProviderLocation {
  orgName: string;
  baseUrl: string;
  /** Only for a loopback http org (an emulator): the requests go to the proxy, which is the org. */
  httpProxy?: string;
}

/** The Okta provider's default okta:baseUrl. */
export const OKTA_DEFAULT_BASE_URL = "okta.com";

/**
 * orgName and baseUrl for a loopback http org reached through httpProxy. No
 * real Okta domain is "loopback", so the pair also marks such a location when
 * it is read back (oktaOrgUrlFromProvider).
 */
const LOOPBACK_LOCATION = { orgName: "local", baseUrl: "loopback" } as const;

/** The Okta provider settings for an org URL: https://acme.okta.com → orgName "acme", baseUrl "okta.com". */
export function oktaProviderLocation(orgUrl: string, field: string): OktaProviderLocation {
  const origin = parseOktaOrgUrl(orgUrl, field);
  const url = new URL(origin);
  if (url.protocol === "http:") return { ...LOOPBACK_LOCATION, httpProxy: origin };
  const dot = url.host.indexOf(".");
  if (dot <= 0)
    throw new ConfigError(
      field,
      `${field} (${origin}) has no domain to split into the Okta provider's orgName and baseUrl: use the org URL, e.g. ${EXAMPLE}.`,
    );
  return { orgName: url.host.slice(0, dot), baseUrl: url.host.slice(dot + 1) };
}

/**
 * The org URL the Okta provider is configured for (okta:orgName,
 * okta:baseUrl, okta:httpProxy): `https://{orgName}.{baseUrl}`, or the proxy
 * for the loopback pair oktaProviderLocation writes. Checked as an org URL;
 * `field` names the keys in messages.
 */
export function oktaOrgUrlFromProvider(
  location: { orgName?: string; baseUrl?: string; httpProxy?: string },
  field: string,
): string {
  const orgName = location.orgName?.trim();
  if (!orgName) throw new ConfigError(field, `${field}: okta:orgName is not set.`);
  const baseUrl = location.baseUrl?.trim() || OKTA_DEFAULT_BASE_URL;
  if (
    orgName === LOOPBACK_LOCATION.orgName &&
    baseUrl === LOOPBACK_LOCATION.baseUrl &&
    location.httpProxy
  )
    return parseOktaOrgUrl(location.httpProxy, field);
  return parseOktaOrgUrl(`https://${orgName}.${baseUrl}`, field);
}
