/** The HTTPS rule every URL the project calls obeys; pure, so that input checks can use it too. */
import { InsecureUrlError } from "./errors";
import { safeUrl } from "./redact";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** HTTPS is required; plain HTTP only to loopback (emulators, tests). */
export function assertSecureUrl(url: string, field: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InsecureUrlError(
      `${field} is not a valid URL ("${safeUrl(url)}"): give an absolute https:// URL.`,
    );
  }
  if (u.protocol === "https:") return u;
  if (u.protocol === "http:" && isLoopbackHost(u.hostname)) return u;
  throw new InsecureUrlError(
    `${field} must use https:// (got ${u.protocol}//${u.host}); plain http is allowed only for loopback addresses.`,
  );
}

/**
 * What a base URL (scheme and host alone) must not carry, each part named
 * and shown without a secret: `a path ("/api")`, `a query ("?o=123")`,
 * `a fragment ("#x")`, `credentials ("…@" before the host)`. Empty: a base URL.
 */
export function baseUrlExtras(u: URL): string[] {
  const extras: string[] = [];
  // The user part may be a token too: neither half is ever shown.
  if (u.username || u.password) extras.push('credentials ("…@" before the host)');
  if (u.pathname !== "/" && u.pathname !== "")
    extras.push(`a path (${JSON.stringify(u.pathname.slice(0, 100))})`);
  if (u.search)
    extras.push(`a query (${JSON.stringify(new URL(safeUrl(u.href)).search.slice(0, 100))})`);
  if (u.hash) extras.push(`a fragment (${JSON.stringify(u.hash.slice(0, 100))})`);
  return extras;
}

/** The user name and password a URL carries (decoded), for the redactor. */
export function urlCredentials(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const u = new URL(value.includes("://") ? value : `https://${value}`);
    return [u.username, u.password].filter(Boolean).flatMap((s) => [s, decodeURIComponent(s)]);
  } catch {
    return [];
  }
}
