/**
 * Child-process entry: runs the consumer project's program (its index.ts,
 * importing the installed package) under Pulumi mocks, with the project's
 * own @pulumi/pulumi, in the project's directory (where Pulumi would run it,
 * and what the closure serialiser names modules relative to). Writes every
 * registration (the dynamic providers' serialised text included, as
 * `inputs.__provider`) and the stack outputs as JSON.
 *
 *   consumerMain.ts <project dir> <config.json> <result.json>
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { installMocks, mockOutputs, settle } from "../components/mockMonitor";

async function main(): Promise<void> {
  const [projectDir, configPath, resultPath] = process.argv.slice(2);
  if (!projectDir || !configPath || !resultPath)
    throw new Error("usage: consumerMain <project dir> <config.json> <result.json>");
  // The SDK the installed package and the program resolve: the project's, not this repository's.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the consumer project at run time
  const sdk = require(require.resolve("@pulumi/pulumi", { paths: [projectDir] })) as typeof pulumi;
  const registrations = installMocks(mockOutputs, "aim-platform", "dev", sdk);
  const { config, secretKeys } = JSON.parse(readFileSync(configPath, "utf8")) as {
    config: Record<string, string>;
    secretKeys: string[];
  };
  sdk.runtime.setAllConfig(config, secretKeys);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded after mocks and config, as Pulumi does
  const program = require(path.join(projectDir, "index.ts")) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(program))
    outputs[k] = sdk.Output.isInstance(v) ? await settle(v as pulumi.Output<unknown>) : v;
  // Let registrations that resolve after the outputs finish.
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(resultPath, JSON.stringify({ registrations, outputs }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
