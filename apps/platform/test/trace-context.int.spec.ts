import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '@c360/config';
import { parseTraceparent, setLogDestination } from '@c360/observability';
import { expectEventually, kafkaBrokers } from '@c360/testing';
import { moneyMoved } from '../../ingestor/test/fixtures';
import { createPipelineEnv, post, startGateway, startIngestor, type PipelineEnv } from '../../ingestor/test/pipeline-harness';

/**
 * Trace context across the hop, on the real broker: a caller's `traceparent` at the gateway
 * reaches the Kafka record's headers, the ingestor's log line for that event and the stored
 * event's metadata — one trace id to follow. A malformed one is replaced, never propagated.
 */
describe('trace context: gateway → Kafka → ingestor → store', () => {
  let p: PipelineEnv;
  let gateway: { app: NestFastifyApplication; url: string };
  let ingestor: NestFastifyApplication;
  let token: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const base = await createPipelineEnv('trace');
    p = { ...base, config: loadConfig({ ...base.env, LOG_LEVEL: 'debug' }) };
    setLogDestination(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      }),
    );
    gateway = await startGateway(p);
    ingestor = await startIngestor(p);
    token = await p.token(['events:write']);
  });

  afterAll(async () => {
    setLogDestination(undefined);
    await gateway?.app.close();
    await ingestor?.close();
    await p?.cleanup();
  });

  const storedMetadata = async (eventId: string): Promise<Record<string, unknown>> =>
    expectEventually(
      async () => {
        const r = await p.db.pool.query<{ metadata: Record<string, unknown> }>('SELECT metadata FROM event_store.events WHERE event_id = $1', [eventId]).catch(() => ({ rows: [] }));
        expect(r.rows).toHaveLength(1);
        return r.rows[0]!.metadata;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  const recordHeaders = async (eventId: string): Promise<Record<string, string>> => {
    const kafka = new Kafka({ clientId: 'c360-test-trace', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${p.topic}-reader-${eventId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: p.topic, fromBeginning: true });
    const found = new Promise<Record<string, string>>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) h[k] = String(Array.isArray(v) ? v[0] : v);
          if (h['c360-event-id'] === eventId) resolve(h);
        },
      });
    });
    try {
      return await found;
    } finally {
      await consumer.disconnect();
    }
  };

  it("carries the caller's trace id to the record, the ingestor's log line and the stored event", async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const incoming = `00-${traceId}-b7ad6b7169203331-01`;
    const event = moneyMoved('C-TRACE-1', 1234);
    const res = await post(`${gateway.url}/v1/events`, token, event, { traceparent: incoming, 'x-correlation-id': 'order-4711' });
    expect(res.status).toBe(202);
    const eventId = String(event['eventId']);

    const headers = await recordHeaders(eventId);
    const sent = parseTraceparent(headers['traceparent']);
    expect(sent?.traceId).toBe(traceId);
    expect(sent?.spanId).not.toBe('b7ad6b7169203331');
    expect(headers['x-correlation-id']).toBe('order-4711');

    const metadata = await storedMetadata(eventId);
    const trace = metadata['trace'] as { traceparent: string; correlationId: string };
    expect(parseTraceparent(trace.traceparent)?.traceId).toBe(traceId);
    expect(trace.correlationId).toBe('order-4711');

    const line = await expectEventually(
      () => {
        const l = lines.find((x) => x['msg'] === 'event ingested' && x['eventId'] === eventId);
        expect(l).toBeDefined();
        return l!;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(line['traceId']).toBe(traceId);
    expect(line['correlationId']).toBe('order-4711');

    // The gateway's own request log: one line for the POST, under the same trace, without the
    // token or the body (method, path and status only).
    const requestLine = lines.find((x) => x['msg'] === 'request completed' && x['traceId'] === traceId);
    expect(requestLine).toMatchObject({ req: { method: 'POST', path: '/v1/events' }, res: { statusCode: 202 }, correlationId: 'order-4711' });
    expect(JSON.stringify(requestLine)).not.toContain(token);
    expect(JSON.stringify(requestLine)).not.toContain('C-TRACE-1');
  });

  it('replaces a malformed traceparent with a new trace rather than propagating it', async () => {
    const event = moneyMoved('C-TRACE-2', 99);
    const res = await post(`${gateway.url}/v1/events`, token, event, { traceparent: '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01' });
    expect(res.status).toBe(202);
    const metadata = await storedMetadata(String(event['eventId']));
    const stored = parseTraceparent((metadata['trace'] as { traceparent: string }).traceparent);
    expect(stored?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(stored?.traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
