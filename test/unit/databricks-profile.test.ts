/**
 * Databricks config profiles (~/.databrickscfg, DATABRICKS_CONFIG_PROFILE,
 * DATABRICKS_CONFIG_FILE) and the layering of settings: explicit, then the
 * environment, then a profile, credentials as a set.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redactor } from "../../core/http";
import {
  databricksConfigFromEnv,
  layerDatabricksSettings,
  overridesFromEnv,
} from "../../core/databricks/config";
import { readDatabricksProfile } from "../../core/databricks/profile";

const ACCOUNT = "0d26daa6-5e44-4c97-a497-ef015f91254a";
const CFG = `
[DEFAULT]
host = https://accounts.cloud.databricks.com
account_id = ${ACCOUNT}
client_id = default-sp
client_secret = default-secret-value

[ci]
host = https://accounts.azuredatabricks.net
account_id = ${ACCOUNT}
token = dapi-ci-token-value
`;

describe("readDatabricksProfile", () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), "aim-dbcfg-"));
    writeFileSync(path.join(home, ".databrickscfg"), CFG);
    writeFileSync(
      path.join(home, "other.cfg"),
      "[only]\nhost = https://accounts.cloud.databricks.com\n",
    );
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("reads the DEFAULT section of ~/.databrickscfg when nothing names a profile", () => {
    const p = readDatabricksProfile({}, {}, { home });
    expect(p?.settings).toEqual({
      host: "https://accounts.cloud.databricks.com",
      accountId: ACCOUNT,
      clientId: "default-sp",
      clientSecret: "default-secret-value",
    });
    expect(p?.source).toBe(`profile "DEFAULT" in ${path.join(home, ".databrickscfg")}`);
  });

  it("DATABRICKS_CONFIG_PROFILE picks a section, which does not inherit DEFAULT's keys", () => {
    const p = readDatabricksProfile({ DATABRICKS_CONFIG_PROFILE: "ci" }, {}, { home });
    expect(p?.settings).toEqual({
      host: "https://accounts.azuredatabricks.net",
      accountId: ACCOUNT,
      token: "dapi-ci-token-value",
    });
  });

  it("an explicit selection wins over the environment", () => {
    const p = readDatabricksProfile(
      { DATABRICKS_CONFIG_PROFILE: "ci" },
      { profile: "only", configFile: path.join(home, "other.cfg") },
      { home },
    );
    expect(p?.settings).toEqual({ host: "https://accounts.cloud.databricks.com" });
  });

  it("no file and nothing asked for: no profile; asked for: an error naming the variable", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "aim-dbcfg-empty-"));
    try {
      expect(readDatabricksProfile({}, {}, { home: empty })).toBeUndefined();
      expect(() =>
        readDatabricksProfile({ DATABRICKS_CONFIG_PROFILE: "ci" }, {}, { home: empty }),
      ).toThrow(/does not exist, but profile "ci" is asked for \(DATABRICKS_CONFIG_PROFILE\)/);
      expect(() =>
        readDatabricksProfile({ DATABRICKS_CONFIG_FILE: path.join(empty, "x.cfg") }, {}, {}),
      ).toThrow(/x\.cfg does not exist, but DATABRICKS_CONFIG_FILE names it/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("a profile the file lacks is an error listing the profiles it has", () => {
    expect(() =>
      readDatabricksProfile({ DATABRICKS_CONFIG_PROFILE: "prod" }, {}, { home }),
    ).toThrow(/has no profile "prod" \(it has "DEFAULT", "ci"\)/);
  });

  it("registers the profile's secrets with the redactor", () => {
    const redactor = new Redactor();
    readDatabricksProfile({ DATABRICKS_CONFIG_PROFILE: "ci" }, {}, { home, redactor });
    expect(redactor.redact("token dapi-ci-token-value")).not.toContain("dapi-ci-token-value");
  });
});

describe("layerDatabricksSettings", () => {
  const profile = {
    host: "https://accounts.cloud.databricks.com",
    accountId: ACCOUNT,
    clientId: "profile-sp",
    clientSecret: "profile-secret",
  };

  it("the credentials come as a set from the first layer that has any", () => {
    const env = overridesFromEnv({ DATABRICKS_TOKEN: "dapi-env-token" });
    const s = layerDatabricksSettings([{ host: undefined, accountId: undefined }, env, profile]);
    // The environment's token, not mixed with the profile's client id and secret.
    expect(s).toMatchObject({ token: "dapi-env-token", host: profile.host, accountId: ACCOUNT });
    expect(s.clientId).toBeUndefined();
    expect(s.clientSecret).toBeUndefined();
    expect(databricksConfigFromEnv({}, s).auth).toEqual({ kind: "token", token: "dapi-env-token" });
  });

  it("explicit credentials win over the environment; without any, the profile's", () => {
    const explicit = layerDatabricksSettings([
      { clientId: "cfg-sp", clientSecret: "cfg-secret" },
      overridesFromEnv({ DATABRICKS_TOKEN: "dapi-env-token" }),
      profile,
    ]);
    expect(explicit).toMatchObject({ clientId: "cfg-sp", clientSecret: "cfg-secret" });
    expect(explicit.token).toBeUndefined();
    const fromProfile = layerDatabricksSettings([{}, overridesFromEnv({}), profile]);
    expect(databricksConfigFromEnv({}, fromProfile).auth).toMatchObject({
      kind: "oauthM2M",
      clientId: "profile-sp",
    });
  });

  it("host and account id are taken attribute by attribute", () => {
    const s = layerDatabricksSettings([
      { host: "http://127.0.0.1:9" },
      overridesFromEnv({ DATABRICKS_ACCOUNT_ID: "env-account" }),
      profile,
    ]);
    expect(s.host).toBe("http://127.0.0.1:9");
    expect(s.accountId).toBe("env-account");
  });
});
