/**
 * Synthetic tenant generator: a deterministic (by seed) Okta org plus
 * Databricks account with chosen rates of every pathological case that
 * the matching rules (docs/matching.md) care about. Used by the emulators, the demo,
 * the tests and the benchmarks, so it must stay fast (100,000 users well
 * under 2 s) and allocate little beyond the fixture itself.
 */

import { prng } from "../common/faults";
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  OktaGroup,
  OktaGroupType,
  OktaUser,
  TenantFixture,
} from "../../core/model/tenant";

/**
 * Fractions (0..1). User rates are fractions of `users` (Okta users), group
 * rates fractions of `groups`. Whatever the named cases leave over is the
 * plain "unlinked, same login" case.
 */
export interface PathologyRates {
  /** Databricks user already carries the Okta id as externalId (OIN SCIM synced). */
  linked: number;
  /** Okta user with no Databricks user. */
  oktaOnly: number;
  /** Okta login differs from email; the Databricks userName is the email. */
  emailOnly: number;
  /** Databricks userName differs from the Okta login only in case. */
  caseVariant: number;
  /** Databricks userName carries leading/trailing whitespace. */
  whitespaceVariant: number;
  /** Databricks userName differs by Unicode form (decomposed é, fullwidth letters). */
  unicodeVariant: number;
  /** Two Okta users share one email (one pattern per hit, adds a second Okta user). */
  sharedEmail: number;
  /** One Okta user's email equals another's login (adds a second Okta user). */
  emailEqualsOtherLogin: number;
  /** The only Okta candidate is DEPROVISIONED. */
  deprovisionedOnly: number;
  /** Linked, but the Okta login/email changed since (name change). */
  usernameDrift: number;
  /** externalId from another IdP (a GUID), not an Okta id. */
  foreignExternalId: number;
  /** externalId is another Okta user's id. */
  conflictingExternalId: number;
  /** externalId is the empty string (counts as unset). */
  emptyExternalId: number;
  /** Two Databricks users (login and email) choose one Okta user. */
  duplicateIdentity: number;
  /** Databricks-only local users (no Okta counterpart), fraction of `users`. */
  databricksOnly: number;
  /** Groups: Databricks group already linked (groups usually lack externalId). */
  groupLinked: number;
  /** Okta group with no Databricks group. */
  groupOktaOnly: number;
  /** Databricks displayName differs from the Okta name only in case. */
  groupCaseVariant: number;
  /** An APP_GROUP with the same name as an OKTA_GROUP (adds an Okta group). */
  groupDuplicateName: number;
  /** Databricks group externalId from another IdP. */
  groupForeignExternalId: number;
  /** Databricks group externalId is another Okta group's id. */
  groupConflictingExternalId: number;
  /** Databricks group externalId is "". */
  groupEmptyExternalId: number;
  /** A renamed Databricks copy still carries the Okta group's id beside a same-name group. */
  groupDuplicateIdentity: number;
  /** Databricks-only local groups, fraction of `groups`. */
  groupDatabricksOnly: number;
  /** Service principals with a (foreign) externalId, fraction of service principals. */
  servicePrincipalForeignExternalId: number;
}

export const DEFAULT_RATES: PathologyRates = {
  linked: 0.4,
  oktaOnly: 0.05,
  emailOnly: 0.03,
  caseVariant: 0.01,
  whitespaceVariant: 0.004,
  unicodeVariant: 0.004,
  sharedEmail: 0.004,
  emailEqualsOtherLogin: 0.003,
  deprovisionedOnly: 0.005,
  usernameDrift: 0.005,
  foreignExternalId: 0.005,
  conflictingExternalId: 0.003,
  emptyExternalId: 0.01,
  duplicateIdentity: 0.003,
  databricksOnly: 0.03,
  groupLinked: 0.1,
  groupOktaOnly: 0.05,
  groupCaseVariant: 0.02,
  groupDuplicateName: 0.02,
  groupForeignExternalId: 0.01,
  groupConflictingExternalId: 0.01,
  groupEmptyExternalId: 0.02,
  groupDuplicateIdentity: 0.005,
  groupDatabricksOnly: 0.05,
  servicePrincipalForeignExternalId: 0.1,
};

export interface GenerateTenantOptions {
  /** Number of Okta user "slots"; pair pathologies add a second Okta user. */
  users: number;
  /** Okta groups (default 10% of users, at least 1). */
  groups?: number;
  /** Databricks service principals (default 1% of users, at least 2). */
  servicePrincipals?: number;
  seed?: number;
  rates?: Partial<PathologyRates>;
  accountId?: string;
}

const FIRST_NAMES = [
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
  "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
  "Carlos", "Karen", "Wei", "Priya", "Ahmed", "Fatima", "Hiroshi", "Yuki", "Olga", "Ivan",
  "Sofia", "Lucas", "Amara", "Kwame", "Ingrid", "Lars", "Mateo", "Valentina", "Noah", "Emma",
  "Liam", "Olivia", "Arjun", "Ananya", "Chen", "Mei", "Diego", "Camila", "Omar", "Leila",
] as const; // prettier-ignore

const LAST_NAMES = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
  "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
  "Nguyen", "Kim", "Patel", "Shah", "Wang", "Li", "Tanaka", "Sato", "Ivanova", "Petrov",
  "Okafor", "Mensah", "Larsen", "Berg", "Rossi", "Bianchi", "Silva", "Santos", "Cohen", "Khan",
  "Schmidt", "Fischer", "Dubois", "Moreau", "Novak", "Kowalski", "Murphy", "Kelly", "Reyes",
] as const; // prettier-ignore

/** Names with a precomposed letter, for the Unicode-form pathology. */
const ACCENTED_FIRST = ["René", "José", "Zoë", "Chloé", "André", "Inès", "Søren", "Renée"];

const TEAMS = [
  "engineering", "platform", "data-science", "analytics", "finance", "sales", "marketing",
  "security", "support", "hr", "legal", "ml-ops", "research", "product", "design", "it-ops",
] as const; // prettier-ignore

const GROUP_SUFFIXES = ["users", "admins", "readers", "writers", "oncall", "leads", "contractors"];

const SP_PURPOSES = [
  "etl", "ingest", "reporting", "ci-deploy", "ml-training", "airflow", "dbt", "backup",
] as const; // prettier-ignore

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const HEX = "0123456789abcdef";
const ORG_DOMAIN = "example.com";
const CORP_DOMAIN = "corp.example.com";
const EPOCH_MS = Date.UTC(2021, 0, 1);
const DAY_MS = 86_400_000;

type Rand = () => number;

/** 1200 calendar days from 2021-01-01 as "YYYY-MM-DD". */
const DAYS: readonly string[] = Array.from({ length: 1200 }, (_, i) =>
  new Date(EPOCH_MS + i * DAY_MS).toISOString().slice(0, 10),
);

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Ids, names and timestamps drawn from one seeded stream. */
class Draw {
  private readonly usedOktaIds = new Set<string>();
  private nextDatabricksId: number;

  constructor(readonly rand: Rand) {
    // Databricks account ids are 15-16 digit numeric strings; stay < 2^53.
    this.nextDatabricksId = 1_000_000_000_000_000 + Math.floor(rand() * 1e14);
  }

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }

  oktaId(prefix: "00u" | "00g"): string {
    for (;;) {
      // 62^4 < 2^32: four base62 digits per draw keeps the PRNG calls (and garbage) low.
      let id = prefix;
      for (let left = 17; left > 0; left -= 4) {
        let v = Math.floor(this.rand() * 14_776_336); // 62^4
        for (let k = Math.min(4, left); k > 0; k--) {
          id += BASE62[v % 62];
          v = Math.floor(v / 62);
        }
      }
      if (!this.usedOktaIds.has(id)) {
        this.usedOktaIds.add(id);
        return id;
      }
    }
  }

  databricksId(): string {
    this.nextDatabricksId += 1 + this.int(997);
    return String(this.nextDatabricksId);
  }

  uuid(): string {
    let s = "";
    for (let i = 0; i < 32; i++) {
      s += HEX[this.int(16)];
      if (i === 7 || i === 11 || i === 15 || i === 19) s += "-";
    }
    return s;
  }

  timestamp(): string {
    // Formatting by hand: Date + toISOString per identity dominated generation time.
    const day = DAYS[this.int(DAYS.length)] as string;
    const ms = this.int(DAY_MS);
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor(ms / 60_000) % 60;
    const sec = Math.floor(ms / 1000) % 60;
    return `${day}T${pad2(h)}:${pad2(m)}:${pad2(sec)}.000Z`;
  }
}

type UserCase =
  | "linked"
  | "oktaOnly"
  | "emailOnly"
  | "caseVariant"
  | "whitespaceVariant"
  | "unicodeVariant"
  | "sharedEmail"
  | "emailEqualsOtherLogin"
  | "deprovisionedOnly"
  | "usernameDrift"
  | "foreignExternalId"
  | "conflictingExternalId"
  | "emptyExternalId"
  | "duplicateIdentity";

const USER_CASES: readonly UserCase[] = [
  "linked",
  "oktaOnly",
  "emailOnly",
  "caseVariant",
  "whitespaceVariant",
  "unicodeVariant",
  "sharedEmail",
  "emailEqualsOtherLogin",
  "deprovisionedOnly",
  "usernameDrift",
  "foreignExternalId",
  "conflictingExternalId",
  "emptyExternalId",
  "duplicateIdentity",
];

type GroupCase =
  | "groupLinked"
  | "groupOktaOnly"
  | "groupCaseVariant"
  | "groupDuplicateName"
  | "groupForeignExternalId"
  | "groupConflictingExternalId"
  | "groupEmptyExternalId"
  | "groupDuplicateIdentity";

const GROUP_CASES: readonly GroupCase[] = [
  "groupLinked",
  "groupOktaOnly",
  "groupCaseVariant",
  "groupDuplicateName",
  "groupForeignExternalId",
  "groupConflictingExternalId",
  "groupEmptyExternalId",
  "groupDuplicateIdentity",
];

/**
 * Picks a case per slot. Rates at or above 1/n get their expected count
 * (rounded) at evenly spread random slots; that way a demo-sized tenant
 * reliably shows every pathology while a large one keeps the proportions.
 * Any non-zero rate yields at least one slot when n allows.
 */
function assignCases<C extends string>(
  n: number,
  cases: readonly C[],
  rates: Record<C, number>,
  draw: Draw,
): Array<C | undefined> {
  const slots = new Array<C | undefined>(n).fill(undefined);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Fisher-Yates over slot indices: cases land on distinct slots.
  for (let i = n - 1; i > 0; i--) {
    const j = draw.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  let next = 0;
  for (const c of cases) {
    const rate = rates[c];
    if (!(rate > 0)) continue;
    const count = Math.max(1, Math.round(rate * n));
    for (let k = 0; k < count && next < n; k++) slots[order[next++] as number] = c;
  }
  return slots;
}

function validateRates(rates: PathologyRates): void {
  for (const [k, v] of Object.entries(rates)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new RangeError(`rates.${k} must be a fraction between 0 and 1, got ${String(v)}`);
    }
  }
  const userSum = USER_CASES.reduce((s, c) => s + rates[c], 0);
  if (userSum > 1) {
    throw new RangeError(
      `user pathology rates add up to ${userSum.toFixed(3)}: lower some so the sum is at most 1`,
    );
  }
  const groupSum = GROUP_CASES.reduce((s, c) => s + rates[c], 0);
  if (groupSum > 1) {
    throw new RangeError(
      `group pathology rates add up to ${groupSum.toFixed(3)}: lower some so the sum is at most 1`,
    );
  }
}

function asciiFold(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ø/g, "o")
    .replace(/Ø/g, "O");
}

const FIRST_LOWER = FIRST_NAMES.map((n) => n.toLowerCase());
const LAST_LOWER = LAST_NAMES.map((n) => n.toLowerCase());
const ACCENTED_FIRST_ASCII = ACCENTED_FIRST.map((n) => asciiFold(n).toLowerCase());

function toFullwidth(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out +=
      c >= 0x21 && c <= 0x7e && ch !== "@" && ch !== "." ? String.fromCharCode(c + 0xfee0) : ch;
  }
  return out;
}

/** A random element satisfying `ok`, or undefined after a bounded number of draws. */
function drawOther<T>(
  draw: { int(n: number): number },
  xs: readonly T[],
  ok: (x: T) => boolean,
): T | undefined {
  for (let attempt = 0; attempt < 64 && xs.length > 0; attempt++) {
    const x = xs[draw.int(xs.length)] as T;
    if (ok(x)) return x;
  }
  return undefined;
}

/** Mixes case the way people type: "John.Smith@Example.com". */
function caseVariantOf(login: string): string {
  const at = login.indexOf("@");
  const local = login.slice(0, at);
  const domain = login.slice(at);
  const titled = local.replace(
    /(^|[._-])([a-z])/g,
    (_m, sep: string, ch: string) => sep + ch.toUpperCase(),
  );
  return titled === local ? login.toUpperCase() : titled + domain.replace(/^@e/, "@E");
}

export function generateTenant(opts: GenerateTenantOptions): TenantFixture {
  const n = opts.users;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`users must be a non-negative integer, got ${String(n)}`);
  }
  const groupCount = opts.groups ?? Math.max(1, Math.round(n / 10));
  const spCount = opts.servicePrincipals ?? Math.max(2, Math.round(n / 100));
  for (const [field, v] of [
    ["groups", groupCount],
    ["servicePrincipals", spCount],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`${field} must be a non-negative integer, got ${String(v)}`);
    }
  }
  const rates: PathologyRates = { ...DEFAULT_RATES, ...opts.rates };
  validateRates(rates);
  const draw = new Draw(prng(opts.seed ?? 42));

  const oktaUsers: OktaUser[] = [];
  const dbUsers: DatabricksUser[] = [];
  let seq = 0; // makes every generated login unique

  const person = (accented = false) => {
    seq++;
    // Same draws as picking the names; lower-case/ASCII forms are precomputed.
    const fi = draw.int(accented ? ACCENTED_FIRST.length : FIRST_NAMES.length);
    const li = draw.int(LAST_NAMES.length);
    const first = (accented ? ACCENTED_FIRST[fi] : FIRST_NAMES[fi]) as string;
    const firstAscii = (accented ? ACCENTED_FIRST_ASCII[fi] : FIRST_LOWER[fi]) as string;
    const last = LAST_NAMES[li] as string;
    const lastLower = LAST_LOWER[li] as string;
    return {
      first,
      last,
      local: `${firstAscii}.${lastLower}${seq}`,
      accentedLocal: `${first.toLowerCase()}.${lastLower}${seq}`,
    };
  };
  const oktaUser = (
    p: { first: string; last: string },
    login: string,
    email: string,
    status: OktaUser["status"] = "ACTIVE",
  ): OktaUser => {
    const created = draw.timestamp();
    const u: OktaUser = {
      id: draw.oktaId("00u"),
      status,
      created,
      lastUpdated: created,
      profile: { login, email, firstName: p.first, lastName: p.last },
    };
    oktaUsers.push(u);
    return u;
  };
  const dbUser = (
    userName: string,
    displayName: string,
    email: string,
    externalId?: string,
  ): DatabricksUser => {
    const u: DatabricksUser = {
      id: draw.databricksId(),
      userName,
      displayName,
      active: true,
      emails: [{ value: email, primary: true, type: "work" }],
    };
    if (externalId !== undefined) u.externalId = externalId;
    dbUsers.push(u);
    return u;
  };

  const userCases = assignCases(n, USER_CASES, rates, draw);
  // Conflicting externalIds point at another Okta user: resolved once all exist.
  const needsConflict: DatabricksUser[] = [];
  for (let i = 0; i < n; i++) {
    const c = userCases[i];
    const p = person(c === "unicodeVariant");
    const display = `${p.first} ${p.last}`;
    const login = `${p.local}@${ORG_DOMAIN}`;
    switch (c) {
      case undefined:
        oktaUser(p, login, login);
        dbUser(login, display, login);
        break;
      case "linked": {
        const o = oktaUser(p, login, login);
        dbUser(login, display, login, o.id);
        break;
      }
      case "oktaOnly":
        oktaUser(p, login, login);
        break;
      case "emailOnly": {
        // Okta login is a corp short name; Databricks knows the person by email.
        const shortLogin = `${p.first[0]?.toLowerCase() ?? "x"}${p.last.toLowerCase()}${seq}@${CORP_DOMAIN}`;
        oktaUser(p, asciiFold(shortLogin), login);
        dbUser(login, display, login);
        break;
      }
      case "caseVariant":
        oktaUser(p, login, login);
        dbUser(caseVariantOf(login), display, login);
        break;
      case "whitespaceVariant":
        oktaUser(p, login, login);
        dbUser(draw.int(2) === 0 ? `${login} ` : ` ${login}`, display, login);
        break;
      case "unicodeVariant": {
        // Okta holds the precomposed (NFC) form; Databricks got another form.
        const uLogin = `${p.accentedLocal}@${ORG_DOMAIN}`.normalize("NFC");
        oktaUser(p, uLogin, uLogin);
        const other =
          draw.int(2) === 0 && uLogin.normalize("NFD") !== uLogin
            ? uLogin.normalize("NFD")
            : toFullwidth(uLogin.slice(0, 3)) + uLogin.slice(3);
        dbUser(other, display, uLogin);
        break;
      }
      case "sharedEmail": {
        // Two Okta accounts (person + admin account) share one mailbox; neither
        // login equals the mailbox, so only the email is shared.
        const personLogin = `${p.local}@${CORP_DOMAIN}`;
        const adminLogin = `adm.${p.local}@${CORP_DOMAIN}`;
        oktaUser(p, personLogin, login);
        oktaUser(p, adminLogin, login);
        if (draw.int(2) === 0) {
          dbUser(login, display, login); // affected: the username is the shared email
        } else {
          dbUser(adminLogin, `${display} (admin)`, login);
        }
        break;
      }
      case "emailEqualsOtherLogin": {
        // A's email is B's login: a username equal to it matches both.
        const q = person();
        const bLogin = `${q.local}@${ORG_DOMAIN}`;
        oktaUser(p, login, bLogin);
        oktaUser(q, bLogin, `${q.local}@mail.${ORG_DOMAIN}`);
        if (draw.int(2) === 0) dbUser(bLogin, `${q.first} ${q.last}`, bLogin);
        else dbUser(login, display, login);
        break;
      }
      case "deprovisionedOnly":
        oktaUser(p, login, login, "DEPROVISIONED");
        dbUser(login, display, login);
        break;
      case "usernameDrift": {
        // Linked under the old name; the Okta profile was renamed since.
        const newLast = draw.pick(LAST_NAMES);
        const renamed = `${asciiFold(p.first).toLowerCase()}.${newLast.toLowerCase()}${seq}x@${ORG_DOMAIN}`;
        const o = oktaUser({ first: p.first, last: newLast }, renamed, renamed);
        dbUser(login, display, login, o.id);
        break;
      }
      case "foreignExternalId":
        oktaUser(p, login, login);
        dbUser(login, display, login, draw.uuid());
        break;
      case "conflictingExternalId":
        oktaUser(p, login, login);
        needsConflict.push(dbUser(login, display, login, ""));
        break;
      case "emptyExternalId":
        oktaUser(p, login, login);
        dbUser(login, display, login, "");
        break;
      case "duplicateIdentity": {
        const shortLogin = asciiFold(
          `${p.first[0]?.toLowerCase() ?? "x"}${p.last.toLowerCase()}${seq}@${CORP_DOMAIN}`,
        );
        oktaUser(p, shortLogin, login);
        dbUser(shortLogin, display, login);
        dbUser(login, `${display} (2)`, login);
        break;
      }
    }
  }
  for (const u of needsConflict) {
    // Another Okta user's id: pick one whose login differs from this username.
    const other = drawOther(
      draw,
      oktaUsers,
      (o) => o.profile.login !== u.userName && o.profile.email !== u.userName,
    );
    // No such user in a tiny tenant: an Okta-shaped id absent from the org is a conflict too.
    u.externalId = other ? other.id : draw.oktaId("00u");
  }
  const localCount =
    rates.databricksOnly > 0 ? Math.max(1, Math.round(rates.databricksOnly * n)) : 0;
  for (let i = 0; i < localCount; i++) {
    const p = person();
    const kind = draw.int(3);
    const userName =
      kind === 0
        ? `${p.local}@partner.example.net`
        : kind === 1
          ? `local-${p.local}@${ORG_DOMAIN}`
          : `break-glass-${seq}@${ORG_DOMAIN}`;
    dbUser(userName, `${p.first} ${p.last}`, userName);
  }

  // Groups.
  const oktaGroups: OktaGroup[] = [];
  const dbGroups: DatabricksGroup[] = [];
  const oktaGroup = (name: string, type: OktaGroupType, description: string | null): OktaGroup => {
    const created = draw.timestamp();
    const g: OktaGroup = {
      id: draw.oktaId("00g"),
      type,
      created,
      lastUpdated: created,
      profile: { name, description },
    };
    oktaGroups.push(g);
    return g;
  };
  const dbGroup = (displayName: string, externalId?: string): DatabricksGroup => {
    const g: DatabricksGroup = { id: draw.databricksId(), displayName };
    if (externalId !== undefined) g.externalId = externalId;
    dbGroups.push(g);
    return g;
  };
  oktaGroup("Everyone", "BUILT_IN", "All users in your organization");
  const groupCases = assignCases(groupCount, GROUP_CASES, rates, draw);
  const needsGroupConflict: DatabricksGroup[] = [];
  for (let i = 0; i < groupCount; i++) {
    const c = groupCases[i];
    const team = draw.pick(TEAMS);
    const name =
      draw.int(4) === 0
        ? `${team[0]?.toUpperCase()}${team.slice(1)} ${draw.pick(GROUP_SUFFIXES)} ${i + 1}`
        : `${team}-${draw.pick(GROUP_SUFFIXES)}-${i + 1}`;
    const type: OktaGroupType = draw.int(10) === 0 ? "APP_GROUP" : "OKTA_GROUP";
    const g = oktaGroup(name, c === "groupDuplicateName" ? "OKTA_GROUP" : type, null);
    switch (c) {
      case undefined:
        dbGroup(name);
        break;
      case "groupLinked":
        dbGroup(name, g.id);
        break;
      case "groupOktaOnly":
        break;
      case "groupCaseVariant":
        dbGroup(name.toUpperCase() === name ? name.toLowerCase() : name.toUpperCase());
        break;
      case "groupDuplicateName":
        // The same name imported from an app (AD, Workday): OKTA_GROUP vs APP_GROUP.
        oktaGroup(name, "APP_GROUP", "Imported from Active Directory");
        dbGroup(name);
        break;
      case "groupForeignExternalId":
        dbGroup(name, draw.uuid());
        break;
      case "groupConflictingExternalId":
        needsGroupConflict.push(dbGroup(name, ""));
        break;
      case "groupEmptyExternalId":
        dbGroup(name, "");
        break;
      case "groupDuplicateIdentity":
        // Linked once, renamed in Databricks, then recreated under the Okta name.
        dbGroup(`${name} (old)`, g.id);
        dbGroup(name);
        break;
    }
  }
  for (const g of needsGroupConflict) {
    const other = drawOther(
      draw,
      oktaGroups,
      (o) => o.type !== "BUILT_IN" && o.profile.name !== g.displayName,
    );
    g.externalId = other ? other.id : draw.oktaId("00g");
  }
  const localGroups =
    rates.groupDatabricksOnly > 0
      ? Math.max(1, Math.round(rates.groupDatabricksOnly * groupCount))
      : 0;
  for (let i = 0; i < localGroups; i++) {
    // "Everyone" once: the Databricks side may have a group named like Okta's BUILT_IN one.
    dbGroup(i === 0 ? "Everyone" : `db-local-${draw.pick(TEAMS)}-${i}`);
  }

  // Service principals: no Okta counterpart (AIM syncs users and groups only).
  const sps: DatabricksServicePrincipal[] = [];
  const foreignSp =
    rates.servicePrincipalForeignExternalId > 0 && spCount > 0
      ? Math.max(1, Math.round(rates.servicePrincipalForeignExternalId * spCount))
      : 0;
  for (let i = 0; i < spCount; i++) {
    const sp: DatabricksServicePrincipal = {
      id: draw.databricksId(),
      applicationId: draw.uuid(),
      displayName: `${draw.pick(SP_PURPOSES)}-${draw.pick(TEAMS)}-${i + 1}`,
      active: true,
    };
    if (i < foreignSp) sp.externalId = draw.uuid();
    sps.push(sp);
  }

  return {
    okta: { users: oktaUsers, groups: oktaGroups, apps: [] },
    databricks: {
      accountId: opts.accountId ?? draw.uuid(),
      users: dbUsers,
      groups: dbGroups,
      servicePrincipals: sps,
    },
  };
}
