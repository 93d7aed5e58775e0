/** How findings are worded and ordered: names listed and cut, kinds named, stable order. */
import type { IdentityKind } from "../../model/plan";

/** Messages list at most this many names, then "and N more". */
export const MAX_NAMES_IN_MESSAGE = 5;

/** Code-unit order: independent of locale and ICU version. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort(cmp);
}

/** Quoted names, cut after MAX_NAMES_IN_MESSAGE. */
export function listNames(names: readonly string[]): string {
  return listPlain(names.map((n) => `"${n}"`));
}

/** Already formatted items (e.g. `user "a@x.com" (12)`), cut after MAX_NAMES_IN_MESSAGE. */
export function listPlain(items: readonly string[]): string {
  const shown = items.slice(0, MAX_NAMES_IN_MESSAGE);
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
}

export function kindLabel(kind: IdentityKind): string {
  return kind === "servicePrincipal" ? "service principal" : kind;
}
