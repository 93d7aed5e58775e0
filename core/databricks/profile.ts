/**
 * Databricks configuration profiles, as the SDKs and the Databricks CLI read
 * them: an INI file (`DATABRICKS_CONFIG_FILE`, default `~/.databrickscfg`) of
 * sections, one per profile, chosen by `DATABRICKS_CONFIG_PROFILE` (default
 * `DEFAULT`), with `host`, `account_id`, `client_id`, `client_secret`,
 * `token` and `auth_type`. A named profile does not inherit the DEFAULT
 * section's keys (databricks-sdk-py reads the raw sections).
 *
 * Stricter than the SDK, which logs and goes on: a profile named explicitly
 * that the file lacks, or a file named explicitly that does not exist, is an
 * error naming both. Without either, a missing file or DEFAULT section is
 * simply no profile.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { parse } from "ini";
import { ConfigError, type Redactor } from "../http";
import type { DatabricksConfigOverrides } from "./config";

export const DATABRICKS_PROFILE_ENV = {
  profile: "DATABRICKS_CONFIG_PROFILE",
  configFile: "DATABRICKS_CONFIG_FILE",
} as const;

export const DEFAULT_PROFILE = "DEFAULT";
export const DEFAULT_CONFIG_FILE = "~/.databrickscfg";

/** Which profile to read; each falls back to the environment, then the default. */
export interface ProfileSelection {
  profile?: string;
  configFile?: string;
}

/** What a profile gives, in the names of DatabricksConfigOverrides, and where it came from. */
export interface DatabricksProfile {
  settings: Omit<DatabricksConfigOverrides, "allowNonUuidAccountId">;
  /** `profile "ci" in /home/me/.databrickscfg`, for messages. */
  source: string;
}

/** INI keys, as the SDKs write them, to our names. */
const KEYS = {
  host: "host",
  account_id: "accountId",
  client_id: "clientId",
  client_secret: "clientSecret",
  token: "token",
  auth_type: "authType",
} as const;

function expandHome(file: string, home: string): string {
  return file === "~" || file.startsWith("~/") ? path.join(home, file.slice(1)) : file;
}

/**
 * The selected profile's settings, or undefined when none was asked for and
 * the default file or section is absent. Secrets are registered with
 * `redactor` before anything could quote them.
 */
export function readDatabricksProfile(
  env: Record<string, string | undefined>,
  selection: ProfileSelection = {},
  opts: { home?: string; redactor?: Redactor } = {},
): DatabricksProfile | undefined {
  const explicitProfile = selection.profile?.trim() || env[DATABRICKS_PROFILE_ENV.profile]?.trim();
  const explicitFile =
    selection.configFile?.trim() || env[DATABRICKS_PROFILE_ENV.configFile]?.trim();
  const profile = explicitProfile || DEFAULT_PROFILE;
  const file = path.resolve(
    expandHome(explicitFile || DEFAULT_CONFIG_FILE, opts.home ?? homedir()),
  );
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    if (!explicitProfile && !explicitFile) return undefined;
    throw new ConfigError(
      explicitFile ? DATABRICKS_PROFILE_ENV.configFile : DATABRICKS_PROFILE_ENV.profile,
      `the Databricks config file ${file} does not exist, but ${explicitFile ? `${DATABRICKS_PROFILE_ENV.configFile} names it` : `profile "${profile}" is asked for (${DATABRICKS_PROFILE_ENV.profile})`}: create it (databricks auth login, or a [${profile}] section with host, account_id and client_id/client_secret or token), or point ${DATABRICKS_PROFILE_ENV.configFile} at yours.`,
    );
  }
  const sections = parse(text) as Record<string, unknown>;
  const section = sections[profile];
  if (!section || typeof section !== "object") {
    if (!explicitProfile) return undefined;
    const names = Object.keys(sections).filter((k) => typeof sections[k] === "object");
    throw new ConfigError(
      DATABRICKS_PROFILE_ENV.profile,
      `${file} has no profile "${profile}" (it has ${names.length > 0 ? names.map((n) => `"${n}"`).join(", ") : "none"}): add a [${profile}] section, or name one of those.`,
    );
  }
  const settings: DatabricksProfile["settings"] = {};
  for (const [key, name] of Object.entries(KEYS)) {
    const v = (section as Record<string, unknown>)[key];
    if (typeof v === "string" && v.trim()) settings[name] = v.trim();
  }
  opts.redactor?.add(settings.clientSecret, settings.token);
  return { settings, source: `profile "${profile}" in ${file}` };
}
