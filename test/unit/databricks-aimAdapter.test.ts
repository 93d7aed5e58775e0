/**
 * The `auto` AIM adapter (core/databricks/aimAdapter.ts, openAimAdmin): one
 * `GET {base}/connection`, classified. Every answer the contract names picks
 * `api`; the answers of an account without the API pick `console`; anything
 * else is ERR_AIM_ADAPTER_UNDECIDED naming what came back, never a fallback.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DatabricksAccountClient } from "../../core/databricks/client";
import {
  ApiAimAdmin,
  ConsoleAimAdmin,
  createAimAdmin,
  openAimAdmin,
} from "../../core/databricks/aimAdmin";
import { aimAdapterLine } from "../../core/databricks/aimAdapter";
import { AimError, ConfigError } from "../../core/http";
import { startFakeDatabricks, type FakeDatabricks, type FakeReply } from "./databricks-fakes";

let fake: FakeDatabricks | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const PATH = "/api/2.0/accounts/acc-1/aim/okta/connection";

/** A client of a fake account whose GET {base}/connection answers `reply`. */
async function answering(reply: FakeReply | undefined): Promise<DatabricksAccountClient> {
  fake = await startFakeDatabricks({ users: 1 });
  fake.intercept = (r) => (r.path === PATH ? reply : undefined);
  return new DatabricksAccountClient(
    {
      host: fake.url,
      accountId: fake.accountId,
      auth: { kind: "token", token: "static-pat-token-0123456789" },
    },
    { http: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 2 } },
  );
}

const connectionRequests = () => (fake as FakeDatabricks).requests.filter((r) => r.path === PATH);

describe("adapter auto: the answers that decide", () => {
  it.each([
    [
      "200 with a connection",
      { status: 200, body: { idp: "okta", okta_org_url: "https://o.okta.com", enabled: false } },
      "api",
      `auto: GET ${PATH} answered 200 with the configured connection, so this account has the AIM admin API`,
    ],
    [
      "404 RESOURCE_DOES_NOT_EXIST (the contract's never configured)",
      { status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "none" } },
      "api",
      `auto: GET ${PATH} answered 404 RESOURCE_DOES_NOT_EXIST (no connection configured yet), so this account has the AIM admin API`,
    ],
    [
      "404 ENDPOINT_NOT_FOUND (a path the account does not serve)",
      { status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API found" } },
      "console",
      `auto: GET ${PATH} answered 404 ENDPOINT_NOT_FOUND, so this account has no AIM admin API; enter the values in the account console`,
    ],
    [
      "404 without a code",
      { status: 404, body: "<html>Not Found</html>" },
      "console",
      `auto: GET ${PATH} answered 404 without an error code, so this account has no AIM admin API; enter the values in the account console`,
    ],
    [
      "403 (the not-enrolled form)",
      { status: 403, body: { error_code: "PERMISSION_DENIED", message: "not enrolled" } },
      "console",
      `auto: GET ${PATH} answered 403 PERMISSION_DENIED, so this account is not enrolled in the AIM admin API (a private preview); enter the values in the account console`,
    ],
  ] as const)("%s → %s", async (_label, reply, used, reason) => {
    const client = await answering(reply);
    const { admin, choice } = await openAimAdmin({ mode: "auto", client }, {});
    expect(choice).toEqual({ used, requested: "auto", reason });
    expect(admin).toBeInstanceOf(used === "api" ? ApiAimAdmin : ConsoleAimAdmin);
    expect(admin.mode).toBe(used);
    expect(aimAdapterLine(choice)).toBe(`AIM adapter: ${used} (${reason})`);
    // Asked once; opening decides, nothing else is sent.
    expect(connectionRequests()).toHaveLength(1);
    expect((fake as FakeDatabricks).requests).toHaveLength(1);
  });

  it.each([
    [
      "401",
      { status: 401, body: { error_code: "UNAUTHENTICATED", message: "Invalid access token." } },
      `answered 401 UNAUTHENTICATED (Invalid access token.). Fix the cause`,
      1,
    ],
    [
      "500 after the retries",
      { status: 500, body: { error_code: "INTERNAL_ERROR", message: "boom" } },
      `answered 500 INTERNAL_ERROR (boom) after the retries. Fix the cause`,
      3,
    ],
    [
      "a 200 that is not a connection",
      { status: 200, body: "<html>console</html>" },
      `answered 200, but not with a connection object. Fix the cause`,
      1,
    ],
    [
      "405",
      { status: 405, body: { error_code: "METHOD_NOT_ALLOWED", message: "no" } },
      `answered 405 METHOD_NOT_ALLOWED (no). Fix the cause`,
      1,
    ],
  ] as const)("%s: ERR_AIM_ADAPTER_UNDECIDED naming the answer", async (_l, reply, what, sent) => {
    const client = await answering(reply);
    const err = (await openAimAdmin({ mode: "auto", client }, {}).catch(
      (e: unknown) => e,
    )) as AimError;
    expect(err).toBeInstanceOf(AimError);
    expect(err.code).toBe("ERR_AIM_ADAPTER_UNDECIDED");
    expect(err.message).toBe(
      `AIM adapter auto cannot tell whether Databricks account acc-1 has the AIM admin API: GET ${PATH} ${what} (the Databricks host, account id and an account admin's credentials), or set the adapter explicitly: "api" or "console".`,
    );
    expect(err.message).not.toContain("static-pat-token");
    expect(connectionRequests()).toHaveLength(sent);
  });

  it("a network failure is ERR_AIM_ADAPTER_UNDECIDED naming it", async () => {
    // A loopback port nothing listens on (the fake is started and closed).
    fake = await startFakeDatabricks();
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const client = new DatabricksAccountClient(
      {
        host: url,
        accountId: "acc-1",
        auth: { kind: "token", token: "static-pat-token-0123456789" },
      },
      { http: { baseDelayMs: 1, maxDelayMs: 2, maxRetries: 1 } },
    );
    const err = (await openAimAdmin({ mode: "auto", client }, {}).catch(
      (e: unknown) => e,
    )) as AimError;
    expect(err.code).toBe("ERR_AIM_ADAPTER_UNDECIDED");
    expect(err.message).toMatch(
      new RegExp(
        `^AIM adapter auto cannot tell whether .* the AIM admin API: GET ${PATH} failed: `,
      ),
    );
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("api and console are taken as asked, without a request; a bad base path is refused before one", async () => {
    const client = await answering({ status: 500, body: {} });
    for (const mode of ["api", "console"] as const) {
      const { admin, choice } = await openAimAdmin({ mode, client }, {});
      expect(admin.mode).toBe(mode);
      expect(choice).toEqual({ used: mode, requested: mode, reason: "set explicitly" });
    }
    const bad = (await openAimAdmin({ mode: "auto", client, basePath: "aim" }, {}).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.field).toBe("aimApiBasePath");
    const unknown = (await openAimAdmin({ mode: "robot" as never, client }, {}).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(unknown.field).toBe("adapter");
    expect(unknown.message).toMatch(/^adapter "robot" is not an AIM adapter: use "auto" \(/);
    expect(() => createAimAdmin({ mode: "auto", client }, {})).toThrow(/call openAimAdmin/);
    expect((fake as FakeDatabricks).requests).toHaveLength(0);
  });

  it("the base path given is the one asked (AIM_API_BASE_PATH too)", async () => {
    fake = await startFakeDatabricks();
    const other = "/api/2.1/accounts/acc-1/aim-preview/okta/connection";
    fake.intercept = (r) =>
      r.path === other
        ? { status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "none" } }
        : undefined;
    const client = new DatabricksAccountClient({
      host: fake.url,
      accountId: "acc-1",
      auth: { kind: "token", token: "static-pat-token-0123456789" },
    });
    const { choice } = await openAimAdmin(
      { mode: "auto", client },
      { AIM_API_BASE_PATH: "/api/2.1/accounts/{account_id}/aim-preview/okta" },
    );
    expect(choice.used).toBe("api");
    expect(choice.reason).toContain(`GET ${other} answered 404 RESOURCE_DOES_NOT_EXIST`);
  });
});
