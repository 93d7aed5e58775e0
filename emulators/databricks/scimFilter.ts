/**
 * SCIM filter evaluation as the account SCIM API documents it: `eq`, `co`,
 * `sw`, `ne` joined by `and` / `or` ("simple expressions" only), at most 200
 * nodes. Nodes are counted on the binary expression tree: every comparison
 * and every `and` / `or` operator counts one, so `id eq "a" or id eq "b"` is 3
 * nodes and 100 `id eq` terms joined by `or` are 199 (101 terms: 201, refused).
 * How the real service counts is unconfirmed; this is the stricter reading.
 */
import { parse, type Filter } from "scim2-parse-filter";

export const MAX_FILTER_NODES = 200;

/** Attributes whose values compare case-exactly (RFC 7643: id, externalId; Databricks: applicationId). */
const CASE_EXACT = new Set(["id", "externalid", "applicationid"]);

export type FilterPredicate = (resource: object) => boolean;

export type CompiledFilter =
  | {
      ok: true;
      test: FilterPredicate;
      /** Set when the filter is only `id eq …` terms joined by `or`: answer by id look-up. */
      ids?: string[];
    }
  | { ok: false; detail: string };

export function countFilterNodes(f: Filter): number {
  if (f.op === "and" || f.op === "or") {
    const children = f.filters.map(countFilterNodes);
    return children.reduce((a, b) => a + b, 0) + Math.max(0, children.length - 1);
  }
  if (f.op === "not") return 1 + countFilterNodes(f.filter);
  if (f.op === "[]") return 1 + countFilterNodes(f.valFilter);
  return 1;
}

export function compileFilter(text: string): CompiledFilter {
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    return { ok: false, detail: `Invalid filter '${text}': the expression could not be parsed.` };
  }
  const nodes = countFilterNodes(ast);
  if (nodes > MAX_FILTER_NODES)
    return {
      ok: false,
      detail: `INVALID_FILTER: the filter has ${nodes} nodes; SCIM filter expressions are limited to ${MAX_FILTER_NODES} nodes. Break large filters into multiple smaller requests.`,
    };
  const unsupported = findUnsupported(ast);
  if (unsupported)
    return {
      ok: false,
      detail: `Invalid filter '${text}': operator '${unsupported}' is not supported (supported: eq, ne, co, sw, and, or).`,
    };
  return { ok: true, test: compile(ast), ids: idLookup(ast) };
}

/** The ids of a filter made only of `id eq "…"` terms joined by `or` (the batch re-read pattern). */
function idLookup(f: Filter): string[] | undefined {
  const terms = f.op === "or" ? f.filters : [f];
  const ids: string[] = [];
  for (const t of terms) {
    if (t.op !== "eq" || t.attrPath.toLowerCase() !== "id" || typeof t.compValue !== "string")
      return undefined;
    ids.push(t.compValue);
  }
  return ids;
}

function findUnsupported(f: Filter): string | undefined {
  switch (f.op) {
    case "and":
    case "or":
      for (const c of f.filters) {
        const u = findUnsupported(c);
        if (u) return u;
      }
      return undefined;
    case "eq":
    case "ne":
    case "co":
    case "sw":
      return undefined;
    default:
      return f.op;
  }
}

/** Values at a (case-insensitive, dotted) path; multi-valued attributes yield every element. */
export function valuesAt(resource: unknown, path: string): unknown[] {
  let current: unknown[] = [resource];
  for (const segment of path.split(".")) {
    const next: unknown[] = [];
    for (const c of current) {
      for (const item of Array.isArray(c) ? c : [c]) {
        if (item === null || typeof item !== "object") continue;
        const v = getCaseInsensitive(item as Record<string, unknown>, segment);
        if (v !== undefined && v !== null) next.push(v);
      }
    }
    current = next;
  }
  // A complex multi-valued attribute compared directly ("emails eq …") means its `value`.
  return current.flatMap((v) =>
    Array.isArray(v)
      ? v.map((x) =>
          x && typeof x === "object" && "value" in x ? (x as { value: unknown }).value : x,
        )
      : [v],
  );
}

export function getCaseInsensitive(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** Compiles the AST into closures once per request (100,000 evaluations per list). */
function compile(f: Filter): FilterPredicate {
  switch (f.op) {
    case "and": {
      const parts = f.filters.map(compile);
      return (r) => parts.every((p) => p(r));
    }
    case "or": {
      const parts = f.filters.map(compile);
      return (r) => parts.some((p) => p(r));
    }
    case "eq":
    case "ne":
    case "co":
    case "sw": {
      const op = f.op;
      const path = f.attrPath;
      const caseExact = CASE_EXACT.has(path.toLowerCase());
      const norm = (v: unknown): unknown =>
        typeof v === "string" && !caseExact ? v.toLowerCase() : v;
      const want = norm(f.compValue);
      const matches = (v: unknown): boolean => {
        const n = norm(v);
        if (op === "eq" || op === "ne") return n === want;
        if (typeof n !== "string" || typeof want !== "string") return false;
        return op === "co" ? n.includes(want) : n.startsWith(want);
      };
      const simple = !path.includes(".");
      return (r) => {
        // Fast path: a top-level, single-valued attribute spelled as stored.
        const direct = simple ? (r as Record<string, unknown>)[path] : undefined;
        const values =
          direct !== undefined && direct !== null && typeof direct !== "object"
            ? [direct]
            : valuesAt(r, path);
        const any = values.some(matches);
        return op === "ne" ? !any : any;
      };
    }
    default:
      return () => false;
  }
}
