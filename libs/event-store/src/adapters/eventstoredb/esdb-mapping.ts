import {
  ANY,
  ErrorType,
  isCommandError,
  NO_STREAM,
  STREAM_EXISTS,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
} from '@eventstore/db-client';
import type { GlobalPosition } from '../../envelope';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../../errors';
import type { AllFilter, ExpectedRevision } from '../../event-store.port';

/**
 * Pure mappings between the port and EventStoreDB's client types, kept apart from the
 * adapter so that they are unit-tested without a server.
 */

const U64 = 1n << 64n;
const MASK64 = U64 - 1n;

/**
 * One ordered bigint from EventStoreDB's {commit, prepare}: commit << 64 | prepare. $all is
 * ordered by (commit, prepare), and so is this number; both parts are unsigned 64-bit.
 */
export function encodeEsdbPosition(p: Position): GlobalPosition {
  if (p.commit < 0n || p.commit >= U64 || p.prepare < 0n || p.prepare >= U64) {
    throw new RangeError('EventStoreDB position parts must be unsigned 64-bit integers');
  }
  return (p.commit << 64n) | p.prepare;
}

export function decodeEsdbPosition(g: GlobalPosition): Position {
  if (g < 0n || g >= U64 * U64) throw new RangeError('not an EventStoreDB global position');
  return { commit: g >> 64n, prepare: g & MASK64 };
}

/** Port expectation → client expectation (revisions are bigints there). */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** Client "current revision" → the port's `actual` (a number, or 'no_stream'). */
export function fromEsdbCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  if (current === NO_STREAM) return 'no_stream';
  return toRevisionNumber(current);
}

export function toRevisionNumber(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`stream revision ${revision} is outside the safe integer range`);
  }
  return Number(revision);
}

/** Events and streams whose name starts with `$` are EventStoreDB's own: never delivered. */
export const isSystemEvent = (streamId: string, type: string): boolean =>
  streamId.startsWith('$') || type.startsWith('$');

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The server-side filter for an AllFilter. EventStoreDB filters on one dimension: event
 * types when given (an exact-match regex, which also leaves out `$` system types), else
 * stream prefixes, else "no system events". The other dimension, if any, is re-checked on
 * the client (as is the system-event rule, always).
 */
export type ServerFilterSpec =
  | { readonly on: 'eventType'; readonly regex: string }
  | { readonly on: 'streamName'; readonly prefixes: readonly string[] }
  | { readonly on: 'excludeSystemEvents' };

export function serverFilterSpec(filter: AllFilter | undefined): ServerFilterSpec {
  const types = filter?.eventTypes ?? [];
  const prefixes = filter?.streamPrefixes ?? [];
  if (types.length > 0) return { on: 'eventType', regex: `^(?:${types.map(escapeRegex).join('|')})$` };
  if (prefixes.length > 0) return { on: 'streamName', prefixes: [...prefixes] };
  return { on: 'excludeSystemEvents' };
}

/** What the adapter was doing when a vendor error came up (to name it in ours). */
export interface EsdbErrorContext {
  readonly streamId?: string;
  readonly expected?: ExpectedRevision;
}

/**
 * Vendor errors → coded errors, at the adapter: application code never sees a client type.
 * Anything unknown passes through unchanged (a bug to see, not to hide).
 */
export function translateEsdbError(e: unknown, ctx: EsdbErrorContext = {}): unknown {
  if (e instanceof EventStoreError || !(e instanceof Error) || !isCommandError(e)) return e;
  const streamId = ctx.streamId ?? ('streamName' in e && typeof e.streamName === 'string' ? e.streamName : '');
  switch (e.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return new WrongExpectedRevisionError(
        streamId,
        ctx.expected !== undefined ? String(ctx.expected) : String(e.expectedVersion),
        fromEsdbCurrentRevision(e.actualVersion),
      );
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new EventStoreError(
        EventStoreErrorCode.BatchTooLarge,
        `The batch exceeds EventStoreDB's maximum append size (${e.maxAppendSize} bytes)`,
        { streamId, max: e.maxAppendSize },
      );
    case ErrorType.STREAM_DELETED:
      return new EventStoreError(EventStoreErrorCode.InvalidStreamName, 'The stream was deleted in EventStoreDB', {
        streamId,
      });
    case ErrorType.INVALID_ARGUMENT:
      return new EventStoreError(EventStoreErrorCode.InvalidEvent, 'EventStoreDB refused an argument', {
        streamId,
        reason: e.errorMessage,
      });
    case ErrorType.TIMEOUT:
    case ErrorType.DEADLINE_EXCEEDED:
    case ErrorType.UNAVAILABLE:
    case ErrorType.NOT_LEADER:
    case ErrorType.CANCELLED:
    case ErrorType.ACCESS_DENIED:
    case ErrorType.UNKNOWN:
      return new EventStoreError(EventStoreErrorCode.Unavailable, `EventStoreDB is unavailable (${e.type})`, {
        cause: e.type,
      });
    case ErrorType.STREAM_NOT_FOUND:
    case ErrorType.NO_STREAM:
    case ErrorType.INVALID_TRANSACTION:
    case ErrorType.SCAVENGE_NOT_FOUND:
    case ErrorType.MISSING_REQUIRED_METADATA_PROPERTY:
    case ErrorType.PERSISTENT_SUBSCRIPTION_FAILED:
    case ErrorType.PERSISTENT_SUBSCRIPTION_DOES_NOT_EXIST:
    case ErrorType.PERSISTENT_SUBSCRIPTION_EXISTS:
    case ErrorType.PERSISTENT_SUBSCRIPTION_DROPPED:
    case ErrorType.MAXIMUM_SUBSCRIBERS_REACHED:
    case ErrorType.USER_NOT_FOUND:
    case ErrorType.USER_CONFLICT:
    case ErrorType.UNSUPPORTED:
      // Not raised by the operations this adapter makes (stream-not-found is handled where
      // it means "empty"): a surprise, so it passes through to be seen.
      return e;
  }
}
