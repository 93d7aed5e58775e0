/**
 * Child-process entry: runs the Pulumi program (index.ts) under mocks with
 * the stack config of Pulumi.example.yaml, as `pulumi preview` would run it
 * (TypeScript compiled by ts-node registered the way Pulumi's Node.js
 * runtime registers it: see program.test.ts). Writes the resource graph and
 * the stack outputs as JSON.
 *
 *   programMain.ts <result.json> [with-token | provider-keys | provider-keys-disagree]
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { load } from "js-yaml";
import { installMocks, mockOutputs, settle } from "./mockMonitor";

const REPO_ROOT = path.resolve(__dirname, "../..");

/** Stack config from a Pulumi.<stack>.yaml: objects and lists as JSON strings, as the engine passes them. */
export function stackConfig(file: string): Record<string, string> {
  const doc = load(readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc.config ?? {}))
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  return out;
}

async function main(): Promise<void> {
  const [resultPath, mode] = process.argv.slice(2);
  if (!resultPath) throw new Error("usage: programMain <result.json> [with-token]");
  const registrations = installMocks(mockOutputs);
  const config = stackConfig(path.join(REPO_ROOT, "Pulumi.example.yaml"));
  const secretKeys: string[] = [];
  if (mode === "with-token") {
    config["oktaAim:oktaApiToken"] = "00-mock-okta-token";
    secretKeys.push("oktaAim:oktaApiToken");
  }
  if (mode === "provider-keys" || mode === "provider-keys-disagree") {
    // A stack configured for the official providers: their keys instead of ours.
    delete config["oktaAim:oktaOrgUrl"];
    delete config["oktaAim:databricksHost"];
    delete config["oktaAim:databricksAccountId"];
    config["okta:orgName"] = "acme";
    config["okta:baseUrl"] = "oktapreview.com";
    config["databricks:host"] = "https://accounts.azuredatabricks.net/";
    config["databricks:accountId"] = "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a";
    if (mode === "provider-keys-disagree") config["oktaAim:oktaOrgUrl"] = "https://other.okta.com";
  }
  pulumi.runtime.setAllConfig(config, secretKeys);

  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program is loaded after mocks and config, as Pulumi does
  const program = require(path.join(REPO_ROOT, "index.ts")) as Record<
    string,
    pulumi.Output<unknown>
  >;
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(program))
    outputs[k] = pulumi.Output.isInstance(v) ? await settle(v) : v;
  // Let registrations that resolve after the outputs finish.
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(
    resultPath,
    JSON.stringify({ registrations, outputs, exportNames: Object.keys(program), config }),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
