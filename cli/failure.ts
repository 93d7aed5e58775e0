/** Turning any failure into one readable line (or one per input problem): never a stack or a secret. */
import { AimError, ConfigError, HttpError } from "../core/http";
import { InputErrors } from "./inputs";

/**
 * One readable message per failure: what went wrong and what to do; never a
 * stack. Printed through the Printer, whose redactor removes any secret.
 */
export function describeFailure(err: unknown): string {
  if (err instanceof InputErrors) return err.errors.map((e) => `aimctl: ${e.message}`).join("\n");
  if (err instanceof ConfigError) return `aimctl: ${err.message}`;
  if (err instanceof HttpError) return `aimctl: ${err.code}: ${err.message}`;
  if (err instanceof AimError) return `aimctl: ${err.code}: ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  return `aimctl: unexpected error: ${message}`;
}
