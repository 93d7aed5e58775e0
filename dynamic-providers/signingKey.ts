/**
 * `SigningKey`: an RSA key pair that lives only in Pulumi state. The private
 * key is a secret output (`additionalSecretOutputs`); the public JWK, with an
 * RFC 7638 thumbprint as `kid`, goes into the Okta app's JWKS.
 *
 * Rotation is an in-place update (the resource ID, the first key's kid,
 * stays): changing `rotationTrigger`, `algorithm` or `modulusLength` makes a
 * new key pair and keeps the old public JWK as `previousPublicJwk`, which the
 * app's JWKS goes on listing (components/OktaAimApp.ts). A later run drops it
 * when `check` has read that the live AIM connection (`aimConnection`, api
 * adapter, or auto where it chooses api) names the current kid and its last test succeeded, or when
 * `retirePreviousKey` is set (console adapter: you confirm it). `check` cannot
 * see the state (the engine hands it the old inputs only), so it records what
 * it read (`liveAimRead`, `liveAimKeyId`, `liveAimTestOk`) and `diff`/`update`
 * decide against the state's current kid. A failed or skipped read keeps the
 * previous key. A second rotation while a previous key is still needed is
 * refused (dropping it then could leave AIM without a key in the JWKS).
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
import type { AimAdapter } from "./aimConnection";
import { accountIdProblems, databricksHostProblems } from "./checks";
import { databricksClient, rememberCredentials } from "./credentials";
import { forEngine } from "./forEngine";
import { loadCore } from "./loadCore";
import { containsUnknown, isUnknown } from "./unknown";

/**
 * Bumped when the state this provider writes changes shape. Every version must
 * read state written by earlier ones (refresh and destroy run the old code).
 * v1: algorithm, modulusLength, rotationTrigger, keyId, publicJwk, privateKeyPem, createdAt.
 * v2: + aimConnection, retirePreviousKey, liveAimRead/liveAimKeyId/liveAimTestOk (inputs from
 *     check), previousPublicJwk/previousKeyId (outputs); rotation updates in place. v1 state
 *     reads as "no previous key".
 * v3: previousPublicJwk/previousKeyId are null, never absent, when there is no previous key
 *     (an absent output is unknown in a preview). v1/v2 state updates once to v3.
 */
export const SIGNING_KEY_PROVIDER_VERSION = "3";

/** Where AIM's live connection can be read (plain stack config, so no dependency cycle). */
export interface SigningKeyAimConnection {
  databricksHost: string;
  accountId: string;
  /** "api": read the live connection; "console": nothing to read, use retirePreviousKey. */
  adapter: AimAdapter;
  apiBasePath?: string;
}

export interface SigningKeyArgs {
  /** Any string; changing it rotates the key (new key, previous public key kept). */
  readonly rotationTrigger: pulumi.Input<string>;
  /** JWS algorithm; "RS256" (default) is the only one offered. */
  readonly algorithm?: pulumi.Input<SigningKeyAlgorithm>;
  /** RSA modulus length in bits: 2048 (default) or 3072. */
  readonly modulusLength?: pulumi.Input<RsaModulusLength>;
  /** Where to read which key AIM uses, so the previous key is dropped once AIM uses the new one. */
  readonly aimConnection?: pulumi.Input<pulumi.Unwrap<SigningKeyAimConnection>>;
  /** Drop the previous public key on the next run whatever the live read says (console adapter). */
  readonly retirePreviousKey?: pulumi.Input<boolean>;
  /**
   * Adopting a hand-made app: its existing PKCS#8 PEM private key (a secret),
   * used instead of generating one when the resource is created. Later
   * changes are ignored: rotate with rotationTrigger.
   */
  readonly existingPrivateKeyPem?: pulumi.Input<string>;
  /** The kid Okta shows for that key, when it is not the key's RFC 7638 thumbprint. */
  readonly existingKeyId?: pulumi.Input<string>;
}

export interface ResolvedSigningKeyInputs {
  rotationTrigger: string;
  algorithm: SigningKeyAlgorithm;
  modulusLength: RsaModulusLength;
  providerVersion: string;
  aimConnection?: SigningKeyAimConnection;
  retirePreviousKey?: boolean;
  /** From check: "read", or "skipped: …"/"failed: …" with the reason (the previous key is then kept). */
  liveAimRead?: string;
  /** From check: the key_id the live AIM connection is configured with. */
  liveAimKeyId?: string;
  /** From check: whether the live connection's last test (of its stored configuration) succeeded. */
  liveAimTestOk?: boolean;
  /** Adoption: the key to start from (secret) and its kid in Okta. */
  existingPrivateKeyPem?: string;
  existingKeyId?: string;
}

export interface ResolvedSigningKeyOutputs extends ResolvedSigningKeyInputs {
  keyId: string;
  publicJwk: PublicSigningJwk;
  /** Secret: declared in `additionalSecretOutputs`. */
  privateKeyPem: string;
  createdAt: string;
  /**
   * The key before the last rotation, kept in the app's JWKS until AIM uses
   * the current one; null when there is none. Never absent: in a preview the
   * engine treats an absent output as unknown, which made the app's `jwks`
   * unknown and every preview propose an update of the Okta app (seen under
   * the real engine; mocks resolve absent outputs as undefined).
   */
  previousPublicJwk?: PublicSigningJwk | null;
  previousKeyId?: string | null;
}

/** Inputs whose change means a new key (an in-place update that keeps the old public key). */
const ROTATING_INPUTS = ["rotationTrigger", "algorithm", "modulusLength"] as const;
/** Inputs of aimConnection (for messages). */
const AIM_CONNECTION_FIELDS = ["databricksHost", "accountId", "adapter", "apiBasePath"] as const;

function aimConnectionProblems(value: unknown): pulumi.dynamic.CheckFailure[] {
  if (value === undefined || value === null || containsUnknown(value)) return [];
  if (typeof value !== "object" || Array.isArray(value))
    return [
      {
        property: "aimConnection",
        reason:
          '[aimConnection] must be an object { databricksHost, accountId, adapter: "auto" | "api" | "console", apiBasePath? }.',
      },
    ];
  const c = value as Record<string, unknown>;
  const nested = (f: pulumi.dynamic.CheckFailure) => ({
    property: `aimConnection.${f.property}`,
    reason: f.reason.replace(`[${f.property}]`, `[aimConnection.${f.property}]`),
  });
  const out = [
    ...databricksHostProblems(c.databricksHost).map(nested),
    ...accountIdProblems(c.accountId).map(nested),
  ];
  if (!loadCore().isAimAdapterMode(c.adapter))
    out.push({
      property: "aimConnection.adapter",
      reason: loadCore().aimAdapterModeProblem("[aimConnection.adapter]", c.adapter),
    });
  if (
    c.apiBasePath !== undefined &&
    c.apiBasePath !== null &&
    (typeof c.apiBasePath !== "string" || !c.apiBasePath.startsWith("/"))
  )
    out.push({
      property: "aimConnection.apiBasePath",
      reason:
        "[aimConnection.apiBasePath] must be a path starting with /, e.g. /api/2.0/accounts/{account_id}/aim/okta.",
    });
  return out;
}

/** What the live AIM connection says about its key; never throws (a failed read keeps the previous key). */
async function readLiveAim(
  conn: SigningKeyAimConnection | undefined,
): Promise<Pick<ResolvedSigningKeyInputs, "liveAimRead" | "liveAimKeyId" | "liveAimTestOk">> {
  if (!conn)
    return {
      liveAimRead:
        "skipped: no aimConnection given; set retirePreviousKey to drop the previous key",
    };
  if (AIM_CONNECTION_FIELDS.some((k) => containsUnknown(conn[k])))
    return { liveAimRead: "skipped: aimConnection not known until other resources exist" };
  const consoleSkip = (why: string) => ({
    liveAimRead: `skipped: ${why} has no readable connection; set retirePreviousKey once the console uses the new key`,
  });
  if (conn.adapter === "console") return consoleSkip("adapter console");
  try {
    const { openAimAdmin, aimAdapterLine } = loadCore();
    const { admin, choice } = await openAimAdmin({
      mode: conn.adapter,
      client: databricksClient(conn.databricksHost, conn.accountId),
      basePath: conn.apiBasePath || undefined,
    });
    if (admin.mode !== "api") return consoleSkip(aimAdapterLine(choice));
    // The connection only: the iamv2 "is AIM on" probe is AimConnection's business.
    const state = await admin.readConnection();
    const out: Pick<ResolvedSigningKeyInputs, "liveAimRead" | "liveAimKeyId" | "liveAimTestOk"> = {
      liveAimRead: "read",
      liveAimTestOk: state.lastTest?.success === true,
    };
    if (state.keyId) out.liveAimKeyId = state.keyId;
    return out;
  } catch (err) {
    // Core's errors are redacted; the key is never part of them.
    return { liveAimRead: `failed: ${(err as Error).message}` };
  }
}

/**
 * Whether the previous public key may leave the JWKS now, judged against the
 * state's current kid: AIM's live connection uses it and its last test
 * succeeded, or retirePreviousKey says so.
 */
function mayRetirePrevious(
  olds: Partial<ResolvedSigningKeyOutputs>,
  news: ResolvedSigningKeyInputs,
): boolean {
  if (!olds.previousPublicJwk) return false;
  if (news.retirePreviousKey === true) return true;
  return (
    news.liveAimRead === "read" &&
    typeof olds.keyId === "string" &&
    news.liveAimKeyId === olds.keyId &&
    news.liveAimTestOk === true
  );
}

function rotatingInputs(
  olds: Partial<ResolvedSigningKeyOutputs>,
  news: ResolvedSigningKeyInputs,
): Array<(typeof ROTATING_INPUTS)[number]> {
  const { resolveSigningKeySpec } = loadCore();
  // State written before a field existed reads as its default.
  const before: Record<string, unknown> = { ...olds, ...resolveSigningKeySpec(olds) };
  const after: Record<string, unknown> = { ...news, ...resolveSigningKeySpec(news) };
  return ROTATING_INPUTS.filter((k) => before[k] !== after[k]);
}

/** existingKeyId, if given, is a kid; existingPrivateKeyPem a private key (core's check, never echoing it). */
async function existingKeyProblems(
  news: ResolvedSigningKeyInputs,
): Promise<pulumi.dynamic.CheckFailure[]> {
  const out: pulumi.dynamic.CheckFailure[] = [];
  if (
    news.existingKeyId !== undefined &&
    !containsUnknown(news.existingKeyId) &&
    (typeof news.existingKeyId !== "string" || !news.existingKeyId.trim())
  )
    out.push({
      property: "existingKeyId",
      reason: "[existingKeyId] must be the key's kid as the Okta app lists it, or left unset.",
    });
  const pem = news.existingPrivateKeyPem;
  if (pem === undefined || containsUnknown(pem)) return out;
  const { resolveSigningKeySpec, adoptSigningKey } = loadCore();
  try {
    await adoptSigningKey(pem, resolveSigningKeySpec(news).algorithm, undefined);
  } catch (err) {
    out.push({ property: "existingPrivateKeyPem", reason: (err as Error).message });
  }
  return out;
}

/** Refuses a rotation that would drop a previous key AIM may still use. */
function assertRotationAllowed(
  olds: Partial<ResolvedSigningKeyOutputs>,
  news: ResolvedSigningKeyInputs,
): void {
  if (!olds.previousPublicJwk || mayRetirePrevious(olds, news)) return;
  throw new Error(
    `SigningKey: cannot rotate again yet: the previous key ${olds.previousPublicJwk.kid} is still in the app's JWKS because AIM has not been seen using the current key ${String(olds.keyId)} (live read: ${news.liveAimRead ?? "none"}${news.liveAimKeyId ? `, AIM key ${news.liveAimKeyId}` : ""}). Run \`pulumi up\` without changing the rotation until AIM uses ${String(olds.keyId)} and its connection test succeeds, or set retirePreviousKey (oktaAim:retirePreviousKey) once you know it does.`,
  );
}

export const signingKeyProvider: pulumi.dynamic.ResourceProvider<
  ResolvedSigningKeyInputs,
  ResolvedSigningKeyOutputs
> = forEngine({
  async configure(req) {
    rememberCredentials(req.config);
  },

  async check(_olds, news) {
    const { signingKeySpecProblems, resolveSigningKeySpec } = loadCore();
    // Values not known yet in a preview are checked when they are.
    if (ROTATING_INPUTS.some((k) => isUnknown(news[k]))) return { inputs: news };
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
    failures.push(...aimConnectionProblems(news.aimConnection));
    failures.push(...(await existingKeyProblems(news)));
    if (
      news.retirePreviousKey !== undefined &&
      !containsUnknown(news.retirePreviousKey) &&
      typeof news.retirePreviousKey !== "boolean"
    )
      failures.push({
        property: "retirePreviousKey",
        reason: "[retirePreviousKey] must be true or false.",
      });
    if (failures.length > 0) return { inputs: news, failures };
    const spec = resolveSigningKeySpec(news);
    const inputs: ResolvedSigningKeyInputs = { ...news, ...spec };
    delete inputs.liveAimRead;
    delete inputs.liveAimKeyId;
    delete inputs.liveAimTestOk;
    if (containsUnknown(news.retirePreviousKey)) delete inputs.retirePreviousKey;
    return { inputs: { ...inputs, ...(await readLiveAim(news.aimConnection)) } };
  },

  async diff(_id, olds, news) {
    const unknown = ROTATING_INPUTS.filter((k) => isUnknown(news[k]));
    if (unknown.length > 0) return { changes: true, replaces: [] };
    const rotating = rotatingInputs(olds, news).length > 0;
    if (rotating) assertRotationAllowed(olds, news);
    const changes =
      rotating || mayRetirePrevious(olds, news) || olds.providerVersion !== news.providerVersion;
    return { changes, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const { resolveSigningKeySpec, generateSigningKey, adoptSigningKey } = loadCore();
    const spec = resolveSigningKeySpec(inputs);
    const key = inputs.existingPrivateKeyPem
      ? await adoptSigningKey(inputs.existingPrivateKeyPem, spec.algorithm, inputs.existingKeyId)
      : await generateSigningKey(spec);
    return {
      id: key.keyId,
      outs: {
        ...inputs,
        ...spec,
        keyId: key.keyId,
        publicJwk: key.publicJwk,
        privateKeyPem: key.privateKeyPem,
        createdAt: new Date().toISOString(),
        previousPublicJwk: null,
        previousKeyId: null,
      },
    };
  },

  async read(id, props) {
    // The key exists only in state. Derive the public half from the private
    // key again, so that a damaged or hand-edited state shows up as drift.
    if (!props || typeof props.privateKeyPem !== "string") return { id, props };
    const { resolveSigningKeySpec, publicJwkFromPrivateKeyPem } = loadCore();
    const spec = resolveSigningKeySpec(props);
    const derived = await publicJwkFromPrivateKeyPem(props.privateKeyPem, spec.algorithm);
    // An adopted key keeps the kid Okta knows it by until it is rotated out.
    const publicJwk =
      props.existingKeyId && props.existingPrivateKeyPem === props.privateKeyPem
        ? { ...derived, kid: props.existingKeyId }
        : derived;
    return {
      id,
      props: {
        ...props,
        ...spec,
        keyId: publicJwk.kid,
        publicJwk,
        previousPublicJwk: props.previousPublicJwk ?? null,
        previousKeyId: props.previousKeyId ?? null,
      },
    };
  },

  async update(_id, olds, news) {
    const { resolveSigningKeySpec, generateSigningKey, publicJwkFromPrivateKeyPem } = loadCore();
    const spec = resolveSigningKeySpec(news);
    const { previousPublicJwk: _p, previousKeyId: _k, ...rest } = { ...olds, ...news, ...spec };
    if (rotatingInputs(olds, news).length > 0) {
      assertRotationAllowed(olds, news);
      // v1 state always has publicJwk; derive it if a hand-edited state lacks it.
      const oldPublic =
        olds.publicJwk ??
        (await publicJwkFromPrivateKeyPem(
          olds.privateKeyPem,
          resolveSigningKeySpec(olds).algorithm,
        ));
      const key = await generateSigningKey(spec);
      return {
        outs: {
          ...rest,
          keyId: key.keyId,
          publicJwk: key.publicJwk,
          privateKeyPem: key.privateKeyPem,
          createdAt: new Date().toISOString(),
          previousPublicJwk: oldPublic,
          previousKeyId: oldPublic.kid,
        },
      };
    }
    // No rotation: keep the key; keep the previous one unless AIM no longer needs it.
    if (olds.previousPublicJwk && !mayRetirePrevious(olds, news))
      return {
        outs: {
          ...rest,
          previousPublicJwk: olds.previousPublicJwk,
          previousKeyId: olds.previousPublicJwk.kid,
        },
      };
    return { outs: { ...rest, previousPublicJwk: null, previousKeyId: null } };
  },

  async delete() {
    // Nothing outside state to remove; the Okta app drops the public key.
  },
});

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
  /** The public JWK before the last rotation, until AIM uses the current key (then undefined). */
  declare readonly previousPublicJwk: pulumi.Output<PublicSigningJwk | null>;
  declare readonly previousKeyId: pulumi.Output<string | null>;
  /** What check read from the live AIM connection: "read", or "skipped: …"/"failed: …". */
  declare readonly liveAimRead: pulumi.Output<string | undefined>;

  constructor(name: string, args: SigningKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      signingKeyProvider,
      name,
      {
        rotationTrigger: args.rotationTrigger,
        algorithm: args.algorithm,
        modulusLength: args.modulusLength,
        aimConnection: args.aimConnection,
        retirePreviousKey: args.retirePreviousKey,
        existingPrivateKeyPem:
          args.existingPrivateKeyPem === undefined
            ? undefined
            : pulumi.secret(args.existingPrivateKeyPem),
        existingKeyId: args.existingKeyId,
        providerVersion: SIGNING_KEY_PROVIDER_VERSION,
        keyId: undefined,
        publicJwk: undefined,
        privateKeyPem: undefined,
        createdAt: undefined,
        previousPublicJwk: undefined,
        previousKeyId: undefined,
        liveAimRead: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [
          ...(opts?.additionalSecretOutputs ?? []),
          "privateKeyPem",
          "existingPrivateKeyPem",
        ],
      },
      "okta-databricks-aim",
      "SigningKey",
    );
  }
}
