/**
 * The redactor belongs to a run, not to the process: the secrets one run's
 * inputs read are redacted from that run's output and by the clients its
 * session builds, and are unknown to another run's redactor.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../cli/args";
import { Printer, type CliIo } from "../../cli/io";
import { sessionFromArgs } from "../../cli/session";

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const SECRET = "dose-session-secret-0123456789abcdef";

function run(env: Record<string, string>): { printer: Printer; out: () => string } {
  let out = "";
  const io: CliIo = {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (out += t) },
    env,
    cwd: "/",
  };
  return { printer: new Printer(io), out: () => out };
}

describe("the run's redactor", () => {
  it("the session's clients share the printer's redactor, which knows the inputs' secrets", () => {
    const a = run({
      OKTA_ORG_URL: "https://acme.okta.com",
      OKTA_CLIENT_ID: "0oa1b2c3d4e5f6g7h8i9",
      OKTA_PRIVATE_KEY: pem,
      DATABRICKS_HOST: "https://accounts.cloud.databricks.com",
      DATABRICKS_ACCOUNT_ID: "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
      DATABRICKS_CLIENT_ID: "4f1c8a52-1111-2222-3333-444455556666",
      DATABRICKS_CLIENT_SECRET: SECRET,
    });
    const session = sessionFromArgs(parseArgs([], {}, "apply"), a.printer.io, a.printer, {
      okta: { privateKey: true },
      databricks: true,
    });
    expect(session.redactor).toBe(a.printer.redactor);
    expect(session.databricks?.http.redactor).toBe(a.printer.redactor);
    expect(session.oktaReader?.http.redactor).toBe(a.printer.redactor);
    a.printer.out(`secret ${SECRET}; key line ${pem.split("\n")[2]}`);
    expect(a.out()).not.toContain(SECRET);
    expect(a.out()).not.toContain(pem.split("\n")[2]);

    // Another run never learnt them: nothing is shared through the process.
    const b = run({});
    b.printer.out(`secret ${SECRET}`);
    expect(b.out()).toContain(SECRET);
  });
});
