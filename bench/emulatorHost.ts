/**
 * Child process: both emulators with one synthetic tenant, and an Okta API
 * Services app set up as the AIM docs say (private_key_jwt with a fresh RSA
 * key, both scopes, Read-Only Admin, DPoP off). Talks over IPC only: the
 * connection (with secrets) goes to the orchestrator, never to stdout.
 * Running the emulators here keeps their CPU and memory out of the figures
 * of the process under test.
 */
import { generateSigningKey } from "../core/keys/signingKey";
import { REALISTIC_RATE_LIMITS, startDatabricksEmulator } from "../emulators/databricks";
import { startOktaEmulator } from "../emulators/okta";
import { generateTenant } from "../emulators/tenant/synthetic";
import type { HostConfig, HostReply, HostRequest, TenantCounts } from "./protocol";

type Closer = () => Promise<void>;

function send(msg: HostReply): void {
  process.send?.(msg);
}

async function start(config: HostConfig): Promise<{ close: Closer; reply: HostReply }> {
  const t0 = performance.now();
  const fixture = generateTenant({ users: config.users, seed: config.seed, rates: config.rates });
  const generateMs = performance.now() - t0;
  const tenant: TenantCounts = {
    oktaUsersListed: fixture.okta.users.filter((u) => u.status !== "DEPROVISIONED").length,
    oktaDeprovisioned: fixture.okta.users.filter((u) => u.status === "DEPROVISIONED").length,
    oktaGroups: fixture.okta.groups.length,
    databricksUsers: fixture.databricks.users.length,
    databricksGroups: fixture.databricks.groups.length,
    databricksServicePrincipals: fixture.databricks.servicePrincipals.length,
  };
  const dbxLimits =
    typeof config.databricks === "string"
      ? config.databricks
      : { ...REALISTIC_RATE_LIMITS, patch: config.databricks.patchPerSecond };
  const t1 = performance.now();
  const okta = await startOktaEmulator({ fixture: fixture.okta, rateLimits: config.okta });
  const dbx = await startDatabricksEmulator({
    fixture: fixture.databricks,
    rateLimits: dbxLimits,
    pageCap: config.pageCap,
  });
  const key = await generateSigningKey({ algorithm: "RS256", modulusLength: 2048 });
  const app = okta.createServiceApp({
    label: "Databricks AIM (bench)",
    jwks: [{ ...key.publicJwk, status: "ACTIVE" }],
  });
  const startMs = performance.now() - t1;
  const counters = { okta: okta.counter, databricks: dbx.counter };
  handleCounts = (id) =>
    send({
      type: "counts",
      id,
      okta: counters.okta.snapshot(),
      databricks: counters.databricks.snapshot(),
      usage: {
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
        rssMb: process.memoryUsage.rss() / 1024 / 1024,
      },
    });
  return {
    close: async () => {
      await Promise.all([okta.close(), dbx.close()]);
    },
    reply: {
      type: "ready",
      connection: {
        okta: {
          orgUrl: okta.url,
          clientId: app.credentials.oauthClient.client_id,
          keyId: key.keyId,
          privateKeyPem: key.privateKeyPem,
          apiToken: okta.apiToken,
        },
        databricks: {
          host: dbx.url,
          accountId: dbx.accountId,
          clientId: dbx.clientId,
          clientSecret: dbx.clientSecret,
        },
      },
      tenant,
      generateMs,
      startMs,
    },
  };
}

let handleCounts: ((id: number) => void) | undefined;
let closer: Closer | undefined;

process.on("message", (raw) => {
  const msg = raw as HostRequest;
  if (msg.cmd === "start") {
    start(msg.config).then(
      ({ close, reply }) => {
        closer = close;
        send(reply);
      },
      (err: unknown) => send({ type: "error", message: String(err) }),
    );
  } else if (msg.cmd === "counts") {
    if (handleCounts) handleCounts(msg.id);
    else send({ type: "error", message: "counts asked before start" });
  } else if (msg.cmd === "close") {
    void (closer ? closer() : Promise.resolve()).finally(() => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0));
