/**
 * In-memory Databricks account for unit tests: implements the reader and
 * writer interfaces over a fixture, records every call, and lets a test
 * inject failures, latency or a concurrent change before a write.
 */
import type {
  AimAdmin,
  AimConnectionState,
  AimConnectionTestResult,
  DatabricksIamV2,
  DatabricksIdentity,
  DatabricksIdentityReader,
  DatabricksIdentityWriter,
} from "../../core/databricks/api";
import { HttpError } from "../../core/http/errors";
import { journalAuth, type JournalAuth } from "../../core/reconcile/journal";
import type { IdentityKind, WriteRoute } from "../../core/model/plan";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  TenantFixture,
} from "../../core/model/tenant";

export interface WriteCall {
  kind: IdentityKind;
  id: string;
  externalId: string | null;
  route: WriteRoute;
}

export class FakeDatabricks implements DatabricksIdentityReader, DatabricksIdentityWriter {
  readonly store: Record<IdentityKind, Map<string, DatabricksIdentity>> = {
    user: new Map(),
    group: new Map(),
    servicePrincipal: new Map(),
  };
  readonly writes: WriteCall[] = [];
  readonly getByIdsCalls: Array<{ kind: IdentityKind; ids: string[] }> = [];
  listCalls = 0;
  /** Called before a write is applied; throw to fail it, or mutate the store. */
  beforeWrite?: (call: WriteCall, attempt: number) => void | Promise<void>;
  /** Delay of every write, ms. */
  writeLatencyMs = 0;
  /** In-flight writes now and at most. */
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    fixture?: Pick<TenantFixture["databricks"], "users" | "groups" | "servicePrincipals">,
  ) {
    for (const u of fixture?.users ?? []) this.store.user.set(u.id, structuredClone(u));
    for (const g of fixture?.groups ?? []) this.store.group.set(g.id, structuredClone(g));
    for (const s of fixture?.servicePrincipals ?? [])
      this.store.servicePrincipal.set(s.id, structuredClone(s));
  }

  /** The fake's own credential for the undo journal's key (fixed: tests may re-create the fake). */
  journalAuth(explicitKey?: string): JournalAuth {
    return journalAuth(explicitKey ?? "fake-databricks-credential", "acc-fake", "http://127.0.0.1");
  }

  externalIdOf(kind: IdentityKind, id: string): string | null | undefined {
    return this.store[kind].get(id)?.externalId;
  }

  writesTo(kind: IdentityKind, id: string): number {
    return this.writes.filter((w) => w.kind === kind && w.id === id).length;
  }

  async listUsers(opts?: { onPage?: (count: number) => void }) {
    return this.list<DatabricksUser>("user", opts);
  }
  async listGroups(opts?: { onPage?: (count: number) => void }) {
    return this.list<DatabricksGroup>("group", opts);
  }
  async listServicePrincipals(opts?: { onPage?: (count: number) => void }) {
    return this.list<DatabricksServicePrincipal>("servicePrincipal", opts);
  }

  private async list<T extends DatabricksIdentity>(
    kind: IdentityKind,
    opts?: { onPage?: (count: number) => void },
  ): Promise<T[]> {
    this.listCalls++;
    await Promise.resolve();
    const all = [...this.store[kind].values()].map((x) => structuredClone(x) as T);
    opts?.onPage?.(all.length);
    return all;
  }

  async getByIds(kind: IdentityKind, ids: string[]): Promise<DatabricksIdentity[]> {
    this.getByIdsCalls.push({ kind, ids: [...ids] });
    await Promise.resolve();
    return ids.flatMap((id) => {
      const found = this.store[kind].get(id);
      return found ? [structuredClone(found)] : [];
    });
  }

  async setExternalId(
    kind: IdentityKind,
    id: string,
    externalId: string | null,
    route: WriteRoute,
  ) {
    const call = { kind, id, externalId, route };
    const attempt = this.writes.filter((w) => w.kind === kind && w.id === id).length + 1;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      this.writes.push(call);
      if (this.writeLatencyMs) await new Promise((r) => setTimeout(r, this.writeLatencyMs));
      await this.beforeWrite?.(call, attempt);
      const target = this.store[kind].get(id);
      if (!target)
        throw new HttpError({
          service: "databricks",
          kind: "NOT_FOUND",
          status: 404,
          method: "PATCH",
          url: `http://127.0.0.1/fake/${kind}/${id}`,
          message: `PATCH ${kind} ${id} returned 404`,
        });
      target.externalId = externalId;
    } finally {
      this.inFlight--;
    }
  }
}

export function serverError(message = "PATCH returned 503 (TEMPORARILY_UNAVAILABLE)"): HttpError {
  return new HttpError({
    service: "databricks",
    kind: "SERVER",
    status: 503,
    method: "PATCH",
    url: "http://127.0.0.1/fake",
    serviceCode: "TEMPORARILY_UNAVAILABLE",
    message,
  });
}

/** AimAdmin + iamv2 in memory, for preflight. */
export class FakeAim implements AimAdmin {
  readonly mode = "api" as const;
  state: AimConnectionState = { configured: false, enabled: false };
  testResult: AimConnectionTestResult = {
    success: true,
    steps: [
      { name: "token", ok: true, message: "access token obtained" },
      { name: "read_user", ok: true, message: "read 1 user" },
      { name: "read_group", ok: true, message: "read 1 group" },
    ],
  };
  testError?: Error;
  readonly testCalls: Array<{ oktaOrgUrl: string; clientId: string; privateKey: string }> = [];

  async read() {
    return { ...this.state };
  }
  async test(config: { oktaOrgUrl: string; clientId: string; privateKey: string }) {
    this.testCalls.push(config);
    if (this.testError) throw this.testError;
    return structuredClone(this.testResult);
  }
  async configure(config: { oktaOrgUrl: string; clientId: string; privateKey: string }) {
    this.state = {
      ...this.state,
      configured: true,
      oktaOrgUrl: config.oktaOrgUrl,
      clientId: config.clientId,
    };
    return { ...this.state };
  }
  async enable() {
    this.state.enabled = true;
    return { ...this.state };
  }
  async disable() {
    this.state.enabled = false;
    return { ...this.state };
  }
}

export class FakeIamV2 implements DatabricksIamV2 {
  constructor(public aimOn: () => boolean) {}
  async getByExternalId(_kind: IdentityKind, _externalId: string) {
    if (!this.aimOn())
      throw new HttpError({
        service: "databricks",
        kind: "BAD_REQUEST",
        status: 400,
        method: "GET",
        url: "http://127.0.0.1/fake/external-users/x",
        serviceCode: "FAILED_PRECONDITION",
        serviceMessage: "account is not onboarded onto automatic identity management",
        message:
          "GET external-users returned 400 (FAILED_PRECONDITION: account is not onboarded onto automatic identity management)",
      });
    return undefined;
  }
}
