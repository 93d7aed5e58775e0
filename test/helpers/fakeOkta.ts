/** In-memory Okta (reader + app admin) for unit tests. */
import type { OktaApp, OktaGroup, OktaUser } from "../../core/model/tenant";
import type { OktaAppAdmin, OktaReader } from "../../core/okta/api";
import type {
  OktaResourceSetResource,
  OktaRoleAssignment,
  OktaRolePermission,
} from "../../core/okta/roles";

export class FakeOkta implements OktaReader, OktaAppAdmin {
  listUsersCalls: Array<{ includeDeprovisioned?: boolean }> = [];
  /** Delay of each list, ms (to show concurrent reads). */
  listLatencyMs = 0;
  grantsError?: Error;
  /** CUSTOM role assignments by client id (the apps' `roles` are standard types). */
  customRoles = new Map<string, OktaRoleAssignment[]>();
  rolePermissions = new Map<string, OktaRolePermission[]>();
  resourceSets = new Map<string, OktaResourceSetResource[]>();

  constructor(
    public users: OktaUser[] = [],
    public groups: OktaGroup[] = [],
    public apps: OktaApp[] = [],
  ) {}

  async listUsers(opts?: { includeDeprovisioned?: boolean; onPage?: (count: number) => void }) {
    this.listUsersCalls.push({ includeDeprovisioned: opts?.includeDeprovisioned });
    await delay(this.listLatencyMs);
    const out = this.users.filter(
      (u) => opts?.includeDeprovisioned || u.status !== "DEPROVISIONED",
    );
    opts?.onPage?.(out.length);
    return structuredClone(out);
  }
  async listGroups(opts?: { onPage?: (count: number) => void }) {
    await delay(this.listLatencyMs);
    opts?.onPage?.(this.groups.length);
    return structuredClone(this.groups);
  }
  async getUser(idOrLogin: string) {
    return this.users.find((u) => u.id === idOrLogin || u.profile.login === idOrLogin);
  }
  async getGroup(id: string) {
    return this.groups.find((g) => g.id === id);
  }
  async getApp(appId: string) {
    const a = this.apps.find((x) => x.id === appId);
    return a ? structuredClone(a) : undefined;
  }
  async updateApp(appId: string, app: OktaApp) {
    this.apps = this.apps.map((a) => (a.id === appId ? structuredClone(app) : a));
    return structuredClone(app);
  }
  async listAppGrants(appId: string) {
    if (this.grantsError) throw this.grantsError;
    return [...(this.apps.find((a) => a.id === appId)?.grants ?? [])];
  }
  async listClientRoles(clientId: string): Promise<OktaRoleAssignment[]> {
    const app = this.apps.find((a) => a.credentials.oauthClient.client_id === clientId);
    return [
      ...(app?.roles ?? []).map((type) => ({ kind: "standard" as const, id: type, type })),
      ...(this.customRoles.get(clientId) ?? []),
    ];
  }
  async listRolePermissions(roleIdOrLabel: string) {
    const p = this.rolePermissions.get(roleIdOrLabel);
    if (!p) throw new Error(`no custom role ${roleIdOrLabel}`);
    return structuredClone(p);
  }
  async listResourceSetResources(resourceSetId: string) {
    const r = this.resourceSets.get(resourceSetId);
    if (!r) throw new Error(`no resource set ${resourceSetId}`);
    return structuredClone(r);
  }
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/** A correctly configured AIM service app (override fields per test). */
export function aimApp(overrides: Partial<OktaApp> = {}): OktaApp {
  return {
    id: "0oaaimapp000000001",
    name: "oidc_client",
    label: "Databricks AIM",
    status: "ACTIVE",
    signOnMode: "OPENID_CONNECT",
    credentials: {
      oauthClient: {
        client_id: "0oaaimapp000000001",
        token_endpoint_auth_method: "private_key_jwt",
      },
    },
    settings: {
      oauthClient: {
        application_type: "service",
        grant_types: ["client_credentials"],
        response_types: ["token"],
        dpop_bound_access_tokens: false,
        jwks: {
          keys: [
            {
              kid: "key-1",
              kty: "RSA",
              alg: "RS256",
              use: "sig",
              e: "AQAB",
              n: "abc",
              status: "ACTIVE",
            },
          ],
        },
      },
    },
    grants: ["okta.users.read", "okta.groups.read"],
    roles: ["READ_ONLY_ADMIN"],
    ...overrides,
  };
}
