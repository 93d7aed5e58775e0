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
