/**
 * Credentials in the provider tests: every environment variable the providers
 * read credentials from (cleared, so that a test proves stack config is
 * used), and configuring a provider that a test calls in its own process.
 */
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll } from "vitest";
import {
  startProviderHost,
  type ProviderHost,
  type SerializedResource,
} from "../providers/harness/host";

export const CREDENTIAL_ENV = [
  "OKTA_API_TOKEN",
  "OKTA_API_CLIENT_ID",
  "OKTA_API_PRIVATE_KEY",
  "OKTA_API_PRIVATE_KEY_ID",
  "OKTA_API_SCOPES",
  "DATABRICKS_TOKEN",
  "DATABRICKS_CLIENT_ID",
  "DATABRICKS_CLIENT_SECRET",
  "DATABRICKS_HOST",
  "DATABRICKS_ACCOUNT_ID",
  "DATABRICKS_AUTH_TYPE",
  "DATABRICKS_CONFIG_PROFILE",
  "DATABRICKS_CONFIG_FILE",
];

/**
 * Registers, in the calling describe block: clear CREDENTIAL_ENV for its
 * tests (restored afterwards), then `configure` the provider with `config`
 * as the dynamic-provider host does with stack config.
 */
export function configureWithoutEnv(
  provider: Pick<pulumi.dynamic.ResourceProvider, "configure">,
  config: Record<string, string>,
): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    for (const k of CREDENTIAL_ENV) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
    await provider.configure!({ config: { get: (k) => config[k], require: () => "" } });
  });
  afterAll(() => {
    for (const k of CREDENTIAL_ENV)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });
}

/** A dynamic-provider host for `serialized` with no credential variable, configured with `config`. */
export async function hostWithoutEnv(
  serialized: SerializedResource,
  config: Record<string, string>,
): Promise<ProviderHost> {
  const host = await startProviderHost({
    provider: serialized.provider,
    type: serialized.type,
    unsetEnv: CREDENTIAL_ENV,
  });
  try {
    await host.configure(config);
  } catch (err) {
    await host.close();
    throw err;
  }
  return host;
}
