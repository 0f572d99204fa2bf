import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import fc from 'fast-check';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../../errors';
import {
  decodeEsdbPosition,
  encodeEsdbPosition,
  fromEsdbCurrentRevision,
  isSystemEvent,
  serverFilterSpec,
  toEsdbExpectedRevision,
  translateEsdbError,
} from './esdb-mapping';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const position = fc.record({ commit: u64, prepare: u64 });

describe('EventStoreDB global position encoding', () => {
  it('round-trips every {commit, prepare}', () => {
    fc.assert(fc.property(position, (p) => expect(decodeEsdbPosition(encodeEsdbPosition(p))).toEqual(p)));
  });

  it('orders exactly as $all does: by commit, then prepare', () => {
    fc.assert(
      fc.property(position, position, (a, b) => {
        const lexical = a.commit === b.commit ? Math.sign(Number(a.prepare - b.prepare)) : Math.sign(Number(a.commit - b.commit));
        const encoded = Math.sign(Number(encodeEsdbPosition(a) - encodeEsdbPosition(b)));
        expect(encoded).toBe(lexical);
      }),
    );
  });

  it('refuses parts outside unsigned 64 bits, and numbers that are no position', () => {
    expect(() => encodeEsdbPosition({ commit: -1n, prepare: 0n })).toThrow(RangeError);
    expect(() => encodeEsdbPosition({ commit: 0n, prepare: 1n << 64n })).toThrow(RangeError);
    expect(() => decodeEsdbPosition(-1n)).toThrow(RangeError);
    expect(() => decodeEsdbPosition(1n << 128n)).toThrow(RangeError);
  });
});

describe('expected revision mapping', () => {
  it('maps the port forms to the client constants, numbers to bigints', () => {
    expect(toEsdbExpectedRevision('any')).toBe(ANY);
    expect(toEsdbExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toEsdbExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
  });

  it('maps the current revision back to a number or no_stream', () => {
    expect(fromEsdbCurrentRevision(NO_STREAM)).toBe('no_stream');
    expect(fromEsdbCurrentRevision(7n)).toBe(7);
    expect(() => fromEsdbCurrentRevision(1n << 60n)).toThrow(RangeError);
  });
});

describe('vendor error translation', () => {
  it('WrongExpectedVersionError → WrongExpectedRevisionError with the actual revision', () => {
    const vendor = new WrongExpectedVersionError(undefined, { streamName: 's-1', expected: 3n, current: 5n });
    const ours = translateEsdbError(vendor, { streamId: 's-1', expected: 3 });
    expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
    expect(ours).toMatchObject({ code: EventStoreErrorCode.WrongExpectedRevision, streamId: 's-1', expected: '3', actual: 5 });
    const missing = translateEsdbError(
      new WrongExpectedVersionError(undefined, { streamName: 's-2', expected: STREAM_EXISTS, current: NO_STREAM }),
    );
    expect(missing).toMatchObject({ streamId: 's-2', expected: STREAM_EXISTS, actual: 'no_stream' });
  });

  it('size, deletion and availability errors get their codes', () => {
    expect(translateEsdbError(new MaxAppendSizeExceededError(undefined, 1024))).toMatchObject({
      code: EventStoreErrorCode.BatchTooLarge,
    });
    expect(translateEsdbError(new StreamDeletedError(undefined, 's-3'))).toMatchObject({
      code: EventStoreErrorCode.InvalidStreamName,
    });
    expect(translateEsdbError(new UnavailableError())).toMatchObject({ code: EventStoreErrorCode.Unavailable });
  });

  it('passes through our own errors and anything it does not know', () => {
    const ours = new EventStoreError(EventStoreErrorCode.EmptyBatch, 'x');
    expect(translateEsdbError(ours)).toBe(ours);
    const other = new TypeError('bug');
    expect(translateEsdbError(other)).toBe(other);
  });
});

describe('filters and system events', () => {
  it('filters on event types server-side with an exact, escaped regex; else on prefixes; else excludes system events', () => {
    const byType = serverFilterSpec({ eventTypes: ['A.b', 'C'], streamPrefixes: ['x-'] });
    expect(byType).toEqual({ on: 'eventType', regex: '^(?:A\\.b|C)$' });
    if (byType.on !== 'eventType') throw new Error('unreachable');
    const re = new RegExp(byType.regex);
    expect(['A.b', 'C'].every((t) => re.test(t))).toBe(true);
    expect(['AXb', 'Cc', '$A.b', 'A.bC'].some((t) => re.test(t))).toBe(false);
    expect(serverFilterSpec({ streamPrefixes: ['cust-'] })).toEqual({ on: 'streamName', prefixes: ['cust-'] });
    expect(serverFilterSpec({ eventTypes: [], streamPrefixes: [] })).toEqual({ on: 'excludeSystemEvents' });
    expect(serverFilterSpec(undefined)).toEqual({ on: 'excludeSystemEvents' });
  });

  it('treats $-prefixed streams and types as the server’s own', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', 'x')).toBe(true);
    expect(isSystemEvent('customer-1', '$>')).toBe(true);
    expect(isSystemEvent('c360~event-id~x', '$c360.event-id-claim')).toBe(true);
    expect(isSystemEvent('customer-1', 'MoneyMoved')).toBe(false);
  });
});
