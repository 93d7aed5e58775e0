/**
 * A minimal HTTP server with a router, for the emulators: OS-assigned
 * loopback port, JSON helpers, request counting per route template, fault
 * injection before the handler, and clean shutdown.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, type FaultDecision } from "./faults";
import { RequestCounter } from "./counters";

export interface EmulatorRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
  /** Raw body text. */
  text: string;
  /** Parsed JSON body (undefined when not JSON). */
  json: unknown;
  /** Parsed form body (for application/x-www-form-urlencoded). */
  form: URLSearchParams;
  /** The base URL of this server (http://127.0.0.1:port). */
  baseUrl: string;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>;

export interface Route {
  method: string;
  /** Template such as "/api/v1/users/:id"; its text is the counting key. */
  template: string;
  handler: Handler;
  regex: RegExp;
  names: string[];
}

export class Router {
  readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const pattern = template
      .split("/")
      .map((seg) => {
        if (seg.startsWith(":")) {
          names.push(seg.slice(1));
          return "([^/]+)";
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({
      method: method.toUpperCase(),
      template,
      handler,
      regex: new RegExp(`^${pattern}$`),
      names,
    });
    return this;
  }

  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
      return { route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }
}

export interface EmulatorServerOptions {
  router: Router;
  faults: FaultInjector;
  counter: RequestCounter;
  /** Service-specific responses for injected faults and unknown routes. */
  faultResponse: (fault: FaultDecision, req: EmulatorRequest) => EmulatorResponse;
  notFound: (req: EmulatorRequest) => EmulatorResponse;
  methodNotAllowed?: (req: EmulatorRequest, allowed: string[]) => EmulatorResponse;
  host?: string;
  port?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulatorServer(opts: EmulatorServerOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const sockets = new Set<import("node:net").Socket>();
  let baseUrl = "";
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: "emulator_error",
            message: String(err instanceof Error ? err.message : err),
          }),
        );
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", baseUrl);
    const ctype = String(req.headers["content-type"] ?? "");
    let json: unknown;
    if (text && (ctype.includes("json") || text.startsWith("{") || text.startsWith("["))) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    const ereq: EmulatorRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      params: {},
      text,
      json,
      form: ctype.includes("application/x-www-form-urlencoded")
        ? new URLSearchParams(text)
        : new URLSearchParams(),
      baseUrl,
    };
    const matched = opts.router.match(ereq.method, ereq.path);
    const endpoint =
      matched && "route" in matched
        ? `${matched.route.method} ${matched.route.template}`
        : `${ereq.method} (unmatched)`;
    opts.counter.add(endpoint);

    const { fault, latencyMs } = opts.faults.decide(ereq.method, ereq.path);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    let out: EmulatorResponse;
    if (fault) out = opts.faultResponse(fault, ereq);
    else if (!matched) out = opts.notFound(ereq);
    else if (!("route" in matched))
      out = opts.methodNotAllowed
        ? opts.methodNotAllowed(ereq, matched.allowed)
        : opts.notFound(ereq);
    else {
      ereq.params = matched.params;
      out = await matched.route.handler(ereq);
    }
    send(res, out);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;
  return {
    url: baseUrl,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, out: EmulatorResponse): void {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload: string | undefined;
  if (out.body !== undefined) {
    payload = typeof out.body === "string" ? out.body : JSON.stringify(out.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  }
  res.writeHead(out.status, headers);
  res.end(payload);
}

/** Reads a bearer-style Authorization header: returns [scheme, credential]. */
export function authHeader(req: EmulatorRequest): [string, string] | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const i = h.indexOf(" ");
  if (i < 0) return undefined;
  return [h.slice(0, i), h.slice(i + 1).trim()];
}
