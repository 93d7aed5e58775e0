/**
 * AIM in the emulator: the assumed admin API (docs/aim-admin-api.md, base
 * `/api/2.0/accounts/{account_id}/aim/okta`), the connection test (a real
 * token exchange against the configured Okta org), and AIM's login-time and
 * resolve behaviour (reuse the identity whose externalId is the Okta id, else
 * create a new one: the documented duplicate).
 */
import type { EmulatorRequest, EmulatorResponse, Router } from "../common/server";
import { guarded, type EmulatorContext } from "./context";
import { databricksError, endpointNotFound, notOnboarded } from "./errors";
import {
  AIM_TOKEN_SCOPE,
  fingerprint,
  normaliseOrgUrl,
  OktaConnection,
  parsePrivateKey,
  type OktaConnectionConfig,
} from "./okta";
import type { StoredGroup, StoredServicePrincipal, StoredUser } from "./store";

export const AIM_BASE = "/api/2.0/accounts/:accountId/aim/okta";

export interface TestStep {
  name: string;
  ok: boolean;
  message: string;
}

export interface LoginResult {
  userId: string;
  created: boolean;
  duplicateOf: string[];
}

/** A refusal in the Databricks error shape. */
export class AimRefusal extends Error {
  constructor(readonly response: EmulatorResponse) {
    const body = response.body as { error_code: string; message: string };
    super(`${body.error_code}: ${body.message}`);
    this.name = "AimRefusal";
  }
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export class AimService {
  private connectionClient: OktaConnection | undefined;

  constructor(private readonly ctx: EmulatorContext) {}

  register(router: Router): void {
    const route = (
      method: string,
      sub: string,
      handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>,
    ) =>
      router.add(
        method,
        `${AIM_BASE}${sub}`,
        guarded(this.ctx, undefined, (r) => this.apiAbsent(r) ?? handler(r)),
      );
    route("GET", "/connection", () => this.read());
    route("PUT", "/connection", (r) => this.put(r));
    route("POST", "/connection/test", (r) => this.test(r));
    route("POST", "/connection/enable", () => this.enable());
    route("POST", "/connection/disable", () => this.disable());
  }

  /**
   * The account without the assumed admin API (behaviour `aimAdminApi`, default
   * "off-404"): the answer of a path it does not serve, or the "not enrolled" 403.
   * After authentication, as the iamv2 preview's off forms (the real order is unconfirmed).
   */
  private apiAbsent(req: EmulatorRequest): EmulatorResponse | undefined {
    const api = this.ctx.behaviour.aimAdminApi;
    if (api === "off-404") return endpointNotFound(req);
    if (api === "off-403")
      return databricksError(
        403,
        "PERMISSION_DENIED",
        "This account is not enrolled in the automatic identity management admin API preview.",
      );
    return undefined;
  }

  private render(): Record<string, unknown> {
    const conn = this.ctx.store.connection;
    if (!conn) throw new Error("no connection"); // callers check first
    const body: Record<string, unknown> = {
      idp: "okta",
      okta_org_url: conn.oktaOrgUrl,
      client_id: conn.clientId,
      private_key_configured: true,
      enabled: this.ctx.store.aimEnabled,
      update_time: conn.updateTime,
    };
    if (conn.keyId) body.key_id = conn.keyId;
    // The latest test of exactly the stored configuration (what enable requires).
    const last = this.ctx.store.connectionTests.get(fingerprint(conn));
    if (last) body.last_test = { success: last.success, time: last.at };
    return body;
  }

  private notConfigured(): EmulatorResponse {
    return databricksError(
      404,
      "RESOURCE_DOES_NOT_EXIST",
      "No Okta connection is configured for automatic identity management in this account.",
    );
  }

  private read(): EmulatorResponse {
    if (!this.ctx.store.connection) return this.notConfigured();
    return { status: 200, body: this.render() };
  }

  /** Validates a connection body; fields absent from it come from `fallback`. */
  private validate(
    body: unknown,
    fallback: OktaConnectionConfig | undefined,
  ): { ok: true; cfg: OktaConnectionConfig } | { ok: false; res: EmulatorResponse } {
    const bad = (message: string) => ({
      ok: false as const,
      res: databricksError(400, "INVALID_PARAMETER_VALUE", message),
    });
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body)))
      return bad("The request body must be a JSON object.");
    const b = (body ?? {}) as Record<string, unknown>;
    const url = normaliseOrgUrl(b.okta_org_url ?? fallback?.oktaOrgUrl);
    if (!url.ok) return bad(url.message);
    const clientId = b.client_id ?? fallback?.clientId;
    if (typeof clientId !== "string" || clientId.trim() === "")
      return bad("client_id is required: the client ID of the Okta API Services app");
    const privateKey = b.private_key ?? fallback?.privateKey;
    if (typeof privateKey !== "string" || privateKey.trim() === "")
      return bad(
        "private_key is required: the PEM (PKCS#8) private key of the Okta app's signing key",
      );
    // The message names the field and never echoes the key.
    if (!parsePrivateKey(privateKey))
      return bad(
        "private_key is not a usable private key: give a PEM (PKCS#8 or PKCS#1) RSA/EC private key or a private JWK",
      );
    const keyId = b.key_id ?? (b.private_key === undefined ? fallback?.keyId : undefined);
    if (keyId !== undefined && (typeof keyId !== "string" || keyId.trim() === ""))
      return bad("key_id must be a non-empty string (the kid of the key in the Okta app's JWKS)");
    return {
      ok: true,
      cfg: {
        oktaOrgUrl: url.url,
        clientId: clientId.trim(),
        privateKey,
        keyId: keyId as string | undefined,
      },
    };
  }

  private put(req: EmulatorRequest): EmulatorResponse {
    if (req.json === undefined)
      return databricksError(
        400,
        "INVALID_PARAMETER_VALUE",
        "The request body must be a JSON object.",
      );
    const v = this.validate(req.json, undefined);
    if (!v.ok) return v.res;
    this.ctx.store.connection = { ...v.cfg, updateTime: isoSeconds(this.ctx.now()) };
    this.connectionClient = undefined;
    return { status: 200, body: this.render() };
  }

  private async test(req: EmulatorRequest): Promise<EmulatorResponse> {
    if (req.text.trim() !== "" && req.json === undefined)
      return databricksError(
        400,
        "INVALID_PARAMETER_VALUE",
        "The request body must be a JSON object.",
      );
    const v = this.validate(req.json, this.ctx.store.connection);
    if (!v.ok) return v.res;
    const steps = await runConnectionTest(
      new OktaConnection(v.cfg, this.ctx.now, this.ctx.behaviour.aimSendsKid),
    );
    const success = steps.every((s) => s.ok);
    this.ctx.store.connectionTests.set(fingerprint(v.cfg), {
      fingerprint: fingerprint(v.cfg),
      success,
      at: isoSeconds(this.ctx.now()),
    });
    return { status: 200, body: { success, steps } };
  }

  private enable(): EmulatorResponse {
    const conn = this.ctx.store.connection;
    if (!conn)
      return databricksError(
        400,
        "FAILED_PRECONDITION",
        "The Okta connection is not configured; PUT the connection first.",
      );
    const last = this.ctx.store.connectionTests.get(fingerprint(conn));
    if (!last?.success)
      return databricksError(
        400,
        "FAILED_PRECONDITION",
        last
          ? "The last connection test of the configured Okta connection failed; fix it and test again before enabling."
          : "The configured Okta connection has not been tested; run the connection test before enabling.",
      );
    this.ctx.store.aimEnabled = true;
    return { status: 200, body: this.render() };
  }

  private disable(): EmulatorResponse {
    if (!this.ctx.store.connection) return this.notConfigured();
    this.ctx.store.aimEnabled = false;
    return { status: 200, body: this.render() };
  }

  /** The Okta reader for the stored connection (token cached across calls). */
  private okta(): OktaConnection | undefined {
    const conn = this.ctx.store.connection;
    if (!conn) return undefined;
    const sendsKid = this.ctx.behaviour.aimSendsKid;
    if (
      !this.connectionClient ||
      fingerprint(this.connectionClient.cfg) !== fingerprint(conn) ||
      this.connectionClient.sendsKid !== sendsKid
    )
      this.connectionClient = new OktaConnection(conn, this.ctx.now, sendsKid);
    return this.connectionClient;
  }

  /** Reads an Okta user or group through the connection; a refusal when that is impossible. */
  private async readOkta(path: string, what: string): Promise<Record<string, unknown>> {
    const okta = this.okta();
    if (!okta)
      throw new AimRefusal(
        databricksError(
          404,
          "RESOURCE_DOES_NOT_EXIST",
          `${what} was not found in the identity provider: no Okta connection is configured.`,
        ),
      );
    const res = await okta.get(path);
    if (res.status === 404)
      throw new AimRefusal(
        databricksError(
          404,
          "RESOURCE_DOES_NOT_EXIST",
          `${what} was not found in the identity provider.`,
        ),
      );
    if (!res.ok || !res.body || typeof res.body !== "object")
      throw new AimRefusal(
        databricksError(
          503,
          "TEMPORARILY_UNAVAILABLE",
          `Could not read ${what} from the identity provider: ${res.message}`,
        ),
      );
    return res.body as Record<string, unknown>;
  }

  private createUserFromOkta(
    oktaId: string,
    profile: Record<string, unknown>,
    login: string,
  ): StoredUser {
    const store = this.ctx.store;
    const given = typeof profile.firstName === "string" ? profile.firstName : undefined;
    const family = typeof profile.lastName === "string" ? profile.lastName : undefined;
    const email = typeof profile.email === "string" ? profile.email : login;
    const user: StoredUser = {
      id: store.newId(),
      userName: login,
      displayName: [given, family].filter(Boolean).join(" ") || login,
      active: true,
      emails: [{ value: email, type: "work", primary: true }],
      externalId: oktaId,
    };
    if (given !== undefined || family !== undefined)
      user.name = { givenName: given, familyName: family };
    // Deliberately no userName uniqueness check: this is the duplicate AIM creates.
    store.users.set(user.id, user);
    return user;
  }

  /** AIM's behaviour when an Okta user logs in (POST /__emulator/aim/login). */
  async login(oktaUserId: string, loginHint?: string): Promise<LoginResult> {
    const store = this.ctx.store;
    if (!store.aimEnabled)
      throw new AimRefusal(notOnboarded(this.ctx.behaviour.notOnboardedStatus));
    const duplicatesOf = (u: StoredUser) =>
      store
        .findUsersByUserName(u.userName)
        .filter((x) => x.id !== u.id)
        .map((x) => x.id);
    const linked = store.findByExternalId("Users", oktaUserId) as StoredUser | undefined;
    if (linked) return { userId: linked.id, created: false, duplicateOf: duplicatesOf(linked) };
    let profile: Record<string, unknown>;
    if (store.connection) {
      const user = await this.readOkta(
        `/api/v1/users/${encodeURIComponent(oktaUserId)}`,
        `Okta user ${oktaUserId}`,
      );
      profile = (user.profile ?? {}) as Record<string, unknown>;
    } else if (loginHint) profile = { login: loginHint };
    else
      throw new AimRefusal(
        databricksError(
          400,
          "INVALID_PARAMETER_VALUE",
          "login is required when no AIM connection is configured (the emulator cannot read the Okta user).",
        ),
      );
    if (typeof profile.login !== "string" || !profile.login)
      throw new AimRefusal(
        databricksError(503, "TEMPORARILY_UNAVAILABLE", `Okta user ${oktaUserId} has no login.`),
      );
    const created = this.createUserFromOkta(oktaUserId, profile, profile.login);
    return { userId: created.id, created: true, duplicateOf: duplicatesOf(created) };
  }

  /** resolve-by-external-id / external-users: get-or-create. */
  async resolveUser(externalId: string): Promise<StoredUser> {
    const store = this.ctx.store;
    if (!store.aimEnabled)
      throw new AimRefusal(notOnboarded(this.ctx.behaviour.notOnboardedStatus));
    const linked = store.findByExternalId("Users", externalId) as StoredUser | undefined;
    if (linked) return linked;
    const user = await this.readOkta(
      `/api/v1/users/${encodeURIComponent(externalId)}`,
      `User ${externalId}`,
    );
    const profile = (user.profile ?? {}) as Record<string, unknown>;
    const login = typeof profile.login === "string" ? profile.login : externalId;
    return this.createUserFromOkta(externalId, profile, login);
  }

  async resolveGroup(externalId: string): Promise<StoredGroup> {
    const store = this.ctx.store;
    if (!store.aimEnabled)
      throw new AimRefusal(notOnboarded(this.ctx.behaviour.notOnboardedStatus));
    const linked = store.findByExternalId("Groups", externalId) as StoredGroup | undefined;
    if (linked) return linked;
    const group = await this.readOkta(
      `/api/v1/groups/${encodeURIComponent(externalId)}`,
      `Group ${externalId}`,
    );
    const profile = (group.profile ?? {}) as Record<string, unknown>;
    const created: StoredGroup = {
      id: store.newId(),
      displayName: typeof profile.name === "string" ? profile.name : externalId,
      externalId,
    };
    // No displayName uniqueness check: AIM creates a second group beside an unlinked one.
    store.groups.set(created.id, created);
    return created;
  }

  async resolveServicePrincipal(externalId: string): Promise<StoredServicePrincipal> {
    const store = this.ctx.store;
    if (!store.aimEnabled)
      throw new AimRefusal(notOnboarded(this.ctx.behaviour.notOnboardedStatus));
    const linked = store.findByExternalId("ServicePrincipals", externalId) as
      StoredServicePrincipal | undefined;
    if (linked) return linked;
    // AIM for Okta syncs users and groups only.
    throw new AimRefusal(
      databricksError(
        404,
        "RESOURCE_DOES_NOT_EXIST",
        `Service principal ${externalId} was not found in the identity provider (Okta service principals are not synced).`,
      ),
    );
  }
}

/** The exchange AIM performs: token, one user, one group. Stops at the first failing step. */
export async function runConnectionTest(okta: OktaConnection): Promise<TestStep[]> {
  const steps: TestStep[] = [];
  const token = await okta.token();
  if (!token.ok) {
    steps.push({ name: "token", ok: false, message: token.message });
    return steps;
  }
  const granted = token.scope.split(/\s+/);
  const missing = AIM_TOKEN_SCOPE.split(" ").filter((s) => !granted.includes(s));
  steps.push({
    name: "token",
    ok: missing.length === 0,
    message: missing.length
      ? `access token lacks scopes ${missing.join(" ")}`
      : `access token obtained (scopes ${AIM_TOKEN_SCOPE})`,
  });
  if (missing.length) return steps;
  for (const [name, path, noun] of [
    ["read_user", "/api/v1/users?limit=1", "user"],
    ["read_group", "/api/v1/groups?limit=1", "group"],
  ] as const) {
    const res = await okta.get(path);
    if (!res.ok || !Array.isArray(res.body)) {
      steps.push({ name, ok: false, message: res.ok ? `${path}: not a list` : res.message });
      return steps;
    }
    const n = res.body.length;
    steps.push({ name, ok: true, message: `read ${n} ${noun}${n === 1 ? "" : "s"}` });
  }
  return steps;
}
