/**
 * An error for "created (or updated), but not as asked": the dynamic-provider
 * host turns an error carrying `id` and `properties` into the engine's
 * ErrorResourceInitFailed, so what was done is kept in state. The engine
 * prints that error's `reasons`, not its message (seen under the real engine:
 * a list of bare finding codes and nothing else), so the one reason is the
 * whole message: what happened, why, and what to do.
 */
export function initFailed(
  message: string,
  id: string,
  properties: object,
): Error & { id: string; properties: object; reasons: string[] } {
  return Object.assign(new Error(message), { id, properties, reasons: [message] });
}
