/** appendToStreams: several streams in one round trip and one transaction. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import type { NewEvent, RecordedEvent } from '../../envelope';
import { EventStoreErrorCode } from '../../errors';
import { decodePosition } from './global-position';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

jest.setTimeout(60_000);

let db: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  const schema = `es_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(db.pool, schema);
  store = new PostgresEventStore(db.pool, { schema });
});

afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const ev = (n: number): NewEvent => ({ eventId: randomUUID(), type: 'ThingHappened', version: 1, data: { n } });

async function read(streamId: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readStream(streamId)) out.push(e);
  return out;
}

describe('PostgresEventStore.appendToStreams', () => {
  it('appends to each stream in order, answers per stream in the order asked, and is idempotent', async () => {
    const tag = randomBytes(3).toString('hex');
    const z = [ev(1), ev(2), ev(3)];
    const a = [ev(4)];
    await store.appendToStream(`m-${tag}-a`, [ev(0)]);
    const appends = [
      { streamId: `m-${tag}-z`, events: z },
      { streamId: `m-${tag}-a`, events: a },
    ];
    const results = await store.appendToStreams(appends);
    expect(results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([
      [2, 3],
      [1, 1],
    ]);
    expect((await read(`m-${tag}-z`)).map((e) => e.eventId)).toEqual(z.map((e) => e.eventId));
    expect((await read(`m-${tag}-a`)).map((e) => [e.revision, e.eventId])[1]).toEqual([1, a[0]?.eventId]);
    // one transaction: every event of the call shares its transaction id, positions are distinct
    const positions = [...(await read(`m-${tag}-z`)), ...(await read(`m-${tag}-a`)).slice(1)].map((e) => e.globalPosition);
    expect(new Set(positions).size).toBe(4);
    // a redelivery of the same call writes nothing and answers the same revisions
    const again = await store.appendToStreams(appends);
    expect(again.map((r) => [r.nextExpectedRevision, r.written, r.position])).toEqual(results.map((r) => [r.nextExpectedRevision, 0, r.position]));
    expect(await read(`m-${tag}-z`)).toHaveLength(3);
  });

  it('is all or nothing: one refused stream leaves every stream of the call untouched', async () => {
    const tag = randomBytes(3).toString('hex');
    const stored = ev(1);
    await store.appendToStream(`m-${tag}-x`, [stored]);
    const clash: NewEvent = { ...stored, data: { n: 99 } };
    await expect(
      store.appendToStreams([
        { streamId: `m-${tag}-b`, events: [ev(2)] },
        { streamId: `m-${tag}-x`, events: [clash] },
        { streamId: `m-${tag}-c`, events: [ev(3)] },
      ]),
    ).rejects.toMatchObject({ code: EventStoreErrorCode.EventIdConflict });
    await expect(
      store.appendToStreams([
        { streamId: `m-${tag}-b`, events: [ev(2)] },
        { streamId: `m-${tag}-x`, events: [ev(4)], expectedRevision: 5 },
      ]),
    ).rejects.toMatchObject({ code: EventStoreErrorCode.WrongExpectedRevision });
    expect(await read(`m-${tag}-b`)).toEqual([]);
    expect(await read(`m-${tag}-c`)).toEqual([]);
    expect(await read(`m-${tag}-x`)).toHaveLength(1);
    await expect(store.appendToStreams([{ streamId: `m-${tag}-d`, events: [ev(1)] }, { streamId: `m-${tag}-d`, events: [ev(2)] }])).rejects.toMatchObject({
      code: EventStoreErrorCode.InvalidEvent,
    });
  });

  it('writes a fresh call in one pass: revisions run on from each head, expectations are checked, one transaction', async () => {
    const tag = randomBytes(3).toString('hex');
    await store.appendToStream(`m-${tag}-old`, [ev(0), ev(1)]);
    await store.appendToStream(`m-${tag}-any`, [ev(0)]);
    const fresh = [ev(2), ev(3)];
    const more = [ev(4), ev(5), ev(6)];
    const next = [ev(7)];
    const results = await store.appendToStreams([
      { streamId: `m-${tag}-new`, events: fresh, expectedRevision: 'no_stream' },
      { streamId: `m-${tag}-old`, events: more, expectedRevision: 1 },
      { streamId: `m-${tag}-any`, events: next, expectedRevision: 'stream_exists' },
    ]);
    expect(results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([
      [1, 2],
      [4, 3],
      [1, 1],
    ]);
    const events = [...(await read(`m-${tag}-new`)), ...(await read(`m-${tag}-old`)), ...(await read(`m-${tag}-any`))];
    expect(events.map((e) => [e.streamId, e.revision, e.eventId])).toEqual([
      [`m-${tag}-new`, 0, fresh[0]?.eventId],
      [`m-${tag}-new`, 1, fresh[1]?.eventId],
      [`m-${tag}-old`, 0, expect.any(String)],
      [`m-${tag}-old`, 1, expect.any(String)],
      [`m-${tag}-old`, 2, more[0]?.eventId],
      [`m-${tag}-old`, 3, more[1]?.eventId],
      [`m-${tag}-old`, 4, more[2]?.eventId],
      [`m-${tag}-any`, 0, expect.any(String)],
      [`m-${tag}-any`, 1, next[0]?.eventId],
    ]);
    // one transaction: the call's six events share a transaction id and sit in stream order within it
    const written = events.filter((e) => [...fresh, ...more, ...next].some((x) => x.eventId === e.eventId)).map((e) => e.globalPosition);
    expect(new Set(written.map((p) => decodePosition(p).transactionId)).size).toBe(1);
    expect(new Set(written).size).toBe(6);
    // each stream's head moved: the next append with the right expectation succeeds, a stale one fails
    await expect(store.appendToStream(`m-${tag}-old`, [ev(8)], { expectedRevision: 4 })).resolves.toMatchObject({ nextExpectedRevision: 5 });
    await expect(store.appendToStreams([{ streamId: `m-${tag}-new`, events: [ev(9)], expectedRevision: 0 }, { streamId: `m-${tag}-z`, events: [ev(9)] }])).rejects.toMatchObject({
      code: EventStoreErrorCode.WrongExpectedRevision,
    });
    expect(await read(`m-${tag}-z`)).toEqual([]);
  });

  it('a call overlapping a stored one writes only what is new, per stream', async () => {
    const tag = randomBytes(3).toString('hex');
    const first = [ev(1), ev(2)];
    await store.appendToStreams([{ streamId: `m-${tag}-a`, events: first }]);
    const later = [ev(3)];
    const other = [ev(4), ev(5)];
    const results = await store.appendToStreams([
      { streamId: `m-${tag}-a`, events: [...first, ...later] },
      { streamId: `m-${tag}-b`, events: other },
    ]);
    expect(results.map((r) => [r.nextExpectedRevision, r.written])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect((await read(`m-${tag}-a`)).map((e) => e.eventId)).toEqual([...first, ...later].map((e) => e.eventId));
    expect((await read(`m-${tag}-b`)).map((e) => e.eventId)).toEqual(other.map((e) => e.eventId));
  });

  it('refuses one new event id in two streams of a call, and writes nothing of it', async () => {
    const tag = randomBytes(3).toString('hex');
    const twice = ev(1);
    await expect(
      store.appendToStreams([
        { streamId: `m-${tag}-a`, events: [ev(0), twice] },
        { streamId: `m-${tag}-b`, events: [twice] },
      ]),
    ).rejects.toMatchObject({ code: EventStoreErrorCode.EventIdConflict });
    expect(await read(`m-${tag}-a`)).toEqual([]);
    expect(await read(`m-${tag}-b`)).toEqual([]);
  });

  it('looks event ids up through the index however young the table (no sequential scan per append)', async () => {
    const r = await db.pool.query<{ proname: string; proconfig: string[] | null }>(
      `SELECT p.proname, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname IN ('append_events', 'append_events_many_set') AND n.nspname = $1 ORDER BY p.proname`,
      [(store as unknown as { schema: string }).schema],
    );
    expect(r.rows.map((row) => row.proname)).toEqual(['append_events', 'append_events_many_set']);
    for (const row of r.rows) expect(row.proconfig).toEqual(expect.arrayContaining(['enable_seqscan=off', 'enable_hashjoin=off']));
  });
});
