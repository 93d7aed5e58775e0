/** Okta-shaped identifiers: a 3-character type prefix and 17 characters ("00u" + 17 = 20). */
import { randomBytes } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  // 248 = 4 * 62: rejection-free enough for ids; the small bias is irrelevant here.
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i] % ALPHABET.length];
  return out;
}

export const newUserId = (): string => `00u${randomId(17)}`;
export const newGroupId = (): string => `00g${randomId(17)}`;
export const newAppId = (): string => `0oa${randomId(17)}`;
export const newKeyId = (): string => `pks${randomId(17)}`;
export const newGrantId = (): string => `oag${randomId(17)}`;

/** RFC 4648 base32 without padding: Okta's client role ids are base32 of the role type. */
export function base32(text: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = Buffer.from(text, "utf8");
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
