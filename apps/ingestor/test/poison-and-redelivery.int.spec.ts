import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createIngestorApp } from '../src/ingestor-app';
import { expectEventually } from '@c360/testing';
import { moneyMoved } from './fixtures';
import { createPipelineEnv, messagesOnTopic, post, produceRaw, startIngestor, storedEvents, type PipelineEnv } from './pipeline-harness';

/**
 * Raw messages straight onto the topic (past the gateway): poison is dead-lettered whole (reason +
 * original bytes) without blocking the partition; a dead-lettered customer's later events are parked
 * behind it while others flow; re-driving the repaired event releases that customer, in order.
 * Then F10: a second group re-consumes the topic from offset 0 — the store does not change.
 */
describe('ingestor: poison, per-customer parking, re-drive, redelivery', () => {
  let p: PipelineEnv;
  let ingestor: NestFastifyApplication;
  let url = '';

  beforeAll(async () => {
    p = await createPipelineEnv('poison', 1); // one partition: poison sits in the way of everything
    ingestor = await startIngestor(p);
    const address = ingestor.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await ingestor?.close();
    await p?.cleanup();
  });

  it('dead-letters garbage and invalid events, parks the customer behind its dead letter, and re-drive releases it in order', async () => {
    const bad: Record<string, unknown> = { ...moneyMoved('C500', 1), data: { ...(moneyMoved('C500', 1)['data'] as Record<string, unknown>), currency: 'yuan' } };
    const after = [moneyMoved('C500', 2), moneyMoved('C500', 3)];
    const other = [moneyMoved('C600', 1), moneyMoved('C600', 2)];
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x13, 0x37]);
    await produceRaw(p.topic, [
      { key: 'x', value: garbage },
      { key: 'x', value: '{"not": "an event"' },
      { key: 'customer:C500', value: JSON.stringify({ ...moneyMoved('C500', 9), type: 'Teleported' }) },
      { key: 'customer:C500', value: JSON.stringify({ ...moneyMoved('C500', 9), version: 7 }) },
      { key: 'customer:C500', value: JSON.stringify(bad) },
      ...after.map((e) => ({ key: 'customer:C500', value: JSON.stringify(e) })),
      ...other.map((e) => ({ key: 'customer:C600', value: JSON.stringify(e) })),
    ]);

    // Others flow on past the poison.
    await expectEventually(async () => {
      const rows = await storedEvents(p.db);
      expect(rows.filter((r) => r.streamId === 'customer-C600').map((r) => r.eventId)).toEqual(other.map((e) => e['eventId']));
    }, { timeoutMs: 30_000, intervalMs: 200 });
    // C500's later events wait behind its dead letter.
    await expectEventually(async () => {
      const parked = await p.db.pool.query<{ event_id: string }>("SELECT event_id::text AS event_id FROM ingestor.parked_events WHERE subject = 'customer:C500' ORDER BY seq");
      expect(parked.rows.map((r) => r.event_id)).toEqual(after.map((e) => e['eventId']));
    });
    expect((await storedEvents(p.db)).filter((r) => r.streamId === 'customer-C500')).toEqual([]);

    // Dead letters are whole: reason and original bytes, on the DLQ topic and listed for ops.
    const opsToken = await p.token(['ops:read', 'ops:replay']);
    const list = await fetch(`${url}/v1/ops/dead-letters?status=open`, { headers: { authorization: `Bearer ${opsToken}` } }).then((r) => r.json() as Promise<{ items: { id: string; reason: { code: string }; blocksCustomer: string | null }[] }>);
    expect(list.items.map((d) => d.reason.code)).toEqual(['UNDECODABLE', 'UNDECODABLE', 'UNKNOWN_TYPE', 'UNSUPPORTED_VERSION', 'INVALID_EVENT']);
    expect(list.items.map((d) => d.blocksCustomer)).toEqual([null, null, 'C500', 'C500', 'C500']);
    const first = await fetch(`${url}/v1/ops/dead-letters/${list.items[0]!.id}`, { headers: { authorization: `Bearer ${opsToken}` } }).then((r) => r.json() as Promise<{ rawBase64: string }>);
    expect(Buffer.from(first.rawBase64, 'base64')).toEqual(garbage);
    await expectEventually(async () => expect(await messagesOnTopic(p.dlqTopic)).toBe(5), { timeoutMs: 15_000, intervalMs: 200 });
    const parkedList = await fetch(`${url}/v1/ops/dead-letters/parked`, { headers: { authorization: `Bearer ${opsToken}` } }).then((r) => r.json() as Promise<{ items: { subject: string; count: number }[] }>);
    expect(parkedList.items).toEqual([expect.objectContaining({ subject: 'customer:C500', count: 2 })]);

    // Non-ops callers are refused.
    const readOnly = await p.token(['customers:read']);
    expect((await fetch(`${url}/v1/ops/dead-letters`, { headers: { authorization: `Bearer ${readOnly}` } })).status).toBe(403);

    // A repair that is still invalid changes nothing.
    const [, , unknownType, futureVersion, invalid] = list.items;
    const stillBad = await post(`${url}/v1/ops/dead-letters/${invalid!.id}/redrive`, opsToken, { event: bad });
    expect(stillBad.status).toBe(422);
    // Two of C500's dead letters are discarded, the third re-driven with a repaired body: C500 is released, in order.
    expect((await post(`${url}/v1/ops/dead-letters/${unknownType!.id}/discard`, opsToken, {})).status).toBe(200);
    expect((await post(`${url}/v1/ops/dead-letters/${futureVersion!.id}/discard`, opsToken, {})).status).toBe(200);
    const repaired = { ...bad, data: { ...(bad['data'] as Record<string, unknown>), currency: 'CNY' } };
    const redriven = await post(`${url}/v1/ops/dead-letters/${invalid!.id}/redrive`, opsToken, { event: repaired });
    expect(redriven.status).toBe(200);
    const c500 = (await storedEvents(p.db)).filter((r) => r.streamId === 'customer-C500').map((r) => r.eventId);
    expect(c500).toEqual([bad['eventId'], ...after.map((e) => e['eventId'])]);
    const left = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.parked_events');
    expect((left.rows[0] as { n: number }).n).toBe(0);
    // Re-driving twice is refused.
    expect((await post(`${url}/v1/ops/dead-letters/${invalid!.id}/redrive`, opsToken, { event: repaired })).status).toBe(409);
  });

  it('F10: re-consuming the topic from offset 0 stores nothing twice', async () => {
    const before = await storedEvents(p.db);
    const dlBefore = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    // A second ingestor in a fresh group reads the whole topic again.
    const replayer = await createIngestorApp(p.config, { databaseUrl: p.db.url, mode: 'kafka', poolMax: 4, groupId: `${p.env['KAFKA_GROUP_PREFIX']}.replay` });
    await replayer.init();
    try {
      await expectEventually(async () => {
        const metrics = await replayer.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/metrics' });
        expect(metrics.body).toMatch(/^c360_ingestor_consumer_lag 0$/m);
      }, { timeoutMs: 30_000, intervalMs: 300 });
    } finally {
      await replayer.close();
    }
    expect(await storedEvents(p.db)).toEqual(before);
    const dlAfter = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters');
    expect(dlAfter.rows).toEqual(dlBefore.rows);
    const parked = await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.parked_events');
    expect((parked.rows[0] as { n: number }).n).toBe(0);
  });
});
