/**
 * aimctl's inputs: every missing or malformed input is named with its fix,
 * all at once, without a stack trace or a secret; precedence flag > env > file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args";
import { InputErrors, resolveInputs } from "../../cli/inputs";
import { runCli, STACK_FRAME, tempDir } from "./helpers";

const { privateKey: rsaPem, publicKey: rsaPublicPem } = (() => {
  const k = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKey: k.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: k.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
})();

const GOOD_ENV = {
  OKTA_ORG_URL: "https://acme.okta.com",
  OKTA_CLIENT_ID: "0oa1b2c3d4e5f6g7h8i9",
  OKTA_PRIVATE_KEY: rsaPem,
  DATABRICKS_HOST: "https://accounts.cloud.databricks.com",
  DATABRICKS_ACCOUNT_ID: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
  DATABRICKS_CLIENT_ID: "4f1c8a52-1111-2222-3333-444455556666",
  DATABRICKS_CLIENT_SECRET: "dose0123456789abcdef0123456789abcdef",
};

/** Lines of stderr that start with "aimctl:" (one per problem). */
function problems(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("aimctl:"));
}

describe("missing inputs", () => {
  it.each(["plan", "check", "apply"])(
    "%s with an empty environment names every missing variable with its fix, exit 1",
    async (command) => {
      const r = await runCli([command]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      const lines = problems(r.stderr);
      const named = [
        "OKTA_ORG_URL",
        "OKTA_CLIENT_ID",
        "OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_FILE",
        "DATABRICKS_HOST",
        "DATABRICKS_ACCOUNT_ID",
        "DATABRICKS_CLIENT_ID",
        "DATABRICKS_CLIENT_SECRET",
      ];
      for (const name of named) {
        const line = lines.find((l) => l.startsWith(`aimctl: ${name} is not set`));
        expect(line, `${name} in:\n${r.stderr}`).toBeDefined();
        expect(line).toMatch(/: set |create /); // the fix
      }
      expect(lines).toHaveLength(named.length);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    },
  );

  it("names only what is missing: one Okta variable", async () => {
    const env: Record<string, string | undefined> = { ...GOOD_ENV, OKTA_CLIENT_ID: undefined };
    const r = await runCli(["plan"], { env });
    expect(r.code).toBe(1);
    expect(problems(r.stderr)).toEqual([
      expect.stringMatching(
        /^aimctl: OKTA_CLIENT_ID is not set: set it .*Client ID of the Okta API Services app/,
      ),
    ]);
  });

  it("undo needs only Databricks inputs, and --file", async () => {
    const r = await runCli(["undo"], { env: GOOD_ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^aimctl: --file is missing: give the undo journal that apply wrote/m);
    const r2 = await runCli(["undo", "--file", "x.jsonl"], { env: {} });
    expect(problems(r2.stderr).map((l) => l.split(" ")[1])).toEqual([
      "DATABRICKS_HOST",
      "DATABRICKS_ACCOUNT_ID",
      "DATABRICKS_CLIENT_ID",
      "DATABRICKS_CLIENT_SECRET",
    ]);
  });

  it("plan may read Okta with OKTA_API_TOKEN instead of the app's key", () => {
    const args = parseArgs([], {}, "plan");
    const inputs = resolveInputs(
      args,
      { OKTA_ORG_URL: "https://acme.okta.com", OKTA_API_TOKEN: "00abcdefghijklmnop" },
      "/",
    );
    expect(inputs.okta.apiToken).toBe("00abcdefghijklmnop");
  });
});

describe("malformed inputs", () => {
  const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ["an http Okta org URL", { OKTA_ORG_URL: "http://acme.okta.com" }, /OKTA_ORG_URL.*https/],
    [
      "the Okta admin console URL",
      { OKTA_ORG_URL: "https://acme-admin.okta.com" },
      /OKTA_ORG_URL is the admin console .*without "-admin"/,
    ],
    [
      "an Okta URL with a path",
      { OKTA_ORG_URL: "https://acme.okta.com/oauth2/default" },
      /OKTA_ORG_URL must be the org's base URL without a path/,
    ],
    [
      "a private key that is not a key",
      { OKTA_PRIVATE_KEY: "hello" },
      /^aimctl: OKTA_PRIVATE_KEY does not hold a usable private key: OKTA_PRIVATE_KEY must be a PKCS#8 PEM/m,
    ],
    [
      "a public key given as the private key",
      { OKTA_PRIVATE_KEY: rsaPublicPem },
      /OKTA_PRIVATE_KEY does not hold a usable private key: .*public key or certificate/,
    ],
    [
      "a key file that does not exist",
      { OKTA_PRIVATE_KEY: undefined, OKTA_PRIVATE_KEY_FILE: "/nonexistent/key.pem" },
      /^aimctl: OKTA_PRIVATE_KEY_FILE \/nonexistent\/key.pem cannot be read \(ENOENT\): give the path of the PEM/m,
    ],
    [
      "both the key and the key file",
      { OKTA_PRIVATE_KEY_FILE: "/x.pem" },
      /both OKTA_PRIVATE_KEY and OKTA_PRIVATE_KEY_FILE are set: unset one/,
    ],
    [
      "a Databricks host with a path",
      { DATABRICKS_HOST: "https://accounts.cloud.databricks.com/api" },
      /^aimctl: DATABRICKS_HOST must be the accounts host alone, without a path \("\/api"\): use https:\/\/accounts\.cloud\.databricks\.com\./m,
    ],
    [
      "an account id that is not a UUID",
      { DATABRICKS_ACCOUNT_ID: "my-account" },
      /^aimctl: DATABRICKS_ACCOUNT_ID is not a UUID/m,
    ],
    [
      "two Databricks auth methods",
      { DATABRICKS_TOKEN: "dapi0123456789abcdef" },
      /^aimctl: more than one authorization method configured.*DATABRICKS_AUTH_TYPE/m,
    ],
    [
      "a client id without its secret",
      { DATABRICKS_CLIENT_SECRET: undefined },
      /^aimctl: DATABRICKS_CLIENT_SECRET is not set but DATABRICKS_CLIENT_ID is/m,
    ],
    [
      "an unknown write route",
      { AIMCTL_WRITE_ROUTE: "graphql" },
      /^aimctl: AIMCTL_WRITE_ROUTE "graphql" is not a write route: use "scim"/m,
    ],
    [
      "an unknown AIM adapter",
      { AIMCTL_AIM_ADAPTER: "portal" },
      /^aimctl: AIMCTL_AIM_ADAPTER "portal" is not an AIM adapter: use "auto" \(the admin API where the account answers it, else the console path; the default\), "api" \(.*\), "console" \(.*\)\.$/m,
    ],
  ];
  it.each(cases)("%s: named with its fix, exit 1, no stack", async (_label, change, expected) => {
    const r = await runCli(["plan"], { env: { ...GOOD_ENV, ...change } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("never echoes a secret, even when quoting a malformed input", async () => {
    const secret = "dose-SECRET-value-0123456789";
    const r = await runCli(["plan"], {
      env: {
        ...GOOD_ENV,
        OKTA_ORG_URL: "http://acme.okta.com",
        DATABRICKS_HOST: "https://accounts.cloud.databricks.com/x",
        DATABRICKS_CLIENT_SECRET: secret,
        OKTA_PRIVATE_KEY: rsaPublicPem.replace("PUBLIC", "PRIVATE"),
      },
    });
    expect(r.code).toBe(1);
    expect(problems(r.stderr).length).toBeGreaterThanOrEqual(3);
    const body = rsaPem.split("\n")[3] as string;
    for (const s of [secret, body, rsaPublicPem.split("\n")[2] as string])
      expect(r.stderr + r.stdout).not.toContain(s);
  });

  it("an unknown option or command is named", async () => {
    const r = await runCli(["plan", "--jsn"], { env: GOOD_ENV });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "aimctl: unknown option --jsn for aimctl plan: see aimctl plan --help.\n",
    );
    const r2 = await runCli(["deploy"]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(
      /^aimctl: unknown command "deploy": use one of check, plan, apply, undo, emulate, demo/,
    );
    const r3 = await runCli(["apply", "--accept-findings", "NOPE", "--enable-aim"], {
      env: GOOD_ENV,
    });
    expect(r3.stderr).toMatch(
      /--accept-findings names unknown finding code\(s\) NOPE: use codes from AMBIGUOUS_MATCH/,
    );
  });
});

describe("precedence and the config file", () => {
  function configFile(content: unknown): string {
    const dir = tempDir();
    const file = join(dir, "aimctl.json");
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  }

  it("flag > environment > file, and a relative key file is found beside the config", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "key.pem"), rsaPem, { mode: 0o600 });
    const file = join(dir, "aimctl.json");
    writeFileSync(
      file,
      JSON.stringify({
        okta: { orgUrl: "https://file.okta.com", clientId: "0oaFILE", privateKeyFile: "key.pem" },
        databricks: {
          host: "https://file.example.com",
          accountId: "file-account",
          clientId: "f",
          clientSecret: "file-secret-123",
        },
        rules: { onConflict: "overwrite", exclude: { users: ["break-glass-*"] } },
        writeRoute: "iamv2",
        aim: { adapter: "console" },
      }),
    );
    const args = parseArgs(
      ["--config", file, "--okta-org-url", "https://flag.okta.com"],
      { config: "string", "okta-org-url": "string" },
      "plan",
    );
    const inputs = resolveInputs(
      args,
      {
        OKTA_ORG_URL: "https://env.okta.com",
        OKTA_CLIENT_ID: "0oaENV",
        DATABRICKS_HOST: "https://env.example.com",
      },
      "/somewhere/else",
    );
    expect(inputs.okta.orgUrl).toBe("https://flag.okta.com");
    expect(inputs.okta.clientId).toBe("0oaENV");
    expect(inputs.databricks.host).toBe("https://env.example.com");
    expect(inputs.databricks.accountId).toBe("file-account");
    expect(inputs.okta.privateKey?.text).toBe(rsaPem);
    expect(inputs.okta.privateKeySource).toBe(
      `${file} okta.privateKeyFile=${join(dir, "key.pem")}`,
    );
    expect(inputs.rules).toEqual({
      onConflict: "overwrite",
      exclude: { users: ["break-glass-*"] },
    });
    expect(inputs.writeRoute).toBe("iamv2");
    expect(inputs.aim.adapter).toBe("console");
    expect(inputs.sources).toMatchObject({
      OKTA_ORG_URL: "--okta-org-url",
      OKTA_CLIENT_ID: "OKTA_CLIENT_ID",
      DATABRICKS_ACCOUNT_ID: `${file} databricks.accountId`,
    });
  });

  it("a broken config file is named with every problem", async () => {
    const bad = configFile({
      okta: { orgUrl: 42, clientID: "x" },
      rules: { onConflict: "replace", userOverrides: { a: "" } },
      extra: true,
    });
    const r = await runCli(["plan", "--config", bad]);
    expect(r.code).toBe(1);
    const lines = problems(r.stderr);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /unknown key "extra": the keys are okta, databricks, rules, writeRoute and aim/,
        ),
        expect.stringMatching(/"okta.orgUrl" must be a string/),
        expect.stringMatching(/unknown key "okta.clientID": use one of orgUrl, clientId/),
        expect.stringMatching(
          /aimctl.json rules: rules.onConflict must be "report" \(the default: never overwrite an externalId\) or "overwrite" .*; got "replace"\.$/,
        ),
        expect.stringMatching(
          /aimctl.json rules: rules.userOverrides must map names to Okta ids, e.g. \{"alice@example.com": "00u…"\} .*; "a" maps to ""\.$/,
        ),
      ]),
    );
    const notJson = configFile("{ nope");
    const r2 = await runCli(["plan", "--config", notJson]);
    expect(r2.stderr).toMatch(
      /^aimctl: --config .*aimctl.json is not valid JSON \(.*\): fix its syntax\.$/m,
    );
    const r3 = await runCli(["plan", "--config", "/nonexistent.json"]);
    expect(r3.stderr).toMatch(/^aimctl: --config \/nonexistent.json cannot be read \(ENOENT\)/m);
  });

  it("resolveInputs throws InputErrors listing each problem as a ConfigError", () => {
    const args = parseArgs(
      ["--write-route", "rest", "--aim-adapter", "terraform"],
      { "write-route": "string", "aim-adapter": "string" },
      "plan",
    );
    let caught: unknown;
    try {
      resolveInputs(args, {}, "/");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputErrors);
    const e = caught as InputErrors;
    expect(e.code).toBe("ERR_CONFIG");
    expect(e.errors.map((x) => [x.code, x.field])).toEqual([
      ["ERR_CONFIG", "--write-route"],
      ["ERR_CONFIG", "--aim-adapter"],
    ]);
  });

  it("the AIM adapter is auto unless set (flag > environment > config file)", () => {
    const opts = { "aim-adapter": "string" } as const;
    expect(resolveInputs(parseArgs([], opts, "plan"), {}, "/").aim.adapter).toBe("auto");
    expect(
      resolveInputs(parseArgs([], opts, "plan"), { AIMCTL_AIM_ADAPTER: "api" }, "/").aim.adapter,
    ).toBe("api");
    expect(
      resolveInputs(
        parseArgs(["--aim-adapter", "console"], opts, "plan"),
        { AIMCTL_AIM_ADAPTER: "api" },
        "/",
      ).aim.adapter,
    ).toBe("console");
  });

  it("a --rules file of the wrong shape: one ConfigError per rule, named by its path, with the fix", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "rules.json"),
      JSON.stringify({ matchUsers: "yes", exclude: { users: "bob", robots: [] } }),
    );
    writeFileSync(join(dir, "list.json"), "[]");
    const errorsOf = (file: string): InputErrors => {
      const args = parseArgs(["--rules", file], { rules: "string" }, "plan");
      try {
        resolveInputs(args, {}, dir);
      } catch (err) {
        return err as InputErrors;
      }
      throw new Error("resolveInputs accepted bad rules");
    };
    const e = errorsOf("rules.json");
    expect(e).toBeInstanceOf(InputErrors);
    expect(e.errors.map((x) => [x.code, x.field, x.message])).toEqual([
      [
        "ERR_CONFIG",
        "rules.matchUsers",
        '--rules rules.json: rules.matchUsers must be true or false; got "yes".',
      ],
      [
        "ERR_CONFIG",
        "rules.exclude.users",
        '--rules rules.json: rules.exclude.users must be a list of names or globs, e.g. ["break-glass-*"].',
      ],
      [
        "ERR_CONFIG",
        "rules.exclude.robots",
        "--rules rules.json: rules.exclude.robots is not a kind of identity: use users, groups or servicePrincipals.",
      ],
    ]);
    expect(errorsOf("list.json").errors.map((x) => [x.field, x.message])).toEqual([
      [
        "rules",
        '--rules list.json: rules must be an object of matching rules such as {"onConflict": "report", "exclude": {"users": ["break-glass-*"]}}; got a list.',
      ],
    ]);
  });
});
