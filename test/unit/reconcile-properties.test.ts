import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IdentityKind, Plan, ReconcileRules } from "../../core/model/plan";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  OktaGroup,
  OktaUser,
} from "../../core/model/tenant";
import { planLinks } from "../../core/reconcile/plan";
import { normalizeName } from "../../core/reconcile/normalize";
import { gid, uid } from "./reconcile-builders";

// Small pools so that collisions (shared emails, ambiguous names, duplicates) are common.
const LOCALS = ["ann", "bob", "cy", "dee"];
const DOMAINS = ["x.com", "corp.x.com"];
const VARIANT = [(s: string) => s, (s: string) => s.toUpperCase(), (s: string) => ` ${s} `];
const GROUP_NAMES = ["Ops", "ops", "Finance", "Everyone", "Data"];

const nameArb = fc
  .tuple(fc.constantFrom(...LOCALS), fc.constantFrom(...DOMAINS))
  .map(([l, d]) => `${l}@${d}`);

const oktaUsersArb = fc
  .array(
    fc.record({
      login: nameArb,
      email: nameArb,
      deprovisioned: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
    }),
    { maxLength: 6 },
  )
  .map((xs) =>
    xs.map((x, i): OktaUser => ({
      id: uid(i + 1),
      status: x.deprovisioned ? "DEPROVISIONED" : "ACTIVE",
      profile: { login: x.login, email: x.email },
    })),
  );

const oktaGroupsArb = fc
  .array(
    fc.record({
      name: fc.constantFrom(...GROUP_NAMES),
      type: fc.constantFrom("OKTA_GROUP" as const, "APP_GROUP" as const, "BUILT_IN" as const),
    }),
    { maxLength: 5 },
  )
  .map((xs) =>
    xs.map((x, i): OktaGroup => ({ id: gid(i + 1), type: x.type, profile: { name: x.name } })),
  );

/** externalId choices: unset, "", a (maybe absent) Okta id, a foreign value. */
const extArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(""),
  fc.integer({ min: 1, max: 7 }).map(uid),
  fc.integer({ min: 1, max: 6 }).map(gid),
  fc.constant("foreign-guid"),
);

const dbUsersArb = fc
  .array(fc.record({ name: nameArb, variant: fc.integer({ min: 0, max: 2 }), ext: extArb }), {
    maxLength: 7,
  })
  .map((xs) => {
    const seen = new Set<string>();
    const out: DatabricksUser[] = [];
    xs.forEach((x, i) => {
      const userName = (VARIANT[x.variant] as (s: string) => string)(x.name);
      if (seen.has(normalizeName(userName))) return; // userNames are unique in Databricks
      seen.add(normalizeName(userName));
      out.push({ id: String(1000 + i), userName, externalId: x.ext });
    });
    return out;
  });

const dbGroupsArb = fc
  .array(fc.record({ name: fc.constantFrom(...GROUP_NAMES), ext: extArb }), { maxLength: 5 })
  .map((xs) => {
    const seen = new Set<string>();
    const out: DatabricksGroup[] = [];
    xs.forEach((x, i) => {
      if (seen.has(normalizeName(x.name))) return;
      seen.add(normalizeName(x.name));
      out.push({ id: String(2000 + i), displayName: x.name, externalId: x.ext });
    });
    return out;
  });

const spsArb = fc.array(fc.record({ ext: extArb }), { maxLength: 3 }).map((xs) =>
  xs.map((x, i): DatabricksServicePrincipal => ({
    id: String(3000 + i),
    applicationId: `app-${i}`,
    displayName: `sp-${i}`,
    externalId: x.ext,
  })),
);

const rulesArb: fc.Arbitrary<ReconcileRules> = fc.record({
  onConflict: fc.constantFrom("report" as const, "overwrite" as const),
  caseInsensitiveGroupNames: fc.boolean(),
  userOverrides: fc.dictionary(nameArb, fc.integer({ min: 1, max: 7 }).map(uid), { maxKeys: 2 }),
  groupOverrides: fc.dictionary(
    fc.constantFrom(...GROUP_NAMES),
    fc.integer({ min: 1, max: 6 }).map(gid),
    {
      maxKeys: 2,
    },
  ),
  servicePrincipalMappings: fc.dictionary(
    fc.constantFrom("app-0", "app-1", "app-9"),
    fc.oneof(fc.integer({ min: 1, max: 7 }).map(uid), fc.integer({ min: 1, max: 6 }).map(gid)),
    { maxKeys: 2 },
  ),
  exclude: fc.record({
    users: fc.array(fc.constantFrom("ann@*", "*@corp.x.com", "BOB@X.COM"), { maxLength: 1 }),
    groups: fc.array(fc.constantFrom("Ops", "Fin*", "?ata"), { maxLength: 1 }),
    servicePrincipals: fc.array(fc.constantFrom("sp-0", "app-1"), { maxLength: 1 }),
  }),
});

const tenantArb = fc.record({
  oktaUsers: oktaUsersArb,
  oktaGroups: oktaGroupsArb,
  users: dbUsersArb,
  groups: dbGroupsArb,
  sps: spsArb,
  rules: rulesArb,
});

type Tenant = typeof tenantArb extends fc.Arbitrary<infer T> ? T : never;

function run(t: Tenant): Plan {
  return planLinks(
    { users: t.oktaUsers, groups: t.oktaGroups },
    { users: t.users, groups: t.groups, servicePrincipals: t.sps },
    t.rules,
  );
}

const sum = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);

describe("planLinks properties (random small tenants)", () => {
  it("the generators reach every bucket and every finding code (the properties are not vacuous)", () => {
    const buckets = new Set<string>();
    const codes = new Set<string>();
    for (const t of fc.sample(tenantArb, { numRuns: 1500, seed: 7 })) {
      const p = run(t);
      for (const [kind, s] of Object.entries(p.summary)) {
        for (const [b, n] of Object.entries(s as Record<string, number>))
          if (n > 0) buckets.add(`${kind}.${b}`);
      }
      for (const f of p.findings) codes.add(f.code);
    }
    for (const b of ["link", "alreadyLinked", "conflict", "ambiguous", "duplicate", "unmatched"]) {
      expect(buckets).toContain(`users.${b}`);
      expect(buckets).toContain(`groups.${b}`);
    }
    expect([...codes].sort()).toEqual([
      "AMBIGUOUS_MATCH",
      "DUPLICATE_IDENTITY",
      "EXTERNAL_ID_CONFLICT",
      "EXTERNAL_ID_FOREIGN",
      "MAPPING_INVALID",
      "OKTA_EMAIL_EQUALS_OTHER_LOGIN",
      "OKTA_EMAIL_NOT_UNIQUE",
      "OKTA_USER_DEPROVISIONED",
      "OVERRIDE_INVALID",
      "USERNAME_DRIFT",
    ]);
  });

  it("puts every identity in exactly one bucket; actions equal the link buckets", () => {
    fc.assert(
      fc.property(tenantArb, (t) => {
        const p = run(t);
        expect(sum({ ...p.summary.users })).toBe(t.users.length);
        expect(sum({ ...p.summary.groups })).toBe(t.groups.length);
        expect(sum({ ...p.summary.servicePrincipals })).toBe(t.sps.length);
        expect(p.actions.length).toBe(
          p.summary.users.link + p.summary.groups.link + p.summary.servicePrincipals.link,
        );
        const ids = p.actions.map((a) => `${a.kind}:${a.databricksId}`);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 400 },
    );
  });

  it("never acts on an identity with a blocking finding, an already-linked identity, or (under report) an existing externalId", () => {
    fc.assert(
      fc.property(tenantArb, (t) => {
        const p = run(t);
        const byKey = new Map<string, { name: string; ext: string | null | undefined }>();
        const put = (kind: IdentityKind, id: string, name: string, ext?: string | null) =>
          byKey.set(`${kind}:${id}`, { name, ext });
        t.users.forEach((u) => put("user", u.id, u.userName, u.externalId));
        t.groups.forEach((g) => put("group", g.id, g.displayName, g.externalId));
        t.sps.forEach((s) => put("servicePrincipal", s.id, s.displayName, s.externalId));
        for (const a of p.actions) {
          const ident = byKey.get(`${a.kind}:${a.databricksId}`);
          expect(ident).toBeDefined();
          // The user-name key normalises; group/sp names are unique enough in this generator.
          const blocking = p.findings.filter(
            (f) =>
              f.severity === "error" &&
              f.kind === a.kind &&
              f.subjects.some((s) =>
                a.kind === "user"
                  ? normalizeName(s) === normalizeName(a.databricksName)
                  : s === a.databricksName,
              ),
          );
          expect(blocking).toEqual([]);
          const ext = ident?.ext === "" ? null : (ident?.ext ?? null);
          expect(ext).not.toBe(a.oktaId); // never re-link an already-linked identity
          expect(a.previousExternalId).toBe(ext);
          if (t.rules.onConflict === "report") expect(a.previousExternalId).toBeNull();
        }
      }),
      { numRuns: 400 },
    );
  });

  it("gives byte-identical plans for shuffled input order", () => {
    fc.assert(
      fc.property(tenantArb, fc.integer(), (t, seed) => {
        const shuffle = <T>(xs: T[]): T[] => {
          const out = [...xs];
          let s = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j] as T, out[i] as T];
          }
          return out;
        };
        const shuffled: Tenant = {
          ...t,
          oktaUsers: shuffle(t.oktaUsers),
          oktaGroups: shuffle(t.oktaGroups),
          users: shuffle(t.users),
          groups: shuffle(t.groups),
          sps: shuffle(t.sps),
        };
        expect(JSON.stringify(run(shuffled))).toBe(JSON.stringify(run(t)));
      }),
      { numRuns: 300 },
    );
  });

  it("sorts actions and findings by (kind, name) and subjects within findings", () => {
    fc.assert(
      fc.property(tenantArb, (t) => {
        const p = run(t);
        const order = { user: 0, group: 1, servicePrincipal: 2, tenant: 3 };
        for (let i = 1; i < p.actions.length; i++) {
          const a = p.actions[i - 1]!;
          const b = p.actions[i]!;
          expect(
            order[a.kind] < order[b.kind] ||
              (a.kind === b.kind && a.databricksName <= b.databricksName),
          ).toBe(true);
        }
        for (let i = 1; i < p.findings.length; i++) {
          expect(order[p.findings[i - 1]!.kind] <= order[p.findings[i]!.kind]).toBe(true);
        }
        for (const f of p.findings) expect([...f.subjects].sort()).toEqual(f.subjects);
      }),
      { numRuns: 200 },
    );
  });
});
