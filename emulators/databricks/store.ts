/**
 * The Databricks emulator's account state: identities (by id, in insertion
 * order, which is the listing order) and the AIM connection. Tests may read
 * and mutate the maps directly; secondary look-ups (by userName, externalId)
 * scan, which stays in the low milliseconds at 100,000 identities and cannot
 * go stale when a test edits an identity in place.
 */
import crypto from "node:crypto";
import type {
  DatabricksEmail,
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  TenantFixture,
} from "../../core/model/tenant";

export interface StoredUser extends DatabricksUser {
  name?: { givenName?: string; familyName?: string };
  emails?: DatabricksEmail[];
}

export interface StoredGroup extends DatabricksGroup {
  /** Kept so a GET by id can return them; lists never include members. */
  members?: Array<{ value: string; display?: string }>;
}

export type StoredServicePrincipal = DatabricksServicePrincipal;

export type ScimKind = "Users" | "Groups" | "ServicePrincipals";

/**
 * A Map whose version changes on every membership change, so that the
 * listing array can be cached between requests (100,000 identities, one page
 * of 100 per request) and still see identities that tests add or remove.
 */
export class VersionedMap<K, V> extends Map<K, V> {
  version = 0;
  override set(key: K, value: V): this {
    this.version++;
    return super.set(key, value);
  }
  override delete(key: K): boolean {
    this.version++;
    return super.delete(key);
  }
  override clear(): void {
    this.version++;
    super.clear();
  }
}

/** The stored AIM connection: the private key stays here and is never rendered. */
export interface AimConnectionRecord {
  oktaOrgUrl: string;
  clientId: string;
  privateKey: string;
  /** Optional `kid` for the assertion header (an assumption; see docs/aim-admin-api.md). */
  keyId?: string;
  updateTime: string;
}

export interface AimTestRecord {
  /** Fingerprint of the tested configuration (sha256 over url, client id, key, key id). */
  fingerprint: string;
  success: boolean;
  at: string;
}

export class DatabricksStore {
  readonly users = new VersionedMap<string, StoredUser>();
  readonly groups = new VersionedMap<string, StoredGroup>();
  readonly servicePrincipals = new VersionedMap<string, StoredServicePrincipal>();
  /** Whether the account is onboarded onto AIM (the connection's `enabled`). */
  aimEnabled = false;
  connection: AimConnectionRecord | undefined;
  /** The latest test result per configuration fingerprint. */
  readonly connectionTests = new Map<string, AimTestRecord>();
  /**
   * Accepted writes per identity id (SCIM PATCH/PUT, iamv2 PATCH), dropped ones
   * included: what "every link written exactly once" is counted on.
   */
  readonly writeCounts = new Map<string, number>();

  noteWrite(id: string): void {
    this.writeCounts.set(id, (this.writeCounts.get(id) ?? 0) + 1);
  }

  private listCache = new Map<ScimKind, { version: number; items: unknown[] }>();

  constructor(readonly accountId: string) {}

  load(fixture: TenantFixture["databricks"]): void {
    for (const u of fixture.users) this.users.set(u.id, structuredClone(u));
    for (const g of fixture.groups) this.groups.set(g.id, structuredClone(g));
    for (const s of fixture.servicePrincipals) this.servicePrincipals.set(s.id, structuredClone(s));
  }

  mapFor(kind: ScimKind): VersionedMap<string, StoredUser | StoredGroup | StoredServicePrincipal> {
    if (kind === "Users") return this.users;
    if (kind === "Groups") return this.groups;
    return this.servicePrincipals;
  }

  /** All identities of a kind in listing order (cached until membership changes). */
  all(kind: ScimKind): Array<StoredUser | StoredGroup | StoredServicePrincipal> {
    const map = this.mapFor(kind);
    const cached = this.listCache.get(kind);
    if (cached && cached.version === map.version)
      return cached.items as Array<StoredUser | StoredGroup | StoredServicePrincipal>;
    const items = [...map.values()];
    this.listCache.set(kind, { version: map.version, items });
    return items;
  }

  /** A fresh numeric id in Databricks' style (16 digits), unique across kinds. */
  newId(): string {
    for (;;) {
      // Two parts: crypto.randomInt's range is limited to 2^48.
      const id =
        String(crypto.randomInt(100_000_000, 1_000_000_000)) +
        String(crypto.randomInt(0, 10_000_000)).padStart(7, "0");
      if (!this.users.has(id) && !this.groups.has(id) && !this.servicePrincipals.has(id)) return id;
    }
  }

  findUsersByUserName(userName: string): StoredUser[] {
    const needle = userName.trim().toLowerCase();
    const out: StoredUser[] = [];
    for (const u of this.users.values()) if (u.userName.toLowerCase() === needle) out.push(u);
    return out;
  }

  findByExternalId(
    kind: ScimKind,
    externalId: string,
  ): StoredUser | StoredGroup | StoredServicePrincipal | undefined {
    for (const x of this.mapFor(kind).values()) if (x.externalId === externalId) return x;
    return undefined;
  }
}
