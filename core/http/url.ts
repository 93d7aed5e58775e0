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
