import type { CanonicalEvent } from '@c360/contracts';
import type { JsonObject, NewEvent } from '@c360/event-store';
import { STORED_TRACE_KEY, toStoredTrace, type TraceScope } from '@c360/observability';

const traces = new WeakMap<CanonicalEvent, TraceScope>();

/**
 * Records the trace `event` arrived under (its Kafka record's `traceparent`, or the HTTP
 * request's scope in all-in-one mode), for `toNewEvent` to store in its metadata. Keyed by the
 * decoded object: events parked and released later are read back as new objects, without one.
 */
export const arrivedUnder = (event: CanonicalEvent, trace: TraceScope | undefined): void => {
  if (trace !== undefined) traces.set(event, trace);
};

/**
 * A canonical event as the store records it. Deterministic (a redelivery builds the same
 * body, so the store's idempotency on the event id recognises it). Metadata keeps the source
 * and how the customer was identified — the scheme only, never the identity's value.
 */
export const toNewEvent = (event: CanonicalEvent, trace: TraceScope | undefined = traces.get(event)): NewEvent => ({
  eventId: event.eventId.toLowerCase(),
  type: event.type,
  version: event.version,
  data: event.data as unknown as JsonObject,
  occurredAt: new Date(event.occurredAt),
  metadata: {
    source: { system: event.source.system, ...(event.source.channel !== undefined ? { channel: event.source.channel } : {}) },
    subject: event.customerId !== undefined ? 'customerId' : `identity:${event.identity?.scheme ?? 'unknown'}`,
    // The delivery's trace, not part of the event: the store leaves it out of its idempotency check.
    ...(trace !== undefined ? { [STORED_TRACE_KEY]: toStoredTrace(trace) as unknown as JsonObject } : {}),
  },
});
