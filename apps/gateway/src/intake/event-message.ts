import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '@c360/contracts';
import type { OutgoingMessage } from '@c360/messaging';
import { traceHeaders } from '@c360/observability';

/**
 * Partition key of an event: its customer, so one customer's events keep their order. An event
 * that names only a channel identity is keyed by a hash of that identity (never the raw value:
 * phone numbers and national ids are personal data and Kafka keys are not encrypted).
 */
export const partitionKeyOf = (event: CanonicalEvent): string =>
  event.customerId !== undefined
    ? `customer:${event.customerId}`
    : `identity:${createHash('sha256').update(`${event.identity?.scheme ?? ''}:${event.identity?.value ?? ''}`).digest('hex').slice(0, 32)}`;

/**
 * The wire format on the events topic: the canonical envelope as UTF-8 JSON (see @c360/contracts),
 * with the request's trace context (`traceparent`, `x-correlation-id`) when sent within one.
 * `trace`: the trace headers of the send; the events of one request share them (one publish span),
 * which spares a random span id per event.
 */
export const toEventMessage = (event: CanonicalEvent, trace: Readonly<Record<string, string>> = traceHeaders()): OutgoingMessage => ({
  key: partitionKeyOf(event),
  value: JSON.stringify(event),
  headers: { 'content-type': 'application/json', 'c360-event-id': event.eventId, 'c360-event-type': event.type, 'c360-event-version': String(event.version), ...trace },
});
