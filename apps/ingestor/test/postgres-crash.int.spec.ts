import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually, startPrivatePostgres, type PrivatePostgres } from '@c360/testing';
import { moneyMoved } from './fixtures';
import { createDatabaseOn, createFaultEnv, expectStoreMatchesLedger, Ledger, postJson, startFaultGateway, startFaultIngestor, storedRows, waitForCount, type FaultEnv } from './fault-harness';

/**
 * F5: PostgreSQL crashes (`pg_ctl stop -m immediate`, as `pg_ctlcluster … stop -m immediate`
 * does) under ingestion and is started again on the same data directory and port. It is a
 * private server of the test's own: the shared one on 5432 is never touched. The gateway (Kafka
 * intake) keeps answering 202; the ingestor reconnects by itself, without a restart, and the
 * store ends with every event answered 202 exactly once, in per-customer send order.
 */
describe('F5: PostgreSQL crash and restart under ingestion', () => {
  let pg: PrivatePostgres | undefined;
  let starting: Promise<PrivatePostgres> | undefined;
  let p: FaultEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    starting = startPrivatePostgres();
    pg = await starting;
    p = await createFaultEnv('f5-pg', { partitions: 3, db: await createDatabaseOn(pg.url, 'c360_f5') });
    gateway = await startFaultGateway(p);
    ingestor = await startFaultIngestor(p);
  }, 300_000);

  afterAll(async () => {
    await gateway?.app.close().catch(() => undefined);
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup().catch(() => undefined);
    const server = pg ?? (await starting?.catch(() => undefined));
    await server?.destroy();
  }, 120_000);

  it('reconnects by itself after the crash: nothing lost, nothing doubled, order held', async () => {
    const server = pg!;
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    const refusals: number[] = [];
    let stop = false;
    let amount = 0;
    const client = async (w: number): Promise<void> => {
      let n = 0;
      while (!stop) {
        const batch = Array.from({ length: 10 }, (_, i) => moneyMoved(`F5W${w}C${(n + i) % 6}`, ++amount));
        n++;
        for (;;) {
          const res = await postJson(`${gateway.url}/v1/events`, token, batch);
          if (res.status === 202) {
            for (const e of batch) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
            break;
          }
          refusals.push(res.status);
          await new Promise((r) => setTimeout(r, 200));
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const clients = [0, 1, 2].map((w) => client(w));

    await waitForCount(p.db.pool, 200, 90_000);
    await server.crash();
    const acceptedAtCrash = ledger.size;
    // Down: the gateway keeps accepting onto Kafka while nothing can be stored.
    await expectEventually(() => expect(ledger.size).toBeGreaterThan(acceptedAtCrash + 100), { timeoutMs: 60_000, intervalMs: 100 });
    await expect(storedRows(p.db.pool)).rejects.toThrow();
    await server.start();

    await expectEventually(() => expect(ledger.size).toBeGreaterThan(acceptedAtCrash + 200), { timeoutMs: 60_000, intervalMs: 100 });
    stop = true;
    await Promise.all(clients);
    expect(refusals).toEqual([]);

    await waitForCount(p.db.pool, ledger.size, 90_000);
    await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 30_000, intervalMs: 300 });
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    expect((await fetch(`${ingestor.url}/health/ready`)).status).toBe(200);
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0);
  }, 300_000);
});
