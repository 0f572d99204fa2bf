import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { JsonValue } from '../envelope';

/**
 * Field encryption for crypto-shredding.
 *
 * A personal field's value becomes one self-describing string:
 *
 *     c360e1.<dataKeyId>.<iv>.<tag>.<ciphertext>        (base64url parts)
 *
 * - `c360e1`: format version 1 (AES-256-GCM, 96-bit IV, 128-bit tag);
 * - `dataKeyId`: the id of the subject's data key (a UUID), so a reader finds the key
 *   without knowing how streams map to subjects;
 * - the plaintext is the field's JSON text; the AAD binds the ciphertext to its key and
 *   event id, so a ciphertext copied into another event fails to open. (Not to the field
 *   name: upcasters may rename a personal field of an old schema version.)
 *
 * The IV is synthetic (HMAC of key id, event id and plaintext under a subkey of the
 * data key, truncated to 96 bits): re-appending the same event yields byte-identical
 * ciphertext, which keeps appends idempotent through the store's body comparison, while two
 * different plaintexts never share an IV (short of a 2^-96 HMAC collision). Encryption and
 * IV derivation use separate HKDF subkeys of the data key.
 */
export const FIELD_CIPHER_PREFIX = 'c360e1.';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class FieldCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldCipherError';
  }
}

interface SubKeys {
  readonly enc: Buffer;
  readonly iv: Buffer;
  /** The data key they were derived from, as it was then (a caller may reuse a buffer). */
  readonly of: Buffer;
}

const NO_SALT = Buffer.alloc(32); // RFC 5869: an absent salt is HashLen zero bytes
const ENC_INFO = Buffer.from('c360 field cipher v1 enc\x01', 'latin1');
const IV_INFO = Buffer.from('c360 field cipher v1 iv\x01', 'latin1');

/**
 * HKDF-SHA256 (RFC 5869) of a data key, no salt, 32 bytes for each info: extract once, then
 * one expand block per subkey (T(1) = HMAC(PRK, info || 0x01)). The same bytes as
 * `hkdfSync('sha256', dataKey, '', info, 32)` (a unit test holds them equal), at a third of
 * its cost: `hkdfSync` builds key objects and extracts again for every subkey, and this runs
 * for every subject a process first appends for.
 */
export function deriveSubKeys(dataKey: Buffer): { readonly enc: Buffer; readonly iv: Buffer } {
  const prk = createHmac('sha256', NO_SALT).update(dataKey).digest();
  return { enc: createHmac('sha256', prk).update(ENC_INFO).digest(), iv: createHmac('sha256', prk).update(IV_INFO).digest() };
}

/**
 * Subkeys per data key buffer. Deriving them cost more than the field's own encryption, and a
 * cached data key is the same buffer on every append of its subject. Weak: an entry goes with
 * its data key (dropped from the key cache, or erased).
 */
const derived = new WeakMap<Buffer, SubKeys>();

function subKeys(dataKey: Buffer): SubKeys {
  if (dataKey.length !== KEY_BYTES) throw new FieldCipherError('a data key must be 32 bytes');
  const known = derived.get(dataKey);
  if (known !== undefined && known.of.equals(dataKey)) return known;
  // its own allocation (not a slot of Buffer's shared pool): freed with the entry
  const of = Buffer.alloc(KEY_BYTES);
  dataKey.copy(of);
  const keys = { ...deriveSubKeys(dataKey), of };
  derived.set(dataKey, keys);
  return keys;
}

const aad = (keyId: string, eventId: string): Buffer =>
  Buffer.from(`c360e1|${keyId}|${eventId.toLowerCase()}`, 'utf8');

/** True when a value is (shaped like) a field ciphertext of this module. */
export const isFieldCiphertext = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(FIELD_CIPHER_PREFIX);

export interface FieldContext {
  readonly keyId: string;
  readonly eventId: string;
}

export function encryptField(value: JsonValue, dataKey: Buffer, ctx: FieldContext): string {
  if (!UUID.test(ctx.keyId)) throw new FieldCipherError('a data key id must be a lower-case UUID');
  const keys = subKeys(dataKey);
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  const additional = aad(ctx.keyId, ctx.eventId);
  const iv = createHmac('sha256', keys.iv).update(additional).update(plaintext).digest().subarray(0, IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additional);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    FIELD_CIPHER_PREFIX.slice(0, -1),
    ctx.keyId,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

export interface ParsedFieldCiphertext {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export function parseFieldCiphertext(text: string): ParsedFieldCiphertext {
  const parts = text.split('.');
  const [format, keyId, iv, tag, ct] = parts;
  if (parts.length !== 5 || format !== 'c360e1' || keyId === undefined || !UUID.test(keyId)) {
    throw new FieldCipherError('not a c360e1 field ciphertext');
  }
  const b64 = /^[A-Za-z0-9_-]*$/;
  if (!iv || !tag || ct === undefined || !b64.test(iv) || !b64.test(tag) || !b64.test(ct)) {
    throw new FieldCipherError('malformed field ciphertext');
  }
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ct, 'base64url'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new FieldCipherError('malformed field ciphertext');
  }
  return parsed;
}

/** Opens a field ciphertext; throws FieldCipherError if it was tampered with or the key is wrong. */
export function decryptField(text: string, dataKey: Buffer, ctx: Omit<FieldContext, 'keyId'>): JsonValue {
  const parsed = parseFieldCiphertext(text);
  const keys = subKeys(dataKey);
  const decipher = createDecipheriv('aes-256-gcm', keys.enc, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(parsed.keyId, ctx.eventId));
  decipher.setAuthTag(parsed.tag);
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]);
  } catch {
    throw new FieldCipherError('field ciphertext failed its integrity check (tampered, or the wrong key)');
  }
  return JSON.parse(plaintext.toString('utf8')) as JsonValue;
}

/** A fresh random data key. */
export const generateDataKey = (): Buffer => randomBytes(KEY_BYTES);

/**
 * Wraps a data key under a master key: AES-256-GCM, random IV, AAD binding the wrap to
 * the data key's id and subject (a wrapped key copied onto another subject fails to unwrap).
 * Layout: iv (12) | tag (16) | ciphertext (32).
 */
export function wrapDataKey(dataKey: Buffer, masterKey: Buffer, keyId: string, subjectId: string): Buffer {
  if (dataKey.length !== KEY_BYTES || masterKey.length !== KEY_BYTES) throw new FieldCipherError('keys must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(`c360-dek|v1|${keyId}|${subjectId}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

export function unwrapDataKey(wrapped: Buffer, masterKey: Buffer, keyId: string, subjectId: string): Buffer {
  if (wrapped.length !== IV_BYTES + TAG_BYTES + KEY_BYTES) throw new FieldCipherError('malformed wrapped data key');
  const decipher = createDecipheriv('aes-256-gcm', masterKey, wrapped.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(`c360-dek|v1|${keyId}|${subjectId}`, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new FieldCipherError('data key failed to unwrap (wrong master key, or tampered)');
  }
}
