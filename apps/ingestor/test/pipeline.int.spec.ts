import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CALL_CENTRE_EXAMPLE, BRANCH_TRANSACTION_EXAMPLE, BRANCH_VISIT_EXAMPLE, MOBILE_EXAMPLE } from '../../gateway/src/channels';
import { expectEventually } from '@c360/testing';
import { canonical, moneyMoved } from './fixtures';
import { createPipelineEnv, post, startGateway, startIngestor, storedEvents, streamsOf, type PipelineEnv } from './pipeline-harness';

/**
 * End to end on the real broker and real PostgreSQL: gateway (HTTP → Kafka, acks=all) →
 * ingestor (consumer group → identity resolution → event store). Every event answered 202 lands
 * once, in the right customer stream, in the order its sender sent it — including events whose
 * identity is linked only later (parked, then released).
 */
describe('gateway → Kafka → ingestor → store', () => {
  let p: PipelineEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: NestFastifyApplication;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    p = await createPipelineEnv('pipeline');
    gateway = await startGateway(p);
    ingestor = await startIngestor(p);
    tokens['events'] = await p.token(['events:write']);
    for (const c of ['branch', 'mobile', 'call-centre']) tokens[c] = await p.token([`channel:${c}:write`]);
  });

  afterAll(async () => {
    await gateway?.app.close();
    await ingestor?.close();
    await p?.cleanup();
  });

  /** What was answered 202: event id → expected stream, and per sending subject the send order. */
  const ledger = new Map<string, { stream: string; subject: string; seq: number }>();
  let seq = 0;
  const accept = async (path: string, token: string, body: unknown, stream: string, subject: string): Promise<void> => {
    const res = await post(`${gateway.url}${path}`, token, body);
    expect(res.status).toBe(202);
    const events = res.body['events'] as { eventId: string }[];
    expect(typeof res.body['consistencyToken']).toBe('string');
    for (const e of events) ledger.set(e.eventId, { stream, subject, seq: seq++ });
  };

  it('lands every accepted event once, in its customer stream and per-customer order', async () => {
    // 1. A call from a number nobody is linked to yet: parked until the registration links the phone.
    await accept('/v1/channels/call-centre/events', tokens['call-centre']!, CALL_CENTRE_EXAMPLE, 'customer-C100', 'phone');
    // 2. A branch visit identified by a card token, and a mobile batch by app user: parked too.
    await accept('/v1/channels/branch/events', tokens['branch']!, BRANCH_VISIT_EXAMPLE, 'customer-C200', 'card');
    await accept('/v1/channels/mobile/events', tokens['mobile']!, MOBILE_EXAMPLE, 'customer-C200', 'mobile-user');
    // 3. Branch transactions by CIF, one at a time, then a batch.
    for (let i = 0; i < 3; i++) {
      await accept('/v1/channels/branch/events', tokens['branch']!, { ...BRANCH_TRANSACTION_EXAMPLE, recordId: `TJ-1-${i}`, customer: { cif: 'C100' } }, 'customer-C100', 'C100');
    }
    await accept('/v1/channels/branch/events', tokens['branch']!, [3, 4, 5].map((i) => ({ ...BRANCH_TRANSACTION_EXAMPLE, recordId: `TJ-1-${i}`, customer: { cif: 'C100' } })), 'customer-C100', 'C100');
    // 4. Canonical events from core banking: a batch and singles for C300.
    await accept('/v1/events', tokens['events']!, [1, 2, 3, 4, 5].map((n) => moneyMoved('C300', n)), 'customer-C300', 'C300');
    for (let n = 6; n <= 10; n++) await accept('/v1/events', tokens['events']!, moneyMoved('C300', n), 'customer-C300', 'C300');
    // 5. The links arrive last: registration (links the phone) and explicit channel identity links.
    await accept('/v1/events', tokens['events']!, canonical('CustomerRegistered', { customerId: 'C100', data: { customerNumber: 'C100' } }), 'customer-C100', 'C100-identity');
    await accept(
      '/v1/events',
      tokens['events']!,
      [
        canonical('ChannelIdentityLinked', { customerId: 'C200', data: { scheme: 'card', value: 'tok_4f9a2b7c1d' } }),
        canonical('ChannelIdentityLinked', { customerId: 'C200', data: { scheme: 'mobile-user', value: 'mu-8f2c41' } }),
      ],
      'customer-C200',
      'C200-identity',
    );

    const expected = ledger.size;
    expect(expected).toBeGreaterThan(25);
    const rows = await expectEventually(
      async () => {
        const stored = await storedEvents(p.db);
        expect(stored.length).toBeGreaterThanOrEqual(expected);
        return stored;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

    // Exactly once: nothing missing, nothing extra, no id twice.
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(rows.length);
    expect(rows.map((r) => r.eventId).sort()).toEqual([...ledger.keys()].sort());
    // In the right stream, revisions contiguous, and per sending subject in send order.
    const streams = streamsOf(rows);
    for (const r of rows) expect({ id: r.eventId, stream: r.streamId }).toEqual({ id: r.eventId, stream: ledger.get(r.eventId)?.stream });
    for (const [, ids] of streams) {
      const bySubject = new Map<string, number[]>();
      for (const id of ids) {
        const l = ledger.get(id)!;
        bySubject.set(l.subject, [...(bySubject.get(l.subject) ?? []), l.seq]);
      }
      for (const [, seqs] of bySubject) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // Parked events come after the link that released them.
    const c100 = streams.get('customer-C100')!;
    const registeredAt = c100.findIndex((id) => ledger.get(id)?.subject === 'C100-identity');
    const callAt = c100.findIndex((id) => ledger.get(id)?.subject === 'phone');
    expect(registeredAt).toBeGreaterThanOrEqual(0);
    expect(callAt).toBeGreaterThan(registeredAt);

    // Nothing left parked (the release commits just after its append) and nothing dead-lettered.
    await expectEventually(async () => {
      const left = await p.db.pool.query("SELECT subject, reason, event->>'type' AS type FROM ingestor.parked_events ORDER BY seq");
      expect(left.rows).toEqual([]);
    });
    const dead = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect((dead.rows[0] as { n: number }).n).toBe(0);
  });

  it('re-sending accepted records is harmless: 202 again, nothing stored twice', async () => {
    const before = (await storedEvents(p.db)).length;
    const res = await post(`${gateway.url}/v1/channels/mobile/events`, tokens['mobile'], MOBILE_EXAMPLE);
    expect(res.status).toBe(202);
    // A marker event after the repeat: once it is stored, the repeat has been consumed too (same partition key order not needed: poll the lag).
    const marker = moneyMoved('C300', 999);
    expect((await post(`${gateway.url}/v1/events`, tokens['events'], marker)).status).toBe(202);
    await expectEventually(async () => {
      const rows = await storedEvents(p.db);
      expect(rows.map((r) => r.eventId)).toContain(marker['eventId']);
    }, { timeoutMs: 30_000, intervalMs: 200 });
    await expectEventually(async () => {
      const lag = await fetch(`${(await ingestorUrl(ingestor))}/metrics`).then((r) => r.text());
      expect(lag).toMatch(/^c360_ingestor_consumer_lag 0$/m);
    }, { timeoutMs: 30_000, intervalMs: 300 });
    expect((await storedEvents(p.db)).length).toBe(before + 1);
  });

  it('reports its metrics and readiness', async () => {
    const gm = await fetch(`${gateway.url}/metrics`).then((r) => r.text());
    expect(gm).toMatch(/c360_gateway_events_accepted_total\{route="events"\} \d+/);
    const im = await fetch(`${await ingestorUrl(ingestor)}/metrics`).then((r) => r.text());
    expect(im).toMatch(/c360_ingestor_events_appended_total \d+/);
    expect(im).toMatch(/c360_ingestor_events_parked_total\{reason="awaiting-identity"\} [1-9]/);
    const ready = await fetch(`${await ingestorUrl(ingestor)}/health/ready`);
    expect(ready.status).toBe(200);
  });
});

async function ingestorUrl(app: NestFastifyApplication): Promise<string> {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://127.0.0.1:${port}`;
}
