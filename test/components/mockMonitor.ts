/**
 * Pulumi mocks that record every registration, including what MockResourceArgs
 * leaves out: the parent URN and the dependencies (dependsOn plus input
 * dependencies) the SDK sends to the monitor. Call `installMocks()` before
 * importing the module under test.
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
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
}

/** Records resources and answers with their inputs as outputs (plus a few extras per type). */
export function installMocks(
  outputsFor: (
    type: string,
    inputs: Record<string, unknown>,
  ) => Record<string, unknown> = () => ({}),
  project = "okta-databricks-aim",
  stack = "test",
): Registration[] {
  const registrations: Registration[] = [];
  const pending = new Map<string, Omit<Registration, "inputs" | "custom" | "provider">>();
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const meta = pending.get(`${args.type}::${args.name}`);
        registrations.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          custom: args.custom ?? false,
          provider: args.provider,
          parent: meta?.parent ?? "",
          dependencies: meta?.dependencies ?? [],
          propertyDependencies: meta?.propertyDependencies ?? {},
        });
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, ...outputsFor(args.type, args.inputs) },
        };
      },
      call(args) {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    project,
    stack,
  );
  // The mock monitor passes newResource no parent or dependencies: read them off the request.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
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
    });
    return original(req, cb);
  };
  return registrations;
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
