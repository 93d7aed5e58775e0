/**
 * The installed package under the real engine: `npm pack`, installed into a
 * platform team's own project (test/package/project: its own component
 * composing OktaAimApp and DatabricksAim, its own Okta provider, its own
 * config namespace), then `pulumi up` and a clean
 * `pulumi preview --expect-no-changes` against the emulators, with the
 * credentials in the environment as a pipeline passes them. The stored
 * providers load the package's compiled code from the project's
 * node_modules, never this checkout.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDatabricksEmulator, type DatabricksEmulator } from "../../emulators/databricks";
import { startOktaEmulator, type OktaEmulator } from "../../emulators/okta";
import { generateTenant } from "../../emulators/tenant/synthetic";
import { packAndInstall, type Consumer } from "../package/consumer";
import { EngineStack, expectOk, REPO_ROOT } from "./harness";
import { CLEAN_RATES } from "./tenant";

let consumer: Consumer;
let okta: OktaEmulator;
let dbx: DatabricksEmulator;
let stack: EngineStack;

beforeAll(async () => {
  consumer = await packAndInstall();
  const fixture = generateTenant({ users: 30, groups: 3, seed: 5, rates: CLEAN_RATES });
  okta = await startOktaEmulator({ fixture: fixture.okta });
  // With the assumed AIM admin API: the default adapter (auto) then enables AIM through it.
  dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    behaviour: { aimAdminApi: "on" },
  });
  stack = new EngineStack({
    projectDir: consumer.dir,
    env: {
      OKTA_API_TOKEN: okta.apiToken,
      DATABRICKS_CLIENT_ID: dbx.clientId,
      DATABRICKS_CLIENT_SECRET: dbx.clientSecret,
    },
  });
  await stack.init();
  await stack.setConfig("platform:oktaOrgUrl", okta.url);
  await stack.setConfig("platform:oktaApiToken", okta.apiToken, true);
  await stack.setConfig("platform:databricksHost", dbx.url);
  await stack.setConfig("platform:databricksAccountId", dbx.accountId);
  await stack.setConfig("platform:writeRatePerSecond", "50");
  await stack.setConfig("platform:journalPath", `${stack.dir}/journal.jsonl`);
}, 600_000);

afterAll(async () => {
  await Promise.all([okta?.close(), dbx?.close()]);
  if (consumer) rmSync(consumer.root, { recursive: true, force: true });
});

describe("okta-databricks-aim installed from its tarball, under the real engine", () => {
  it("a platform team's own program: up links every identity and enables AIM; the next preview is clean", async () => {
    expectOk(await stack.op(["up", "--yes", "--skip-preview"]), "pulumi up (consumer)");
    const outputs = await stack.outputs();
    expect(outputs).toMatchObject({ aimEnabled: true, linksPending: 0 });
    expect(dbx.store.aimEnabled).toBe(true);
    const linked = [...dbx.store.users.values()].filter((u) => u.externalId).length;
    expect(linked).toBe(dbx.store.users.size);
    const app = [...okta.store.apps.values()].find((a) => a.label === "Databricks AIM (platform)");
    expect(app?.credentials.oauthClient.client_id).toBe(outputs.clientId);

    expectOk(
      await stack.op(["preview", "--expect-no-changes"]),
      "pulumi preview --expect-no-changes (consumer)",
    );

    // The stored providers name the package's modules, not this checkout's files.
    const state = await stack.exportState();
    expect(state).toContain("okta-databricks-aim");
    expect(state).not.toContain(REPO_ROOT);
    expect(state).not.toContain(okta.apiToken);
    expect(state).not.toContain(dbx.clientSecret);
  });
});
