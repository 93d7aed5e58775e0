/** `/.well-known/okta-organization`: the org's public metadata (unauthenticated; recorded). */
import type { OktaRoutes } from "./context";

export function registerWellKnown({ store, router }: OktaRoutes): void {
  router.add("GET", "/.well-known/okta-organization", (req) => ({
    status: 200,
    body: {
      id: store.orgId,
      cell: "op3",
      _links: { organization: { href: req.baseUrl } },
      pipeline: "idx",
      settings: {
        analyticsCollectionEnabled: false,
        bugReportingEnabled: true,
        omEnabled: false,
        pssoEnabled: false,
        desktopMFAEnabled: false,
        itpEnabled: false,
      },
    },
  }));
}
