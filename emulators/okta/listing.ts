/**
 * What every list route shares: `limit`, `search`/`filter` expressions, one
 * page of a store collection after `?after=`, and Okta's Link headers.
 */
import type { EmulatorRequest, EmulatorResponse } from "../common/server";
import { oktaError } from "./errors";
import {
  checkAllowed,
  evaluate,
  ExpressionError,
  parseExpression,
  type Expr,
  type Operator,
} from "./expression";
import type { SortedById } from "./store";

export function parseLimit(
  raw: string | null,
  def: number,
  max: number,
): number | EmulatorResponse {
  if (raw === null || raw === "") return def;
  if (!/^-?\d+$/.test(raw))
    return oktaError("E0000001", "limit", { causes: ["limit: The value must be a number."] });
  const n = Number(raw);
  if (n < 1) return def;
  return Math.min(n, max);
}

/** `<{org}{path}?{params}>; rel="…"`, encoded as Okta encodes (`+` for spaces, `%22` for quotes). */
function link(org: string, path: string, params: Array<[string, string]>, rel: string): string {
  const qs = new URLSearchParams(params).toString();
  return `<${org}${path}${qs ? `?${qs}` : ""}>; rel="${rel}"`;
}

export function linkHeaders(
  req: EmulatorRequest,
  limit: number,
  extra: Array<[string, string]>,
  nextAfter: string | undefined,
): Record<string, string> {
  const after = req.query.get("after");
  const self = link(
    req.baseUrl,
    req.path,
    [
      ...(after ? ([["after", after]] as Array<[string, string]>) : []),
      ["limit", String(limit)],
      ...extra,
    ],
    "self",
  );
  const links = [self];
  if (nextAfter !== undefined)
    links.push(
      link(
        req.baseUrl,
        req.path,
        [["after", nextAfter], ["limit", String(limit)], ...extra],
        "next",
      ),
    );
  // Okta sends one Link header per relation; fetch() joins repeated headers with ", ".
  return { link: links.join(", ") };
}

export function parseQueryExpr(
  text: string,
  allowed?: (attr: string, op: Operator) => boolean,
): Expr | EmulatorResponse {
  try {
    const expr = parseExpression(text);
    if (allowed && !checkAllowed(expr, allowed)) return oktaError("E0000031");
    return expr;
  } catch (e) {
    if (e instanceof ExpressionError) return oktaError("E0000031");
    throw e;
  }
}

export const isResponse = (x: unknown): x is EmulatorResponse =>
  typeof x === "object" &&
  x !== null &&
  "status" in x &&
  typeof (x as { status: unknown }).status === "number";

export const DATE_FILTER_OPS = new Set<Operator>(["eq", "gt", "ge", "lt", "le"]);

export function jsonBody(req: EmulatorRequest): Record<string, unknown> | EmulatorResponse {
  if (req.json === null || typeof req.json !== "object" || Array.isArray(req.json))
    return oktaError("E0000003");
  return req.json as Record<string, unknown>;
}

/**
 * The `search` (any attribute) or `filter` (the attributes `filterAllowed`
 * accepts) of a list request as a predicate, with the parameter the Link
 * header repeats; undefined when neither is given.
 */
export function searchOrFilter<T extends Record<string, unknown>>(
  req: EmulatorRequest,
  filterAllowed: (attr: string, op: Operator) => boolean,
): { pred: (item: T) => boolean; param: [string, string] } | EmulatorResponse | undefined {
  const search = req.query.get("search");
  const filter = search ? null : req.query.get("filter");
  const text = search || filter;
  if (!text) return undefined;
  const expr = parseQueryExpr(text, search ? searchAllowed : filterAllowed);
  if (isResponse(expr)) return expr;
  // filter values compare case-sensitively, search values do not (expression.ts).
  const valueCase = search ? "insensitive" : "sensitive";
  return {
    pred: (item) => evaluate(expr, item, valueCase),
    param: [search ? "search" : "filter", text],
  };
}

/** `search` takes any attribute and every operator but `ne`, which it does not support. */
function searchAllowed(_attr: string, op: Operator): boolean {
  return op !== "ne";
}

/** One page of a store collection after `?after=`, with Okta's Link headers. */
export function storePage<T extends { id: string }>(
  req: EmulatorRequest,
  collection: SortedById<T>,
  limit: number,
  pred: (item: T) => boolean,
  extra: Array<[string, string]>,
  render: (item: T) => unknown,
): EmulatorResponse {
  let page: { items: T[]; hasMore: boolean };
  try {
    page = collection.page(req.query.get("after") ?? undefined, limit, pred);
  } catch (e) {
    // An expression that only fails on a value (e.g. a malformed date) fails while filtering.
    if (e instanceof ExpressionError) return oktaError("E0000031");
    throw e;
  }
  const last = page.items[page.items.length - 1];
  return {
    status: 200,
    headers: linkHeaders(req, limit, extra, page.hasMore && last ? last.id : undefined),
    body: page.items.map((item) => render(item)),
  };
}
