/**
 * Child-process entry: serialises a dynamic resource's provider the way a
 * real `pulumi up` does (TypeScript through ts-node, closure serialised by
 * @pulumi/pulumi), under `setMocks` so that no engine is needed.
 *
 *   node -r ts-node/register/transpile-only serializeMain.ts <request.json> <result.json>
 *
 * request: { modulePath, exportName, name, args }. result: { type, name,
 * provider, providerIsSecret, inputs } or { error }.
 * Run by `serializeProvider()` in ./host.ts; not a test by itself.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";

interface SerializeRequest {
  modulePath: string;
  exportName: string;
  name: string;
  args: Record<string, unknown>;
}

/** How the mock monitor hands over a secret-wrapped value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function unwrapSecret(v: unknown): { value: unknown; secret: boolean } {
  if (v && typeof v === "object" && SECRET_SIG in v) {
    return { value: (v as unknown as { value: unknown }).value, secret: true };
  }
  return { value: v, secret: false };
}

function fail(err: unknown): never {
  const [, resultPath] = process.argv.slice(2);
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (resultPath) writeFileSync(resultPath, JSON.stringify({ error: message }));
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

// A closure that cannot be serialised surfaces as an unhandled rejection.
process.on("unhandledRejection", fail);

async function main(): Promise<void> {
  const [requestPath, resultPath] = process.argv.slice(2);
  if (!requestPath || !resultPath)
    throw new Error("usage: serializeMain <request.json> <result.json>");
  const request = JSON.parse(readFileSync(requestPath, "utf8")) as SerializeRequest;

  const registered = new Promise<pulumi.runtime.MockResourceArgs>((resolve) => {
    void pulumi.runtime.setMocks(
      {
        newResource(args) {
          resolve(args);
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call() {
          throw new Error("no calls expected while serialising a provider");
        },
      },
      "okta-databricks-aim",
      "harness",
    );
  });

  // Imported only after setMocks, as a program would be run by Pulumi.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen at run time
  const mod = require(request.modulePath) as Record<string, unknown>;
  const Ctor = mod[request.exportName] as
    (new (name: string, args: Record<string, unknown>) => pulumi.CustomResource) | undefined;
  if (typeof Ctor !== "function") {
    throw new Error(`${request.modulePath} has no export ${request.exportName}`);
  }
  new Ctor(request.name, request.args);

  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("resource was not registered within 30 s")), 30_000).unref(),
  );
  const reg = await Promise.race([registered, timeout]);
  const { __provider, ...inputs } = reg.inputs as Record<string, unknown>;
  const provider = unwrapSecret(__provider);
  if (typeof provider.value !== "string") throw new Error("inputs.__provider is not a string");
  writeFileSync(
    resultPath,
    JSON.stringify({
      type: reg.type,
      name: reg.name,
      provider: provider.value,
      providerIsSecret: provider.secret,
      inputs,
    }),
  );
}

main().then(() => process.exit(0), fail);
