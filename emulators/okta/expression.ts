/**
 * Okta's `filter` / `search` expression language (SCIM-like), enough for
 * what clients send: `status eq "ACTIVE"`, `profile.login eq "a@b"`,
 * `lastUpdated gt "2025-01-01T00:00:00.000Z"`, `profile.email sw "x"`,
 * `profile.email pr`, `and` / `or`, parentheses.
 */

export type Operator = "eq" | "ne" | "gt" | "ge" | "lt" | "le" | "sw" | "co" | "ew" | "pr";

export type Expr =
  | { kind: "cmp"; attr: string; op: Operator; value: string | number | boolean | null }
  | { kind: "and" | "or"; left: Expr; right: Expr };

export class ExpressionError extends Error {}

const OPERATORS = new Set<Operator>(["eq", "ne", "gt", "ge", "lt", "le", "sw", "co", "ew", "pr"]);
const DATE_ATTRS = new Set([
  "created",
  "lastUpdated",
  "activated",
  "statusChanged",
  "lastLogin",
  "passwordChanged",
  "lastMembershipUpdated",
]);

function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      out.push(c);
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        s += text[j];
        j++;
      }
      if (j >= text.length) throw new ExpressionError("unterminated string");
      out.push(`"${s}`); // a leading quote marks a string literal
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()"]/.test(text[j])) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw new ExpressionError("unexpected end of expression");
    return t;
  };
  function parseOr(): Expr {
    let left = parseAnd();
    while (peek()?.toLowerCase() === "or") {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): Expr {
    let left = parseAtom();
    while (peek()?.toLowerCase() === "and") {
      pos++;
      left = { kind: "and", left, right: parseAtom() };
    }
    return left;
  }
  function parseAtom(): Expr {
    const t = next();
    if (t === "(") {
      const e = parseOr();
      if (next() !== ")") throw new ExpressionError("expected )");
      return e;
    }
    if (t.startsWith('"') || t === ")") throw new ExpressionError(`unexpected ${t}`);
    const op = next().toLowerCase() as Operator;
    if (!OPERATORS.has(op)) throw new ExpressionError(`unknown operator ${op}`);
    if (op === "pr") return { kind: "cmp", attr: t, op, value: null };
    const raw = next();
    let value: string | number | boolean | null;
    if (raw.startsWith('"')) value = raw.slice(1);
    else if (raw === "true" || raw === "false") value = raw === "true";
    else if (raw === "null") value = null;
    else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else throw new ExpressionError(`bad value ${raw}`);
    return { kind: "cmp", attr: t, op, value };
  }
  const expr = parseOr();
  if (pos !== tokens.length) throw new ExpressionError(`unexpected ${tokens[pos]}`);
  return expr;
}

/** Checks a parsed expression against what an endpoint's `filter` allows. */
export function checkAllowed(
  expr: Expr,
  allowed: (attr: string, op: Operator) => boolean,
): boolean {
  if (expr.kind === "cmp") return allowed(expr.attr, expr.op);
  return checkAllowed(expr.left, allowed) && checkAllowed(expr.right, allowed);
}

function lookup(obj: Record<string, unknown>, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * How string values compare: `filter` values are case-sensitive, `search`
 * values are not (Okta's API reference for listUsers / listGroups; attribute
 * names are case-sensitive in both, operators are not).
 */
export type ValueCase = "sensitive" | "insensitive";

export function evaluate(
  expr: Expr,
  obj: Record<string, unknown>,
  valueCase: ValueCase = "sensitive",
): boolean {
  if (expr.kind !== "cmp")
    return expr.kind === "and"
      ? evaluate(expr.left, obj, valueCase) && evaluate(expr.right, obj, valueCase)
      : evaluate(expr.left, obj, valueCase) || evaluate(expr.right, obj, valueCase);
  const actual = lookup(obj, expr.attr);
  if (expr.op === "pr") return actual !== undefined && actual !== null && actual !== "";
  if (actual === undefined || actual === null) return expr.op === "ne" && expr.value !== null;
  if (DATE_ATTRS.has(expr.attr) && typeof expr.value === "string") {
    const a = Date.parse(String(actual));
    const b = Date.parse(expr.value);
    if (Number.isNaN(b)) throw new ExpressionError(`bad date ${expr.value}`);
    return compare(a, b, expr.op);
  }
  if (typeof actual === "string" && typeof expr.value === "string") {
    const fold = (v: string): string => (valueCase === "insensitive" ? v.toLowerCase() : v);
    const a = fold(actual);
    const b = fold(expr.value);
    switch (expr.op) {
      case "sw":
        return a.startsWith(b);
      case "co":
        return a.includes(b);
      case "ew":
        return a.endsWith(b);
      default:
        return compare(a, b, expr.op);
    }
  }
  return compare(actual as number, expr.value as number, expr.op);
}

function compare<T extends string | number | boolean | null>(a: T, b: T, op: Operator): boolean {
  switch (op) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "gt":
      return (a as number) > (b as number);
    case "ge":
      return (a as number) >= (b as number);
    case "lt":
      return (a as number) < (b as number);
    case "le":
      return (a as number) <= (b as number);
    default:
      return false;
  }
}
