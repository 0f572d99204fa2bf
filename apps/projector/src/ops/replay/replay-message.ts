import { customerIdFromStream, type CanonicalEventLike } from '@c360/contracts';
import type { JsonObject, RecordedEvent } from '@c360/event-store';
import type { OutgoingMessage } from '@c360/messaging';

const sourceOf = (metadata: JsonObject): CanonicalEventLike['source'] => {
  const s = metadata['source'];
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return { system: 'unknown' };
  const system = typeof s['system'] === 'string' ? s['system'] : 'unknown';
  return typeof s['channel'] === 'string' ? { system, channel: s['channel'] } : { system };
};

/** The canonical envelope of a stored customer event (the ingestor keeps the source in metadata). */
export function toCanonicalEnvelope(event: RecordedEvent, customerId: string): CanonicalEventLike {
  return {
    eventId: event.eventId,
    type: event.type,
    version: event.version,
    occurredAt: event.occurredAt.toISOString(),
    source: sourceOf(event.metadata),
    customerId,
    data: event.data,
  };
}

/**
 * A stored event as a replay message: the same wire format as the gateway's events topic
 * (apps/gateway/src/intake/event-message.ts — apps do not import each other, a test checks
 * the two agree): key `customer:<id>`, the canonical envelope as UTF-8 JSON, the same headers.
 * Returns null for a stream that is not a customer's (nothing to key it by).
 */
export function toReplayMessage(event: RecordedEvent): OutgoingMessage | null {
  const customerId = customerIdFromStream(event.streamId);
  if (customerId === null) return null;
  return {
    key: `customer:${customerId}`,
    value: JSON.stringify(toCanonicalEnvelope(event, customerId)),
    headers: { 'content-type': 'application/json', 'c360-event-id': event.eventId, 'c360-event-type': event.type, 'c360-event-version': String(event.version) },
  };
}
