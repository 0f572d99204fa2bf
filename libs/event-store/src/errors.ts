/**
 * Coded errors of the event store. Adapters translate vendor errors into these; each
 * transport (HTTP, Kafka consumer) maps the codes exhaustively, once.
 */
export enum EventStoreErrorCode {
  WrongExpectedRevision = 'WRONG_EXPECTED_REVISION',
  InvalidStreamName = 'INVALID_STREAM_NAME',
  EmptyBatch = 'EMPTY_BATCH',
  EventTooLarge = 'EVENT_TOO_LARGE',
  BatchTooLarge = 'BATCH_TOO_LARGE',
  UnknownEventType = 'UNKNOWN_EVENT_TYPE',
  UnsupportedEventVersion = 'UNSUPPORTED_EVENT_VERSION',
  InvalidEvent = 'INVALID_EVENT',
  /** The same event id was appended before with a different body. */
  EventIdConflict = 'EVENT_ID_CONFLICT',
  Unavailable = 'STORE_UNAVAILABLE',
  SubjectErased = 'SUBJECT_ERASED',
}

export class EventStoreError extends Error {
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

export class WrongExpectedRevisionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expected: string,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(
      EventStoreErrorCode.WrongExpectedRevision,
      `Stream ${streamId}: expected revision ${expected}, actual ${String(actual)}`,
      { streamId, expected, actual },
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

export const isEventStoreError = (e: unknown, code?: EventStoreErrorCode): e is EventStoreError =>
  e instanceof EventStoreError && (code === undefined || e.code === code);
