/**
 * The house rules of docs/architecture.md, as eslint.config.mjs checks them:
 * each folder's forbidden imports fail lint (a real module of the folder is
 * linted with one extra import line), what the folder may use passes, and no
 * ERR_* literal lives outside the typed list.
 */
import { ESLint } from "eslint";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
/**
 * The project's own config, minus type information (what makes linting slow;
 * the rules that need it are switched off here, `npm run lint` runs them).
 */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: {
      "@pulumi/no-output-in-template-literal": "off",
      "@pulumi/no-output-instance-in-template-literal": "off",
      "@typescript-eslint/no-floating-promises": "off",
    },
  },
});

/** Rule ids reported for `file` (an existing module) with `line` prepended. */
async function violations(file: string, line: string): Promise<string[]> {
  const fs = await import("node:fs");
  const text = `${line}\n${fs.readFileSync(path.join(ROOT, file), "utf8")}`;
  const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.line === 1).map((m) => m.ruleId ?? "parse");
}

const IMPORTS = "@typescript-eslint/no-restricted-imports";

describe("house rules (lint)", () => {
  it.each([
    ["core/reconcile/plan/index.ts", 'import * as pulumi from "@pulumi/pulumi"; void pulumi;'],
    ["core/reconcile/plan/index.ts", 'import { Printer } from "../../cli/io"; void Printer;'],
    [
      "core/workflows/reconcileAccount.ts",
      'import { loadCore } from "../../dynamic-providers/loadCore"; void loadCore;',
    ],
    [
      "core/databricks/client/index.ts",
      'import { journalAuth } from "../../reconcile/journal"; void journalAuth;',
    ],
    [
      "core/okta/client.ts",
      'import type { AccountPlan } from "../workflows"; export type P = AccountPlan;',
    ],
    ["core/reconcile/apply.ts", 'import { planAccount } from "../workflows"; void planAccount;'],
    ["core/keys/privateKey.ts", 'import { undo } from "../reconcile/undo"; void undo;'],
    ["core/http/httpClient.ts", 'import { OktaClient } from "../okta/client"; void OktaClient;'],
    ["core/model/plan.ts", 'import { ConfigError } from "../http/errors"; void ConfigError;'],
    [
      "components/OktaAimApp.ts",
      'import { OktaClient } from "../core/okta/client"; void OktaClient;',
    ],
    ["components/OktaAimApp.ts", 'import { HttpClient } from "../core/http"; void HttpClient;'],
    ["components/OktaAimApp.ts", 'import * as http from "node:http"; void http;'],
    [
      "dynamic-providers/aimConnection.ts",
      'import { planLinks } from "../core/reconcile/plan"; void planLinks;',
    ],
    [
      "emulators/okta/users.ts",
      'import { OktaClient } from "../../core/okta/client"; void OktaClient;',
    ],
    ["index.ts", 'import { FINDING_CODES } from "./core/model/plan"; void FINDING_CODES;'],
    ["index.ts", 'import { SigningKey } from "./dynamic-providers/signingKey"; void SigningKey;'],
  ])("%s may not: %s", async (file, line) => {
    expect(await violations(file, line)).toContain(IMPORTS);
  });

  it.each([
    [
      "components/OktaAimApp.ts",
      'import { parseOktaOrgUrl } from "../core/okta/orgUrl"; void parseOktaOrgUrl;',
    ],
    [
      "dynamic-providers/aimConnection.ts",
      'import type { Plan } from "../core/model/plan"; export type P = Plan;',
    ],
    [
      "core/databricks/client/index.ts",
      'import { AIM_OKTA_SCOPES } from "../../model/aim"; void AIM_OKTA_SCOPES;',
    ],
    ["core/reconcile/undo.ts", 'import { OktaClient } from "../okta/client"; void OktaClient;'],
    [
      "emulators/okta/users.ts",
      'import { ConfigError } from "../../core/http/errors"; void ConfigError;',
    ],
    ["index.ts", 'import { FINDING_CODES } from "./components"; void FINDING_CODES;'],
  ])("%s may: %s", async (file, line) => {
    expect(await violations(file, line)).toEqual([]);
  });

  it("an ERR_* code is written only in core/http/errors.ts", async () => {
    expect(await violations("cli/failure.ts", 'export const X = "ERR_SOMETHING";')).toContain(
      "no-restricted-syntax",
    );
    expect(await violations("core/http/errors.ts", 'export const X = "ERR_SOMETHING";')).toEqual(
      [],
    );
  });
});
