/** Small builders for reconcile tests: Okta ids of the real shape, minimal identities. */
import type {
  DatabricksGroup,
  DatabricksServicePrincipal,
  DatabricksUser,
  OktaGroup,
  OktaGroupType,
  OktaUser,
  OktaUserStatus,
} from "../../core/model/tenant";
import type { ReconcileRules } from "../../core/model/plan";
import { planLinks } from "../../core/reconcile/plan";

export const uid = (n: number): string => "00u" + String(n).padStart(17, "0");
export const gid = (n: number): string => "00g" + String(n).padStart(17, "0");

export function ou(
  id: string,
  login: string,
  email: string = login,
  status: OktaUserStatus = "ACTIVE",
): OktaUser {
  return { id, status, profile: { login, email, firstName: "F", lastName: "L" } };
}

export function og(id: string, name: string, type: OktaGroupType = "OKTA_GROUP"): OktaGroup {
  return { id, type, profile: { name, description: null } };
}

export function du(id: string, userName: string, externalId?: string | null): DatabricksUser {
  const u: DatabricksUser = { id, userName, displayName: userName, active: true };
  if (externalId !== undefined) u.externalId = externalId;
  return u;
}

export function dg(id: string, displayName: string, externalId?: string | null): DatabricksGroup {
  const g: DatabricksGroup = { id, displayName };
  if (externalId !== undefined) g.externalId = externalId;
  return g;
}

export function dsp(
  id: string,
  applicationId: string,
  displayName: string,
  externalId?: string,
): DatabricksServicePrincipal {
  const s: DatabricksServicePrincipal = { id, applicationId, displayName };
  if (externalId !== undefined) s.externalId = externalId;
  return s;
}

export interface MiniTenant {
  oktaUsers?: OktaUser[];
  oktaGroups?: OktaGroup[];
  users?: DatabricksUser[];
  groups?: DatabricksGroup[];
  sps?: DatabricksServicePrincipal[];
}

export function plan(t: MiniTenant, rules: ReconcileRules = {}) {
  return planLinks(
    { users: t.oktaUsers ?? [], groups: t.oktaGroups ?? [] },
    { users: t.users ?? [], groups: t.groups ?? [], servicePrincipals: t.sps ?? [] },
    rules,
  );
}
