import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually, startTcpProxy, testServerUrl, type TcpProxy } from '@c360/testing';
import { committedTotal, createFaultEnv, expectStoreMatchesLedger, Ledger, postSteadily, startFaultGateway, startFaultIngestor, storedRows, waitForCount, type FaultEnv } from './fault-harness';

/**
 * F8 (network cut to PostgreSQL) and connection kills, under ingestion. Network namespaces are
 * not used: the ingestor reaches PostgreSQL through a test-owned TCP proxy (node:net) which the
 * test cuts — every open connection reset, new ones reset on accept — for 15 s, then restores.
 * Then its backends are killed repeatedly with pg_terminate_backend (this database's only: the
 * server is shared). The gateway keeps accepting (its intake is Kafka) the whole time. The
 * ingestor retries, never commits an offset past an event it did not append, and afterwards the
 * store holds every event answered 202 exactly once, in per-customer send order.
 */
describe('F8: the ingestor loses its database connections under ingestion', () => {
  let p: FaultEnv;
  let proxy: TcpProxy;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    const server = testServerUrl();
    proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    p = await createFaultEnv('f8-db', {
      partitions: 3,
      ingestorDatabaseUrl: (direct) => {
        const u = new URL(direct);
        u.hostname = '127.0.0.1';
        u.port = String(proxy.port);
        return u.toString();
      },
    });
    gateway = await startFaultGateway(p);
    ingestor = await startFaultIngestor(p);
  }, 180_000);

  afterAll(async () => {
    proxy?.restore();
    await gateway?.app.close().catch(() => undefined);
    await ingestor?.app.close().catch(() => undefined);
    await proxy?.close();
    await p?.cleanup();
  });

  it('retries through a 15 s cut and repeated connection kills: nothing lost, nothing doubled, order held', async () => {
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    let stop = false;
    const { refusals, done: clients } = postSteadily({ gatewayUrl: gateway.url, token, ledger, prefix: 'F8', stopped: () => stop });
    const ready = async (): Promise<number> => (await fetch(`${ingestor.url}/health/ready`)).status;

    // 1. Flowing.
    await waitForCount(p.db.pool, 200, 60_000);
    expect(await ready()).toBe(200);

    // 2. The cut: 15 s without PostgreSQL while events keep arriving on the topic.
    proxy.cut();
    const cutAt = Date.now();
    const storedAtCut = (await storedRows(p.db.pool)).length;
    const acceptedAtCut = ledger.size;
    // Readiness is polled through the cut (each answer prompt: no hang on the dead connections).
    // Readiness follows the database: it goes false during the cut and true again after (F8).
    const readyDuringCut: number[] = [];
    let slowestReadyMs = 0;
    while (Date.now() - cutAt < 15_000 || ledger.size <= acceptedAtCut + 100) {
      const t = Date.now();
      readyDuringCut.push(await ready());
      slowestReadyMs = Math.max(slowestReadyMs, Date.now() - t);
      await new Promise((r) => setTimeout(r, 250)); // polling rhythm for the fault's 15 s length
      if (Date.now() - cutAt > 60_000) break;
    }
    expect(ledger.size).toBeGreaterThan(acceptedAtCut + 100);
    // Offsets are committed only after the append: committed (read first) never exceeds stored.
    // (One message per event and no poison here, so offsets count events.)
    const committed = await committedTotal(p.brokers, `${p.env['KAFKA_GROUP_PREFIX']}.ingestor`, p.topic);
    const storedNow = (await storedRows(p.db.pool)).length;
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThanOrEqual(storedNow);
    // Nothing can have been appended without the database (a few in-flight commits at the moment of the cut aside).
    expect((await storedRows(p.db.pool)).length).toBeLessThan(storedAtCut + 60);
    proxy.restore();

    // 3. Back: it catches up without a restart.
    await expectEventually(() => expect(ledger.size).toBeGreaterThan(acceptedAtCut + 250), { timeoutMs: 30_000, intervalMs: 100 });
    await waitForCount(p.db.pool, ledger.size, 60_000);

    // 4. Its backends killed again and again (this database only) while ingestion goes on.
    let kills = 0;
    const killer = (async () => {
      const until = Date.now() + 6_000;
      while (Date.now() < until) {
        const r = await p.db.pool.query(
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'c360-ingestor'",
        );
        kills += (r.rows[0] as { n: number }).n;
        await new Promise((res) => setTimeout(res, 150));
      }
    })();
    await killer;
    expect(kills).toBeGreaterThan(3);

    stop = true;
    await clients;
    expect(refusals).toEqual([]); // the gateway does not depend on PostgreSQL: it accepted throughout

    await waitForCount(p.db.pool, ledger.size, 60_000);
    await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 30_000, intervalMs: 300 });
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    expect(await ready()).toBe(200);
    // Readiness answered promptly through the cut (no hang on the dead connections).
    expect(readyDuringCut.length).toBeGreaterThan(10);
    expect(readyDuringCut).toContain(503);
    expect(slowestReadyMs).toBeLessThan(10_000);
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0); // a lost connection is transient, never a dead letter
  }, 300_000);
});
