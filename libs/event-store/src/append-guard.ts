import type { NewEvent } from './envelope';
import { EventStoreError, EventStoreErrorCode } from './errors';
import type { EventTypeRegistry } from './serialization/event-type-registry';

export interface AppendLimits {
  /** Largest serialised event (data + metadata), in bytes. */
  readonly maxEventBytes: number;
  /** Most events in one append. */
  readonly maxBatchSize: number;
}

export const DEFAULT_APPEND_LIMITS: AppendLimits = { maxEventBytes: 256 * 1024, maxBatchSize: 5000 };

/** Stream ids: 1–200 printable ASCII characters, no whitespace, not starting with `$` (reserved). */
const STREAM_ID = /^[A-Za-z0-9][A-Za-z0-9._:@=+-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9.-]{0,99}$/;

/**
 * Checks an append before any adapter touches storage; shared by every adapter so that all
 * refuse the same inputs with the same codes. Throws an EventStoreError naming the item.
 * `serialized`, when given, receives each event's data and metadata as the JSON text measured
 * for the size limit (an adapter that sends JSON need not serialise them again).
 */
export function guardAppend(
  streamId: string,
  events: readonly NewEvent[],
  registry: EventTypeRegistry | undefined,
  limits: AppendLimits = DEFAULT_APPEND_LIMITS,
  serialized?: (index: number, data: string, metadata: string) => void,
): void {
  guardAppendShape(streamId, events, registry, limits, (e, index) => {
    const data = JSON.stringify(e.data);
    const metadata = JSON.stringify(e.metadata ?? {});
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(metadata);
    if (bytes > limits.maxEventBytes) {
      throw new EventStoreError(
        EventStoreErrorCode.EventTooLarge,
        `events[${index}] is ${bytes} bytes; the limit is ${limits.maxEventBytes}`,
        { streamId, index, bytes, max: limits.maxEventBytes },
      );
    }
    serialized?.(index, data, metadata);
  });
}

/**
 * Every check of `guardAppend` but the size limit: for a decorator whose inner store guards
 * the append again, measuring what it actually stores (the protector's ciphertext, larger
 * than the plaintext), so serialising each event here too would only be paid twice.
 */
export function guardAppendShape(
  streamId: string,
  events: readonly NewEvent[],
  registry: EventTypeRegistry | undefined,
  limits: AppendLimits = DEFAULT_APPEND_LIMITS,
  each?: (event: NewEvent, index: number) => void,
): void {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw new EventStoreError(
      EventStoreErrorCode.InvalidStreamName,
      'Stream id must be 1-200 characters of [A-Za-z0-9._:@=+-], starting with a letter or digit',
      { streamId: typeof streamId === 'string' ? streamId.slice(0, 50) : typeof streamId },
    );
  }
  // Array.isArray narrows to any[]; check on an unknown copy so `events` keeps its type.
  const candidate: unknown = events;
  if (!Array.isArray(candidate) || events.length === 0) {
    throw new EventStoreError(EventStoreErrorCode.EmptyBatch, 'An append needs at least one event', { streamId });
  }
  if (events.length > limits.maxBatchSize) {
    throw new EventStoreError(
      EventStoreErrorCode.BatchTooLarge,
      `At most ${limits.maxBatchSize} events per append (got ${events.length})`,
      { streamId, count: events.length, max: limits.maxBatchSize },
    );
  }
  const seen = new Set<string>();
  events.forEach((e, index) => {
    const where = { streamId, index };
    if (typeof e.eventId !== 'string' || !UUID.test(e.eventId)) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `events[${index}].eventId must be a UUID`, where);
    }
    if (seen.has(e.eventId.toLowerCase())) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidEvent,
        `events[${index}].eventId repeats an earlier event of the same batch`,
        { ...where, eventId: e.eventId },
      );
    }
    seen.add(e.eventId.toLowerCase());
    if (typeof e.type !== 'string' || !TYPE_NAME.test(e.type)) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `events[${index}].type is not a valid type name`, where);
    }
    if (registry) {
      try {
        registry.assertAppendable(e.type, e.version);
      } catch (err) {
        if (err instanceof EventStoreError) {
          throw new EventStoreError(err.code, `events[${index}]: ${err.message}`, { ...err.details, ...where });
        }
        throw err;
      }
    } else if (!Number.isInteger(e.version) || e.version < 1) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `events[${index}].version must be an integer ≥ 1`, where);
    }
    if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `events[${index}].data must be a JSON object`, where);
    }
    if (e.occurredAt !== undefined && (!(e.occurredAt instanceof Date) || Number.isNaN(e.occurredAt.getTime()))) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `events[${index}].occurredAt must be a valid Date`, where);
    }
    each?.(e, index);
  });
}
