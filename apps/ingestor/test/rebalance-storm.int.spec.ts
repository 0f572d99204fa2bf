import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually } from '@c360/testing';
import { createIngestorApp } from '../src/ingestor-app';
import { moneyMoved } from './fixtures';
import { createFaultEnv, expectStoreMatchesLedger, Ledger, storedRows, waitForCount, type FaultEnv } from './fault-harness';
import { produceRaw } from './pipeline-harness';

/**
 * F12: ingestor instances (each its own consumer, pool and Nest app, one consumer group) join
 * and leave every couple of seconds while a backlog is consumed and more keeps arriving on the
 * topic. Every partition changes hands many times mid-batch; afterwards every event on the topic
 * is in the store exactly once, per-customer order intact.
 */
describe('F12: rebalance storm across ingestor instances', () => {
  let p: FaultEnv;
  const members: NestFastifyApplication[] = [];

  beforeAll(async () => {
    p = await createFaultEnv('f12', { partitions: 6 });
  }, 120_000);

  afterAll(async () => {
    for (const m of members.splice(0)) await m.close().catch(() => undefined);
    await p?.cleanup();
  }, 120_000);

  /** A member joins; one whose start-up fails (e.g. the loaded machine timed out its first connection) is started again, as a supervisor would. */
  const join = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const app = await createIngestorApp(p.config, { databaseUrl: p.ingestorDatabaseUrl, mode: 'kafka', poolMax: 3 });
      try {
        await app.init();
        members.push(app);
        return;
      } catch (e) {
        await app.close().catch(() => undefined);
        if (attempt >= 3) throw e;
      }
    }
  };
  const leave = async (index: number): Promise<void> => {
    const [app] = members.splice(index, 1);
    await app?.close();
  };

  it('loses and duplicates nothing while members come and go', async () => {
    const ledger = new Ledger();
    const customers = Array.from({ length: 30 }, (_, i) => `F12C${i}`);
    let amount = 0;
    /** Messages as the gateway writes them (key = customer), sent in order; the ledger is the send order. */
    const produce = async (count: number): Promise<void> => {
      const events = Array.from({ length: count }, (_, i) => moneyMoved(customers[(amount + i) % customers.length]!, ++amount));
      await produceRaw(
        p.topic,
        events.map((e) => ({ key: `customer:${e['customerId'] as string}`, value: JSON.stringify(e) })),
      );
      for (const e of events) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
    };
    for (let i = 0; i < 10; i++) await produce(200); // a backlog of 2,000

    await join();
    await join();
    await waitForCount(p.db.pool, 100, 60_000);

    // The storm: ~12 membership changes, each while batches are in flight, with more events arriving.
    const storedBefore = (await storedRows(p.db.pool)).length;
    let changes = 0;
    for (let round = 0; round < 12; round++) {
      if (members.length <= 1 || (members.length < 3 && round % 3 !== 2)) await join();
      else await leave(round % members.length);
      changes++;
      await produce(100);
      await new Promise((r) => setTimeout(r, 700)); // the storm's rhythm (membership changes every second or so), not a wait for a result
    }
    expect(changes).toBe(12);
    // The storm happened while work remained: the store was still behind when it started.
    expect(storedBefore).toBeLessThan(ledger.size);

    // Settle with two members, then check the store against everything produced.
    while (members.length < 2) await join();
    const rows = await waitForCount(p.db.pool, ledger.size, 90_000);
    await expectEventually(
      async () => {
        const metrics = await members[0]!.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
        expect(metrics.body).toMatch(/^c360_ingestor_consumer_lag 0$/m);
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    expect(rows.length).toBeGreaterThanOrEqual(ledger.size);
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0);
  }, 400_000);
});
