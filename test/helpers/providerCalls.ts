import type * as pulumi from "@pulumi/pulumi";

/** A dynamic provider's methods, the optional ones asserted present and their results unwrapped. */
export function providerCalls<In, Out>(provider: pulumi.dynamic.ResourceProvider<In, Out>) {
  return {
    check: async (olds: Partial<In>, news: In) => {
      const r = await provider.check!(olds as In, news);
      return { inputs: r.inputs!, failures: r.failures ?? [] };
    },
    diff: (id: string, olds: Out, news: In) => provider.diff!(id, olds, news),
    create: async (inputs: In) => {
      const r = await provider.create(inputs);
      return { id: r.id, outs: r.outs! };
    },
    read: async (id: string, props: Out) => {
      const r = await provider.read!(id, props);
      return { id: r.id, props: r.props!, inputs: r.inputs };
    },
    update: async (id: string, olds: Out, news: In) =>
      (await provider.update!(id, olds, news)).outs!,
    delete: (id: string, props: Out) => provider.delete!(id, props),
  };
}
