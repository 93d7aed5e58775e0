/**
 * A dynamic provider as the engine should see it. The dynamic-provider host
 * prints `${error}: ${error.stack}` for every error thrown from check, diff,
 * read or delete (seen under the real engine: a `pulumi up` with a wrong
 * Databricks secret ended in a stack trace of core's client), and the
 * project's own errors already say what happened and what to do. So errors
 * that carry one of the project's codes (`ERR_…`) reach the engine without
 * their frames; anything else (a bug) keeps its stack for the report.
 *
 * Serialised with the provider: it captures only the methods it wraps.
 */
import { databricksCredentialSource } from "./credentials";

export function forEngine<P extends object>(provider: P): P {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(provider)) {
    wrapped[name] =
      typeof method === "function"
        ? async (...args: unknown[]) => {
            try {
              return await (method as (...a: unknown[]) => unknown).apply(provider, args);
            } catch (err) {
              const e = err as {
                code?: unknown;
                stack?: string;
                service?: unknown;
                status?: unknown;
              };
              if (
                !(err instanceof Error) ||
                typeof e.code !== "string" ||
                !e.code.startsWith("ERR_")
              )
                throw err;
              e.stack = "";
              if (e.service === "databricks" && (e.status === 401 || e.status === 403))
                err.message = `${err.message} In this stack ${databricksCredentialSource()}.`;
              throw err;
            }
          }
        : method;
  }
  return wrapped as P;
}
