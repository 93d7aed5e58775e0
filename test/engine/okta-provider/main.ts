/**
 * A stand-in for the Okta resource provider plugin (`pulumi-resource-okta`),
 * used by the engine suite because the real plugin cannot be built here: the
 * Go module proxy this project may use refuses
 * github.com/pulumi/pulumi-okta/provider and okta/terraform-provider-okta
 * ("403 This module version is not available."; scripts/engine-install.sh
 * prints its answer on every install). See docs/engine.md.
 *
 * It speaks the real plugin protocol to the real engine (gRPC
 * ResourceProvider: the port on stdout, then GetPluginInfo, CheckConfig,
 * DiffConfig, Configure, Check, Diff, Create, Read, Update, Delete), takes the
 * Okta provider's own configuration (`okta:orgName`, `okta:baseUrl`,
 * `okta:httpProxy`, `okta:apiToken`, or `okta:clientId` + `okta:privateKey` +
 * `okta:scopes`), and makes the HTTP requests the real provider makes
 * (./resources.ts), through `httpProxy` in absolute-URL form. It is not a
 * product component: it lives under test/ and is never shipped.
 */
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { OktaHttp, type OktaProviderConfig } from "./oktaHttp";
import { RESOURCE_TYPES, UNKNOWN, type Props, type ResourceType } from "./resources";

const VERSION = process.env.OKTA_STANDIN_VERSION ?? "7.0.0";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

let api: OktaHttp | undefined;

/** Secrets arrive wrapped when accepted; we do not accept them, but unwrap defensively. */
function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SECRET_SIG] !== undefined) return unwrap(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}

const toJs = (s: Struct | undefined): Props => (s ? (unwrap(s.toJavaScript()) as Props) : {});
const toStruct = (p: Props): Struct =>
  Struct.fromJavaScript(JSON.parse(JSON.stringify(p)) as Record<string, never>);

function typeOf(urn: string): ResourceType {
  const token = urn.split("::")[2] ?? "";
  const t = RESOURCE_TYPES[token.split("$").pop() ?? token];
  if (!t) throw new Error(`okta stand-in: resource type ${token} is not served`);
  return t;
}

function containsUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** Provider config from ConfigureRequest: typed args when present, else the "okta:config:*" variables. */
function providerConfig(req: provproto.ConfigureRequest): OktaProviderConfig {
  const args = toJs(req.getArgs());
  const vars = Object.fromEntries(
    req
      .getVariablesMap()
      .toArray()
      .map(([k, v]) => [k.replace(/^okta:config:/, ""), v]),
  );
  const get = (k: string): string | undefined => {
    const v =
      args[k] ??
      vars[k] ??
      process.env[`OKTA_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  let scopes: string[] | undefined;
  const rawScopes = args.scopes ?? vars.scopes;
  if (Array.isArray(rawScopes)) scopes = rawScopes.map(String);
  else if (typeof rawScopes === "string" && rawScopes)
    scopes = rawScopes.startsWith("[") ? (JSON.parse(rawScopes) as string[]) : rawScopes.split(",");
  return {
    orgName: get("orgName"),
    baseUrl: get("baseUrl"),
    httpProxy: get("httpProxy"),
    apiToken: get("apiToken"),
    clientId: get("clientId"),
    privateKey: get("privateKey"),
    privateKeyId: get("privateKeyId"),
    scopes,
  };
}

function requireApi(): OktaHttp {
  if (!api) throw new Error("okta stand-in: Configure was not called");
  return api;
}

type Handler<Req, Res> = (req: Req) => Promise<Res>;

/** Wraps a handler: errors reach the engine as gRPC errors with the provider's message. */
function unary<Req, Res>(fn: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) =>
        callback({
          code: grpc.status.UNKNOWN,
          details: err instanceof Error ? err.message : String(err),
        }),
    );
  };
}

function unimplemented<Req, Res>(name: string): grpc.handleUnaryCall<Req, Res> {
  return (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented` });
}

/** JSON with sorted keys (and sorted elements for set-typed properties), as the bridge compares values. */
function canonical(v: unknown, asSet = false): string {
  const norm = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(norm)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.entries(x)
              .filter(([, y]) => y !== undefined && y !== null)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, y]) => [k, norm(y)]),
          )
        : x;
  const n = norm(v ?? null);
  return JSON.stringify(asSet && Array.isArray(n) ? n.map((e) => JSON.stringify(e)).sort() : n);
}

function diffProps(t: ResourceType, olds: Props, news: Props): provproto.DiffResponse {
  const resp = new provproto.DiffResponse();
  const changed = t.compared.filter((k) => {
    const asSet = t.sets?.includes(k) ?? false;
    return containsUnknown(news[k]) || canonical(olds[k], asSet) !== canonical(news[k], asSet);
  });
  const replaces = changed.filter((k) => t.replaceOn.includes(k));
  resp.setChanges(
    changed.length > 0
      ? provproto.DiffResponse.DiffChanges.DIFF_SOME
      : provproto.DiffResponse.DiffChanges.DIFF_NONE,
  );
  resp.setDiffsList(changed);
  resp.setReplacesList(replaces);
  const detailed = resp.getDetaileddiffMap();
  for (const k of changed) {
    const d = new provproto.PropertyDiff();
    d.setKind(
      replaces.includes(k)
        ? provproto.PropertyDiff.Kind.UPDATE_REPLACE
        : provproto.PropertyDiff.Kind.UPDATE,
    );
    d.setInputdiff(true);
    detailed.set(k, d);
  }
  resp.setHasdetaileddiff(true);
  return resp;
}

const service: Partial<provrpc.IResourceProviderServer> = {
  getPluginInfo: unary(async () => {
    const info = new plugproto.PluginInfo();
    info.setVersion(VERSION);
    return info;
  }),
  getSchema: unary(async () => {
    const resp = new provproto.GetSchemaResponse();
    resp.setSchema(JSON.stringify({ name: "okta", version: VERSION }));
    return resp;
  }),
  checkConfig: unary(async (req: provproto.CheckRequest) => {
    const resp = new provproto.CheckResponse();
    resp.setInputs(req.getNews() ?? new Struct());
    return resp;
  }),
  diffConfig: unary(async (req: provproto.DiffRequest) => {
    const resp = new provproto.DiffResponse();
    const same = JSON.stringify(toJs(req.getOlds())) === JSON.stringify(toJs(req.getNews()));
    resp.setChanges(
      same
        ? provproto.DiffResponse.DiffChanges.DIFF_NONE
        : provproto.DiffResponse.DiffChanges.DIFF_SOME,
    );
    return resp;
  }),
  configure: unary(async (req: provproto.ConfigureRequest) => {
    const cfg = providerConfig(req);
    const resp = new provproto.ConfigureResponse();
    resp.setAcceptsecrets(false);
    resp.setSupportspreview(true);
    resp.setAcceptresources(false);
    if (containsUnknown(Object.values(cfg))) return resp;
    api = new OktaHttp(cfg);
    // The provider checks its credentials when it is configured (API token: who am I).
    if (cfg.apiToken) await api.request("GET", "/api/v1/users/me");
    return resp;
  }),
  check: unary(async (req: provproto.CheckRequest) => {
    const t = typeOf(req.getUrn());
    const { inputs, failures } = t.check(toJs(req.getNews()));
    const resp = new provproto.CheckResponse();
    resp.setInputs(toStruct(inputs));
    resp.setFailuresList(
      failures.map((f) => {
        const cf = new provproto.CheckFailure();
        cf.setProperty(f.property);
        cf.setReason(f.reason);
        return cf;
      }),
    );
    return resp;
  }),
  diff: unary(async (req: provproto.DiffRequest) =>
    diffProps(typeOf(req.getUrn()), toJs(req.getOlds()), toJs(req.getNews())),
  ),
  create: unary(async (req: provproto.CreateRequest) => {
    const t = typeOf(req.getUrn());
    const inputs = toJs(req.getProperties());
    const resp = new provproto.CreateResponse();
    if (req.getPreview()) {
      resp.setProperties(toStruct({ ...inputs, id: UNKNOWN }));
      return resp;
    }
    const { id, outs } = await t.create(requireApi(), inputs);
    resp.setId(id);
    resp.setProperties(toStruct(outs));
    return resp;
  }),
  read: unary(async (req: provproto.ReadRequest) => {
    const t = typeOf(req.getUrn());
    const state = toJs(req.getProperties());
    const outs = await t.read(requireApi(), req.getId(), state);
    const resp = new provproto.ReadResponse();
    if (!outs) return resp; // empty id: the resource is gone
    resp.setId(req.getId());
    resp.setProperties(toStruct(outs));
    const inputs = toJs(req.getInputs());
    resp.setInputs(
      toStruct(Object.keys(inputs).length > 0 ? { ...inputs, ...pick(outs, t.compared) } : outs),
    );
    return resp;
  }),
  update: unary(async (req: provproto.UpdateRequest) => {
    const t = typeOf(req.getUrn());
    const news = toJs(req.getNews());
    const resp = new provproto.UpdateResponse();
    if (req.getPreview()) {
      resp.setProperties(toStruct({ ...toJs(req.getOlds()), ...news }));
      return resp;
    }
    resp.setProperties(
      toStruct(await t.update(requireApi(), req.getId(), toJs(req.getOlds()), news)),
    );
    return resp;
  }),
  delete: unary(async (req: provproto.DeleteRequest) => {
    await typeOf(req.getUrn()).delete(requireApi(), req.getId(), toJs(req.getProperties()));
    return new Empty();
  }),
  cancel: unary(async () => new Empty()),
  attach: unary(async () => new Empty()),
  handshake: unimplemented("Handshake"),
  invoke: unimplemented("Invoke"),
  call: unimplemented("Call"),
  construct: unimplemented("Construct"),
  getMapping: unimplemented("GetMapping"),
  getMappings: unimplemented("GetMappings"),
  parameterize: unimplemented("Parameterize"),
};

function pick(p: Props, keys: string[]): Props {
  return Object.fromEntries(keys.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
}

function main(): void {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service as provrpc.IResourceProviderServer);
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      process.stderr.write(`okta stand-in: ${err.message}\n`);
      process.exit(1);
    }
    // The plugin protocol: the port is the first line on stdout.
    process.stdout.write(`${port}\n`);
  });
}

main();
