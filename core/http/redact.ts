/**
 * Redaction of secrets from anything that may reach a log, an error or a
 * plan: registered secret values, plus patterns that look like secrets
 * (bearer tokens, JWTs, PEM blocks, secret-bearing form/query parameters).
 */

const REDACTED = "[REDACTED]";

const SECRET_PARAMS = [
  "client_secret",
  "client_assertion",
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "password",
  "private_key",
  "api_token",
];

const PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  // Truncated PEM: the header and key material after it. A bare header (as quoted in help
  // text such as "a PEM starts with '-----BEGIN PRIVATE KEY-----'") holds no secret.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16}[\s\S]*/g,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, // JWT / JWS
  /\b(Bearer|SSWS|Basic|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  new RegExp(`((?:${SECRET_PARAMS.join("|")})=)[^&\\s"']+`, "gi"),
  new RegExp(`("(?:${SECRET_PARAMS.join("|")}|d|p|q|dp|dq|qi)"\\s*:\\s*")[^"]+`, "gi"), // JSON fields, JWK private members
];

export class Redactor {
  private readonly secrets = new Set<string>();
  /** `secrets`, longest first; rebuilt after `add`. */
  private sorted: string[] | undefined;

  /** Registers values that must never appear in output (ignores short/empty ones). */
  add(...values: Array<string | undefined | null>): this {
    for (const v of values) {
      if (typeof v !== "string") continue;
      const s = v.trim();
      if (s.length < 8) continue;
      this.sorted = undefined;
      this.addForms(s);
      // A PEM key also leaks through its base64 body lines: register each.
      for (const line of s.split(/\r?\n/)) {
        const l = line.trim();
        if (l.length >= 16 && !l.startsWith("-----")) this.addForms(l);
      }
    }
    return this;
  }

  /** The value as written, JSON-escaped and URL-encoded: an echoed body may carry any of them. */
  private addForms(s: string): void {
    this.secrets.add(s);
    const json = JSON.stringify(s).slice(1, -1);
    this.secrets.add(json);
    this.secrets.add(json.replace(/\//g, "\\/")); // some servers escape "/" too
    this.secrets.add(encodeURIComponent(s));
    this.secrets.add(new URLSearchParams({ v: s }).toString().slice(2)); // form encoding
  }

  redact(text: string): string {
    let out = text;
    // Longest first so that a key's whole body goes before its lines.
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of this.sorted) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    for (const p of PATTERNS) {
      out = out.replace(p, (m, prefix: unknown) =>
        typeof prefix === "string" &&
        m.startsWith(prefix) &&
        !/^(Bearer|SSWS|Basic|DPoP)$/i.test(prefix)
          ? `${prefix}${REDACTED}`
          : m.match(/^(Bearer|SSWS|Basic|DPoP)\s/i)
            ? `${m.split(/\s/)[0]} ${REDACTED}`
            : REDACTED,
      );
    }
    return out;
  }
}

/** Removes credentials and the query string's secret parameters from a URL for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      // Brackets would be percent-encoded in the user part.
      u.username = "REDACTED";
      u.password = "";
    }
    for (const k of [...u.searchParams.keys()]) {
      if (SECRET_PARAMS.includes(k.toLowerCase())) u.searchParams.set(k, REDACTED);
    }
    return u.toString();
  } catch {
    return "[unparseable URL]";
  }
}
