import { describe, expect, it } from "vitest";
import { ConfigError, Redactor } from "../../core/http";
import { databricksConfigFromEnv, normaliseHost } from "../../core/databricks/config";

const ACCOUNT = "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
const HOST = "https://accounts.cloud.databricks.com";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("databricksConfigFromEnv", () => {
  it("reads OAuth M2M from client id + secret", () => {
    const c = databricksConfigFromEnv({
      DATABRICKS_HOST: HOST,
      DATABRICKS_ACCOUNT_ID: ACCOUNT,
      DATABRICKS_CLIENT_ID: "cid",
      DATABRICKS_CLIENT_SECRET: "dose1234567890abcdef",
    });
    expect(c).toEqual({
      host: HOST,
      accountId: ACCOUNT,
      auth: { kind: "oauthM2M", clientId: "cid", clientSecret: "dose1234567890abcdef" },
    });
  });

  it("reads a token when no client credentials are set", () => {
    const c = databricksConfigFromEnv({
      DATABRICKS_HOST: HOST,
      DATABRICKS_ACCOUNT_ID: ACCOUNT,
      DATABRICKS_TOKEN: "dapi0123456789abcdef",
    });
    expect(c.auth).toEqual({ kind: "token", token: "dapi0123456789abcdef" });
  });

  it("refuses both methods without DATABRICKS_AUTH_TYPE, like databricks-sdk-py", () => {
    const env = {
      DATABRICKS_HOST: HOST,
      DATABRICKS_ACCOUNT_ID: ACCOUNT,
      DATABRICKS_CLIENT_ID: "cid",
      DATABRICKS_CLIENT_SECRET: "dose1234567890abcdef",
      DATABRICKS_TOKEN: "dapi0123456789abcdef",
    };
    const e = configError(() => databricksConfigFromEnv(env));
    expect(e.code).toBe("ERR_CONFIG");
    expect(e.field).toBe("DATABRICKS_AUTH_TYPE");
    expect(e.message).toMatch(/more than one authorization method configured: oauth .* and pat/);
    expect(e.message).not.toContain("dose1234567890abcdef");
    expect(databricksConfigFromEnv({ ...env, DATABRICKS_AUTH_TYPE: "oauth-m2m" }).auth.kind).toBe(
      "oauthM2M",
    );
    expect(databricksConfigFromEnv({ ...env, DATABRICKS_AUTH_TYPE: "pat" }).auth.kind).toBe(
      "token",
    );
    const bad = configError(() =>
      databricksConfigFromEnv({ ...env, DATABRICKS_AUTH_TYPE: "basic" }),
    );
    expect(bad.field).toBe("DATABRICKS_AUTH_TYPE");
    expect(bad.message).toMatch(/"oauth-m2m".*"pat"/);
  });

  it("names each missing or malformed variable and the fix", () => {
    const host = configError(() => databricksConfigFromEnv({ DATABRICKS_ACCOUNT_ID: ACCOUNT }));
    expect(host.field).toBe("DATABRICKS_HOST");
    expect(host.message).toMatch(/^DATABRICKS_HOST is not set: .*accounts\.cloud\.databricks\.com/);

    const acct = configError(() => databricksConfigFromEnv({ DATABRICKS_HOST: HOST }));
    expect(acct.field).toBe("DATABRICKS_ACCOUNT_ID");
    expect(acct.message).toMatch(
      /^DATABRICKS_ACCOUNT_ID is not set: use the account id from the account console \(a UUID/,
    );

    const notUuid = configError(() =>
      databricksConfigFromEnv({
        DATABRICKS_HOST: HOST,
        DATABRICKS_ACCOUNT_ID: "my-account",
        DATABRICKS_TOKEN: "dapi0123456789abcdef",
      }),
    );
    expect(notUuid.field).toBe("DATABRICKS_ACCOUNT_ID");
    expect(notUuid.message).toMatch(/is not a UUID \("my-account"\)/);

    const noSecret = configError(() =>
      databricksConfigFromEnv({
        DATABRICKS_HOST: HOST,
        DATABRICKS_ACCOUNT_ID: ACCOUNT,
        DATABRICKS_CLIENT_ID: "cid",
      }),
    );
    expect(noSecret.field).toBe("DATABRICKS_CLIENT_SECRET");
    expect(noSecret.message).toMatch(
      /DATABRICKS_CLIENT_SECRET is not set but DATABRICKS_CLIENT_ID is/,
    );

    const noId = configError(() =>
      databricksConfigFromEnv({
        DATABRICKS_HOST: HOST,
        DATABRICKS_ACCOUNT_ID: ACCOUNT,
        DATABRICKS_CLIENT_SECRET: "dose1234567890abcdef",
      }),
    );
    expect(noId.field).toBe("DATABRICKS_CLIENT_ID");

    const none = configError(() =>
      databricksConfigFromEnv({ DATABRICKS_HOST: HOST, DATABRICKS_ACCOUNT_ID: ACCOUNT }),
    );
    expect(none.message).toMatch(/^no Databricks credentials: set DATABRICKS_CLIENT_ID and/);
  });

  it("requires https except for loopback, and no path", () => {
    const insecure = configError(() =>
      databricksConfigFromEnv({
        DATABRICKS_HOST: "http://accounts.cloud.databricks.com",
        DATABRICKS_ACCOUNT_ID: ACCOUNT,
        DATABRICKS_TOKEN: "dapi0123456789abcdef",
      }),
    );
    expect(insecure.field).toBe("DATABRICKS_HOST");
    expect(insecure.message).toMatch(/must use https:\/\//);

    const loop = databricksConfigFromEnv({
      DATABRICKS_HOST: "http://127.0.0.1:8123/",
      DATABRICKS_ACCOUNT_ID: "emulated-account",
      DATABRICKS_TOKEN: "dapi0123456789abcdef",
    });
    expect(loop.host).toBe("http://127.0.0.1:8123");
    expect(loop.accountId).toBe("emulated-account");

    const withPath = configError(() =>
      databricksConfigFromEnv({
        DATABRICKS_HOST: "https://accounts.cloud.databricks.com/api/2.0",
        DATABRICKS_ACCOUNT_ID: ACCOUNT,
        DATABRICKS_TOKEN: "dapi0123456789abcdef",
      }),
    );
    expect(withPath.message).toMatch(/without a path/);
  });

  it("normalises the host like the SDK and lets overrides win over the environment", () => {
    expect(normaliseHost("accounts.cloud.databricks.com/")).toBe(HOST);
    expect(normaliseHost("https://accounts.cloud.databricks.com:443")).toBe(HOST);
    const c = databricksConfigFromEnv(
      { DATABRICKS_HOST: "https://wrong.example.com", DATABRICKS_ACCOUNT_ID: ACCOUNT },
      { host: HOST, token: "dapi-override-0123456789" },
    );
    expect(c.host).toBe(HOST);
    expect(c.auth).toEqual({ kind: "token", token: "dapi-override-0123456789" });
  });

  it("registers the client secret and token with the session's redactor", () => {
    const redactor = new Redactor();
    databricksConfigFromEnv(
      {
        DATABRICKS_HOST: HOST,
        DATABRICKS_ACCOUNT_ID: ACCOUNT,
        DATABRICKS_CLIENT_ID: "cid",
        DATABRICKS_CLIENT_SECRET: "dosezzzz-registered-secret",
      },
      {},
      redactor,
    );
    expect(redactor.redact("x dosezzzz-registered-secret y")).toBe("x [REDACTED] y");
  });
});
