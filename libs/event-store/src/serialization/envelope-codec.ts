import type { GlobalPosition, JsonObject, JsonValue, NewEvent, RecordedEvent } from '../envelope';
import { EventStoreError, EventStoreErrorCode } from '../errors';
import { canonicalJson, sha256Hex } from './canonical-json';
import type { EventTypeRegistry } from './event-type-registry';

/**
 * The storage shape of the envelope, shared by every adapter. An adapter keeps `data` as the
 * event's payload and this document as the event's metadata (EventStoreDB: the event's
 * metadata bytes; PostgreSQL: a jsonb column), beside its own positional columns (stream,
 * revision, global position, recorded time).
 *
 * `$correlationId` / `$causationId` are the names EventStoreDB's own projections understand.
 */
export interface StoredEnvelopeMetadata {
  readonly $correlationId?: string;
  readonly $causationId?: string;
  readonly c360: {
    /** Format of this document (not the event's schema version, which is `schemaVersion`). */
    readonly format: 1;
    readonly schemaVersion: number;
    /** ISO 8601; absent when the producer gave none (the recording time stands in on read). */
    readonly occurredAt?: string;
    /** Fingerprint of the event as appended: same id + different fingerprint = a conflict. */
    readonly bodyHash: string;
    readonly metadata: JsonObject;
  };
}

/** An event in its storage shape, before the adapter adds positions. */
export interface StoredEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: StoredEnvelopeMetadata;
}

/** What the adapter knows about where and when an event was recorded. */
export interface RecordedPlacement {
  readonly streamId: string;
  readonly revision: number;
  readonly globalPosition: GlobalPosition;
  readonly recordedAt: Date;
}

/**
 * The metadata key that records the trace an event was appended under (`{ traceparent,
 * correlationId }`, see @c360/observability). It describes the delivery, not the event: a retry
 * under another trace is the same event, so the fingerprint and every adapter's idempotency
 * comparison leave it out. The first append's trace is the one kept.
 */
export const TRACE_METADATA_KEY = 'trace';

const withoutTrace = (metadata: JsonObject): JsonObject => {
  if (!(TRACE_METADATA_KEY in metadata)) return metadata;
  const { [TRACE_METADATA_KEY]: _trace, ...rest } = metadata;
  return rest;
};

/**
 * Fingerprint of an event's body: type, schema version, data, metadata (but its `trace`),
 * correlation and causation, canonical, hashed. Two appends with the same event id are the same
 * event when their fingerprints are equal and, if the retry gives a business time
 * (`occurredAt`), it equals the stored one (a retry may omit it; the PostgreSQL adapter
 * compares the same way).
 */
export function bodyFingerprint(event: NewEvent): string {
  const body: JsonObject = {
    type: event.type,
    version: event.version,
    data: event.data,
    metadata: withoutTrace(event.metadata ?? {}),
    correlationId: event.correlationId ?? null,
    causationId: event.causationId ?? null,
  };
  return sha256Hex(canonicalJson(body));
}

/** The storage shape of a new event. */
export function toStoredEvent(event: NewEvent): StoredEvent {
  const c360: StoredEnvelopeMetadata['c360'] = {
    format: 1,
    schemaVersion: event.version,
    ...(event.occurredAt ? { occurredAt: event.occurredAt.toISOString() } : {}),
    bodyHash: bodyFingerprint(event),
    metadata: event.metadata ?? {},
  };
  return {
    eventId: event.eventId.toLowerCase(),
    type: event.type,
    data: event.data,
    metadata: {
      ...(event.correlationId !== undefined ? { $correlationId: event.correlationId } : {}),
      ...(event.causationId !== undefined ? { $causationId: event.causationId } : {}),
      c360,
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a stored metadata document back, strictly: a document this build cannot read is a
 * coded error naming the event, not a silent default.
 */
export function parseStoredMetadata(doc: unknown, eventId: string): StoredEnvelopeMetadata {
  const bad = (why: string): EventStoreError =>
    new EventStoreError(EventStoreErrorCode.InvalidEvent, `Stored event ${eventId}: ${why}`, { eventId });
  if (!isObject(doc) || !isObject(doc.c360)) throw bad('metadata has no c360 envelope');
  const c = doc.c360;
  if (c.format !== 1) throw bad(`unknown envelope format ${String(c.format)}`);
  if (typeof c.schemaVersion !== 'number' || !Number.isInteger(c.schemaVersion) || c.schemaVersion < 1) {
    throw bad('schemaVersion is not a positive integer');
  }
  if (c.occurredAt !== undefined && (typeof c.occurredAt !== 'string' || Number.isNaN(Date.parse(c.occurredAt)))) {
    throw bad('occurredAt is not an ISO time');
  }
  if (typeof c.bodyHash !== 'string') throw bad('bodyHash is missing');
  if (!isObject(c.metadata)) throw bad('metadata is not an object');
  const corr = doc.$correlationId;
  const caus = doc.$causationId;
  return {
    ...(typeof corr === 'string' ? { $correlationId: corr } : {}),
    ...(typeof caus === 'string' ? { $causationId: caus } : {}),
    c360: {
      format: 1,
      schemaVersion: c.schemaVersion,
      ...(typeof c.occurredAt === 'string' ? { occurredAt: c.occurredAt } : {}),
      bodyHash: c.bodyHash,
      metadata: c.metadata as JsonObject,
    },
  };
}

/**
 * The envelope of a stored event, upcast to its type's current schema version when a
 * registry is given (upcasting happens on read; stored history is never rewritten).
 */
export function toRecordedEvent(
  stored: StoredEvent,
  placement: RecordedPlacement,
  registry?: EventTypeRegistry,
): RecordedEvent {
  const m = stored.metadata;
  const event: RecordedEvent = {
    eventId: stored.eventId,
    type: stored.type,
    version: m.c360.schemaVersion,
    data: stored.data,
    streamId: placement.streamId,
    revision: placement.revision,
    globalPosition: placement.globalPosition,
    recordedAt: placement.recordedAt,
    occurredAt: m.c360.occurredAt !== undefined ? new Date(m.c360.occurredAt) : placement.recordedAt,
    correlationId: m.$correlationId ?? null,
    causationId: m.$causationId ?? null,
    metadata: m.c360.metadata,
  };
  return registry ? registry.upcast(event) : event;
}

/** Parses JSON text into an object, or throws a coded error naming the event. */
export function parseJsonObject(text: string, eventId: string, what: string): JsonObject {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `Stored event ${eventId}: ${what} is not JSON`, {
      eventId,
    });
  }
  if (!isObject(value)) {
    throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `Stored event ${eventId}: ${what} is not an object`, {
      eventId,
    });
  }
  return value;
}
