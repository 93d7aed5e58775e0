/** Shared set-up for the Databricks emulator tests. */
import type { TenantFixture } from "../../core/model/tenant";

export type DbxFixture = TenantFixture["databricks"];

export function fixtureWith(n: {
  users?: number;
  groups?: number;
  servicePrincipals?: number;
}): DbxFixture {
  const pad = (i: number) => String(i).padStart(6, "0");
  return {
    accountId: "acc-0000-test",
    users: Array.from({ length: n.users ?? 0 }, (_, i) => ({
      id: `1${pad(i)}`,
      userName: `user${pad(i)}@example.com`,
      displayName: `User ${i}`,
      active: true,
      emails: [{ value: `user${pad(i)}@example.com`, primary: true }],
    })),
    groups: Array.from({ length: n.groups ?? 0 }, (_, i) => ({
      id: `2${pad(i)}`,
      displayName: `group-${pad(i)}`,
    })),
    servicePrincipals: Array.from({ length: n.servicePrincipals ?? 0 }, (_, i) => ({
      id: `3${pad(i)}`,
      applicationId: `00000000-0000-0000-0000-${pad(i).padStart(12, "0")}`,
      displayName: `sp-${pad(i)}`,
    })),
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A tiny fetch wrapper: JSON in, JSON (or text) out, Bearer when given. */
export async function call(
  url: string,
  opts: { method?: string; token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export async function m2mToken(url: string, accountId: string, id: string, secret: string) {
  const res = await fetch(`${url}/oidc/accounts/${accountId}/v1/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    },
    body: "grant_type=client_credentials&scope=all-apis",
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
