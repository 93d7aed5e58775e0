/**
 * `aimctl emulate`: both emulators on loopback with a fixture or a synthetic
 * tenant, the Okta API Services app set up for AIM, the credentials printed
 * first (JSON or export lines), then serving until SIGTERM/SIGINT.
 */
import { resolve } from "node:path";
import { ConfigError } from "../../core/http";
import type { TenantFixture } from "../../core/model/tenant";
import { loadFixture } from "../../emulators/tenant/fixture";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { flag, intOption, parseArgs, str } from "../args";
import { EXIT } from "../exitCodes";
import { startEmulatedTenant, type EmulatedTenant } from "../emulated";
import { interruptSignal, type CliIo, type Printer } from "../io";

export const EMULATE_HELP = `aimctl emulate (--fixture FILE | --synthetic N [--seed S]) [--json] [--rate-limits realistic|off] [--aim-admin-api]

Starts the Okta and Databricks account emulators on 127.0.0.1 with the tenant,
sets up the Okta API Services app AIM uses (RSA key generated with jose, private
key in a 0600 temp file, okta.users.read + okta.groups.read granted, Read-Only
Admin role, DPoP off) unless the fixture has one, prints the credentials, and
serves until SIGTERM or SIGINT (then removes the key file).

  --fixture FILE              a tenant fixture (format: docs/formats.md)
  --synthetic N               a synthetic tenant of N Okta users with every pathology
  --seed S                    seed of the synthetic tenant (default 1)
  --json                      first stdout line: {"okta":{…},"databricks":{…}}
                              (default: export lines for a shell)
  --rate-limits realistic|off realistic (default) or none, for fast local runs
  --okta-private-key-file F   the private key of the fixture's own app, if it has one
  --aim-admin-api             serve the assumed AIM admin API too (docs/aim-admin-api.md);
                              without it the account answers it 404, as a real one does,
                              so aimctl's default adapter auto takes the console path
The printed secrets are the emulators' own throwaway credentials.`;

export async function emulateCommand(argv: string[], io: CliIo, printer: Printer): Promise<number> {
  const args = parseArgs(
    argv,
    {
      fixture: "string",
      synthetic: "string",
      seed: "string",
      json: "boolean",
      "rate-limits": "string",
      "okta-private-key-file": "string",
      "aim-admin-api": "boolean",
    },
    "emulate",
  );
  if (flag(args, "help")) {
    printer.out(EMULATE_HELP);
    return EXIT.ok;
  }
  const fixtureFile = str(args, "fixture");
  const synthetic = intOption(args, "synthetic", { min: 1, max: 1_000_000 });
  const seed = intOption(args, "seed", { min: 0, max: 2 ** 31 - 1 });
  if ((fixtureFile === undefined) === (synthetic === undefined))
    throw new ConfigError(
      "--fixture",
      "give exactly one tenant: --fixture FILE (a tenant fixture) or --synthetic N (N Okta users).",
    );
  if (seed !== undefined && synthetic === undefined)
    throw new ConfigError("--seed", "--seed applies to --synthetic only.");
  const limits = str(args, "rate-limits") ?? "realistic";
  if (limits !== "realistic" && limits !== "off")
    throw new ConfigError(
      "--rate-limits",
      `--rate-limits must be "realistic" (the published limits, default) or "off" (got "${limits}").`,
    );
  const keyFile = str(args, "okta-private-key-file");

  const fixture: TenantFixture = fixtureFile
    ? loadFixture(resolve(io.cwd, fixtureFile))
    : generateTenant({ users: synthetic as number, seed: seed ?? 1 });
  const tenant = await startEmulatedTenant(fixture, {
    oktaRateLimits: limits,
    databricksRateLimits: limits,
    privateKeyFile: keyFile ? resolve(io.cwd, keyFile) : undefined,
    aimAdminApi: flag(args, "aim-admin-api") ? "on" : "off-404",
  });
  try {
    printCredentials(tenant, flag(args, "json"), printer);
    printer.err(
      `Emulating ${fixture.okta.users.length} Okta users, ${fixture.okta.groups.length} Okta groups; ` +
        `${fixture.databricks.users.length} Databricks users, ${fixture.databricks.groups.length} groups, ` +
        `${fixture.databricks.servicePrincipals.length} service principals. Rate limits: ${limits}. AIM admin API: ${flag(args, "aim-admin-api") ? "served" : "absent (404, as on a real account)"}.`,
    );
    printer.err(
      tenant.appCreated
        ? `Okta API Services app "${tenant.app.label}" (${tenant.app.id}) set up for AIM; private key in ${tenant.credentials.okta.privateKeyFile} (mode 0600).`
        : `Using the fixture's API Services app "${tenant.app.label}" (${tenant.app.id})${tenant.credentials.okta.privateKeyFile ? "" : "; its private key is unknown here: pass --okta-private-key-file"}.`,
    );
    printer.err("Serving until SIGTERM or SIGINT (Ctrl-C).");
    await untilAborted(interruptSignal(io));
    printer.err("Stopping the emulators.");
  } finally {
    await tenant.close();
  }
  return EXIT.ok;
}

function printCredentials(tenant: EmulatedTenant, json: boolean, printer: Printer): void {
  const c = tenant.credentials;
  if (json) {
    // Member order as documented: {"okta":{orgUrl,clientId,privateKeyFile,apiToken},"databricks":{…}}.
    printer.outRaw(
      JSON.stringify({
        okta: {
          orgUrl: c.okta.orgUrl,
          clientId: c.okta.clientId,
          privateKeyFile: c.okta.privateKeyFile,
          apiToken: c.okta.apiToken,
        },
        databricks: {
          host: c.databricks.host,
          accountId: c.databricks.accountId,
          clientId: c.databricks.clientId,
          clientSecret: c.databricks.clientSecret,
        },
      }),
    );
    return;
  }
  const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  const lines = [
    "# Emulator credentials (throwaway): paste into a shell, then run aimctl check / plan / apply.",
    `export OKTA_ORG_URL=${q(c.okta.orgUrl)}`,
    `export OKTA_CLIENT_ID=${q(c.okta.clientId)}`,
    c.okta.privateKeyFile
      ? `export OKTA_PRIVATE_KEY_FILE=${q(c.okta.privateKeyFile)}`
      : "# OKTA_PRIVATE_KEY_FILE: unknown (the fixture brings its own app)",
    `export OKTA_API_TOKEN=${q(c.okta.apiToken)}`,
    `export DATABRICKS_HOST=${q(c.databricks.host)}`,
    `export DATABRICKS_ACCOUNT_ID=${q(c.databricks.accountId)}`,
    `export DATABRICKS_CLIENT_ID=${q(c.databricks.clientId)}`,
    `export DATABRICKS_CLIENT_SECRET=${q(c.databricks.clientSecret)}`,
  ];
  printer.outRaw(lines.join("\n"));
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined); // no way to stop: serve forever
  if (signal.aborted) return Promise.resolve();
  return new Promise((done) => signal.addEventListener("abort", () => done(), { once: true }));
}
