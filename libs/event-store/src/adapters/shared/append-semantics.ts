import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../../errors';
import type { AllFilter, ExpectedRevision } from '../../event-store.port';

/** Refuses an expected revision that is none of the port's forms. */
export function validateExpectedRevision(expected: ExpectedRevision): void {
  if (typeof expected === 'number') {
    if (!Number.isSafeInteger(expected) || expected < 0) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidEvent,
        'expectedRevision must be a non-negative integer, "no_stream", "stream_exists" or "any"',
        { expectedRevision: expected },
      );
    }
    return;
  }
  if (expected !== 'no_stream' && expected !== 'any' && expected !== 'stream_exists') {
    throw new EventStoreError(
      EventStoreErrorCode.InvalidEvent,
      'expectedRevision must be a non-negative integer, "no_stream", "stream_exists" or "any"',
      { expectedRevision: String(expected) },
    );
  }
}

/**
 * Throws WrongExpectedRevisionError unless a stream whose last revision is `current`
 * (-1: the stream does not exist) satisfies `expected`. `reported` is the revision named in
 * the error (default `current`), for checks made against an earlier state of the stream.
 */
export function checkExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  current: number,
  reported: number = current,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current >= 0) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw new WrongExpectedRevisionError(streamId, String(expected), reported === -1 ? 'no_stream' : reported);
}

/** The AllFilter predicate, for adapters that filter (or re-check) on the client side. */
export function matchesAllFilter(streamId: string, type: string, filter: AllFilter | undefined): boolean {
  if (!filter) return true;
  // An empty list filters nothing, as if it were absent (the PostgreSQL adapter agrees).
  const { eventTypes, streamPrefixes } = filter;
  if (eventTypes && eventTypes.length > 0 && !eventTypes.includes(type)) return false;
  if (streamPrefixes && streamPrefixes.length > 0 && !streamPrefixes.some((p) => streamId.startsWith(p))) return false;
  return true;
}
