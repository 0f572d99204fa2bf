import { randomUUID } from 'node:crypto';
import { migratePostgresEventStore, PostgresEventStore } from '@c360/event-store';
import type { MessagePublisher, OutgoingMessage, TopicAdmin } from '@c360/messaging';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { Client } from 'pg';
import { PostgresReplayWindow } from './replay-window';
import { ReplayService } from './replay.service';

/** Records what would go to Kafka. */
class RecordingPublisher implements MessagePublisher {
  readonly sent: OutgoingMessage[] = [];
  publish(_topic: string, messages: readonly OutgoingMessage[]): Promise<readonly never[]> {
    this.sent.push(...messages);
    return Promise.resolve([]);
  }
  isReady(): boolean {
    return true;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const admin: TopicAdmin = { ensureTopics: () => Promise.resolve(), groupLag: () => Promise.resolve([]), close: () => Promise.resolve() };

/**
 * The PostgreSQL store's readers never pass the server-wide xmin horizon, which any older open
 * transaction holds back — on a shared server, another database's. Replay must still publish
 * its whole window: it waits for the horizon rather than ending where readAll stops.
 */
describe('replay and the visibility horizon (real PostgreSQL)', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const holders: Client[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'c360_replay_horizon' });
    await migratePostgresEventStore(db.pool);
    store = new PostgresEventStore(db.pool, { pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await Promise.allSettled(holders.map((c) => c.end()));
    await store?.close();
    await db?.drop();
  });

  /** A transaction with an id older than every event appended after it, left open. */
  async function holdHorizon(): Promise<Client> {
    const holder = new Client({ connectionString: db.url });
    holder.on('error', () => undefined); // the database is dropped at the end
    holders.push(holder);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    return holder;
  }

  async function appendSix(): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const eventId = randomUUID();
      await store.appendToStream(`customer-H${i % 3}`, [{ eventId, type: 'MoneyMoved', version: 1, data: { n: i }, metadata: { source: { system: 'core-banking' } } }]);
      ids.push(eventId);
    }
    return ids;
  }

  const service = (publisher: MessagePublisher): ReplayService =>
    new ReplayService({ eventStore: store, window: new PostgresReplayWindow(db.pool, 'event_store'), publisher, admin, reservedTopics: [], defaultPartitions: 1, batchSize: 4 });
  const request = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z'), topic: 'replay-horizon' };

  it('publishes every event of the window although an older transaction holds the horizon back, once it ends', async () => {
    const open = await holdHorizon();
    const ids = await appendSix();
    expect(await store.headPosition()).toBe(0n); // readAll would see none of them yet
    const publisher = new RecordingPublisher();
    let finished = false;
    const run = service(publisher)
      .run(request)
      .finally(() => {
        finished = true;
      });
    await new Promise((r) => setTimeout(r, 500));
    expect(finished).toBe(false); // waiting at the horizon, not done with part of the window
    await open.query('COMMIT');
    const result = await run;
    expect(result).toMatchObject({ published: 6, total: 6, cancelled: false });
    expect(publisher.sent.map((m) => (JSON.parse(String(m.value)) as { eventId: string }).eventId)).toEqual(ids);
  });

  it('a cancel while waiting at the horizon returns promptly, marked cancelled', async () => {
    const open = await holdHorizon();
    await appendSix();
    const publisher = new RecordingPublisher();
    const abort = new AbortController();
    const run = service(publisher).run(request, { signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    const result = await run;
    expect(result.cancelled).toBe(true);
    expect(result.published).toBeLessThan(result.total);
    await open.query('COMMIT');
  });
});
