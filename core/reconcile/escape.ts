/**
 * Tenant values (names, externalIds, anything a finding quotes) are data from
 * two directories that other people edit: they reach a terminal, a log and a
 * pull-request comment, and must show there as text, never act as markup.
 *
 * - Terminal and logs: control characters (an ESC starts a sequence that can
 *   recolour, move the cursor or rewrite what was printed), line breaks (a
 *   forged line), bidirectional overrides and invisible characters (text that
 *   reads differently from what it is) are shown as `\u{…}` escapes.
 * - Markdown (GitHub): the value goes into a code span, the one place where
 *   GitHub renders no HTML and makes no mention, link, issue reference or
 *   emoji; backticks and table pipes inside it are fenced and escaped.
 */

/**
 * C0 controls (line breaks and tabs included), DEL, C1 controls, the
 * bidirectional marks, embeddings, overrides and isolates, zero-width
 * characters, line/paragraph separators and the byte-order mark.
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** A value as it may be shown on a terminal: every invisible or control character escaped. */
export function terminalSafe(value: string): string {
  return value.replace(
    INVISIBLE,
    (c) => `\\u{${(c.codePointAt(0) as number).toString(16).padStart(4, "0")}}`,
  );
}

/**
 * What aimctl lets through to a terminal in its own output: line breaks and
 * tabs (its own layout), nothing else invisible. Each tenant value is escaped
 * with `terminalSafe` where it is quoted; this is the last line of defence
 * for everything printed.
 */
export function terminalOutput(text: string): string {
  return text.replace(INVISIBLE, (c) => (c === "\n" || c === "\t" ? c : terminalSafe(c)));
}

/** A tenant value inside double quotes for terminal text: `"name"`, escapes included. */
export function quoted(value: string): string {
  // JSON escapes quotes, backslashes and C0 controls; the rest of INVISIBLE is left to terminalSafe.
  return terminalSafe(JSON.stringify(value));
}

/**
 * A value as a Markdown code span: shown literally by GitHub (no HTML, no
 * `@mention`, no link, no `#123`, no emoji). `inTable` escapes `|`, which
 * GitHub's tables split on even inside code spans.
 */
export function markdownCode(value: string, opts: { inTable?: boolean } = {}): string {
  let text = terminalSafe(value);
  if (opts.inTable) text = text.replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longestRun + 1);
  // A space on each side when the content starts or ends with a backtick, or is all spaces.
  const pad = /^`|`$/.test(text) || /^ *$/.test(text) ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}
