import { createHash } from 'node:crypto';
import type { ChurnFlagData, DerivedEvent, DerivedEventType, SegmentChangeData } from '@c360/contracts';
import type { OutboxMessage } from './derived.ports';

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

export function segmentMessage(
  topic: string,
  customerId: string,
  type: 'SegmentEntered' | 'SegmentLeft',
  occurredAt: string,
  cause: string,
  data: SegmentChangeData,
): OutboxMessage {
  const eventId = derivedEventId(customerId, data.segmentId, type, cause);
  const event: DerivedEvent = { eventId, type, version: 1, occurredAt, source: { system: 'c360' }, customerId, data };
  return { eventId, topic, key: customerId, event };
}

export function churnMessage(
  topic: string,
  customerId: string,
  type: 'ChurnFlagRaised' | 'ChurnFlagCleared',
  occurredAt: string,
  cause: string,
  data: ChurnFlagData,
): OutboxMessage {
  const eventId = derivedEventId(customerId, data.code, type, cause);
  const event: DerivedEvent = { eventId, type, version: 1, occurredAt, source: { system: 'c360' }, customerId, data };
  return { eventId, topic, key: customerId, event };
}
