import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expectEventually, startDedicatedBroker, type TestBroker } from '@c360/testing';
import { moneyMoved } from './fixtures';
import { createFaultEnv, expectStoreMatchesLedger, Ledger, postJson, startFaultGateway, startFaultIngestor, storedRows, waitForCount, type FaultEnv, type PostOutcome } from './fault-harness';

/**
 * F7 under gateway load, on a broker of the test's own (the shared one is never restarted):
 * clients keep posting batches while the broker is stopped and started again. Each client
 * owns its customers and sends sequentially; an ambiguous outcome (5xx, timeout) is retried
 * with the same event ids until it settles (I3). Afterwards every event answered 202 is in the
 * store exactly once in send order per customer (I1, I2, I4); what the gateway could not
 * accept was answered a prompt 503 problem naming the cause, never a 500 or a hang; the
 * gateway and the ingestor recover without a process restart.
 */
describe('F7: broker restart while clients post to the gateway', () => {
  let broker: TestBroker | undefined;
  let starting: Promise<TestBroker> | undefined;
  let p: FaultEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: { app: NestFastifyApplication; url: string };

  // A JVM start on a loaded 2-core machine can take minutes: generous hook timeouts.
  beforeAll(async () => {
    starting = startDedicatedBroker();
    broker = await starting;
    p = await createFaultEnv('f7-gw', { partitions: 3, brokers: broker.brokers });
    gateway = await startFaultGateway(p);
    ingestor = await startFaultIngestor(p);
  }, 400_000);

  afterAll(async () => {
    await gateway?.app.close().catch(() => undefined);
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup();
    // Even if beforeAll timed out mid-start, the broker it was starting is stopped and deleted.
    const b = broker ?? (await starting?.catch(() => undefined));
    await b?.destroy();
  }, 120_000);

  it('every 202 lands once in order; the outage answers prompt 503 problems; everything recovers by itself', async () => {
    const token = await p.token(['events:write']);
    const ledger = new Ledger();
    const failures: PostOutcome[] = [];
    const slowest = { ms: 0 };
    let stop = false;
    let amount = 0;

    /** One client: its own customers, one request at a time, retrying ambiguous outcomes with the same ids. */
    const client = async (w: number): Promise<void> => {
      let n = 0;
      while (!stop) {
        const batch = Array.from({ length: 8 }, (_, i) => moneyMoved(`F7W${w}C${(n + i) % 5}`, ++amount));
        n++;
        for (;;) {
          const res = await postJson(`${gateway.url}/v1/events`, token, batch, 90_000);
          slowest.ms = Math.max(slowest.ms, res.ms);
          if (res.status === 202) {
            for (const e of batch) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
            break;
          }
          failures.push(res);
          if (res.status !== 503 && res.status !== 0) return; // asserted below: only 503s are acceptable refusals here
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };

    const clients = [0, 1, 2, 3].map((w) => client(w));
    await expectEventually(() => expect(ledger.size).toBeGreaterThan(300), { timeoutMs: 60_000, intervalMs: 50 });
    await broker!.stop();
    const atStop = ledger.size;
    // The outage is seen by the clients as 503s (not as hanging requests); the ingestor, without
    // a consumer, stops reporting itself ready.
    let ingestorNotReady = false;
    let gatewayNotReady = false;
    await expectEventually(
      async () => {
        if ((await fetch(`${ingestor.url}/health/ready`)).status === 503) ingestorNotReady = true;
        if ((await fetch(`${gateway.url}/health/ready`)).status === 503) gatewayNotReady = true;
        expect(failures.filter((f) => f.status === 503).length).toBeGreaterThanOrEqual(4);
        expect(ingestorNotReady).toBe(true);
        // The gateway's publish failed on an unreachable broker: it reports itself not ready.
        expect(gatewayNotReady).toBe(true);
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    const duringOutage = ledger.size;
    await broker!.start();
    await expectEventually(() => expect(ledger.size).toBeGreaterThan(duringOutage + 300), { timeoutMs: 90_000, intervalMs: 100 });
    stop = true;
    await Promise.all(clients);

    // The refusals: all 503 problem+json with the code and a Retry-After; no 500, no hang.
    expect(failures.length).toBeGreaterThan(0);
    const shapes = new Set(failures.map((f) => `${f.status} ${f.contentType.split(';')[0]} ${String(f.body['code'])} retry-after:${f.retryAfter !== null}`));
    expect([...shapes]).toEqual(['503 application/problem+json intake_unavailable retry-after:true']);
    for (const f of failures) expect(JSON.stringify(f.body)).not.toMatch(/stack|kafkajs|ECONNREFUSED|127\.0\.0\.1/i);
    // Bounded: no request was held longer than the publisher's retry budget (~20–40 s here).
    expect(slowest.ms).toBeLessThan(60_000);
    expect(atStop).toBeGreaterThan(300);

    // Gateway and ingestor recover by themselves.
    await expectEventually(async () => expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 200 });
    await waitForCount(p.db.pool, ledger.size, 90_000).catch(async (e: unknown) => {
      // What became of the missing ones (parked, dead-lettered, still in Kafka?), for the next look.
      const stored = new Set((await storedRows(p.db.pool)).map((r) => r.eventId));
      const missing = [...ledger.streams()].flatMap(([stream, ids]) => ids.filter((id) => !stored.has(id)).map((id) => `${stream}/${id}`));
      const count = async (table: string): Promise<string> =>
        String((await p.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ingestor.${table}`).catch(() => ({ rows: [{ n: -1 }] }))).rows[0]?.n);
      const metrics = (await fetch(`${ingestor.url}/metrics`).then((r) => r.text()).catch(() => '')).split('\n').filter((l) => /^c360_ingestor_/.test(l));
      throw new Error(
        `${e instanceof Error ? e.message : String(e)}\nmissing: ${missing.join(', ')}\nparked_events ${await count('parked_events')}, ` +
          `dead_letters ${await count('dead_letters')}, blocked_customers ${await count('blocked_customers')}\n${metrics.join('\n')}`,
      );
    });
    await expectEventually(async () => expect((await fetch(`${ingestor.url}/health/ready`)).status).toBe(200), { timeoutMs: 30_000, intervalMs: 200 });
    await expectEventually(async () => expect(await fetch(`${ingestor.url}/metrics`).then((r) => r.text())).toMatch(/^c360_ingestor_consumer_lag 0$/m), { timeoutMs: 30_000, intervalMs: 300 });
    // Read once the lag is 0: nothing more is on its way, so any extra or duplicate would show.
    expectStoreMatchesLedger(await storedRows(p.db.pool), ledger);
  }, 400_000);
});
