/**
 * The undo journal's key, derived where the Databricks credential lives (the
 * account client) so the secret never leaves it; the journal (core/reconcile)
 * only receives the derived key. Here, with the other key handling, so the
 * client does not import the reconcile layer above it.
 */
import crypto from "node:crypto";

/** What authenticates a journal: the key (never written) and what the run is bound to. */
export interface JournalAuth {
  key: Buffer;
  /** A public fingerprint of the key, written in the run record (tells "another key" from "altered"). */
  keyId: string;
  accountId: string;
  host: string;
}

/**
 * The journal key: HKDF-SHA256 over the secret (AIMCTL_JOURNAL_KEY when set,
 * else the Databricks client secret or token), salted per purpose and bound
 * to the account, so it proves "written by a holder of this account's
 * credential, for this account" without putting the secret in the file.
 */
export function journalAuth(secret: string, accountId: string, host: string): JournalAuth {
  const key = Buffer.from(
    crypto.hkdfSync("sha256", secret, "aimctl undo journal v2", `account:${accountId}`, 32),
  );
  const keyId = crypto.createHmac("sha256", key).update("key-id").digest("base64url").slice(0, 16);
  return { key, keyId, accountId, host };
}
