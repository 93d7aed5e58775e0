/**
 * `SigningKey`: an RSA key pair that lives only in Pulumi state. The private
 * key is a secret output (`additionalSecretOutputs`); the public JWK, with an
 * RFC 7638 thumbprint as `kid`, goes into the Okta app's JWKS.
 *
 * Rotation: changing `rotationTrigger` replaces the key (create-before-delete).
 * The replacement's `create` cannot see the old key, so the overlap (old public
 * key still in the app's JWKS while consumers switch) is the component's job:
 * see `previousPublicJwks` in components/OktaAimApp.ts.
 *
 * Pulumi serialises this provider into state and runs it in the
 * dynamic-provider host: the key logic lives in core/keys/signingKey.ts,
 * loaded at call time (see ./loadCore.ts); nothing secret is captured.
 */
import * as pulumi from "@pulumi/pulumi";
import type {
  PublicSigningJwk,
  RsaModulusLength,
  SigningKeyAlgorithm,
} from "../core/keys/signingKey";
import { loadCore } from "./loadCore";
import { isUnknown } from "./unknown";

/** The key logic, loaded in whichever process runs the method. */
function keys(): typeof import("../core/keys/signingKey") {
  return loadCore("core/keys/signingKey");
}

/**
 * Bumped when the state this provider writes changes shape. Every version must
 * read state written by earlier ones (refresh and destroy run the old code).
 * v1: algorithm, modulusLength, rotationTrigger, keyId, publicJwk, privateKeyPem, createdAt.
 */
export const SIGNING_KEY_PROVIDER_VERSION = "1";

export interface SigningKeyArgs {
  /** Any string; changing it replaces the key (rotation). */
  readonly rotationTrigger: pulumi.Input<string>;
  /** JWS algorithm; "RS256" (default) is the only one offered. */
  readonly algorithm?: pulumi.Input<SigningKeyAlgorithm>;
  /** RSA modulus length in bits: 2048 (default) or 3072. */
  readonly modulusLength?: pulumi.Input<RsaModulusLength>;
}

export interface ResolvedSigningKeyInputs {
  rotationTrigger: string;
  algorithm: SigningKeyAlgorithm;
  modulusLength: RsaModulusLength;
  providerVersion: string;
}

export interface ResolvedSigningKeyOutputs extends ResolvedSigningKeyInputs {
  keyId: string;
  publicJwk: PublicSigningJwk;
  /** Secret: declared in `additionalSecretOutputs`. */
  privateKeyPem: string;
  createdAt: string;
}

/** Inputs whose change means a new key. */
const REPLACING_INPUTS = ["rotationTrigger", "algorithm", "modulusLength"] as const;

export const signingKeyProvider: pulumi.dynamic.ResourceProvider<
  ResolvedSigningKeyInputs,
  ResolvedSigningKeyOutputs
> = {
  async check(_olds, news) {
    const { signingKeySpecProblems, resolveSigningKeySpec } = keys();
    // Values not known yet in a preview are checked when they are.
    if (REPLACING_INPUTS.some((k) => isUnknown(news[k]))) return { inputs: news };
    const failures: pulumi.dynamic.CheckFailure[] = signingKeySpecProblems(news).map((p) => ({
      property: p.field,
      reason: p.message,
    }));
    if (typeof news.rotationTrigger !== "string") {
      failures.push({
        property: "rotationTrigger",
        reason: "[rotationTrigger] must be a string; change it to rotate the key.",
      });
    }
    if (failures.length > 0) return { inputs: news, failures };
    const spec = resolveSigningKeySpec(news);
    return { inputs: { ...news, ...spec } };
  },

  async diff(_id, olds, news) {
    const { resolveSigningKeySpec } = keys();
    const unknown = REPLACING_INPUTS.filter((k) => isUnknown(news[k]));
    if (unknown.length > 0) return { changes: true, replaces: [...unknown] };
    // State written before a field existed reads as its default.
    const oldSpec = resolveSigningKeySpec(olds);
    const newSpec = resolveSigningKeySpec(news);
    const before: Record<string, unknown> = { ...olds, ...oldSpec };
    const after: Record<string, unknown> = { ...news, ...newSpec };
    const replaces = REPLACING_INPUTS.filter((k) => before[k] !== after[k]);
    const changes = replaces.length > 0 || olds.providerVersion !== news.providerVersion;
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const { resolveSigningKeySpec, generateSigningKey } = keys();
    const spec = resolveSigningKeySpec(inputs);
    const key = await generateSigningKey(spec);
    return {
      id: key.keyId,
      outs: {
        ...inputs,
        ...spec,
        keyId: key.keyId,
        publicJwk: key.publicJwk,
        privateKeyPem: key.privateKeyPem,
        createdAt: new Date().toISOString(),
      },
    };
  },

  async read(id, props) {
    // The key exists only in state. Derive the public half from the private
    // key again, so that a damaged or hand-edited state shows up as drift.
    if (!props || typeof props.privateKeyPem !== "string") return { id, props };
    const { resolveSigningKeySpec, publicJwkFromPrivateKeyPem } = keys();
    const spec = resolveSigningKeySpec(props);
    const publicJwk = await publicJwkFromPrivateKeyPem(props.privateKeyPem, spec.algorithm);
    return { id, props: { ...props, ...spec, keyId: publicJwk.kid, publicJwk } };
  },

  async update(_id, olds, news) {
    // Only non-replacing inputs changed (providerVersion): keep the key.
    return { outs: { ...olds, ...news, ...keys().resolveSigningKeySpec(news) } };
  },

  async delete() {
    // Nothing outside state to remove; the Okta app drops the public key.
  },
};

/** An RSA signing key kept in Pulumi state; the private key is a secret output. */
export class SigningKey extends pulumi.dynamic.Resource {
  /** RFC 7638 thumbprint of the public key; also the resource ID. */
  declare readonly keyId: pulumi.Output<string>;
  /** Public JWK with kid, alg and use "sig". */
  declare readonly publicJwk: pulumi.Output<PublicSigningJwk>;
  /** PKCS#8 PEM private key (secret). */
  declare readonly privateKeyPem: pulumi.Output<string>;
  declare readonly algorithm: pulumi.Output<SigningKeyAlgorithm>;
  declare readonly modulusLength: pulumi.Output<RsaModulusLength>;
  declare readonly createdAt: pulumi.Output<string>;

  constructor(name: string, args: SigningKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      signingKeyProvider,
      name,
      {
        rotationTrigger: args.rotationTrigger,
        algorithm: args.algorithm,
        modulusLength: args.modulusLength,
        providerVersion: SIGNING_KEY_PROVIDER_VERSION,
        keyId: undefined,
        publicJwk: undefined,
        privateKeyPem: undefined,
        createdAt: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "privateKeyPem"],
      },
      "okta-databricks-aim",
      "SigningKey",
    );
  }
}
