/**
 * Live reads kept in the dynamic-provider host's process for the rest of one
 * engine operation, so that `check`, `diff` and `create`/`update` of the same
 * resource share one read of the tenants instead of three. The engine runs
 * all of them for one preview or update in one host process; a later
 * operation starts a new host and reads again. Kept on `globalThis` (like the
 * credentials), never in a serialised closure or in state; entries expire so
 * that a long-lived host can never act on an old picture (every write is
 * re-checked against live state anyway).
 */
const SLOT = "__oktaDatabricksAimLiveReads";
/** Long enough for check → diff → update of one operation, short enough never to serve a stale picture. */
const MAX_AGE_MS = 10 * 60_000;

interface Entry {
  at: number;
  value: unknown;
}

function entries(): Map<string, Entry> {
  const g = globalThis as Record<string, unknown>;
  if (!(g[SLOT] instanceof Map)) g[SLOT] = new Map<string, Entry>();
  return g[SLOT] as Map<string, Entry>;
}

/** Keeps `value` under `key` (replacing what was there). */
export function keepLiveRead(key: string, value: unknown): void {
  entries().set(key, { at: Date.now(), value });
}

/** The value kept under `key` if it is recent, else undefined. */
export function recallLiveRead<T>(key: string): T | undefined {
  const e = entries().get(key);
  if (!e) return undefined;
  if (Date.now() - e.at > MAX_AGE_MS) {
    entries().delete(key);
    return undefined;
  }
  return e.value as T;
}

/** Forgets every kept read: what a new host process starts with (the bench's new-process step). */
export function forgetLiveReads(): void {
  entries().clear();
}
