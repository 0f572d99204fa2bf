/** appendToStreams: several streams in one round trip and one transaction. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import type { NewEvent, RecordedEvent } from '../../envelope';
import { EventStoreErrorCode } from '../../errors';
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

  it('looks event ids up through the index however young the table (no sequential scan per append)', async () => {
    const r = await db.pool.query<{ proconfig: string[] | null }>(
      `SELECT proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'append_events' AND n.nspname = $1`,
      [(store as unknown as { schema: string }).schema],
    );
    expect(r.rows[0]?.proconfig).toEqual(expect.arrayContaining(['enable_seqscan=off', 'enable_hashjoin=off']));
  });
});
