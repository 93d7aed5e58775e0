/**
 * Exclusion patterns: an exact name or a glob with `*` (any run of
 * characters, also none) and `?` (exactly one character). Every other
 * character is literal. The caller chooses how names are compared by passing
 * a key function (usernames normalised, group names exact or normalised).
 */

export interface NameMatcher {
  /** True when the name matches any pattern. */
  matches(name: string): boolean;
  readonly empty: boolean;
}

export function isGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

export function globToRegExp(pattern: string): RegExp {
  let src = "";
  for (const ch of pattern) {
    if (ch === "*") src += ".*";
    else if (ch === "?") src += ".";
    else src += ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  // Only syntax characters are escaped: `u` mode rejects identity escapes such as `\-`.
  // `s`: a name with a newline still matches `*`; `u`: `?` is one code point.
  return new RegExp(`^${src}$`, "su");
}

/**
 * Builds a matcher over patterns. `key` is applied to both the patterns and
 * the names, so normalisation rules apply equally to both sides.
 */
export function compileMatcher(
  patterns: readonly string[] | undefined,
  key: (s: string) => string = (s) => s,
): NameMatcher {
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns ?? []) {
    const k = key(p);
    if (isGlob(k)) globs.push(globToRegExp(k));
    else exact.add(k);
  }
  const empty = exact.size === 0 && globs.length === 0;
  return {
    empty,
    matches(name: string): boolean {
      if (empty) return false;
      const k = key(name);
      if (exact.has(k)) return true;
      for (const g of globs) if (g.test(k)) return true;
      return false;
    },
  };
}
