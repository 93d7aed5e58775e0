/**
 * aimctl: the Okta → Databricks AIM reconciliation CLI.
 *
 *   aimctl check | plan | apply | undo | emulate | demo
 *
 * `main` never throws: every failure becomes a message on stderr (redacted,
 * no stack trace) and exit code 1 (EXIT.failed; the codes are in exitCodes.ts). Tests call it in process with their own
 * streams, environment and working directory.
 */
import { applyCommand } from "./commands/apply";
import { checkCommand } from "./commands/check";
import { demoCommand } from "./commands/demo";
import { emulateCommand } from "./commands/emulate";
import { planCommand } from "./commands/plan";
import { undoCommand } from "./commands/undo";
import { EXIT, EXIT_CODES_HELP } from "./exitCodes";
import { describeFailure } from "./failure";
import { Printer, processIo, type CliIo } from "./io";
import { TOOL_VERSION } from "./version";

export const HELP = `aimctl — reconcile Okta and Databricks identities before enabling automatic identity management (AIM)

Usage: aimctl <command> [options]
       aimctl --version

Commands:
  check     preflight only: the Okta app, a real connection test, findings, AIM status
  plan      what apply would write, and what blocks AIM (--json, --markdown, --out FILE)
  apply     write the links (confirmation, progress, undo journal); --enable-aim
  undo      restore the values an apply changed (--file FILE)
  emulate   run the Okta and Databricks emulators (--fixture FILE | --synthetic N)
  demo      the whole story on a realistic sample tenant, without and with reconciliation

Run aimctl <command> --help for its options and inputs.

${EXIT_CODES_HELP}
The other commands exit 0 on success and 1 otherwise.`;

type Command = (argv: string[], io: CliIo, printer: Printer) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  plan: planCommand,
  apply: applyCommand,
  undo: undoCommand,
  emulate: emulateCommand,
  demo: demoCommand,
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const printer = new Printer(io);
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    printer.out(HELP);
    return name ? EXIT.ok : EXIT.failed;
  }
  if (name === "--version" || name === "-V") {
    printer.out(TOOL_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    printer.err(
      `aimctl: unknown command "${name}": use one of ${Object.keys(COMMANDS).join(", ")} (aimctl --help).`,
    );
    return EXIT.failed;
  }
  try {
    return await command(rest, io, printer);
  } catch (err) {
    printer.err(describeFailure(err));
    return EXIT.failed;
  }
}

export { describeFailure };
