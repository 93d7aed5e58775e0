/**
 * Errors forced with real key material: a corrupted key, a wrong kid, and
 * servers that echo the assertion and the access token back. No error text
 * (message, stack, service fields, causes) and no emitted event may carry
 * any of it.
 */
import { generateKeyPairSync } from "node:crypto";
import { exportJWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import type { FetchLike, HttpEvent } from "../../core/http";
import { OktaClient } from "../../core/okta";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { sendJson, startTestServer, type TestServer } from "../unit/httpServer";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const pemLines = pem.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----"));

let emulator: OktaEmulator | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await emulator?.close();
  await server?.close();
  emulator = undefined;
  server = undefined;
});

/** Every text an error exposes, down its cause chain. */
function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      const x = e as Error & { serviceMessage?: string; serviceCode?: string; url?: string };
      parts.push(
        x.message,
        x.stack ?? "",
        x.serviceMessage ?? "",
        x.serviceCode ?? "",
        x.url ?? "",
      );
      parts.push(JSON.stringify(e), String(e));
      e = (e as { cause?: unknown }).cause;
    } else {
      parts.push(JSON.stringify(e) ?? String(e));
      break;
    }
  }
  return parts.join("\n");
}

/** Which secrets appear in `text`. */
function leaks(text: string, secrets: Record<string, string>): string[] {
  const found = Object.entries(secrets)
    .filter(([, v]) => v && (text.includes(v) || text.includes(encodeURIComponent(v))))
    .map(([k]) => k);
  pemLines.forEach((l, i) => {
    if (text.includes(l) || text.includes(encodeURIComponent(l))) found.push(`pem line ${i}`);
  });
  return found;
}

/** A fetch that records what the client sent (to learn the assertion and token it used). */
function recordingFetch(): { fetch: FetchLike; bodies: string[]; auths: string[] } {
  const bodies: string[] = [];
  const auths: string[] = [];
  return {
    bodies,
    auths,
    fetch: async (url, init) => {
      if (typeof init.body === "string") bodies.push(init.body);
      const h = (init.headers ?? {}) as Record<string, string>;
      if (h.authorization) auths.push(h.authorization);
      return fetch(url, init);
    },
  };
}

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

describe("no key material, assertion or token in errors and events", () => {
  it("a corrupted PEM fails as ConfigError without quoting the key", async () => {
    const lines = pem.split("\n");
    lines[5] = lines[5].slice(0, 20) + "!!!!" + lines[5].slice(24);
    const bad = lines.join("\n");
    const err = await caught(
      () =>
        new OktaClient({
          orgUrl: "https://acme.okta.com",
          auth: { kind: "privateKeyJwt", clientId: "0oa1", privateKey: bad },
        }),
    );
    expect((err as { code: string }).code).toBe("ERR_CONFIG");
    expect(leaks(errorText(err), { pem: bad, line5: lines[5] })).toEqual([]);
  });

  it("a corrupted JWK fails as ConfigError without quoting its private members", async () => {
    const jwk = (await exportJWK(privateKey)) as Record<string, string>;
    const broken = { ...jwk, d: jwk.d.slice(0, -10) + "AAAA" };
    const err = await caught(
      () =>
        new OktaClient({
          orgUrl: "https://acme.okta.com",
          auth: {
            kind: "privateKeyJwt",
            clientId: "0oa1",
            privateKey: JSON.stringify({ ...broken, n: undefined }) /* no modulus: unreadable */,
          },
        }),
    );
    expect((err as { field: string }).field).toBe("OKTA_PRIVATE_KEY");
    expect(leaks(errorText(err), { d: broken.d, p: jwk.p, q: jwk.q })).toEqual([]);
  });

  it("wrong kid at the emulator: invalid_client, nothing secret in the error or the events", async () => {
    const e = (emulator = await startOktaEmulator({}));
    const jwk = { ...(await exportJWK(publicKey)), kid: "right", status: "ACTIVE" as const };
    const app = e.createServiceApp({ jwks: [jwk as never] });
    const rec = recordingFetch();
    const events: HttpEvent[] = [];
    const c = new OktaClient(
      {
        orgUrl: e.url,
        auth: {
          kind: "privateKeyJwt",
          clientId: app.credentials.oauthClient.client_id,
          privateKey: pem,
          keyId: "wrong",
        },
      },
      { fetch: rec.fetch, onEvent: (ev) => events.push(ev) },
    );
    const err = await caught(() => c.listUsers());
    expect((err as { serviceCode: string }).serviceCode).toBe("invalid_client");
    const assertion = new URLSearchParams(rec.bodies[0]).get("client_assertion")!;
    expect(assertion.split(".")).toHaveLength(3);
    const secrets = { pem, assertion, signature: assertion.split(".")[2] };
    expect(leaks(errorText(err), secrets)).toEqual([]);
    expect(leaks(JSON.stringify(events), secrets)).toEqual([]);
  });

  it("a server that echoes the assertion, the key and the access token is redacted everywhere", async () => {
    let apiCalls = 0;
    let tokenCalls = 0;
    server = await startTestServer((req, res) => {
      if (req.url === "/oauth2/v1/token") {
        // First a 500 that echoes the form (a retry event follows), then a token.
        if (++tokenCalls === 1)
          return sendJson(res, 500, {
            errorCode: "E0000009",
            errorSummary: `failed on ${req.body} with ${pem}`,
          });
        return sendJson(res, 200, {
          token_type: "Bearer",
          expires_in: 3600,
          access_token: `tok-${"s".repeat(40)}`,
        });
      }
      // API: a 503 echoing the Authorization header (retried), then a 400 echoing it and the key.
      const echo = `${String(req.headers.authorization)} ${JSON.stringify({ key: pem })}`;
      if (++apiCalls === 1) {
        res.writeHead(503, { "content-type": "text/plain" });
        return void res.end(echo);
      }
      sendJson(res, 400, {
        errorCode: "E0000001",
        errorSummary: `Api validation failed: ${echo}`,
        errorCauses: [],
      });
    });
    const rec = recordingFetch();
    const events: HttpEvent[] = [];
    const jwk = (await exportJWK(privateKey)) as Record<string, string>;
    const c = new OktaClient(
      {
        orgUrl: server.url,
        auth: { kind: "privateKeyJwt", clientId: "0oa1", privateKey: { ...jwk, kid: "k" } },
      },
      { fetch: rec.fetch, onEvent: (ev) => events.push(ev), http: { baseDelayMs: 1 } },
    );
    const err = await caught(() => c.listGroups());
    expect((err as { code: string }).code).toBe("ERR_OKTA_BAD_REQUEST");
    expect(tokenCalls).toBe(2);
    expect(apiCalls).toBe(2);
    expect(events.some((ev) => ev.type === "retry")).toBe(true);
    const assertions = rec.bodies.map((b) => new URLSearchParams(b).get("client_assertion")!);
    const token = `tok-${"s".repeat(40)}`;
    const secrets: Record<string, string> = {
      pem,
      token,
      d: jwk.d,
      p: jwk.p,
      q: jwk.q,
      assertion1: assertions[0],
      assertion2: assertions[1],
    };
    const text = errorText(err);
    expect(leaks(text, secrets)).toEqual([]);
    expect(leaks(JSON.stringify(events), secrets)).toEqual([]);
    expect(text).toContain("[REDACTED]");
    expect(text).toContain("Api validation failed");
  });
});
