/**
 * Shared by the apply integration tests: a Databricks client for an
 * emulator, a small tenant with identities to link, hand-made link plans,
 * and a per-identity counter of externalId writes that the emulator's store
 * really applied (the request counter counts per route, not per identity).
 */
import {
  DatabricksAccountClient,
  type DatabricksClientOptions,
} from "../../core/databricks/client";
import type { PlanAction } from "../../core/model/plan";
import type { TenantFixture } from "../../core/model/tenant";
import type { DatabricksEmulator } from "../../emulators/databricks";

export function clientFor(
  emu: DatabricksEmulator,
  opts: DatabricksClientOptions = {},
): DatabricksAccountClient {
  return new DatabricksAccountClient(
    { host: emu.url, accountId: emu.accountId, auth: { kind: "token", token: emu.token } },
    opts,
  );
}

export type StoreKind = "users" | "groups" | "servicePrincipals";
const KIND_OF: Record<StoreKind, PlanAction["kind"]> = {
  users: "user",
  groups: "group",
  servicePrincipals: "servicePrincipal",
};

/**
 * Wraps every stored identity in a Proxy that counts assignments to
 * `externalId`. Both write routes of the emulator assign it exactly once per
 * successful PATCH (injected faults never reach the handler).
 */
export function countExternalIdWrites(emu: DatabricksEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const storeKind of ["users", "groups", "servicePrincipals"] as const) {
    const map = emu.store[storeKind] as unknown as Map<string, Record<string, unknown>>;
    for (const [id, obj] of [...map.entries()]) {
      const key = `${KIND_OF[storeKind]}:${id}`;
      map.set(
        id,
        new Proxy(obj, {
          set(target, prop, value) {
            if (prop === "externalId") counts.set(key, (counts.get(key) ?? 0) + 1);
            target[prop as string] = value;
            return true;
          },
        }),
      );
    }
  }
  return counts;
}

/** `n` unlinked users (some with "" externalId), `linked` already linked, groups, a local user, an SP. */
export function smallTenant(
  n: number,
  opts: { linked?: number; groups?: number; accountId?: string } = {},
): TenantFixture {
  const linked = opts.linked ?? 2;
  const groups = opts.groups ?? 2;
  const users = Array.from({ length: n + linked }, (_, i) => ({
    id: `00u${String(i).padStart(17, "0")}`,
    status: "ACTIVE" as const,
    profile: {
      login: `user${i}@example.com`,
      email: `user${i}@example.com`,
      firstName: "U",
      lastName: String(i),
    },
  }));
  const oktaGroups = Array.from({ length: groups }, (_, i) => ({
    id: `00g${String(i).padStart(17, "0")}`,
    type: "OKTA_GROUP" as const,
    profile: { name: `team-${i}`, description: null },
  }));
  return {
    okta: { users, groups: oktaGroups, apps: [] },
    databricks: {
      accountId: opts.accountId ?? "acc-apply-test",
      users: [
        ...users.map((u, i) => ({
          id: String(1000 + i),
          userName: u.profile.login,
          displayName: `U ${i}`,
          active: true,
          emails: [{ value: u.profile.email, primary: true }],
          externalId: i >= n ? u.id : i % 5 === 4 ? "" : null,
        })),
        {
          id: "9999",
          userName: "local-admin@example.com",
          displayName: "Local",
          active: true,
          externalId: null,
        },
      ],
      groups: oktaGroups.map((g, i) => ({
        id: String(5000 + i),
        displayName: g.profile.name,
        externalId: null,
      })),
      servicePrincipals: [
        {
          id: "7000",
          applicationId: "11111111-2222-3333-4444-555555555555",
          displayName: "ci-bot",
          externalId: null,
        },
      ],
    },
  };
}

/** smallTenant(4) plus two Okta users sharing an email that is a Databricks username (AMBIGUOUS_MATCH). */
export function tenantWithAmbiguity(): TenantFixture {
  const f = smallTenant(4);
  for (const i of [90, 91])
    f.okta.users.push({
      id: `00u${String(i).padStart(17, "0")}`,
      status: "ACTIVE",
      profile: { login: `twin${i}@example.com`, email: "shared@example.com" },
    });
  f.databricks.users.push({
    id: "8888",
    userName: "shared@example.com",
    active: true,
    externalId: null,
  });
  return f;
}

/** The links a correct plan of `smallTenant` contains (sorted as plans are: kind, then name). */
export function linkActions(f: TenantFixture): PlanAction[] {
  const byLogin = new Map(f.okta.users.map((u) => [u.profile.login, u.id]));
  const byName = new Map(f.okta.groups.map((g) => [g.profile.name, g.id]));
  const users: PlanAction[] = f.databricks.users.flatMap((u) => {
    const oktaId = byLogin.get(u.userName);
    if (!oktaId || (u.externalId ?? "") !== "") return [];
    return [
      {
        kind: "user" as const,
        databricksId: u.id,
        databricksName: u.userName,
        oktaId,
        matchedBy: "login" as const,
        previousExternalId: null,
      },
    ];
  });
  const groups: PlanAction[] = f.databricks.groups.flatMap((g) => {
    const oktaId = byName.get(g.displayName);
    if (!oktaId || (g.externalId ?? "") !== "") return [];
    return [
      {
        kind: "group" as const,
        databricksId: g.id,
        databricksName: g.displayName,
        oktaId,
        matchedBy: "name" as const,
        previousExternalId: null,
      },
    ];
  });
  const order = { group: 0, servicePrincipal: 1, user: 2 };
  return [...groups, ...users].sort(
    (a, b) => order[a.kind] - order[b.kind] || a.databricksName.localeCompare(b.databricksName),
  );
}

export function externalIdIn(
  emu: DatabricksEmulator,
  kind: PlanAction["kind"],
  id: string,
): string | null {
  const map =
    kind === "user"
      ? emu.store.users
      : kind === "group"
        ? emu.store.groups
        : emu.store.servicePrincipals;
  const v = map.get(id)?.externalId;
  return v === undefined || v === null || v === "" ? null : v;
}
