/**
 * What AIM needs from the Okta API Services app (docs/domain.md; Databricks docs,
 * "Configure Okta for automatic identity management"): the scopes its
 * client requests and the app must be granted, and the admin role that lets
 * that client's token read users and groups.
 */
export const AIM_OKTA_SCOPES = ["okta.users.read", "okta.groups.read"] as const;
export type AimOktaScope = (typeof AIM_OKTA_SCOPES)[number];

export const AIM_OKTA_ROLE = "READ_ONLY_ADMIN";
/** The role's name in the Okta Admin Console, for messages that say what to assign. */
export const AIM_OKTA_ROLE_LABEL = "Read-Only Administrator";

/**
 * The AIM admin adapters a user can ask for (core/databricks/aimAdapter.ts
 * decides what `auto` becomes); `auto` first: it is the default.
 */
export const AIM_ADAPTER_MODES = ["auto", "api", "console"] as const;
export type AimAdapterMode = (typeof AIM_ADAPTER_MODES)[number];
/** What a run ends up using. */
export type AimAdapterKind = Exclude<AimAdapterMode, "auto">;

export const DEFAULT_AIM_ADAPTER: AimAdapterMode = "auto";

/** One phrase per mode, for help texts and refusals. */
export const AIM_ADAPTER_MEANING: Record<AimAdapterMode, string> = {
  auto: "the admin API where the account answers it, else the console path; the default",
  api: "the private-preview AIM admin API",
  console: "you enter the values in the account console",
};

export function isAimAdapterMode(v: unknown): v is AimAdapterMode {
  return typeof v === "string" && (AIM_ADAPTER_MODES as readonly string[]).includes(v);
}

/** The refusal of a mode that is not one of AIM_ADAPTER_MODES; `what` names the input. */
export function aimAdapterModeProblem(what: string, got: unknown): string {
  const modes = AIM_ADAPTER_MODES.map((m) => `"${m}" (${AIM_ADAPTER_MEANING[m]})`).join(", ");
  return `${what} ${JSON.stringify(got)} is not an AIM adapter: use ${modes}.`;
}
