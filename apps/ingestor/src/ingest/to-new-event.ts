import type { CanonicalEvent } from '@c360/contracts';
import type { JsonObject, NewEvent } from '@c360/event-store';

/**
 * A canonical event as the store records it. Deterministic (a redelivery builds the same
 * body, so the store's idempotency on the event id recognises it). Metadata keeps the source
 * and how the customer was identified — the scheme only, never the identity's value.
 */
export const toNewEvent = (event: CanonicalEvent): NewEvent => ({
  eventId: event.eventId.toLowerCase(),
  type: event.type,
  version: event.version,
  data: event.data as unknown as JsonObject,
  occurredAt: new Date(event.occurredAt),
  metadata: {
    source: { system: event.source.system, ...(event.source.channel !== undefined ? { channel: event.source.channel } : {}) },
    subject: event.customerId !== undefined ? 'customerId' : `identity:${event.identity?.scheme ?? 'unknown'}`,
  },
});
