/**
 * JSON shapes as the recorded exchanges show them (reference/okta-recorded):
 * field order and `_links` included, org URL substituted.
 */
import type { OktaApp, OktaAppJwk, OktaGroup, OktaUser } from "../../core/model/tenant";
import type { CustomRole, CustomRoleAssignment, ResourceSet } from "./iam";
import { base32 } from "./ids";
import type { OktaStore } from "./store";

const LOGO_MEDIUM =
  "https://ok14static.oktacdn.com/assets/img/logos/groups/odyssey/okta-medium.30ce6d4085dff29412984e4c191bc874.png";
const LOGO_LARGE =
  "https://ok14static.oktacdn.com/assets/img/logos/groups/odyssey/okta-large.c3cb8cda8ae0add1b4fe928f5844dbe3.png";
const APP_LOGO =
  "https://op3static2.oktacdn.com/assets/img/logos/default.6770228fb0dab49a1695ef440a5279bb.png";

function userLinks(org: string, u: OktaUser): Record<string, unknown> {
  const self = `${org}/api/v1/users/${u.id}`;
  const typeId = (u.type as { id?: string } | undefined)?.id ?? "";
  const op = (name: string) => ({ href: `${self}/lifecycle/${name}`, method: "POST" });
  const links: Record<string, unknown> = {};
  // Lifecycle links depend on status, as on a real org.
  switch (u.status) {
    case "DEPROVISIONED":
      links.activate = op("activate");
      break;
    case "STAGED":
      links.activate = op("activate");
      links.deactivate = op("deactivate");
      break;
    case "SUSPENDED":
      links.unsuspend = op("unsuspend");
      links.deactivate = op("deactivate");
      break;
    case "PROVISIONED":
      links.suspend = op("suspend");
      links.resetPassword = op("reset_password");
      links.reactivate = op("reactivate");
      links.deactivate = op("deactivate");
      break;
    default:
      links.suspend = op("suspend");
      links.resetPassword = op("reset_password");
      links.expirePassword = op("expire_password");
      links.forgotPassword = { href: `${self}/credentials/forgot_password`, method: "POST" };
      links.changeRecoveryQuestion = {
        href: `${self}/credentials/change_recovery_question`,
        method: "POST",
      };
      links.changePassword = { href: `${self}/credentials/change_password`, method: "POST" };
      links.deactivate = op("deactivate");
  }
  links.schema = { href: `${org}/api/v1/meta/schemas/user/osc${typeId.slice(3)}` };
  links.self = { href: self };
  links.type = { href: `${org}/api/v1/meta/types/user/${typeId}` };
  return links;
}

/** A user; in lists Okta sends only the `self` link (recorded), on a single GET the lifecycle links too. */
export function renderUser(org: string, u: OktaUser, inList = false): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated ?? null,
    statusChanged: u.statusChanged ?? null,
    lastLogin: u.lastLogin ?? null,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged ?? null,
    type: u.type,
    profile: u.profile,
    credentials: u.credentials,
    _links: inList ? { self: { href: `${org}/api/v1/users/${u.id}` } } : userLinks(org, u),
  };
}

export function renderGroup(org: string, g: OktaGroup): Record<string, unknown> {
  const self = `${org}/api/v1/groups/${g.id}`;
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: g.objectClass,
    type: g.type,
    profile: g.profile,
    _links: {
      logo: [
        { name: "medium", href: LOGO_MEDIUM, type: "image/png" },
        { name: "large", href: LOGO_LARGE, type: "image/png" },
      ],
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
    },
  };
}

/** A key as it appears inside the app object (recorded: `use`/`crv` null when not given). */
export function renderAppKey(k: OktaAppJwk): Record<string, unknown> {
  const base: Record<string, unknown> = {
    kty: k.kty,
    id: k.id,
    status: k.status,
    kid: k.kid,
    use: k.use ?? null,
  };
  if (k.kty === "EC") return { ...base, x: k.x, y: k.y, crv: k.crv ?? null };
  return { ...base, e: k.e, n: k.n };
}

/** A key as `/api/v1/apps/{appId}/credentials/jwks` returns it. */
export function renderJwksKey(org: string, appId: string, k: OktaAppJwk): Record<string, unknown> {
  const self = `${org}/api/v1/apps/${appId}/credentials/jwks/${k.id}`;
  const lifecycle =
    k.status === "ACTIVE"
      ? { deactivate: { href: `${self}/lifecycle/deactivate`, hints: { allow: ["POST"] } } }
      : {
          activate: { href: `${self}/lifecycle/activate`, hints: { allow: ["POST"] } },
          delete: { href: self, hints: { allow: ["DELETE"] } },
        };
  return {
    ...renderAppKey(k),
    created: k.created,
    lastUpdated: k.lastUpdated,
    ...(k.alg ? { alg: k.alg } : {}),
    _links: { self: { href: self, hints: { allow: ["GET", "DELETE"] } }, ...lifecycle },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge: `given` wins, `defaults` fill what it lacks. */
function withDefaults(defaults: Record<string, unknown>, given: unknown): Record<string, unknown> {
  if (!isPlainObject(given)) return defaults;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    out[k] = isPlainObject(v) && isPlainObject(defaults[k]) ? withDefaults(defaults[k], v) : v;
  }
  return out;
}

export function renderApp(org: string, store: OktaStore, app: OktaApp): Record<string, unknown> {
  const self = `${org}/api/v1/apps/${app.id}`;
  // Fixture-only fields (grants, roles) are not part of Okta's app object.
  const { grants: _g, roles: _r, ...rest } = app;
  const oauth = app.settings.oauthClient;
  return {
    id: app.id,
    orn: `orn:oktapreview:idp:${store.orgId}:apps:${app.name}:${app.id}`,
    name: app.name,
    label: app.label,
    status: app.status,
    lastUpdated: app.lastUpdated,
    created: app.created,
    // Okta completes partial sub-objects of a create/update with its defaults (recorded).
    accessibility: withDefaults(
      { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
      rest.accessibility,
    ),
    visibility: withDefaults(
      {
        autoLaunch: false,
        autoSubmitToolbar: false,
        hide: { iOS: true, web: true },
        appLinks: { oidc_client_link: true },
      },
      rest.visibility,
    ),
    features: rest.features ?? [],
    signOnMode: app.signOnMode,
    credentials: {
      userNameTemplate: { template: "${source.login}", type: "BUILT_IN" },
      signing: { kid: "emulatorSigningKey" },
      ...app.credentials,
      // client_secret is returned only by the create call, never on reads.
      oauthClient: (({ client_secret: _s, ...c }) => c)(app.credentials.oauthClient),
    },
    // Recorded: an object on private_key_jwt service apps, null on the others.
    universalLogout:
      rest.universalLogout !== undefined
        ? rest.universalLogout
        : app.credentials.oauthClient.token_endpoint_auth_method === "private_key_jwt"
          ? {
              status: "DISABLED",
              supportType: "FULL",
              identityStack: "NOT_SHARED",
              protocol: "GLOBAL_TOKEN_REVOCATION",
            }
          : null,
    settings: {
      app: {},
      notifications: {
        vpn: { network: { connection: "DISABLED" }, message: null, helpUrl: null },
      },
      manualProvisioning: false,
      implicitAssignment: false,
      emOptInStatus: "NONE",
      ...app.settings,
      notes: withDefaults({ admin: null, enduser: null }, app.settings.notes),
      oauthClient: {
        client_uri: null,
        logo_uri: null,
        redirect_uris: [],
        ...oauth,
        ...(oauth.jwks ? { jwks: { keys: oauth.jwks.keys.map(renderAppKey) } } : {}),
        consent_method: oauth.consent_method ?? "TRUSTED",
        issuer_mode: oauth.issuer_mode ?? "ORG_URL",
        idp_initiated_login: oauth.idp_initiated_login ?? { mode: "DISABLED", default_scope: [] },
        wildcard_redirect: oauth.wildcard_redirect ?? "DISABLED",
        dpop_bound_access_tokens: oauth.dpop_bound_access_tokens ?? false,
        // Recorded on service apps, absent on web apps.
        ...(oauth.application_type === "web" && oauth.participate_slo === undefined
          ? {}
          : { participate_slo: oauth.participate_slo ?? false }),
      },
    },
    _links: {
      uploadLogo: { href: `${self}/logo`, hints: { allow: ["POST"] } },
      appLinks: [
        {
          name: "oidc_client_link",
          href: `${org}/home/oidc_client/${app.id}/aln177a159h7Zf52X0g8`,
          type: "text/html",
        },
      ],
      profileEnrollment: { href: `${org}/api/v1/policies/${store.profileEnrollmentPolicyId}` },
      policies: { href: `${self}/policies`, hints: { allow: ["PUT"] } },
      groups: { href: `${self}/groups` },
      logo: [{ name: "medium", href: APP_LOGO, type: "image/png" }],
      clientCredentials: [{ name: "jwks", href: `${self}/credentials/jwks` }],
      accessPolicy: { href: `${org}/api/v1/policies/${store.accessPolicyId}` },
      users: { href: `${self}/users` },
      deactivate: { href: `${self}/lifecycle/deactivate` },
    },
  };
}

/** Okta's OAuth2ScopeConsentGrant (no recording; shape from Okta's API reference). */
export function renderGrant(
  org: string,
  store: OktaStore,
  app: OktaApp,
  scopeId: string,
): Record<string, unknown> {
  const stamp = store.grantStamp(app.id, scopeId);
  return {
    id: stamp.id,
    status: "ACTIVE",
    created: stamp.created,
    createdBy: { id: "00uemulatoradmin00001", type: "User" },
    lastUpdated: stamp.created,
    issuer: org,
    clientId: app.credentials.oauthClient.client_id,
    scopeId,
    source: "ADMIN",
    _links: {
      app: { href: `${org}/api/v1/apps/${app.id}`, title: app.label },
      self: { href: `${org}/api/v1/apps/${app.id}/grants/${stamp.id}` },
      client: {
        href: `${org}/oauth2/v1/clients/${app.credentials.oauthClient.client_id}`,
        title: app.label,
      },
    },
  };
}

const ROLE_LABELS: Record<string, string> = {
  SUPER_ADMIN: "Super Administrator",
  ORG_ADMIN: "Organizational Administrator",
  APP_ADMIN: "Application Administrator",
  USER_ADMIN: "Group Administrator",
  HELP_DESK_ADMIN: "Help Desk Administrator",
  READ_ONLY_ADMIN: "Read Only Administrator",
  GROUP_MEMBERSHIP_ADMIN: "Group Membership Administrator",
  API_ACCESS_MANAGEMENT_ADMIN: "API Access Management Administrator",
  REPORT_ADMIN: "Report Administrator",
  MOBILE_ADMIN: "Mobile Administrator",
};

export const KNOWN_ROLE_TYPES = new Set(Object.keys(ROLE_LABELS));

/** A client role assignment, as recorded (id = base32 of the type). */
export function renderRole(
  org: string,
  store: OktaStore,
  clientId: string,
  type: string,
): Record<string, unknown> {
  const stamp = store.roleStamp(clientId, type);
  return {
    id: base32(type),
    label: ROLE_LABELS[type] ?? type,
    type,
    status: "ACTIVE",
    created: stamp.created,
    lastUpdated: stamp.created,
    assignmentType: "CLIENT",
    _links: { assignee: { href: `${org}/oauth2/v1/clients/${clientId}` } },
  };
}

/** A CUSTOM role assignment of a client, as Okta's Roles API renders it. */
export function renderCustomAssignment(
  org: string,
  store: OktaStore,
  clientId: string,
  a: CustomRoleAssignment,
): Record<string, unknown> {
  const role = store.iam.roles.get(a.roleId);
  return {
    id: a.id,
    label: role?.label ?? a.roleId,
    type: "CUSTOM",
    status: "ACTIVE",
    created: a.created,
    lastUpdated: a.created,
    assignmentType: "CLIENT",
    "resource-set": a.resourceSetId,
    role: a.roleId,
    _links: {
      role: { href: `${org}/api/v1/iam/roles/${a.roleId}` },
      "resource-set": { href: `${org}/api/v1/iam/resource-sets/${a.resourceSetId}` },
      permissions: { href: `${org}/api/v1/iam/roles/${a.roleId}/permissions` },
      member: {
        href: `${org}/api/v1/iam/resource-sets/${a.resourceSetId}/bindings/${a.roleId}/members/${a.id}`,
      },
      assignee: { href: `${org}/oauth2/v1/clients/${clientId}` },
    },
  };
}

export function renderCustomRole(org: string, r: CustomRole): Record<string, unknown> {
  return {
    id: r.id,
    label: r.label,
    description: r.description,
    created: r.created,
    lastUpdated: r.created,
    _links: {
      permissions: { href: `${org}/api/v1/iam/roles/${r.id}/permissions` },
      self: { href: `${org}/api/v1/iam/roles/${r.id}` },
    },
  };
}

export function renderPermission(
  org: string,
  r: CustomRole,
  p: CustomRole["permissions"][number],
): Record<string, unknown> {
  return {
    label: p.label,
    created: r.created,
    lastUpdated: r.created,
    ...(p.conditions !== undefined ? { conditions: p.conditions } : {}),
    _links: {
      role: { href: `${org}/api/v1/iam/roles/${r.id}` },
      self: { href: `${org}/api/v1/iam/roles/${r.id}/permissions/${p.label}` },
    },
  };
}

export function renderResourceSet(org: string, s: ResourceSet): Record<string, unknown> {
  const self = `${org}/api/v1/iam/resource-sets/${s.id}`;
  return {
    id: s.id,
    label: s.label,
    description: s.description,
    created: s.created,
    lastUpdated: s.created,
    _links: {
      self: { href: self },
      resources: { href: `${self}/resources` },
      bindings: { href: `${self}/bindings` },
    },
  };
}

export function renderResource(
  org: string,
  store: OktaStore,
  s: ResourceSet,
  r: ResourceSet["resources"][number],
): Record<string, unknown> {
  return {
    id: r.id,
    orn: r.orn,
    created: s.created,
    lastUpdated: s.created,
    _links: {
      self: { href: store.iam.resourceHref(r.orn, org) },
      resource: { href: `${org}/api/v1/iam/resource-sets/${s.id}/resources/${r.id}` },
    },
  };
}
