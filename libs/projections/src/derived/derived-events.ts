import { createHash } from 'node:crypto';
import type { ChurnFlagData, DerivedEvent, DerivedEventType, SegmentChangeData } from '@c360/contracts';
import type { DerivedTrace, OutboxMessage } from './derived.ports';

/**
 * A UUID (version 5 layout, SHA-1 of a name) from a stable name: the same customer, subject,
 * kind and cause always give the same event id, so a redelivery republishes the same id.
 */
export function deterministicUuid(name: string): string {
  const h = createHash('sha1').update(`c360-derived\u0000${name}`).digest();
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const derivedEventId = (customerId: string, subject: string, type: DerivedEventType, cause: string): string =>
  deterministicUuid(`${customerId}\u0000${subject}\u0000${type}\u0000${cause}`);

export const flagIdOf = (customerId: string, code: string, raisedCause: string): string =>
  deterministicUuid(`flag\u0000${customerId}\u0000${code}\u0000${raisedCause}`);

// The shape only (version-traceid-parentid-flags, lower-case hex; a conservative id alphabet):
// the relay parses the traceparent strictly (@c360/observability) and starts a new trace for
// one it refuses. This keeps anything else a producer put under `metadata.trace` out of the outbox.
const TRACEPARENT_SHAPE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const CORRELATION_ID_SHAPE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The trace a stored event was recorded with (`metadata.trace`: `{ traceparent, correlationId? }`,
 * written by the ingestor), to hand on to the derived events it causes; undefined when it has
 * none or it is not of that shape. A correlation id of another shape is dropped.
 */
export function derivedTraceOf(metadata: Readonly<Record<string, unknown>> | null | undefined): DerivedTrace | undefined {
  const t = metadata?.['trace'];
  if (typeof t !== 'object' || t === null) return undefined;
  const { traceparent, correlationId } = t as Record<string, unknown>;
  if (typeof traceparent !== 'string' || !TRACEPARENT_SHAPE.test(traceparent)) return undefined;
  return typeof correlationId === 'string' && CORRELATION_ID_SHAPE.test(correlationId) ? { traceparent, correlationId } : { traceparent };
}

const withTrace = (message: OutboxMessage, trace: DerivedTrace | undefined): OutboxMessage =>
  trace === undefined ? message : { ...message, trace };

export function segmentMessage(
  topic: string,
  customerId: string,
  type: 'SegmentEntered' | 'SegmentLeft',
  occurredAt: string,
  cause: string,
  data: SegmentChangeData,
  trace?: DerivedTrace,
): OutboxMessage {
  const eventId = derivedEventId(customerId, data.segmentId, type, cause);
  const event: DerivedEvent = { eventId, type, version: 1, occurredAt, source: { system: 'c360' }, customerId, data };
  return withTrace({ eventId, topic, key: customerId, event }, trace);
}

export function churnMessage(
  topic: string,
  customerId: string,
  type: 'ChurnFlagRaised' | 'ChurnFlagCleared',
  occurredAt: string,
  cause: string,
  data: ChurnFlagData,
  trace?: DerivedTrace,
): OutboxMessage {
  const eventId = derivedEventId(customerId, data.code, type, cause);
  const event: DerivedEvent = { eventId, type, version: 1, occurredAt, source: { system: 'c360' }, customerId, data };
  return withTrace({ eventId, topic, key: customerId, event }, trace);
}
