#!/usr/bin/env node
/**
 * The `aimctl` executable: the package's `bin` (compiled to
 * dist/cli/main.js, run by plain Node) and, through bin/aimctl.js, the
 * source checkout's launcher. Runs the CLI on this process's arguments and
 * streams and leaves its exit code (cli/exitCodes.ts); the installed bin
 * first starts itself again with the Node flags the CLI needs (relaunch.ts).
 */
import { main } from "./aimctl";
import { EXIT } from "./exitCodes";
import { attachToLauncher, relaunch, shouldRelaunch } from "./relaunch";

if (shouldRelaunch()) relaunch(process.argv[1], process.argv.slice(2));
else run();

function run(): void {
  attachToLauncher();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // main() turns every failure into a message; this is the last line of defence.
      process.stderr.write(`aimctl: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
