/**
 * The Okta org URL rule (core/okta/orgUrl.ts), which the Okta client, the AIM
 * adapters, the OktaAimApp component and the providers' checks all apply:
 * every kind of problem with its exact message, named as the caller names
 * the field, and the origin of a good value.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, InsecureUrlError } from "../../core/http/errors";
import {
  oktaOrgUrlFromProvider,
  oktaOrgUrlProblem,
  oktaProviderLocation,
  parseOktaOrgUrl,
} from "../../core/okta/orgUrl";

describe("Okta org URL", () => {
  it.each([
    ["https://acme.okta.com", "https://acme.okta.com"],
    ["  https://acme.okta.com/  ", "https://acme.okta.com"],
    ["https://ACME.okta.com", "https://acme.okta.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://localhost:9/", "http://localhost:9"],
  ])("%j is the org URL %s", (given, origin) => {
    expect(parseOktaOrgUrl(given, "OKTA_ORG_URL")).toBe(origin);
    expect(oktaOrgUrlProblem(given, "[orgUrl]")).toBeUndefined();
  });

  it.each([
    [undefined, "[oktaOrgUrl] must be your Okta org URL as text, e.g. https://acme.okta.com."],
    ["", "[oktaOrgUrl] is empty: give your Okta org URL, e.g. https://acme.okta.com."],
    [
      "acme.okta.com",
      '[oktaOrgUrl] is not a URL ("acme.okta.com"): give your Okta org URL with its scheme, e.g. https://acme.okta.com.',
    ],
    [
      // The providers' check used to let plain http through for any host.
      "http://acme.okta.com",
      "[oktaOrgUrl] must use https:// (got http://acme.okta.com); plain http is allowed only for loopback addresses.",
    ],
    [
      "https://acme-admin.okta.com",
      '[oktaOrgUrl] is the admin console (acme-admin.okta.com): use the org URL without "-admin", e.g. https://acme.okta.com.',
    ],
    [
      "https://acme.okta.com/oauth2/default",
      "[oktaOrgUrl] must be the org's base URL without a path (\"/oauth2/default\"): use https://acme.okta.com; the org authorization server's issuer is exactly the org URL, not /oauth2/default.",
    ],
    [
      "https://user:pw@acme.okta.com",
      '[oktaOrgUrl] must be the org\'s base URL without credentials ("…@" before the host): use https://acme.okta.com.',
    ],
    [
      "https://acme.okta.com/?x=1#y",
      '[oktaOrgUrl] must be the org\'s base URL without a query ("?x=1"), a fragment ("#y"): use https://acme.okta.com.',
    ],
  ])("%j: %s", (given, message) => {
    expect(oktaOrgUrlProblem(given, "[oktaOrgUrl]")).toBe(message);
  });

  it("throws ConfigError naming the field, InsecureUrlError (ERR_INSECURE_URL) for plain http", () => {
    const empty = (() => {
      try {
        parseOktaOrgUrl("", "OKTA_ORG_URL");
      } catch (e) {
        return e;
      }
    })();
    expect(empty).toBeInstanceOf(ConfigError);
    expect((empty as ConfigError).field).toBe("OKTA_ORG_URL");
    expect(() => parseOktaOrgUrl("http://acme.okta.com", "OKTA_ORG_URL")).toThrow(InsecureUrlError);
  });
});

describe("Okta provider location (okta:orgName, okta:baseUrl, okta:httpProxy)", () => {
  it.each([
    ["https://acme.okta.com", { orgName: "acme", baseUrl: "okta.com" }],
    ["https://dev-123.oktapreview.com/", { orgName: "dev-123", baseUrl: "oktapreview.com" }],
    ["https://login.acme.com:8443", { orgName: "login", baseUrl: "acme.com:8443" }],
    // The provider reaches plain HTTP only through a proxy: the loopback org is the proxy.
    [
      "http://127.0.0.1:4567",
      { orgName: "local", baseUrl: "loopback", httpProxy: "http://127.0.0.1:4567" },
    ],
  ])("%s is %j", (orgUrl, location) => {
    expect(oktaProviderLocation(orgUrl, "oktaAim:oktaOrgUrl")).toEqual(location);
  });

  it("refuses what the org URL rule refuses, and a host without a domain, naming the field", () => {
    expect(() => oktaProviderLocation("http://acme.okta.com", "oktaAim:oktaOrgUrl")).toThrow(
      InsecureUrlError,
    );
    expect(() => oktaProviderLocation("https://intranet", "oktaAim:oktaOrgUrl")).toThrow(
      "oktaAim:oktaOrgUrl (https://intranet) has no domain to split into the Okta provider's orgName and baseUrl: use the org URL, e.g. https://acme.okta.com.",
    );
  });

  it("the Okta provider's orgName/baseUrl (and the loopback pair) back to the org URL", () => {
    const f = "okta:orgName / okta:baseUrl";
    expect(oktaOrgUrlFromProvider({ orgName: "acme" }, f)).toBe("https://acme.okta.com");
    expect(oktaOrgUrlFromProvider({ orgName: "acme", baseUrl: "oktapreview.com" }, f)).toBe(
      "https://acme.oktapreview.com",
    );
    for (const url of ["https://acme.okta.com", "http://127.0.0.1:8443"])
      expect(oktaOrgUrlFromProvider(oktaProviderLocation(url, "orgUrl"), f)).toBe(url);
    expect(() => oktaOrgUrlFromProvider({ orgName: "acme-admin" }, f)).toThrow(
      /is the admin console \(acme-admin\.okta\.com\)/,
    );
  });
});
