/**
 * The exit-code contract of plan and check: one table (cli/exitCodes.ts),
 * blocked wins over pending, and the README states exactly what --help says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELP } from "../../cli/aimctl";
import { CHECK_HELP } from "../../cli/commands/check";
import { PLAN_HELP } from "../../cli/commands/plan";
import { EXIT, EXIT_CODES_HELP, outcomeExitCode } from "../../cli/exitCodes";

describe("exit codes", () => {
  it("are four distinct codes, 1 being the tool's own failure", () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, linksPending: 2, blocked: 3 });
  });

  it("blocked wins over pending; pending over nothing to do", () => {
    expect(outcomeExitCode({ blocking: 0, pending: 0 })).toBe(0);
    expect(outcomeExitCode({ blocking: 0, pending: 7 })).toBe(2);
    expect(outcomeExitCode({ blocking: 1, pending: 0 })).toBe(3);
    expect(outcomeExitCode({ blocking: 2, pending: 7 })).toBe(3);
  });

  it("--help of aimctl, plan and check and the README state the same contract", () => {
    for (const help of [HELP, PLAN_HELP, CHECK_HELP]) expect(help).toContain(EXIT_CODES_HELP);
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    expect(readme).toContain(`\`\`\`text\n${EXIT_CODES_HELP}\n\`\`\``);
    for (const [code, meaning] of [
      [EXIT.ok, "nothing to do"],
      [EXIT.linksPending, "links pending"],
      [EXIT.blocked, "blocking findings not accepted"],
      [EXIT.failed, "the tool failed"],
    ] as const)
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`^ {2}${code} {2}${meaning}`, "m"));
  });
});
