/**
 * One behaviour suite for the EventStore port, run by every adapter (emmett's
 * eventStore/features.ts is the model). Adapter-neutral: it talks only to the port, uses its
 * own stream-name prefix per test and never assumes the store is empty, so it can run
 * against a shared server (EventStoreDB) as well as a fresh PostgreSQL schema.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AppendLimits } from '../append-guard';
import type { GlobalPosition, JsonObject, NewEvent, RecordedEvent } from '../envelope';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../errors';
import type { AllSubscription, EventStore, ExpectedRevision } from '../event-store.port';
import { EventTypeRegistry } from '../serialization/event-type-registry';

export interface EventStoreContractContext {
  /** The store must refuse types and versions this registry does not know, and upcast with it. */
  readonly registry: EventTypeRegistry;
  /** The store must enforce these limits (small, so the suite stays fast). */
  readonly limits: AppendLimits;
}

export interface EventStoreUnderTest {
  readonly store: EventStore;
  /** Releases what the factory made (the suite stops its own subscriptions first). */
  teardown(): Promise<void>;
}

export type EventStoreFactory = (
  context: EventStoreContractContext,
) => Promise<EventStoreUnderTest>;

export interface EventStoreContractOptions {
  /** How long eventual checks (subscriptions, the read-all horizon) may take. Default 15 s. */
  readonly eventuallyMs?: number;
}

export const CONTRACT_LIMITS: AppendLimits = { maxEventBytes: 16 * 1024, maxBatchSize: 100 };

/** Types the suite appends. `ThingRenamed` is at version 2; version 1 data is upcast on read. */
export function contractRegistry(): EventTypeRegistry {
  return new EventTypeRegistry([
    { type: 'ThingHappened', currentVersion: 1 },
    { type: 'OtherThingHappened', currentVersion: 1 },
    {
      type: 'ThingRenamed',
      currentVersion: 2,
      upcasters: {
        1: (data: JsonObject): JsonObject => {
          const { name, ...rest } = data;
          return { ...rest, title: name ?? null };
        },
      },
    },
  ]);
}

const thing = (data: JsonObject = {}, extra: Partial<NewEvent> = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'ThingHappened',
  version: 1,
  data,
  ...extra,
});

const things = (n: number, type = 'ThingHappened'): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({ eventId: randomUUID(), type, version: 1, data: { i } }));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function eventually(assertion: () => Promise<void> | void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
  }
}

async function expectCode(
  promise: Promise<unknown>,
  code: EventStoreErrorCode,
): Promise<EventStoreError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EventStoreError);
  const error = caught as EventStoreError;
  expect(error.code).toBe(code);
  return error;
}

async function expectWrongRevision(
  promise: Promise<unknown>,
  actual: number | 'no_stream',
): Promise<WrongExpectedRevisionError> {
  const error = await expectCode(promise, EventStoreErrorCode.WrongExpectedRevision);
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).actual).toBe(actual);
  return error as WrongExpectedRevisionError;
}

const ids = (events: readonly { eventId: string }[]): string[] =>
  events.map((e) => e.eventId.toLowerCase());

export function describeEventStoreContract(
  name: string,
  factory: EventStoreFactory,
  options: EventStoreContractOptions = {},
): void {
  const eventuallyMs = options.eventuallyMs ?? 15_000;

  describe(`EventStore contract: ${name}`, () => {
    let underTest: EventStoreUnderTest | undefined;
    let prefix = '';
    const subscriptions: AllSubscription[] = [];

    const store = (): EventStore => {
      if (!underTest) throw new Error('store not created');
      return underTest.store;
    };
    const stream = (suffix = 's'): string => `${prefix}-${suffix}`;
    const readStream = (
      id: string,
      opts?: Parameters<EventStore['readStream']>[1],
    ): Promise<RecordedEvent[]> => collect(store().readStream(id, opts));
    /** Readers of all may lag behind a commit (e.g. PostgreSQL's horizon): wait until it is visible. */
    const visible = (position: GlobalPosition): Promise<void> =>
      eventually(async () => {
        expect(await store().headPosition()).toBeGreaterThanOrEqual(position);
      }, eventuallyMs);
    const readMine = (after?: GlobalPosition): Promise<RecordedEvent[]> =>
      collect(store().readAll({ after, filter: { streamPrefixes: [`${prefix}-`] } }));

    function subscribe(opts: Parameters<EventStore['subscribeToAll']>[0]): {
      subscription: AllSubscription;
      received: RecordedEvent[];
      ended: Promise<void>;
    } {
      const subscription = store().subscribeToAll(opts);
      subscriptions.push(subscription);
      const received: RecordedEvent[] = [];
      const ended = (async () => {
        for await (const e of subscription) received.push(e);
      })();
      return { subscription, received, ended };
    }

    beforeEach(async () => {
      prefix = `ct${randomBytes(5).toString('hex')}`;
      underTest = await factory({ registry: contractRegistry(), limits: CONTRACT_LIMITS });
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await underTest?.teardown();
      underTest = undefined;
    });

    describe('expected revision', () => {
      it('no_stream: creates the stream, then refuses while it exists', async () => {
        const s = stream();
        const first = await store().appendToStream(s, things(2), { expectedRevision: 'no_stream' });
        expect(first).toMatchObject({ nextExpectedRevision: 1, written: 2 });
        await expectWrongRevision(
          store().appendToStream(s, things(1), { expectedRevision: 'no_stream' }),
          1,
        );
      });

      it('exact: appends when the stream is at that revision, refuses a stale one with the actual revision', async () => {
        const s = stream();
        await expectWrongRevision(
          store().appendToStream(s, things(1), { expectedRevision: 0 }),
          'no_stream',
        );
        const a = await store().appendToStream(s, things(1), { expectedRevision: 'no_stream' });
        const b = await store().appendToStream(s, things(3), {
          expectedRevision: a.nextExpectedRevision,
        });
        expect(b.nextExpectedRevision).toBe(3);
        await expectWrongRevision(store().appendToStream(s, things(1), { expectedRevision: 0 }), 3);
        await expectWrongRevision(store().appendToStream(s, things(1), { expectedRevision: 4 }), 3);
        expect((await readStream(s)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      });

      it('stream_exists: refuses a missing stream, accepts an existing one', async () => {
        const s = stream();
        await expectWrongRevision(
          store().appendToStream(s, things(1), { expectedRevision: 'stream_exists' }),
          'no_stream',
        );
        expect(await readStream(s)).toEqual([]);
        await store().appendToStream(s, things(1));
        const r = await store().appendToStream(s, things(2), { expectedRevision: 'stream_exists' });
        expect(r).toMatchObject({ nextExpectedRevision: 2, written: 2 });
      });

      it('any (the default): appends whatever the state', async () => {
        const s = stream();
        expect(
          (await store().appendToStream(s, things(1), { expectedRevision: 'any' }))
            .nextExpectedRevision,
        ).toBe(0);
        expect((await store().appendToStream(s, things(2))).nextExpectedRevision).toBe(2);
      });

      it.each<[string, ExpectedRevision]>([
        ['no_stream', 'no_stream'],
        ['exact', 1],
        ['stream_exists', 'stream_exists'],
      ])('a refused batch (%s) writes nothing of it', async (_label, expectedRevision) => {
        const s = stream();
        const initial = await store().appendToStream(s, things(3), {
          expectedRevision: 'no_stream',
        });
        const batch = things(5);
        if (expectedRevision === 'stream_exists') {
          // the only way stream_exists fails: the stream is missing
          await expectWrongRevision(
            store().appendToStream(stream('missing'), batch, { expectedRevision }),
            'no_stream',
          );
          expect(await readStream(stream('missing'))).toEqual([]);
        } else {
          await expectWrongRevision(store().appendToStream(s, batch, { expectedRevision }), 2);
        }
        const stored = await readStream(s);
        expect(stored).toHaveLength(3);
        expect(ids(stored).some((id) => ids(batch).includes(id))).toBe(false);
        expect(initial.nextExpectedRevision).toBe(2);
        // the refused ids are still free: appending them now succeeds
        expect((await store().appendToStream(s, batch, { expectedRevision: 2 })).written).toBe(5);
      });
    });

    describe('append', () => {
      it('is atomic for a batch and assigns contiguous revisions', async () => {
        const s = stream();
        const batch = things(10);
        const r = await store().appendToStream(s, batch);
        expect(r).toMatchObject({ nextExpectedRevision: 9, written: 10 });
        const read = await readStream(s);
        expect(ids(read)).toEqual(ids(batch));
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(read.map((e) => e.streamId)).toEqual(Array(10).fill(s));
        const last = read[9];
        expect(last?.globalPosition).toBe(r.position);
      });

      it('positions grow with each append, in append order', async () => {
        const results = [];
        for (let i = 0; i < 5; i++)
          results.push(await store().appendToStream(stream(`p${i % 2}`), things(2)));
        const positions = results.map((r) => r.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
        expect(new Set(positions).size).toBe(5);
      });

      it('is idempotent: re-appending the same batch with the same expectation writes nothing', async () => {
        const s = stream();
        const batch = things(3);
        const first = await store().appendToStream(s, batch, { expectedRevision: 'no_stream' });
        const again = await store().appendToStream(s, batch, { expectedRevision: 'no_stream' });
        expect(again).toEqual({ ...first, written: 0 });
        const next = things(2);
        const second = await store().appendToStream(s, next, { expectedRevision: 2 });
        expect(await store().appendToStream(s, next, { expectedRevision: 2 })).toEqual({
          ...second,
          written: 0,
        });
        expect(await store().appendToStream(s, next)).toEqual({ ...second, written: 0 });
        expect(ids(await readStream(s))).toEqual(ids([...batch, ...next]));
      });

      it('refuses the same event id with a different body, and writes nothing of that batch', async () => {
        const s = stream();
        const original = thing({ amount: 1 });
        await store().appendToStream(s, [original]);
        const fresh = thing({ amount: 2 });
        const changed: NewEvent = { ...original, data: { amount: 999 } };
        await expectCode(
          store().appendToStream(s, [fresh, changed]),
          EventStoreErrorCode.EventIdConflict,
        );
        await expectCode(
          store().appendToStream(s, [{ ...original, type: 'OtherThingHappened' }]),
          EventStoreErrorCode.EventIdConflict,
        );
        const read = await readStream(s);
        expect(ids(read)).toEqual(ids([original]));
        expect(read[0]?.data).toEqual({ amount: 1 });
      });

      it('takes a retry under another trace (metadata.trace) as the same event and keeps the first trace', async () => {
        const s = stream();
        const first = thing({ amount: 1 }, { metadata: { source: { system: 'x' }, trace: { traceparent: 'first' } } });
        await store().appendToStream(s, [first]);
        const retry: NewEvent = { ...first, metadata: { source: { system: 'x' }, trace: { traceparent: 'second' } } };
        expect((await store().appendToStream(s, [retry])).written).toBe(0);
        expect((await store().appendToStream(s, [{ ...first, metadata: { source: { system: 'x' } } }])).written).toBe(0);
        await expectCode(
          store().appendToStream(s, [{ ...first, metadata: { source: { system: 'y' }, trace: { traceparent: 'first' } } }]),
          EventStoreErrorCode.EventIdConflict,
        );
        const read = await readStream(s);
        expect(ids(read)).toEqual(ids([first]));
        expect(read[0]?.metadata).toEqual({ source: { system: 'x' }, trace: { traceparent: 'first' } });
      });

      it('refuses an event id already used in another stream', async () => {
        const e = thing({ n: 1 });
        await store().appendToStream(stream('a'), [e]);
        await expectCode(
          store().appendToStream(stream('b'), [e]),
          EventStoreErrorCode.EventIdConflict,
        );
        expect(await readStream(stream('b'))).toEqual([]);
      });

      it('records envelope fields: occurredAt defaults to the recording time; ids and metadata round-trip', async () => {
        const s = stream();
        const occurredAt = new Date('2026-11-02T09:30:00.123Z');
        const correlationId = randomUUID();
        const withAll = thing(
          { nested: { list: [1, 'two', null, true] }, text: 'ünïcødé ✓' },
          {
            occurredAt,
            correlationId,
            causationId: 'cause-1',
            metadata: { source: { system: 'core-banking' } },
          },
        );
        const bare = thing({});
        const before = Date.now();
        await store().appendToStream(s, [withAll, bare]);
        const after = Date.now();
        const [a, b] = await readStream(s);
        expect(a).toMatchObject({
          eventId: withAll.eventId.toLowerCase(),
          type: 'ThingHappened',
          version: 1,
          data: withAll.data,
          correlationId,
          causationId: 'cause-1',
          metadata: { source: { system: 'core-banking' } },
          streamId: s,
          revision: 0,
        });
        expect(a?.occurredAt.toISOString()).toBe(occurredAt.toISOString());
        expect(b).toMatchObject({ correlationId: null, causationId: null, metadata: {} });
        const recorded = b?.recordedAt.getTime() ?? 0;
        // generous slack: the database clock and ours may differ a little
        expect(recorded).toBeGreaterThanOrEqual(before - 5_000);
        expect(recorded).toBeLessThanOrEqual(after + 5_000);
        expect(b?.occurredAt.getTime()).toBe(recorded);
      });

      it('upcasts old schema versions on read', async () => {
        const s = stream();
        await store().appendToStream(s, [
          {
            eventId: randomUUID(),
            type: 'ThingRenamed',
            version: 1,
            data: { name: 'old', keep: 1 },
          },
          {
            eventId: randomUUID(),
            type: 'ThingRenamed',
            version: 2,
            data: { title: 'new', keep: 2 },
          },
        ]);
        const read = await readStream(s);
        expect(read.map((e) => [e.version, e.data])).toEqual([
          [2, { title: 'old', keep: 1 }],
          [2, { title: 'new', keep: 2 }],
        ]);
      });
    });

    describe('readStream', () => {
      it('reads forwards, from a revision, with maxCount; backwards likewise; a missing stream is empty', async () => {
        const s = stream();
        await store().appendToStream(s, things(10));
        const revs = async (opts: Parameters<EventStore['readStream']>[1]): Promise<number[]> =>
          (await readStream(s, opts)).map((e) => e.revision);
        expect(await revs({})).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(await revs({ fromRevision: 7 })).toEqual([7, 8, 9]);
        expect(await revs({ fromRevision: 2, maxCount: 3 })).toEqual([2, 3, 4]);
        expect(await revs({ fromRevision: 10 })).toEqual([]);
        expect(await revs({ direction: 'backwards' })).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        expect(await revs({ direction: 'backwards', fromRevision: 4 })).toEqual([4, 3, 2, 1, 0]);
        expect(await revs({ direction: 'backwards', fromRevision: 6, maxCount: 2 })).toEqual([
          6, 5,
        ]);
        expect(await revs({ direction: 'backwards', maxCount: 1 })).toEqual([9]);
        expect(await revs({ maxCount: 0 })).toEqual([]);
        expect(await readStream(stream('missing'))).toEqual([]);
      });

      it('streams a long history in order (crosses page boundaries)', async () => {
        const s = stream();
        let expected: ExpectedRevision = 'no_stream';
        for (let i = 0; i < 13; i++) {
          expected = (await store().appendToStream(s, things(100), { expectedRevision: expected }))
            .nextExpectedRevision;
        }
        let n = 0;
        for await (const e of store().readStream(s)) {
          expect(e.revision).toBe(n);
          n++;
        }
        expect(n).toBe(1300);
        n = 1299;
        for await (const e of store().readStream(s, { direction: 'backwards' })) {
          expect(e.revision).toBe(n);
          n--;
        }
        expect(n).toBe(-1);
      });
    });

    describe('readAll', () => {
      it('reads strictly after a position, in global order, with maxCount', async () => {
        const appended: NewEvent[] = [];
        let last: GlobalPosition = 0n;
        for (let i = 0; i < 4; i++) {
          const batch = things(3);
          appended.push(...batch);
          last = (await store().appendToStream(stream(`r${i % 3}`), batch)).position;
        }
        await visible(last);
        const all = await readMine();
        expect(ids(all)).toEqual(ids(appended));
        const positions = all.map((e) => e.globalPosition);
        for (let i = 1; i < positions.length; i++)
          expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? 0n);
        const fifth = all[4];
        if (!fifth) throw new Error('missing event');
        expect(ids(await readMine(fifth.globalPosition))).toEqual(ids(appended.slice(5)));
        const limited = await collect(
          store().readAll({
            after: fifth.globalPosition,
            maxCount: 2,
            filter: { streamPrefixes: [`${prefix}-`] },
          }),
        );
        expect(ids(limited)).toEqual(ids(appended.slice(5, 7)));
        expect(await readMine(last)).toEqual([]);
      });

      it('filters by event types and by stream prefixes', async () => {
        await store().appendToStream(stream('cust-1'), things(2, 'ThingHappened'));
        await store().appendToStream(stream('acct-1'), things(2, 'OtherThingHappened'));
        const r = await store().appendToStream(stream('cust-2'), things(1, 'OtherThingHappened'));
        await visible(r.position);
        const byType = await collect(
          store().readAll({
            filter: { eventTypes: ['OtherThingHappened'], streamPrefixes: [`${prefix}-`] },
          }),
        );
        expect(byType.map((e) => e.streamId)).toEqual([
          stream('acct-1'),
          stream('acct-1'),
          stream('cust-2'),
        ]);
        const byPrefix = await collect(
          store().readAll({ filter: { streamPrefixes: [stream('cust-')] } }),
        );
        expect(byPrefix.map((e) => e.streamId)).toEqual([
          stream('cust-1'),
          stream('cust-1'),
          stream('cust-2'),
        ]);
        const both = await collect(
          store().readAll({
            filter: {
              streamPrefixes: [stream('cust-'), stream('nothing')],
              eventTypes: ['ThingHappened'],
            },
          }),
        );
        expect(both.map((e) => e.streamId)).toEqual([stream('cust-1'), stream('cust-1')]);
      });
    });

    describe('readAllByStream (optional: bulk rebuilds)', () => {
      it('reads every event up to a position, stream by stream in revision order, resumable after a stream', async () => {
        const s = store();
        const byStream = s.readAllByStream?.bind(s);
        if (!byStream) {
          // The capability is optional: an adapter without it leaves it undefined (callers fall back).
          expect(s.readAllByStream).toBeUndefined();
          return;
        }
        const first = { c: things(2), a: things(3), b: things(1, 'OtherThingHappened') };
        await s.appendToStream(stream('bs-c'), first.c);
        await s.appendToStream(stream('bs-a'), first.a.slice(0, 2));
        await s.appendToStream(stream('bs-b'), first.b);
        const upTo = (await s.appendToStream(stream('bs-a'), first.a.slice(2))).position;
        // After the bound: neither a new stream nor a new revision of an old one is read.
        const later = (await s.appendToStream(stream('bs-a'), things(2))).position;
        await s.appendToStream(stream('bs-0'), things(1));
        await visible(later);
        const filter = { streamPrefixes: [stream('bs-')] };
        const all = await collect(byStream({ upTo, filter }));
        expect(ids(all)).toEqual(ids([...first.a, ...first.b, ...first.c]));
        expect(all.map((e) => `${e.streamId}@${e.revision}`)).toEqual([
          `${stream('bs-a')}@0`, `${stream('bs-a')}@1`, `${stream('bs-a')}@2`, `${stream('bs-b')}@0`, `${stream('bs-c')}@0`, `${stream('bs-c')}@1`,
        ]);
        for (const e of all) expect(e.globalPosition).toBeLessThanOrEqual(upTo);
        expect(ids(await collect(byStream({ upTo, filter, afterStream: stream('bs-a') })))).toEqual(ids([...first.b, ...first.c]));
        expect(ids(await collect(byStream({ upTo, filter: { ...filter, eventTypes: ['OtherThingHappened'] } })))).toEqual(ids(first.b));
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, turns live, and delivers each event once in global order', async () => {
        const history = things(5);
        await store().appendToStream(stream('a'), history.slice(0, 3));
        await store().appendToStream(stream('b'), history.slice(3));
        const { received } = subscribe({ filter: { streamPrefixes: [`${prefix}-`] } });
        await eventually(() => expect(ids(received)).toEqual(ids(history)), eventuallyMs);
        const live = [...things(2), ...things(4)];
        await store().appendToStream(stream('a'), live.slice(0, 2));
        await store().appendToStream(stream('c'), live.slice(2));
        await eventually(
          () => expect(ids(received)).toEqual(ids([...history, ...live])),
          eventuallyMs,
        );
        const positions = received.map((e) => e.globalPosition);
        for (let i = 1; i < positions.length; i++)
          expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? 0n);
      });

      it('starts strictly after a checkpoint, and filters by type', async () => {
        const batch = things(6);
        await store().appendToStream(stream(), batch);
        const other = things(2, 'OtherThingHappened');
        const last = await store().appendToStream(stream('o'), other);
        await visible(last.position);
        const mine = await readMine();
        const third = mine[2];
        if (!third) throw new Error('missing event');
        const fromCheckpoint = subscribe({
          after: third.globalPosition,
          filter: { streamPrefixes: [`${prefix}-`] },
        });
        const byType = subscribe({
          filter: { eventTypes: ['OtherThingHappened'], streamPrefixes: [`${prefix}-`] },
        });
        await eventually(() => {
          expect(ids(fromCheckpoint.received)).toEqual(ids([...batch.slice(3), ...other]));
          expect(ids(byType.received)).toEqual(ids(other));
        }, eventuallyMs);
        const more = things(1, 'OtherThingHappened');
        await store().appendToStream(stream('o'), more);
        await eventually(
          () => expect(ids(byType.received)).toEqual(ids([...other, ...more])),
          eventuallyMs,
        );
      });

      it('stop() ends the iteration and nothing is delivered after it', async () => {
        await store().appendToStream(stream(), things(3));
        const { subscription, received, ended } = subscribe({
          filter: { streamPrefixes: [`${prefix}-`] },
        });
        await eventually(() => expect(received).toHaveLength(3), eventuallyMs);
        await subscription.stop();
        await ended; // the for-await loop has returned
        const r = await store().appendToStream(stream(), things(2));
        await visible(r.position);
        expect(received).toHaveLength(3);
        await subscription.stop(); // idempotent
      });

      it('stop() while caught up and waiting ends promptly', async () => {
        const { subscription, ended } = subscribe({ filter: { streamPrefixes: [`${prefix}-`] } });
        const started = Date.now();
        await subscription.stop();
        await ended;
        expect(Date.now() - started).toBeLessThan(5_000);
      });
    });

    describe('headPosition', () => {
      it('reaches the position of the last append', async () => {
        const r = await store().appendToStream(stream(), things(2));
        await visible(r.position);
        expect(await store().headPosition()).toBeGreaterThanOrEqual(r.position);
      });
    });

    describe('bad input is refused with its code, and nothing of the batch is written', () => {
      const tooBig = (): JsonObject => ({ blob: 'x'.repeat(CONTRACT_LIMITS.maxEventBytes + 1) });
      const cases: [string, () => { streamId: string; events: NewEvent[] }, EventStoreErrorCode][] =
        [
          [
            'empty stream name',
            () => ({ streamId: '', events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'stream name with a space',
            () => ({ streamId: `${prefix} x`, events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'reserved $ stream name',
            () => ({ streamId: `$${prefix}`, events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'stream name with a slash',
            () => ({ streamId: `${prefix}/x`, events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'stream name with NUL',
            () => ({ streamId: `${prefix}\u0000`, events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'stream name too long',
            () => ({ streamId: `${prefix}${'x'.repeat(200)}`, events: things(1) }),
            EventStoreErrorCode.InvalidStreamName,
          ],
          [
            'empty batch',
            () => ({ streamId: stream(), events: [] }),
            EventStoreErrorCode.EmptyBatch,
          ],
          [
            'batch over the limit',
            () => ({ streamId: stream(), events: things(CONTRACT_LIMITS.maxBatchSize + 1) }),
            EventStoreErrorCode.BatchTooLarge,
          ],
          [
            'oversized event (last of the batch)',
            () => ({ streamId: stream(), events: [...things(2), thing(tooBig())] }),
            EventStoreErrorCode.EventTooLarge,
          ],
          [
            'unknown event type',
            () => ({
              streamId: stream(),
              events: [...things(1), { ...thing(), type: 'NoSuchEvent' }],
            }),
            EventStoreErrorCode.UnknownEventType,
          ],
          [
            'future schema version',
            () => ({ streamId: stream(), events: [...things(1), { ...thing(), version: 2 }] }),
            EventStoreErrorCode.UnsupportedEventVersion,
          ],
          [
            'version 0',
            () => ({ streamId: stream(), events: [{ ...thing(), version: 0 }] }),
            EventStoreErrorCode.UnsupportedEventVersion,
          ],
          [
            'invalid uuid',
            () => ({
              streamId: stream(),
              events: [...things(1), { ...thing(), eventId: 'not-a-uuid' }],
            }),
            EventStoreErrorCode.InvalidEvent,
          ],
          [
            'event id repeated within the batch',
            () => {
              const e = thing();
              return { streamId: stream(), events: [e, { ...e }] };
            },
            EventStoreErrorCode.InvalidEvent,
          ],
          [
            'data that is not an object',
            () => ({
              streamId: stream(),
              events: [{ ...thing(), data: [1, 2] as unknown as JsonObject }],
            }),
            EventStoreErrorCode.InvalidEvent,
          ],
          [
            'invalid occurredAt',
            () => ({ streamId: stream(), events: [thing({}, { occurredAt: new Date('nope') })] }),
            EventStoreErrorCode.InvalidEvent,
          ],
        ];

      it.each(cases)('%s', async (_label, make, code) => {
        const { streamId, events } = make();
        const before = await store().headPosition();
        await expectCode(store().appendToStream(streamId, events), code);
        // a valid append afterwards, then nothing of the refused batch may be anywhere in $all
        const sentinel = await store().appendToStream(stream('sentinel'), things(1));
        await visible(sentinel.position);
        const refused = new Set(ids(events));
        for await (const e of store().readAll({ after: before })) {
          expect(refused.has(e.eventId.toLowerCase())).toBe(false);
        }
        expect(await readStream(stream())).toEqual([]);
      });
    });
  });
}
