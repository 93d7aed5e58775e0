/**
 * Normalisation for matching (docs/matching.md "Normalisation"): logins, emails
 * and usernames compare after trim, NFKC and lower-casing, so that
 * " John.Doe@Example.com", fullwidth "Ｊｏｈｎ…" and a decomposed "é" all meet
 * their Okta counterpart. Group names compare exactly unless the rules ask
 * for case-insensitive names, which use the same normalisation.
 */

/**
 * trim → NFKC → toLowerCase → trim. The second trim catches whitespace that
 * only appears after NFKC (compatibility spaces); it is a no-op otherwise.
 */
export function normalizeName(s: string): string {
  // Fast path: NFKC is the identity on ASCII, and most names are ASCII.
  if (ASCII.test(s)) return s.trim().toLowerCase();
  return s.trim().normalize("NFKC").toLowerCase().trim();
}

const ASCII = /^[\x00-\x7f]*$/;

/** The key a Databricks group displayName / Okta group name is compared by. */
export function groupNameKey(name: string, caseInsensitive: boolean): string {
  return caseInsensitive ? normalizeName(name) : name;
}

/** Shape of an Okta user (00u…) or group (00g…) id: 20 characters. */
export const OKTA_ID_PATTERN = /^00[ug][A-Za-z0-9]{17}$/;
