/**
 * The three Okta resources this project declares, as the stand-in serves
 * them: the requests, their order and their bodies follow the real
 * terraform-provider-okta as recorded in its acceptance tests (go-vcr
 * cassettes of okta_app_oauth with JWKS, okta_app_oauth_role_assignment) and
 * as its source reads for okta_app_oauth_api_scope. Property names are the
 * @pulumi/okta SDK's (camelCase), as the Terraform bridge presents them.
 */
import type { OktaHttp } from "./oktaHttp";
import { OktaApiError } from "./oktaHttp";

export type Props = Record<string, unknown>;

/** The engine's marker for a value not known until another resource exists (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface ResourceType {
  /** Defaults and validation, as the provider's schema applies them. */
  check(news: Props): { inputs: Props; failures: CheckFailure[] };
  /** Properties whose change needs a new resource (ForceNew in the Terraform schema). */
  replaceOn: string[];
  /** Input properties compared by diff. */
  compared: string[];
  /** Of those, the ones the Terraform schema types as sets (order does not matter). */
  sets?: string[];
  create(api: OktaHttp, inputs: Props): Promise<{ id: string; outs: Props }>;
  /** undefined: the resource is gone. */
  read(api: OktaHttp, id: string, state: Props): Promise<Props | undefined>;
  update(api: OktaHttp, id: string, olds: Props, news: Props): Promise<Props>;
  delete(api: OktaHttp, id: string, state: Props): Promise<void>;
}

const str = (v: unknown, d = ""): string => (typeof v === "string" ? v : d);
const bool = (v: unknown, d: boolean): boolean => (typeof v === "boolean" ? v : d);
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];

interface AppJwk {
  kid: string;
  kty: string;
  e?: string;
  n?: string;
  status?: string;
}

interface OktaAppBody {
  id: string;
  label: string;
  status: string;
  signOnMode: string;
  credentials: { oauthClient: Record<string, unknown> };
  settings: { oauthClient: Record<string, unknown> & { jwks?: { keys?: AppJwk[] } } };
}

const OAUTH_DEFAULTS: Props = {
  status: "ACTIVE",
  issuerMode: "ORG_URL",
  consentMethod: "TRUSTED",
  autoKeyRotation: true,
  hideIos: true,
  hideWeb: true,
  pkceRequired: false,
  omitSecret: false,
  userNameTemplate: "${source.login}",
  userNameTemplateType: "BUILT_IN",
  wildcardRedirect: "DISABLED",
  loginMode: "DISABLED",
};

/** The app body as the provider builds it (field order and defaults of the recorded POST). */
function appBody(p: Props): Props {
  const jwks = Array.isArray(p.jwks)
    ? (p.jwks as AppJwk[]).map((k) => ({
        e: k.e,
        kid: k.kid,
        kty: k.kty,
        n: k.n,
        status: "ACTIVE",
      }))
    : undefined;
  return {
    accessibility: {},
    credentials: {
      oauthClient: {
        autoKeyRotation: bool(p.autoKeyRotation, true),
        pkce_required: bool(p.pkceRequired, false),
        token_endpoint_auth_method: str(p.tokenEndpointAuthMethod, "client_secret_basic"),
      },
      userNameTemplate: {
        template: str(p.userNameTemplate, "${source.login}"),
        type: str(p.userNameTemplateType, "BUILT_IN"),
      },
    },
    label: p.label,
    name: "oidc_client",
    settings: {
      notes: {},
      oauthClient: {
        application_type: p.type,
        consent_method: str(p.consentMethod, "TRUSTED"),
        // The recorded provider sends this on every create and update.
        dpop_bound_access_tokens: false,
        grant_types: list(p.grantTypes),
        idp_initiated_login: { default_scope: [], mode: str(p.loginMode, "DISABLED") },
        issuer_mode: str(p.issuerMode, "ORG_URL"),
        ...(jwks ? { jwks: { keys: jwks } } : {}),
        response_types: list(p.responseTypes),
        wildcard_redirect: str(p.wildcardRedirect, "DISABLED"),
      },
    },
    signOnMode: "OPENID_CONNECT",
    visibility: { hide: { iOS: bool(p.hideIos, true), web: bool(p.hideWeb, true) } },
  };
}

function appOutputs(inputs: Props, app: OktaAppBody): Props {
  const oc = app.settings.oauthClient;
  const keys = oc.jwks?.keys ?? [];
  return {
    ...inputs,
    label: app.label,
    status: app.status,
    type: oc.application_type,
    clientId: app.credentials.oauthClient.client_id,
    tokenEndpointAuthMethod: app.credentials.oauthClient.token_endpoint_auth_method,
    pkceRequired: app.credentials.oauthClient.pkce_required,
    grantTypes: oc.grant_types,
    responseTypes: oc.response_types,
    issuerMode: oc.issuer_mode,
    consentMethod: oc.consent_method,
    signOnMode: app.signOnMode,
    name: "oidc_client",
    jwks: keys.map((k) => ({ kid: k.kid, kty: k.kty, e: k.e, n: k.n })),
    // private_key_jwt apps have no secret; omitSecret keeps one out of state anyway.
    clientSecret: undefined,
  };
}

async function getOrGone<T>(api: OktaHttp, path: string): Promise<T | undefined> {
  try {
    return (await api.request<T>("GET", path)).body;
  } catch (err) {
    if (err instanceof OktaApiError && err.status === 404) return undefined;
    throw err;
  }
}

export const oauthApp: ResourceType = {
  replaceOn: ["type"],
  sets: ["grantTypes", "responseTypes"],
  compared: [
    "label",
    "type",
    "grantTypes",
    "responseTypes",
    "tokenEndpointAuthMethod",
    "jwks",
    "pkceRequired",
    "status",
    "omitSecret",
    "issuerMode",
  ],
  check(news) {
    const inputs: Props = { ...OAUTH_DEFAULTS, ...dropUndefined(news) };
    const failures: CheckFailure[] = [];
    if (!str(inputs.label)) failures.push({ property: "label", reason: "label is required" });
    if (!["web", "native", "browser", "service"].includes(str(inputs.type)))
      failures.push({
        property: "type",
        reason: 'expected type to be one of ["web" "native" "browser" "service"]',
      });
    if (
      inputs.tokenEndpointAuthMethod === "private_key_jwt" &&
      !Array.isArray(inputs.jwks) &&
      inputs.jwks !== UNKNOWN &&
      !inputs.jwksUri
    )
      failures.push({
        property: "jwks",
        reason:
          "'jwks' or 'jwks_uri' is required when 'token_endpoint_auth_method' is 'private_key_jwt'",
      });
    return { inputs, failures };
  },
  async create(api, inputs) {
    const activate = inputs.status !== "INACTIVE";
    const created = (
      await api.request<OktaAppBody>("POST", `/api/v1/apps?activate=${activate}`, appBody(inputs))
    ).body;
    await setIdTokenIssuer(api, created.id, inputs);
    const outs = await oauthApp.read(api, created.id, inputs);
    if (!outs) throw new Error(`okta: app ${created.id} vanished right after it was created`);
    return { id: created.id, outs };
  },
  async read(api, id, state) {
    const app = await getOrGone<OktaAppBody>(api, `/api/v1/apps/${id}`);
    if (!app) return undefined;
    // The provider reads the org type (Classic or Identity Engine) and the issuer settings on every read.
    await api.request("GET", "/.well-known/okta-organization");
    await api.request("GET", `/api/v1/internal/apps/${id}/settings/oauth/idToken`);
    return appOutputs(state, app);
  },
  async update(api, id, olds, news) {
    await api.request("PUT", `/api/v1/apps/${id}`, appBody(news));
    if (olds.status !== news.status)
      await api.request(
        "POST",
        `/api/v1/apps/${id}/lifecycle/${news.status === "INACTIVE" ? "deactivate" : "activate"}`,
      );
    await setIdTokenIssuer(api, id, news);
    const outs = await oauthApp.read(api, id, news);
    if (!outs) throw new Error(`okta: app ${id} is gone`);
    return outs;
  },
  async delete(api, id) {
    if (!(await getOrGone(api, `/api/v1/apps/${id}`))) return;
    await api.request("POST", `/api/v1/apps/${id}/lifecycle/deactivate`);
    await api.request("DELETE", `/api/v1/apps/${id}`);
  },
};

/** setAppOauthGroupsClaim with no groups claim: only the issuer mode (API-token auth only, as in the provider). */
async function setIdTokenIssuer(api: OktaHttp, id: string, p: Props): Promise<void> {
  if (!api.usesApiToken) return;
  await api.request("POST", `/api/v1/internal/apps/${id}/settings/oauth/idToken`, {
    issuerMode: str(p.issuerMode, "ORG_URL"),
  });
}

interface Grant {
  id: string;
  scopeId: string;
  issuer: string;
  status: string;
}

async function activeGrants(api: OktaHttp, appId: string): Promise<Grant[]> {
  const grants = (await api.request<Grant[]>("GET", `/api/v1/apps/${appId}/grants`)).body ?? [];
  return grants.filter((g) => g.status === "ACTIVE");
}

/** Grants exactly the listed scopes: missing ones are granted, others revoked (the provider's behaviour). */
async function syncGrants(api: OktaHttp, p: Props): Promise<void> {
  const appId = str(p.appId);
  const wanted = new Set(list(p.scopes));
  const current = await activeGrants(api, appId);
  for (const scope of wanted)
    if (!current.some((g) => g.scopeId === scope))
      await api.request("POST", `/api/v1/apps/${appId}/grants`, {
        issuer: p.issuer,
        scopeId: scope,
      });
  for (const g of current)
    if (!wanted.has(g.scopeId)) await api.request("DELETE", `/api/v1/apps/${appId}/grants/${g.id}`);
}

export const apiScope: ResourceType = {
  replaceOn: ["appId"],
  compared: ["appId", "issuer", "scopes"],
  sets: ["scopes"],
  check(news) {
    const inputs = dropUndefined(news);
    const failures: CheckFailure[] = [];
    if (list(inputs.scopes).length === 0)
      failures.push({ property: "scopes", reason: "scopes must list at least one scope" });
    return { inputs, failures };
  },
  async create(api, inputs) {
    await syncGrants(api, inputs);
    const outs = await apiScope.read(api, str(inputs.appId), inputs);
    return { id: str(inputs.appId), outs: outs ?? inputs };
  },
  async read(api, id, state) {
    if (!(await getOrGone(api, `/api/v1/apps/${id}`))) return undefined;
    const grants = await activeGrants(api, id);
    return { ...state, appId: id, scopes: grants.map((g) => g.scopeId).sort() };
  },
  async update(api, id, _olds, news) {
    await syncGrants(api, news);
    return (await apiScope.read(api, id, news)) ?? news;
  },
  async delete(api, id, state) {
    const grants = await activeGrants(api, id).catch(() => [] as Grant[]);
    for (const g of grants)
      if (list(state.scopes).includes(g.scopeId))
        await api.request("DELETE", `/api/v1/apps/${id}/grants/${g.id}`);
  },
};

interface RoleAssignment {
  id: string;
  type: string;
  label: string;
  status: string;
}

export const roleAssignment: ResourceType = {
  replaceOn: ["clientId", "type", "resourceSet", "role"],
  compared: ["clientId", "type", "resourceSet", "role"],
  check(news) {
    const inputs = dropUndefined(news);
    const failures: CheckFailure[] = [];
    if (!str(inputs.clientId))
      failures.push({ property: "clientId", reason: "clientId is required" });
    if (!str(inputs.type)) failures.push({ property: "type", reason: "type is required" });
    return { inputs, failures };
  },
  async create(api, inputs) {
    const role = (
      await api.request<RoleAssignment>(
        "POST",
        `/oauth2/v1/clients/${str(inputs.clientId)}/roles`,
        {
          type: inputs.type,
        },
      )
    ).body;
    const outs = await roleAssignment.read(api, role.id, inputs);
    return { id: role.id, outs: outs ?? inputs };
  },
  async read(api, id, state) {
    const role = await getOrGone<RoleAssignment>(
      api,
      `/oauth2/v1/clients/${str(state.clientId)}/roles/${id}`,
    );
    if (!role) return undefined;
    return { ...state, type: role.type, label: role.label, status: role.status };
  },
  async update(_api, _id, _olds, news) {
    return news; // every compared property replaces
  },
  async delete(api, id, state) {
    if (!(await getOrGone(api, `/oauth2/v1/clients/${str(state.clientId)}/roles/${id}`))) return;
    await api.request("DELETE", `/oauth2/v1/clients/${str(state.clientId)}/roles/${id}`);
  },
};

export const RESOURCE_TYPES: Record<string, ResourceType> = {
  "okta:app/oAuth:OAuth": oauthApp,
  "okta:index/appOauthApiScope:AppOauthApiScope": apiScope,
  "okta:app/oauthRoleAssignment:OauthRoleAssignment": roleAssignment,
};

function dropUndefined(p: Props): Props {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== null));
}
