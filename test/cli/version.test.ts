/** `aimctl --version` prints the version plans carry (the package's), and --help says so. */
import { describe, expect, it } from "vitest";
import { HELP } from "../../cli/aimctl";
import { PACKAGE_VERSION, runCli } from "./helpers";

describe("aimctl --version", () => {
  it.each([["--version"], ["-V"]])("%s prints the package version and exits 0", async (flag) => {
    const r = await runCli([flag]);
    expect(r).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: "" });
  });

  it("is in --help", () => {
    expect(HELP).toContain("aimctl --version");
  });
});
