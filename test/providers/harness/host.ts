/**
 * Tests dynamic providers as Pulumi really runs them:
 * 1. `serializeProvider()` serialises the provider in a child process under
 *    ts-node (the runtime Pulumi uses for TypeScript programs; vitest's module
 *    transform would change the code that gets serialised);
 * 2. `startProviderHost()` starts the dynamic-provider host shipped in
 *    @pulumi/pulumi and drives it over gRPC, passing the serialised text as
 *    `__provider` in every request, as the engine does.
 *
 * The host's only argument is the engine address; it merely checks that one
 * is given (it logs to stderr and never dials the engine), so no fake engine
 * server is needed.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
/** The dynamic-provider host of a project's own @pulumi/pulumi, as Pulumi starts it there. */
const hostScript = (projectDir: string) =>
  path.join(projectDir, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
const SERIALIZE_SCRIPT = path.join(__dirname, "serializeMain.ts");
const PROJECT = "okta-databricks-aim";

type Props = Record<string, unknown>;

export interface SerializedResource {
  /** Type token, e.g. `pulumi-nodejs:dynamic/okta-databricks-aim:SigningKey`. */
  type: string;
  name: string;
  /** The serialised provider module text, as stored in state under `__provider`. */
  provider: string;
  /** Whether Pulumi found secrets in the closure (then `__provider` itself is a secret). */
  providerIsSecret: boolean;
  /** The other inputs the resource registered. */
  inputs: Props;
}

/**
 * Serialises the provider of `new (require(modulePath)[exportName])(name, args)`
 * in a child `node -r ts-node/register/transpile-only` process under setMocks.
 * `args` must be plain JSON.
 */
export async function serializeProvider(
  modulePath: string,
  exportName: string,
  args: Props,
  name = "harness",
): Promise<SerializedResource> {
  const dir = mkdtempSync(path.join(tmpdir(), "aim-serialize-"));
  try {
    const requestPath = path.join(dir, "request.json");
    const resultPath = path.join(dir, "result.json");
    writeFileSync(
      requestPath,
      JSON.stringify({ modulePath: path.resolve(REPO_ROOT, modulePath), exportName, name, args }),
    );
    const { code, stderr } = await run(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", SERIALIZE_SCRIPT, requestPath, resultPath],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, "tsconfig.json") },
      },
    );
    let result: Partial<SerializedResource> & { error?: string };
    try {
      result = JSON.parse(readFileSync(resultPath, "utf8")) as typeof result;
    } catch {
      throw new Error(`serializeMain exited ${code} without a result:\n${stderr}`);
    }
    if (result.error) throw new Error(`serialising ${exportName} failed:\n${result.error}`);
    return result as SerializedResource;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

export interface DiffOutcome {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface CheckOutcome {
  inputs: Props;
  failures: Array<{ property: string; reason: string }>;
}

/** A running dynamic-provider host and typed calls to it. */
export interface ProviderHost {
  readonly port: number;
  /** What the host printed to stderr so far (it logs provider errors there). */
  stderr(): string;
  /**
   * stderr once it contains `text`: the host answers an RPC before its log
   * line of the same error reaches our pipe, so reading stderr() right after
   * a failed call can miss it.
   */
  stderrWith(text: string): Promise<string>;
  /** What the host printed to stdout after its port (pulumi.log lines, which the engine shows as info). */
  stdout(): string;
  /** Stack config, keys namespaced as in Pulumi.<stack>.yaml (`okta:apiToken`). */
  configure(config: Props): Promise<void>;
  check(olds: Props, news: Props): Promise<CheckOutcome>;
  diff(id: string, olds: Props, news: Props): Promise<DiffOutcome>;
  create(props: Props): Promise<{ id: string; outs: Props }>;
  read(
    id: string,
    props: Props,
    inputs?: Props,
  ): Promise<{ id: string; props: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
  close(): Promise<void>;
}

export interface StartProviderHostOptions {
  /** The serialised provider sent as `__provider` with every call. */
  provider: string;
  /** Resource type token, used to build URNs. */
  type?: string;
  /** Extra environment for the host process (credentials from the environment). */
  env?: NodeJS.ProcessEnv;
  /** Environment variables to remove from the host's environment. */
  unsetEnv?: string[];
  /**
   * The Pulumi project the host runs in (default this repository): its
   * working directory and the @pulumi/pulumi whose host it runs, as the engine
   * starts it for that project.
   */
  projectDir?: string;
}

/** Starts `node …/cmd/dynamic-provider/index.js <engine>` and connects a gRPC client. */
export async function startProviderHost(opts: StartProviderHostOptions): Promise<ProviderHost> {
  const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_NODEJS_PROJECT: PROJECT, ...opts.env };
  for (const k of opts.unsetEnv ?? []) delete env[k];
  const projectDir = opts.projectDir ?? REPO_ROOT;
  const child = spawn(process.execPath, [hostScript(projectDir), "127.0.0.1:1"], {
    cwd: projectDir, // where bare `require(…)` in the serialised provider resolves from
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const stderrWaiters: Array<{ text: string; resolve: (s: string) => void }> = [];
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of stderrWaiters.splice(0))
      if (stderr.includes(w.text)) w.resolve(stderr);
      else stderrWaiters.push(w);
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const onData = (d: Buffer): void => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line && /^\d+$/.test(line.trim())) {
        child.stdout.off("data", onData);
        resolve(Number(line.trim()));
      }
    };
    child.stdout.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`provider host exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`provider host printed no port: ${stderr}`)), 20_000).unref();
  });

  const client = new provrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  const type = opts.type ?? "pulumi-nodejs:dynamic:Resource";
  const urn = `urn:pulumi:harness::${PROJECT}::${type}::harness`;
  const withProvider = (p: Props): Struct =>
    Struct.fromJavaScript({ ...p, __provider: opts.provider } as never);
  const strip = (p: Props): Props => {
    const { __provider: _omit, ...rest } = p;
    return rest;
  };
  // Every ResourceProviderClient method takes (request, callback).
  const call = <Res>(
    invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
  ): Promise<Res> =>
    new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));

  return {
    port,
    stderr: () => stderr,
    stderrWith: (text) =>
      stderr.includes(text)
        ? Promise.resolve(stderr)
        : new Promise((resolve, reject) => {
            stderrWaiters.push({ text, resolve });
            child.once("exit", () =>
              reject(new Error(`provider host exited without printing ${text}:\n${stderr}`)),
            );
          }),
    stdout: () => stdout,
    async configure(config) {
      const req = new provproto.ConfigureRequest();
      req.setArgs(Struct.fromJavaScript(config as never));
      req.setAcceptsecrets(true);
      await call<provproto.ConfigureResponse>((cb) => client.configure(req, cb));
    },
    async check(olds, news) {
      const req = new provproto.CheckRequest();
      req.setUrn(urn);
      req.setOlds(withProvider(olds));
      req.setNews(withProvider(news));
      const res = await call<provproto.CheckResponse>((cb) => client.check(req, cb));
      return {
        inputs: strip((res.getInputs()?.toJavaScript() ?? {}) as Props),
        failures: res
          .getFailuresList()
          .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const req = new provproto.DiffRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(withProvider(olds));
      req.setNews(withProvider(news));
      const res = await call<provproto.DiffResponse>((cb) => client.diff(req, cb));
      const kinds = provproto.DiffResponse.DiffChanges;
      const changes = res.getChanges();
      return {
        changes:
          changes === kinds.DIFF_SOME ? "some" : changes === kinds.DIFF_NONE ? "none" : "unknown",
        replaces: res.getReplacesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
      };
    },
    async create(props) {
      const req = new provproto.CreateRequest();
      req.setUrn(urn);
      req.setProperties(withProvider(props));
      const res = await call<provproto.CreateResponse>((cb) => client.create(req, cb));
      return { id: res.getId(), outs: strip((res.getProperties()?.toJavaScript() ?? {}) as Props) };
    },
    async read(id, props, inputs) {
      const req = new provproto.ReadRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(withProvider(props));
      if (inputs) req.setInputs(withProvider(inputs));
      const res = await call<provproto.ReadResponse>((cb) => client.read(req, cb));
      const resInputs = res.getInputs()?.toJavaScript() as Props | undefined;
      return {
        id: res.getId(),
        props: strip((res.getProperties()?.toJavaScript() ?? {}) as Props),
        inputs: resInputs ? strip(resInputs) : undefined,
      };
    },
    async update(id, olds, news) {
      const req = new provproto.UpdateRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setOlds(withProvider(olds));
      req.setNews(withProvider(news));
      const res = await call<provproto.UpdateResponse>((cb) => client.update(req, cb));
      return { outs: strip((res.getProperties()?.toJavaScript() ?? {}) as Props) };
    },
    async delete(id, props) {
      const req = new provproto.DeleteRequest();
      req.setId(id);
      req.setUrn(urn);
      req.setProperties(withProvider(props));
      await call<unknown>((cb) => client.delete(req, cb));
    },
    async close() {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** The core modules a serialised provider names (loadCore's argument), unique and sorted. */
export function coreModulesNamedBy(provider: string): string[] {
  return [
    ...new Set([...provider.matchAll(/"(core\/[A-Za-z0-9_/.-]+)"/g)].map((m) => m[1]!)),
  ].sort();
}
