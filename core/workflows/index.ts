/** The use cases: one workflow each, shared by aimctl and the dynamic providers. */
export * from "./reconcileAccount";
export * from "./convergeAimConnection";
export * from "./runBound";
