import { createHash } from 'node:crypto';

/** RFC 9562 UUID version 5 (SHA-1, name-based): the same namespace and name always give the same id. */
export const uuidV5 = (namespace: string, name: string): string => {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new RangeError('namespace must be a UUID');
  const hash = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** c360's namespace for event ids derived from channel records: uuidV5(NAMESPACE_URL, 'c360:channels'). */
export const CHANNEL_EVENT_NAMESPACE = '13fc90ea-5207-5e71-9b44-9f52ef578d2d';

/** The production `newId`: a channel record re-sent maps to the same event ids, so re-sending is harmless. */
export const deterministicEventId = (name: string): string => uuidV5(CHANNEL_EVENT_NAMESPACE, name);
