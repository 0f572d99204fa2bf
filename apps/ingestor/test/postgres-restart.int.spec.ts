import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { expectEventually, startPrivatePostgres, type PostgresStopMode, type PrivatePostgres } from '@c360/testing';
import type { Projector } from '../../projector/src/projector';
import { createDatabaseOn, createFaultEnv, expectStoreMatchesLedger, Ledger, postSteadily, startFaultGateway, startFaultIngestor, storedRows, waitForCount, type FaultEnv } from './fault-harness';
import { expectLiveEqualsRebuild, startFaultProjector } from './fault-projector';

/**
 * F5 and F6: PostgreSQL is stopped under ingestion and projection — crashed (`pg_ctl stop -m
 * immediate`, as `pg_ctlcluster … stop -m immediate` does: no checkpoint, recovery at start) or
 * stopped cleanly (`-m fast`, a service restart: sessions terminated with 57P01, new ones refused
 * while it shuts down, a shutdown checkpoint) — and started again on the same data directory and
 * port. It is a private server of the test's own: the shared one on 5432 is never touched. The
 * gateway (Kafka intake) keeps answering 202; the ingestor and the projector reconnect by
 * themselves, without a restart: the store ends with every event answered 202 exactly once, in
 * per-customer send order (I1, I2, I4), and the read models equal a rebuild (I5, I6).
 */
describe.each<{ id: string; fault: string; mode: PostgresStopMode }>([
  { id: 'F5', fault: 'crash (-m immediate)', mode: 'immediate' },
  { id: 'F6', fault: 'clean restart (-m fast)', mode: 'fast' },
])('$id: PostgreSQL $fault under ingestion and projection', ({ id, mode }) => {
  const tag = id.toLowerCase();
  let pg: PrivatePostgres | undefined;
  let starting: Promise<PrivatePostgres> | undefined;
  let p: FaultEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: { app: NestFastifyApplication; url: string };
  let projector: Projector | undefined;
  /** Set when the suite ends, passed or failed: the clients stop retrying and return. */
  let abort = false;
  let clients: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    starting = startPrivatePostgres();
    pg = await starting;
    p = await createFaultEnv(`${tag}-pg`, { partitions: 3, db: await createDatabaseOn(pg.url, `c360_${tag}`) });
    gateway = await startFaultGateway(p);
    ingestor = await startFaultIngestor(p);
    projector = await startFaultProjector(p, `${tag}-live`, { PROJECTOR_LEASE_TTL_MS: '2000' });
  }, 300_000);

  afterAll(async () => {
    abort = true;
    await clients.catch(() => undefined);
    await projector?.stop().catch(() => undefined);
    await gateway?.app.close().catch(() => undefined);
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup().catch(() => undefined);
    const server = pg ?? (await starting?.catch(() => undefined));
    await server?.destroy();
  }, 120_000);

  it('the ingestor and the projector reconnect by themselves: nothing lost, nothing doubled, order held, read models = rebuild', async () => {
    const server = pg!;
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    let stop = false;
    const stream = postSteadily({ gatewayUrl: gateway.url, token, ledger, prefix: id, stopped: () => stop, abandoned: () => abort });
    const { refusals } = stream;
    clients = stream.done;

    await waitForCount(p.db.pool, 200, 90_000);
    await expectEventually(() => expect(projector!.status().some((s) => s.appliedEvents > 0)).toBe(true), { timeoutMs: 60_000, intervalMs: 100 });
    // The stop lands on writes in flight, not on idle connections: a session of the test's own
    // locks the projector's checkpoints and the stream heads against writes, so the projector's
    // next batch and the ingestor's next append wait inside their open transactions, their rows
    // written. The stop cuts them midway (a fast stop rolls them back with 57P01, a crash
    // resets the connection); the batches must be redelivered and land once. Table locks take no
    // transaction id, so the store's visibility horizon does not stop at the blocker (F15).
    const blocker = new Client({ connectionString: p.db.url });
    blocker.on('error', () => undefined); // its session ends with the server
    await blocker.connect();
    const waitingOnLocks = async (): Promise<{ projector: boolean; ingestor: boolean }> => {
      const waiting = await p.db.pool.query<{ app: string }>(
        `SELECT application_name AS app FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      const apps = waiting.rows.map((r) => r.app);
      return { projector: apps.some((a) => a.startsWith('c360-projector-')), ingestor: apps.includes('c360-ingestor') };
    };
    try {
      await blocker.query('BEGIN');
      // The projector first, while events still reach it (once the ingestor waits, none do).
      await blocker.query('LOCK TABLE read_models.projection_checkpoints IN SHARE MODE');
      await expectEventually(async () => expect((await waitingOnLocks()).projector).toBe(true), { timeoutMs: 30_000, intervalMs: 50 });
      await blocker.query('LOCK TABLE event_store.streams IN SHARE MODE');
      await expectEventually(async () => expect(await waitingOnLocks()).toEqual({ projector: true, ingestor: true }), { timeoutMs: 30_000, intervalMs: 50 });
      await server.stop(mode);
    } finally {
      await blocker.end().catch(() => undefined);
    }
    const acceptedAtStop = ledger.size;
    // Down: the gateway keeps accepting onto Kafka while nothing can be stored.
    await expectEventually(() => expect(ledger.size).toBeGreaterThan(acceptedAtStop + 100), { timeoutMs: 60_000, intervalMs: 100 });
    await expect(storedRows(p.db.pool)).rejects.toThrow();
    await server.start();

    await expectEventually(() => expect(ledger.size).toBeGreaterThan(acceptedAtStop + 200), { timeoutMs: 60_000, intervalMs: 100 });
    stop = true;
    await clients;
    expect(refusals).toEqual([]);

    await waitForCount(p.db.pool, ledger.size, 90_000);
    await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 30_000, intervalMs: 300 });
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    expect((await fetch(`${ingestor.url}/health/ready`)).status).toBe(200);
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0);

    // The projector, never restarted, catches up with everything the store holds (I5, I6).
    const live = await expectLiveEqualsRebuild(p, projector!, `rebuild_${tag}`);
    expect(live.customers).toBe(ledger.streams().size);
    const [status] = projector!.status();
    expect(status?.state).toBe('live');
    expect(status?.retries).toBeGreaterThan(0); // it did meet the outage, and came through it by itself
  }, 300_000);
});
