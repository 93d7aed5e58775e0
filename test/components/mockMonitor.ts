/**
 * The one mock monitor of the component tests: Pulumi mocks that record every
 * registration, including what MockResourceArgs leaves out: the parent URN,
 * the dependencies (dependsOn plus input dependencies) and the
 * additionalSecretOutputs the SDK sends to the monitor. Call `installMocks()`
 * (inputs as outputs, plus extras) or `installStrictMocks()` (each resource
 * answered by the test, anything else throws) before importing the module
 * under test.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
  type: string;
  name: string;
  /** Inputs as the mock saw them (secrets unwrapped by the SDK's mock monitor). */
  inputs: Record<string, unknown>;
  custom: boolean;
  provider?: string;
  parent: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  additionalSecretOutputs: string[];
  /** The `import` resource option: the id of an existing resource to adopt ("" when none). */
  importId: string;
}

/** What the mocked engine answers for one resource. */
export interface MockAnswer {
  id: string;
  state: Record<string, unknown>;
}

/** Answers a registration, or undefined for a resource the test does not expect (it throws). */
export type MockResponder = (args: {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}) => MockAnswer | undefined;

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
  getAdditionalsecretoutputsList(): string[];
  getImportid(): string;
}

/** Records resources and answers with their inputs as outputs (plus a few extras per type). */
export function installMocks(
  outputsFor: (
    type: string,
    inputs: Record<string, unknown>,
  ) => Record<string, unknown> = () => ({}),
  project = "okta-databricks-aim",
  stack = "test",
  /** The Pulumi SDK the program under test loads (another project's copy, for an installed package). */
  sdk: typeof pulumi = pulumi,
): Registration[] {
  return installStrictMocks(
    ({ type, name, inputs }) => ({
      id: `${name}-id`,
      state: { ...inputs, ...outputsFor(type, inputs) },
    }),
    project,
    stack,
    sdk,
  );
}

/** Records resources; `respond` gives each one's id and state, and throws for any it does not know. */
export function installStrictMocks(
  respond: MockResponder,
  project = "okta-databricks-aim",
  stack = "test",
  /** The Pulumi SDK the program under test loads (another project's copy, for an installed package). */
  sdk: typeof pulumi = pulumi,
): Registration[] {
  const registrations: Registration[] = [];
  const pending = new Map<string, Omit<Registration, "inputs" | "custom" | "provider">>();
  void sdk.runtime.setMocks(
    {
      newResource(args) {
        const meta = pending.get(`${args.type}::${args.name}`);
        const inputs = args.inputs as Record<string, unknown>;
        registrations.push({
          type: args.type,
          name: args.name,
          inputs,
          custom: args.custom ?? false,
          provider: args.provider,
          parent: meta?.parent ?? "",
          dependencies: meta?.dependencies ?? [],
          propertyDependencies: meta?.propertyDependencies ?? {},
          additionalSecretOutputs: meta?.additionalSecretOutputs ?? [],
          importId: meta?.importId ?? "",
        });
        const answer = respond({ type: args.type, name: args.name, inputs });
        if (!answer) throw new Error(`unexpected resource ${args.type} ${args.name}`);
        return answer;
      },
      call(args) {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    project,
    stack,
  );
  // The mock monitor passes newResource no parent or dependencies: read them off the request.
  const monitor = sdk.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
  };
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
    pending.set(`${req.getType()}::${req.getName()}`, {
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      propertyDependencies,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      importId: req.getImportid(),
    });
    return original(req, cb);
  };
  return registrations;
}

/**
 * What the mocks answer for the program's resources beyond their inputs: the
 * outputs an engine would fill in (the Okta app's client id, the key, a plan).
 */
export function mockOutputs(type: string): Record<string, unknown> {
  if (type === "okta:app/oAuth:OAuth") return { clientId: "0oa-mock-client" };
  if (type.endsWith(":SigningKey"))
    return {
      keyId: "kid-mock",
      publicJwk: {
        kid: "kid-mock",
        kty: "RSA",
        alg: "RS256",
        use: "sig",
        n: "bW9jaw",
        e: "AQAB",
      },
      privateKeyPem: "-----BEGIN PRIVATE KEY-----\nmock\n",
    };
  if (type.endsWith(":IdentityReconciliation"))
    return {
      pending: { users: { link: 37, overwrite: 0 } },
      buckets: {},
      digest: "d".repeat(64),
      findings: { error: 1, warning: 2, info: 3, byCode: {}, errorCodes: ["AMBIGUOUS_MATCH"] },
    };
  if (type.endsWith(":AimConnection"))
    return {
      liveEnabled: false,
      enableBlockedBy: [],
      adapterUsed: "console",
      adapterReason: "auto: GET /mock/connection answered 404 ENDPOINT_NOT_FOUND, so …",
    };
  return {};
}

/** Resolves when an Output settles (mocks resolve asynchronously). */
export function settle<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** The URN the mock monitor gives a resource of `type` named `name` under `parentType`. */
export function mockUrn(
  type: string,
  name: string,
  parentTypes: string[] = [],
  stack = "test",
): string {
  const qualified = [...parentTypes, type].join("$");
  return `urn:pulumi:${stack}::okta-databricks-aim::${qualified}::${name}`;
}
