import { validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import type { DeadLetterReason } from '@c360/messaging';

export enum PoisonCode {
  Undecodable = 'UNDECODABLE',
  InvalidEvent = 'INVALID_EVENT',
  UnknownType = 'UNKNOWN_TYPE',
  UnsupportedVersion = 'UNSUPPORTED_VERSION',
  /** The same event id was stored before with another body: this one is ignored, never applied. */
  EventIdConflict = 'EVENT_ID_CONFLICT',
  /** The store refused it (too large, erased subject…): a permanent refusal. */
  StoreRefused = 'STORE_REFUSED',
}

export type Decoded =
  | { readonly ok: true; readonly event: CanonicalEvent }
  | { readonly ok: false; readonly reason: DeadLetterReason; readonly customerId: string | null; readonly eventId: string | null };

const decoder = new TextDecoder('utf-8', { fatal: true });
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,31}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bytes from the topic → a validated canonical event, or why not. Validation is the same the
 * gateway ran (a producer may skip the gateway, or run an older build). The reason's detail
 * names field paths and codes only, never values.
 */
export function decodeEventMessage(value: Buffer | null): Decoded {
  let parsed: unknown;
  try {
    if (value === null || value.length === 0) throw new Error('empty');
    parsed = JSON.parse(decoder.decode(value));
  } catch {
    return { ok: false, reason: { code: PoisonCode.Undecodable, detail: 'the message is not UTF-8 JSON' }, customerId: null, eventId: null };
  }
  const v = validateCanonicalEvent(parsed);
  if (v.ok) return v;
  const codes = new Set(v.errors.map((e) => e.code));
  const code = codes.has('unknown-type') ? PoisonCode.UnknownType : codes.has('unsupported-version') ? PoisonCode.UnsupportedVersion : PoisonCode.InvalidEvent;
  const detail = v.errors
    .slice(0, 20)
    .map((e) => `${e.path || '/'} ${e.code}`)
    .join('; ')
    .slice(0, 1000);
  // Best effort: whose event it was, so that customer's later events wait behind it.
  const raw = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const customerId = typeof raw['customerId'] === 'string' && ID.test(raw['customerId']) ? raw['customerId'] : null;
  const eventId = typeof raw['eventId'] === 'string' && UUID.test(raw['eventId']) ? raw['eventId'].toLowerCase() : null;
  return { ok: false, reason: { code, detail }, customerId, eventId };
}
