import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually } from '@c360/testing';
import type { Projector } from '../../projector/src/projector';
import { canonical, moneyMoved } from './fixtures';
import { createFaultEnv, expectStoreMatchesLedger, Ledger, postJson, startFaultGateway, startFaultIngestor, storedRows, waitForCount, type FaultEnv, type PostOutcome } from './fault-harness';
import { expectLiveEqualsRebuild, startFaultProjector, waitProjectedToHead } from './fault-projector';

/** A process that keeps one core busy until it is killed; one per core keeps them all busy. */
const spin = (): ChildProcess => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
const CORES = availableParallelism();

const CLIENTS = 3;
const CUSTOMERS_PER_CLIENT = 6;
const BATCHES_PER_CLIENT = 60;

/**
 * F16: both cores are kept busy (a spinning process per core) while clients post through the whole
 * pipeline — gateway → Kafka → ingestor → protected event store → two projector workers sharing
 * the partitions by leases, with a lease short enough (2 s) that a starved event loop may let it lapse.
 * Everything is slower; nothing may be lost or doubled. Ambiguous outcomes (client timeout, 5xx)
 * are retried with the same event ids (I3). Afterwards: every event answered 202 is stored
 * exactly once in per-customer send order (I1, I2, I4), each read-model row is at its stream's
 * last revision and the read models equal a rebuild (I5, I6). Correctness only: no timing is
 * asserted.
 */
describe('F16: CPU pressure, both cores busy, on the whole pipeline — slower, never lossy', () => {
  let p: FaultEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: { app: NestFastifyApplication; url: string };
  const projectors: Projector[] = [];
  const spinners: ChildProcess[] = [];

  beforeAll(async () => {
    p = await createFaultEnv('f16', { partitions: 3 });
    gateway = await startFaultGateway(p);
    ingestor = await startFaultIngestor(p);
    for (const worker of ['f16-a', 'f16-b']) projectors.push(await startFaultProjector(p, worker, { PROJECTOR_LEASE_TTL_MS: '2000', PROJECTOR_BATCH_SIZE: '50' }));
  }, 300_000);

  afterAll(async () => {
    for (const s of spinners) s.kill('SIGKILL');
    for (const projector of projectors) await projector.stop().catch(() => undefined);
    await gateway?.app.close().catch(() => undefined);
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup().catch(() => undefined);
  }, 120_000);

  it('every 202 lands once, in order, and the read models equal a rebuild', async () => {
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    const unsettled: PostOutcome[] = [];
    let amount = 0;

    /** One client: its own customers (registered first), one request at a time, ambiguous outcomes retried with the same ids. */
    const client = async (w: number): Promise<void> => {
      const customers = Array.from({ length: CUSTOMERS_PER_CLIENT }, (_, c) => `F16W${w}C${c}`);
      const batches = [customers.map((c) => canonical('CustomerRegistered', { customerId: c, data: { customerNumber: c } }))];
      for (let n = 1; n < BATCHES_PER_CLIENT; n++) batches.push(Array.from({ length: 10 }, (_, i) => moneyMoved(customers[(n + i) % customers.length]!, ++amount)));
      for (const batch of batches) {
        for (;;) {
          // A short client timeout: under pressure some requests outlast it and are sent again.
          const res = await postJson(`${gateway.url}/v1/events`, token, batch, 10_000);
          if (res.status === 202) {
            for (const e of batch) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
            break;
          }
          unsettled.push(res);
          if (res.status !== 0 && res.status < 500) return; // a 4xx is never acceptable here (asserted below)
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };

    for (let c = 0; c < CORES; c++) spinners.push(spin());
    try {
      await Promise.all(Array.from({ length: CLIENTS }, (_, w) => client(w)));
      expect(unsettled.filter((o) => o.status !== 0 && o.status < 500)).toEqual([]);
      expect(ledger.size).toBe(CLIENTS * (CUSTOMERS_PER_CLIENT + (BATCHES_PER_CLIENT - 1) * 10));

      // Still under pressure: the ingestor stores everything, the projectors apply everything.
      await waitForCount(p.db.pool, ledger.size, 120_000);
      await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 60_000, intervalMs: 300 });
      await waitProjectedToHead(p.db.pool, 'read_models', 120_000);
      // The pressure lasted through all of it.
      expect(spinners.filter((s) => s.exitCode !== null || s.signalCode !== null).map((s) => s.pid)).toEqual([]);
    } finally {
      for (const s of spinners.splice(0)) s.kill('SIGKILL');
    }

    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0);
    expect((await fetch(`${ingestor.url}/health/ready`)).status).toBe(200);

    const live = await expectLiveEqualsRebuild(p, projectors[0]!, 'rebuild_f16', 120_000);
    expect(live.customers).toBe(CLIENTS * CUSTOMERS_PER_CLIENT);
    expect(projectors.flatMap((pr) => pr.status()).map((s) => s.state)).toEqual(['live', 'live']);
  }, 400_000);
});
