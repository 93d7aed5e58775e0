/**
 * A tiny fake Databricks account server on loopback for the client's unit
 * tests: OAuth M2M token, SCIM list with a page cap and `id eq … or …`
 * filters, SCIM and iamv2 PATCH, iamv2 external look-ups, plus hooks to
 * script failures. Far less than the emulator; enough to pin the client.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeDatabricks {
  url: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  requests: FakeRequest[];
  users: Array<Record<string, unknown>>;
  groups: Array<Record<string, unknown>>;
  servicePrincipals: Array<Record<string, unknown>>;
  pageCap: number;
  aimEnabled: boolean;
  tokensIssued: string[];
  tokenLifetimeS: number;
  /** Runs before the built-in handling; a reply short-circuits it. */
  intercept?: (req: FakeRequest) => FakeReply | undefined;
  /** Called after a list page is computed (to mutate the store mid-listing). */
  afterListPage?: (startIndex: number) => void;
  close(): Promise<void>;
}

export async function startFakeDatabricks(
  init: { users?: number; groups?: number; servicePrincipals?: number; pageCap?: number } = {},
): Promise<FakeDatabricks> {
  const sockets = new Set<Socket>();
  const fake: FakeDatabricks = {
    url: "",
    accountId: "acc-1",
    clientId: "sp-client-id",
    clientSecret: "dose-super-secret-value-1234567890",
    requests: [],
    users: Array.from({ length: init.users ?? 0 }, (_, i) => ({
      id: `u${i + 1}`,
      userName: `user${i + 1}@example.com`,
      displayName: `User ${i + 1}`,
      active: true,
      emails: [{ value: `user${i + 1}@example.com`, primary: true }],
      ...(i % 3 === 0 ? { externalId: `00u${i + 1}` } : {}),
    })),
    groups: Array.from({ length: init.groups ?? 0 }, (_, i) => ({
      id: `g${i + 1}`,
      displayName: `Group ${i + 1}`,
    })),
    servicePrincipals: Array.from({ length: init.servicePrincipals ?? 0 }, (_, i) => ({
      id: `sp${i + 1}`,
      applicationId: `app-${i + 1}`,
      displayName: `SP ${i + 1}`,
    })),
    pageCap: init.pageCap ?? 100,
    aimEnabled: true,
    tokensIssued: [],
    tokenLifetimeS: 3600,
    close: async () => undefined,
  };

  const store = (resource: string) =>
    resource === "Users"
      ? fake.users
      : resource === "Groups"
        ? fake.groups
        : resource === "ServicePrincipals"
          ? fake.servicePrincipals
          : undefined;

  const handle = (req: FakeRequest): FakeReply => {
    const hooked = fake.intercept?.(req);
    if (hooked) return hooked;
    const base = `/api/2.0/accounts/${fake.accountId}/scim/v2/`;
    if (req.method === "POST" && req.path === `/oidc/accounts/${fake.accountId}/v1/token`) {
      const expected = `Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString("base64")}`;
      if (req.headers.authorization !== expected)
        return {
          status: 401,
          body: { error: "invalid_client", error_description: "Client authentication failed" },
        };
      const form = new URLSearchParams(req.body);
      if (form.get("grant_type") !== "client_credentials" || form.get("scope") !== "all-apis")
        return { status: 400, body: { error: "invalid_request" } };
      const token = `dapi-token-${fake.tokensIssued.length + 1}-abcdefghijklmnop`;
      fake.tokensIssued.push(token);
      return {
        status: 200,
        body: { access_token: token, token_type: "Bearer", expires_in: fake.tokenLifetimeS },
      };
    }
    const auth = req.headers.authorization ?? "";
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!fake.tokensIssued.includes(bearer) && bearer !== "static-pat-token-0123456789")
      return { status: 401, body: { error_code: "UNAUTHENTICATED", message: "Invalid token" } };

    if (req.path.startsWith(base)) {
      const [resource, id] = req.path.slice(base.length).split("/");
      const list = store(resource);
      if (!list)
        return { status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API" } };
      if (req.method === "GET" && !id) {
        let items = list;
        const filter = req.query.get("filter");
        if (filter) {
          const ids = [...filter.matchAll(/id eq "([^"]*)"/g)].map((m) => m[1]);
          const nodes = ids.length * 2 - 1;
          if (nodes > 200)
            return {
              status: 400,
              body: {
                schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
                detail: "Filter too complex",
                scimType: "INVALID_FILTER",
                status: "400",
              },
            };
          items = list.filter((u) => ids.includes(String(u.id)));
        }
        const start = Math.max(1, Number(req.query.get("startIndex") ?? 1));
        const count = Math.min(fake.pageCap, Number(req.query.get("count") ?? 10000));
        const page = items.slice(start - 1, start - 1 + count);
        const total = items.length;
        fake.afterListPage?.(start);
        return {
          status: 200,
          body: {
            schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            totalResults: total,
            itemsPerPage: page.length,
            startIndex: start,
            Resources: page,
          },
        };
      }
      if (req.method === "PATCH" && id) {
        const item = list.find((u) => u.id === id);
        if (!item)
          return {
            status: 404,
            body: {
              schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
              detail: `${resource} ${id} not found`,
              status: "404",
            },
          };
        const body = JSON.parse(req.body) as {
          Operations: Array<{ op: string; path: string; value?: string }>;
        };
        for (const op of body.Operations) {
          if (op.path !== "externalId") continue;
          if (op.op === "remove") delete item.externalId;
          else item.externalId = op.value;
        }
        return { status: 200, body: item };
      }
    }
    const iam = `/api/2.0/identity/accounts/${fake.accountId}/`;
    if (req.path.startsWith(iam)) {
      const [seg, id] = req.path.slice(iam.length).split("/");
      if (req.method === "GET" && seg.startsWith("external-")) {
        if (!fake.aimEnabled)
          return {
            status: 400,
            body: {
              error_code: "FAILED_PRECONDITION",
              message: "account is not onboarded onto automatic identity management",
            },
          };
        const list = seg === "external-users" ? fake.users : fake.groups;
        const found = list.find((u) => u.externalId === decodeURIComponent(id));
        if (!found) return { status: 404, body: { error_code: "NOT_FOUND", message: "not found" } };
        const field = seg === "external-users" ? "external_user_id" : "external_group_id";
        return { status: 200, body: { internal_id: found.id, [field]: found.externalId } };
      }
      if (req.method === "PATCH") {
        const list =
          seg === "users" ? fake.users : seg === "groups" ? fake.groups : fake.servicePrincipals;
        const item = list.find((u) => u.id === id);
        if (!item)
          return { status: 404, body: { error_code: "NOT_FOUND", message: "no such principal" } };
        if (req.query.get("update_mask") !== "external_id")
          return { status: 400, body: { error_code: "INVALID_PARAMETER_VALUE", message: "mask" } };
        const body = JSON.parse(req.body) as { external_id?: string };
        if (body.external_id === undefined) delete item.externalId;
        else item.externalId = body.external_id;
        return { status: 200, body: { internal_id: item.id, external_id: item.externalId } };
      }
    }
    return { status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API found" } };
  };

  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const u = new URL(raw.url ?? "/", "http://127.0.0.1");
      const req: FakeRequest = {
        method: raw.method ?? "GET",
        path: u.pathname,
        query: u.searchParams,
        headers: raw.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      fake.requests.push(req);
      const out = handle(req);
      res.writeHead(out.status, { "content-type": "application/json", ...out.headers });
      res.end(out.body === undefined ? undefined : JSON.stringify(out.body));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return fake;
}
