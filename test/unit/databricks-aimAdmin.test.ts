import { afterEach, describe, expect, it } from "vitest";
import { AimError, ConfigError } from "../../core/http";
import { DatabricksAccountClient } from "../../core/databricks/client";
import { createAimAdmin, type ApiAimAdmin } from "../../core/databricks/aimAdmin";
import { startFakeDatabricks, type FakeDatabricks } from "./databricks-fakes";

let fake: FakeDatabricks | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function client(): Promise<DatabricksAccountClient> {
  fake = await startFakeDatabricks({ users: 1 });
  return new DatabricksAccountClient(
    {
      host: fake.url,
      accountId: fake.accountId,
      auth: { kind: "token", token: "static-pat-token-0123456789" },
    },
    { http: { baseDelayMs: 1 } },
  );
}

describe("AIM admin `api` adapter (assumptions pinned)", () => {
  it("substitutes {account_id} in the base path, from options or AIM_API_BASE_PATH", async () => {
    const c = await client();
    expect((createAimAdmin({ mode: "api", client: c }, {}) as ApiAimAdmin).basePath).toBe(
      "/api/2.0/accounts/acc-1/aim/okta",
    );
    expect(
      (
        createAimAdmin(
          { mode: "api", client: c },
          { AIM_API_BASE_PATH: "/x/{account_id}/aim/" },
        ) as ApiAimAdmin
      ).basePath,
    ).toBe("/x/acc-1/aim");
  });

  it("maps 403 to ERR_AIM_NOT_ENROLLED, mentioning account admin, and a missing connection to configured:false", async () => {
    const c = await client();
    const f = fake as FakeDatabricks;
    f.intercept = (r) =>
      r.path.endsWith("/aim/okta/connection") && r.method === "GET"
        ? { status: 403, body: { error_code: "PERMISSION_DENIED", message: "not allowed" } }
        : undefined;
    const aim = createAimAdmin({ mode: "api", client: c }, {});
    const err = (await aim.read().catch((e: unknown) => e)) as AimError;
    expect(err.code).toBe("ERR_AIM_NOT_ENROLLED");
    expect(err.message).toMatch(
      /GET \/api\/2\.0\/accounts\/acc-1\/aim\/okta\/connection answered 403 \(PERMISSION_DENIED\): .*not enrolled in the AIM admin API.*or the credentials are not an account admin\. Use adapter "console"/,
    );

    f.intercept = (r) =>
      r.path.endsWith("/aim/okta/connection")
        ? { status: 404, body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "none" } }
        : undefined;
    expect(await aim.read()).toMatchObject({ configured: false, enabled: false });
  });

  it("validates the connection values before any request", async () => {
    const c = await client();
    const aim = createAimAdmin({ mode: "api", client: c }, {});
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ oktaOrgUrl: "", clientId: "a", privateKey: "k" }, "oktaOrgUrl", /oktaOrgUrl is empty/],
      [
        { oktaOrgUrl: "https://org.okta.com/oauth2/default", clientId: "a", privateKey: "k" },
        "oktaOrgUrl",
        /without a path/,
      ],
      [
        { oktaOrgUrl: "https://org.okta.com", clientId: " ", privateKey: "k" },
        "clientId",
        /clientId is empty/,
      ],
      [
        { oktaOrgUrl: "https://org.okta.com", clientId: "a", privateKey: "" },
        "privateKey",
        /privateKey is empty/,
      ],
    ];
    const before = (fake as FakeDatabricks).requests.length;
    for (const [cfg, field, msg] of cases) {
      const err = (await aim.test(cfg as never).catch((e: unknown) => e)) as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.field).toBe(field);
      expect(err.message).toMatch(msg);
    }
    expect((fake as FakeDatabricks).requests.length).toBe(before);
  });
});
