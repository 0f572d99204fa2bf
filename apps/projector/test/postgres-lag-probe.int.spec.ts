import { randomUUID } from 'node:crypto';
import { encodePostgresPosition, migratePostgresEventStore } from '@c360/event-store';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { EventStoreStats } from '../src/ops/event-store-stats';
import { latestCommittedPosition, postgresLagProbe } from '../src/postgres-lag-probe';

/**
 * The lag probe and the ops stats read the events table directly. Rows are written here with
 * chosen transaction ids, so the order of positions is known and crosses a power of ten.
 */
describe('PostgreSQL lag probe and latest position (real PostgreSQL)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'c360_lag_probe' });
    await migratePostgresEventStore(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const insert = async (transactionId: number, seq: number, type: string, recordedAt: string): Promise<void> => {
    await db.pool.query(
      `INSERT INTO event_store.events (transaction_id, seq, event_id, stream_id, revision, type, version, data, occurred_at, recorded_at)
       VALUES ($1::text::xid8, $2, $3, $4, $5, $6, 1, '{}', $7, $7)`,
      [String(transactionId), seq, randomUUID(), `customer-L${transactionId}`, seq, type, recordedAt],
    );
  };

  it('the latest position is the highest transaction id as a number (100 after 99), found through the index', async () => {
    await insert(99, 0, 'MoneyMoved', '2026-01-01T00:00:00Z');
    await insert(100, 0, 'MoneyMoved', '2026-01-01T00:00:01Z');
    expect(await latestCommittedPosition(db.pool, 'event_store')).toBe(encodePostgresPosition('100', 0));
    expect(await new EventStoreStats(db.pool, 'event_store').latest()).toBe(encodePostgresPosition('100', 0));
    // The newest index entry, not a sort of the table (ordering by a text rendering needs one).
    const plan = (await db.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT e.transaction_id::text AS transaction_id, e.seq FROM event_store.events e ORDER BY e.transaction_id DESC, e.seq DESC LIMIT 1`,
    )).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('Index');
    expect(plan).not.toContain('Sort');
  });

  it('counts the handled events after the checkpoint up to cap + 1, with the oldest one’s time', async () => {
    for (let i = 0; i < 30; i++) await insert(200 + i, 0, i % 3 === 0 ? 'ComplaintRaised' : 'MoneyMoved', new Date(Date.UTC(2026, 1, 1, 0, 0, i)).toISOString());
    const probe = postgresLagProbe(db.pool, 'event_store');
    const after = encodePostgresPosition('204', 0); // 25 left: 205..229, of which 8 complaints (207, 210, …, 228)
    expect(await probe.sample(after, ['MoneyMoved', 'ComplaintRaised'], 100)).toEqual({
      head: encodePostgresPosition('229', 0),
      events: 25,
      oldestRecordedAt: new Date(Date.UTC(2026, 1, 1, 0, 0, 5)),
    });
    expect((await probe.sample(after, ['ComplaintRaised'], 100)).events).toBe(8);
    expect((await probe.sample(after, ['MoneyMoved', 'ComplaintRaised'], 10)).events).toBe(11); // capped: cap + 1 says "more"
    expect(await probe.sample(encodePostgresPosition('229', 0), ['MoneyMoved'], 10)).toEqual({ head: encodePostgresPosition('229', 0), events: 0, oldestRecordedAt: null });
  });
});
