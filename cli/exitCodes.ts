/**
 * The exit codes of aimctl: one contract for `plan` and `check`, so a pipeline
 * can tell "nothing to do" from "links to write" from "blocked" from "the tool
 * itself failed" without parsing output. The other commands use 0 and 1.
 */

export const EXIT = {
  /** Nothing to do: every matched identity is linked and nothing blocks AIM. */
  ok: 0,
  /** The tool failed: bad input, authentication, network, an unexpected error. */
  failed: 1,
  /** Links are pending (aimctl apply would write them) and nothing blocks AIM. */
  linksPending: 2,
  /** Blocking findings or failed preflight checks that --accept-findings does not accept. */
  blocked: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Blocked wins over pending: the pipeline must stop for a person first. */
export function outcomeExitCode(outcome: { blocking: number; pending: number }): ExitCode {
  if (outcome.blocking > 0) return EXIT.blocked;
  return outcome.pending > 0 ? EXIT.linksPending : EXIT.ok;
}

/** The contract as `--help` and the README state it. */
export const EXIT_CODES_HELP = `Exit codes (plan and check):
  ${EXIT.ok}  nothing to do
  ${EXIT.linksPending}  links pending, nothing blocking (aimctl apply writes them)
  ${EXIT.blocked}  blocking findings not accepted (resolve them, or --accept-findings CODE,...)
  ${EXIT.failed}  the tool failed (bad input, authentication, network)`;
