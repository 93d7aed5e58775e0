/**
 * Secrets never leave through errors or events: a real PEM private key, a
 * client secret, a bearer token and a signed JWT assertion are registered,
 * then servers echo them back in every shape we could think of.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { SignJWT, importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient, HttpError, Redactor, type HttpEvent } from "../../core/http";
import { sendJson, startTestServer, type TestServer } from "./httpServer";

const { privateKey: pem } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const pemLines = pem.split("\n").filter((l) => l && !l.startsWith("-----"));
// Base64 of random bytes, like a Databricks OAuth secret: contains "+" and "/".
const clientSecret = "dose" + randomBytes(24).toString("base64");
const bearer = randomBytes(30).toString("base64url");
let assertion = "";

/** What the servers below echo back, one shape per route. */
function echoes(): Record<string, { status: number; type: string; body: string }> {
  const all = `assertion=${assertion} secret=${clientSecret} token=${bearer}\n${pem}`;
  return {
    oauth: {
      status: 400,
      type: "application/json",
      body: JSON.stringify({ error: "invalid_client", error_description: `bad: ${all}` }),
    },
    okta: {
      status: 403,
      type: "application/json",
      body: JSON.stringify({ errorCode: "E0000006", errorSummary: all, errorCauses: [] }),
    },
    scim: {
      status: 409,
      type: "application/scim+json",
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        detail: all,
      }),
    },
    databricks: {
      status: 401,
      type: "application/json",
      body: JSON.stringify({ error_code: "UNAUTHENTICATED", message: all }),
    },
    // Plain text whose first 200 characters cut through a PEM line.
    text: {
      status: 500,
      type: "text/plain",
      body: "x".repeat(150) + pem.replace(/-----[A-Z ]+-----/g, ""),
    },
    // The form body echoed URL-encoded ("+" -> %2B, "/" -> %2F).
    form: {
      status: 400,
      type: "text/plain",
      body: new URLSearchParams({
        client_secret: clientSecret,
        key: pem,
        client_assertion: assertion,
      }).toString(),
    },
    // JSON-escaped inside a non-JSON body, with "/" escaped as some servers do.
    escaped: {
      status: 502,
      type: "text/html",
      body: `<pre>${JSON.stringify({ k: pem, s: clientSecret }).replace(/\//g, "\\/")}</pre>`,
    },
    // Only the key's body lines, no PEM armour around them.
    lines: {
      status: 400,
      type: "text/plain",
      body: `key lines: ${pemLines.slice(3, 9).join(" ")}`,
    },
    header: { status: 401, type: "text/plain", body: `Authorization: Bearer ${bearer}` },
    // The key as a JWK (private members d, p, q, ...).
    jwk: { status: 400, type: "application/json", body: "" },
  };
}

let server: TestServer;
let redactor: Redactor;
let events: HttpEvent[];
let http: HttpClient;
let jwkJson = "";
let sentRetry = false;

beforeAll(async () => {
  const key = await importPKCS8(pem, "RS256", { extractable: true });
  assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer("0oa1")
    .setSubject("0oa1")
    .setAudience("https://acme.okta.com/oauth2/v1/token")
    .setExpirationTime("5m")
    .setJti(crypto.randomUUID())
    .sign(key);
  const { exportJWK } = await import("jose");
  jwkJson = JSON.stringify(await exportJWK(key));
  const table = echoes();
  table.jwk.body = JSON.stringify({
    error: "invalid_request",
    error_description: `key ${jwkJson}`,
  });
  server = await startTestServer((req, res) => {
    const name = req.url.split("/")[1].split("?")[0];
    const e = table[name];
    if (!e) return sendJson(res, 404, {});
    if (name === "text" && !sentRetry) {
      sentRetry = true;
      // First answer a 503 so that a retry event is emitted too.
      res.writeHead(503, { "content-type": "text/plain" });
      return void res.end(`retry later ${clientSecret} ${assertion}`);
    }
    res.writeHead(e.status, { "content-type": e.type });
    res.end(e.body);
  });
  redactor = new Redactor();
  events = [];
  http = new HttpClient({
    service: "okta",
    redactor,
    sleep: async () => undefined,
    maxRetries: 1,
    onEvent: (e) => events.push(e),
  });
  // The key's JWK private members are registered as the Okta client does.
  const jwk = JSON.parse(jwkJson) as Record<string, string>;
  http.addSecrets(
    pem,
    clientSecret,
    bearer,
    assertion,
    jwk.d,
    jwk.p,
    jwk.q,
    jwk.dp,
    jwk.dq,
    jwk.qi,
  );
});

afterAll(async () => {
  await server.close();
});

function leaks(text: string): string[] {
  const found: string[] = [];
  const jwk = JSON.parse(jwkJson) as Record<string, string>;
  const secrets: Record<string, string> = {
    pem,
    clientSecret,
    bearer,
    assertion,
    "assertion signature": assertion.split(".")[2],
    "secret url-encoded": encodeURIComponent(clientSecret),
    "jwk.d": jwk.d,
    "jwk.p": jwk.p,
  };
  for (const [name, v] of Object.entries(secrets)) if (text.includes(v)) found.push(name);
  // Every PEM body line long enough to mean something (the last may be a few characters).
  pemLines.forEach((l, i) => {
    if (l.length >= 16 && (text.includes(l) || text.includes(encodeURIComponent(l))))
      found.push(`pem line ${i}`);
  });
  return found;
}

describe("redaction of registered secrets", () => {
  for (const name of Object.keys(echoes())) {
    it(`no secret in the error when the server echoes them (${name})`, async () => {
      let err: HttpError | undefined;
      try {
        await http.request({
          method: "POST",
          url: `${server.url}/${name}`,
          form: { client_assertion: assertion, client_secret: clientSecret },
          headers: { authorization: `Bearer ${bearer}` },
          idempotent: true,
        });
      } catch (e) {
        err = e as HttpError;
      }
      expect(err).toBeInstanceOf(HttpError);
      const surfaces = [
        err!.message,
        err!.stack ?? "",
        err!.serviceMessage ?? "",
        err!.serviceCode ?? "",
        err!.url,
        JSON.stringify(err),
        String(err),
        JSON.stringify(events),
      ];
      for (const text of surfaces) expect(leaks(text)).toEqual([]);
      // The message still says what failed.
      expect(err!.message).toContain(
        `POST ${server.url}/${name} returned ${echoes()[name].status}`,
      );
      // (The JWK's private members come after the 300 characters shown.)
      if (name !== "jwk") expect(err!.message).toContain("[REDACTED]");
    });
  }

  it("emitted retry events carry no secret", () => {
    expect(events.some((e) => e.type === "retry")).toBe(true);
    expect(leaks(JSON.stringify(events))).toEqual([]);
  });

  it("network errors whose text carries a secret are redacted", async () => {
    const failing = new HttpClient({
      service: "databricks",
      redactor,
      maxRetries: 0,
      fetch: async () => {
        throw new TypeError("fetch failed", {
          cause: { message: `socket hang up sending Bearer ${bearer} secret ${clientSecret}` },
        });
      },
    });
    let err: HttpError | undefined;
    try {
      await failing.request({ method: "GET", url: "https://accounts.example.com/x" });
    } catch (e) {
      err = e as HttpError;
    }
    expect(err?.code).toBe("ERR_DATABRICKS_NETWORK");
    expect(leaks(`${err!.message}\n${err!.stack}`)).toEqual([]);
  });
});

describe("redaction by pattern (secrets nobody registered)", () => {
  it("removes PEM blocks, JWTs, bearer/SSWS credentials and secret parameters", async () => {
    const r = new Redactor();
    const text = [
      pem,
      `assertion ${assertion}`,
      `Authorization: SSWS 00abcdefghijklmnopqrstuvwxyz`,
      `Bearer ${bearer}`,
      `client_secret=${encodeURIComponent(clientSecret)}&grant_type=client_credentials`,
      `{"client_secret": "${clientSecret}", "d": "${JSON.parse(jwkJson).d as string}"}`,
    ].join("\n");
    const out = r.redact(text);
    expect(leaks(out)).toEqual([]);
    expect(out).not.toContain("00abcdefghijklmnopqrstuvwxyz");
    expect(out).toContain("grant_type=client_credentials");
    expect(out).toContain("SSWS [REDACTED]");
  });

  it("ignores values too short to be secrets (no redaction of ordinary words)", () => {
    const r = new Redactor().add("abc", "", undefined, null);
    expect(r.redact("abc def")).toBe("abc def");
  });
});
