import { hkdfSync, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { JsonValue } from '../envelope';
import {
  decryptField,
  deriveSubKeys,
  encryptField,
  FieldCipherError,
  generateDataKey,
  isFieldCiphertext,
  parseFieldCiphertext,
  unwrapDataKey,
  wrapDataKey,
} from './field-cipher';
import { isErased } from './erased';
import { LruCache } from './lru-cache';
import { MasterKeyring } from './master-keys';

const ctx = () => ({ keyId: randomUUID(), eventId: randomUUID() });

/** Flips one bit of one base64url character of a ciphertext part (keeps it well-formed). */
function flip(text: string, part: number): string {
  const parts = text.split('.');
  const raw = Buffer.from(parts[part] ?? '', 'base64url');
  raw[0] = (raw[0] ?? 0) ^ 1;
  parts[part] = raw.toString('base64url');
  return parts.join('.');
}

describe('field cipher', () => {
  it('reproduces ciphertext written before (known answer: subkeys as hkdfSync derived them)', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const context = { keyId: '7d1f3c52-9a0e-4b7a-8c11-2f0a6b5e9d34', eventId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' };
    const stored =
      'c360e1.7d1f3c52-9a0e-4b7a-8c11-2f0a6b5e9d34.1y0HTJ52fjcPb3KI.vEnDlWlrM0U4ckLXLWq4aw.gyqSLg_Zg2QrKOiZACupHICBL6GPkj-A7dCbyOgapquqC957F01C24LgyARUjANC';
    expect(encryptField({ name: 'Zoë Example', phone: '+8613800000000' }, key, context)).toBe(stored);
    expect(decryptField(stored, key, context)).toEqual({ name: 'Zoë Example', phone: '+8613800000000' });
  });

  it('derives the subkeys hkdfSync derives (HKDF-SHA256, no salt, one info per subkey), for any data key', () => {
    const hkdf = (key: Uint8Array, info: string): Buffer => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(info, 'utf8'), 32));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const key = Buffer.from(bytes);
        const derived = deriveSubKeys(key);
        expect(derived.enc.equals(hkdf(key, 'c360 field cipher v1 enc'))).toBe(true);
        expect(derived.iv.equals(hkdf(key, 'c360 field cipher v1 iv'))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any JSON value, in a self-describing string naming the key', () => {
    const key = generateDataKey();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const c = ctx();
        const text = encryptField(value as JsonValue, key, c);
        expect(isFieldCiphertext(text)).toBe(true);
        expect(parseFieldCiphertext(text).keyId).toBe(c.keyId);
        // JSON text equality: -0 and 0 serialise alike, as they would in storage
        expect(JSON.stringify(decryptField(text, key, c))).toBe(JSON.stringify(value));
      }),
    );
  });

  it('does not contain the plaintext', () => {
    const text = encryptField('Ada Lovelace +441234567', generateDataKey(), ctx());
    expect(text).not.toContain('Ada');
    expect(Buffer.from(text.split('.')[4] ?? '', 'base64url').toString('utf8')).not.toContain('Ada');
  });

  it('is deterministic for the same event, key and value (idempotent appends), and differs otherwise', () => {
    const key = generateDataKey();
    const c = ctx();
    expect(encryptField('x', key, c)).toBe(encryptField('x', key, c));
    expect(encryptField('x', key, c)).not.toBe(encryptField('y', key, c));
    expect(encryptField('x', key, c)).not.toBe(encryptField('x', key, { ...c, eventId: randomUUID() }));
    // different plaintexts never share an IV
    expect(encryptField('x', key, c).split('.')[2]).not.toBe(encryptField('y', key, c).split('.')[2]);
  });

  it('gives the very ciphertexts of the first format release (idempotent re-appends of stored events)', () => {
    // Known answers computed by the implementation that derived its subkeys on every call.
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
    const c = { keyId: '6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8', eventId: '0B7A6A0E-6F1E-4C36-9A55-3B7D1B0F0001' };
    for (let round = 0; round < 2; round++) {
      // the second round runs on the cached subkeys
      expect(encryptField('Zhang Wei', key, c)).toBe('c360e1.6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8.-Z_0cyIwYgyU53fm.9dhhG_wMo7D_fncTcFP9Bw.5G2nOfNutG2Lblo');
      expect(encryptField({ a: [1, 'x'] }, key, c)).toBe('c360e1.6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8.lPH9eb0LR0Q7n2kD.YvBVY6B0iuNJD2CcUHUY8w.Jh1LVXjvm53GorfS3g');
    }
  });

  it('derives subkeys from the key bytes, even when a caller reuses the buffer for another key', () => {
    const c = ctx();
    const first = generateDataKey();
    const second = generateDataKey();
    const buffer = Buffer.from(first);
    const underFirst = encryptField('x', buffer, c);
    expect(decryptField(underFirst, first, c)).toBe('x');
    second.copy(buffer); // same buffer object, other key
    const underSecond = encryptField('x', buffer, c);
    expect(underSecond).toBe(encryptField('x', Buffer.from(second), c));
    expect(decryptField(underSecond, second, c)).toBe('x');
    expect(() => decryptField(underSecond, first, c)).toThrow(FieldCipherError);
  });

  it('fails when tampered with: iv, tag or ciphertext', () => {
    const key = generateDataKey();
    const c = ctx();
    const text = encryptField({ street: '1 Canary Lane' }, key, c);
    for (const part of [2, 3, 4]) {
      expect(() => decryptField(flip(text, part), key, c)).toThrow(FieldCipherError);
    }
  });

  it('fails with the wrong key, or when moved to another event', () => {
    const key = generateDataKey();
    const c = ctx();
    const text = encryptField('secret', key, c);
    expect(() => decryptField(text, generateDataKey(), c)).toThrow(FieldCipherError);
    expect(() => decryptField(text, key, { eventId: randomUUID() })).toThrow(FieldCipherError);
  });

  it('refuses malformed ciphertexts', () => {
    const key = generateDataKey();
    for (const bad of ['c360e1.', 'c360e1.x.y.z.w', `c360e1.${randomUUID()}.AAAA.AAAA.AAAA`, 'plain']) {
      expect(() => decryptField(bad, key, { eventId: randomUUID() })).toThrow(FieldCipherError);
    }
  });
});

describe('data key wrapping', () => {
  it('unwraps with the same master key, key id and subject only', () => {
    const master = generateDataKey();
    const dek = generateDataKey();
    const keyId = randomUUID();
    const wrapped = wrapDataKey(dek, master, keyId, 'C1');
    expect(unwrapDataKey(wrapped, master, keyId, 'C1').equals(dek)).toBe(true);
    expect(() => unwrapDataKey(wrapped, generateDataKey(), keyId, 'C1')).toThrow(FieldCipherError);
    expect(() => unwrapDataKey(wrapped, master, randomUUID(), 'C1')).toThrow(FieldCipherError);
    expect(() => unwrapDataKey(wrapped, master, keyId, 'C2')).toThrow(FieldCipherError);
    const tampered = Buffer.from(wrapped);
    tampered[40] = (tampered[40] ?? 0) ^ 1;
    expect(() => unwrapDataKey(tampered, master, keyId, 'C1')).toThrow(FieldCipherError);
  });
});

describe('master keys', () => {
  const k = (): string => generateDataKey().toString('base64');

  it('parses id:base64 lists; the first is active unless named', () => {
    const ring = MasterKeyring.parse(`k2:${k()},k1:${k()}`);
    expect(ring.activeKeyId).toBe('k2');
    expect(ring.ids()).toEqual(['k2', 'k1']);
    expect(MasterKeyring.parse(`k2:${k()},k1:${k()}`, 'k1').activeKeyId).toBe('k1');
  });

  it('refuses keys of the wrong size, bad ids, an unknown active key — naming the key, never its value', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() => MasterKeyring.parse(`k1:${short}`)).toThrow('master key "k1" must be 32 bytes (got 16)');
    expect(() => MasterKeyring.parse(`k 1:${k()}`)).toThrow(/master key id/);
    expect(() => MasterKeyring.parse(`k1:${k()}`, 'k9')).toThrow(/not among the configured keys/);
    expect(() => MasterKeyring.parse('')).toThrow(/no master key/);
    try {
      MasterKeyring.parse(`k1:${short}`);
    } catch (e) {
      expect(String(e)).not.toContain(short);
    }
  });
});

describe('erased marker and LRU cache', () => {
  it('isErased recognises exactly the marker', () => {
    expect(isErased({ erased: true })).toBe(true);
    expect(isErased({ erased: false })).toBe(false);
    expect(isErased({ erased: true, other: 1 })).toBe(false);
    expect(isErased('erased')).toBe(false);
    expect(isErased(null)).toBe(false);
  });

  it('is bounded (evicts the least recently used) and expires entries', () => {
    let now = 0;
    const cache = new LruCache<string, number>(2, 100, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now most recent
    cache.set('c', 3); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(2);
    now = 150;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
  });
});
