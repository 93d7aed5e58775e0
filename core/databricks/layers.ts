/**
 * Databricks settings in layers, highest precedence first, as the SDKs take
 * them: explicit settings (the caller's: stack config, inputs), the
 * unified-auth environment, a config profile. Host and account id attribute
 * by attribute; the credentials as a set from the first layer with any
 * (layerDatabricksSettings).
 */
import type { DatabricksAccountConfig } from "./api";
import {
  databricksConfigFromEnv,
  layerDatabricksSettings,
  overridesFromEnv,
  type DatabricksConfigOverrides,
} from "./config";
import { readDatabricksProfile, type ProfileSelection } from "./profile";

export const EXPLICIT_LAYER = "stack config";
export const ENV_LAYER = "the environment";

export interface DatabricksLayer {
  /** EXPLICIT_LAYER, ENV_LAYER or `profile "ci" in /home/me/.databrickscfg`. */
  source: string;
  settings: DatabricksConfigOverrides;
}

export function databricksLayers(
  explicit: DatabricksConfigOverrides,
  env: Record<string, string | undefined>,
  selection: ProfileSelection,
): DatabricksLayer[] {
  const profile = readDatabricksProfile(env, selection);
  return [
    { source: EXPLICIT_LAYER, settings: explicit },
    { source: ENV_LAYER, settings: overridesFromEnv(env) },
    ...(profile ? [{ source: profile.source, settings: profile.settings }] : []),
  ];
}

/** The layer the credentials come from, if any has them. */
export function credentialLayer(layers: DatabricksLayer[]): DatabricksLayer | undefined {
  return layers.find((l) =>
    (["clientId", "clientSecret", "token"] as const).some((k) => !!l.settings[k]?.trim()),
  );
}

/** The account configuration; without credentials core's message, then `hint` (where else to put them). */
export function databricksConfigFromLayers(
  layers: DatabricksLayer[],
  hint: string,
): DatabricksAccountConfig {
  try {
    return databricksConfigFromEnv({}, layerDatabricksSettings(layers.map((l) => l.settings)));
  } catch (err) {
    const e = err as Error & { field?: string };
    if (e.field === "DATABRICKS_CLIENT_ID" && /no Databricks credentials/.test(e.message))
      e.message = `${e.message} ${hint}`;
    throw err;
  }
}
