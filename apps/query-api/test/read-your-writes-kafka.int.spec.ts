import { expectEventually } from '@c360/testing';
import { canonical } from '../../ingestor/test/fixtures';
import { startKafkaQueryPipeline, type KafkaQueryPipeline, type Response } from './kafka-pipeline-harness';

/**
 * Read-your-writes on the real broker: gateway (HTTP → Kafka) → ingestor (consumer group →
 * event store) → projector → query API. The gateway's 202 carries a `kafka:<topic>:<p>@<offset>`
 * token; the query API resolves it against the ingestor group's committed offsets (the module
 * builds its KafkaGroupProgress from KAFKA_BROKERS), then the customer stream's last position
 * against the projection's checkpoint.
 */
describe('read-your-writes with Kafka consistency tokens', () => {
  // Long enough for a fresh consumer group's first join on a busy machine; the refusal case waits it out once.
  const WAIT_MS = 10_000;
  let k: KafkaQueryPipeline;
  let reader: string;
  const customerId = `K${Date.now().toString(36).toUpperCase()}${process.env['JEST_WORKER_ID'] ?? '0'}`;

  beforeAll(async () => {
    k = await startKafkaQueryPipeline('ryw', { consistencyWaitMs: WAIT_MS });
    reader = await k.token(['customers:read']);
  });

  afterAll(async () => {
    await k?.close();
  });

  const send = async (event: Record<string, unknown>): Promise<string> => {
    const token = await k.send(event);
    expect(token).toMatch(new RegExp(`^kafka:${k.env.topic.replace(/\./g, '\\.')}:\\d+@\\d+$`));
    return token;
  };
  const read = (token: string): Promise<Response> => k.get(`/v1/customers/${customerId}`, reader, { 'x-consistency-token': token });

  it('a read with the token of a 202 waits for the ingestor and the projection, then sees the event', async () => {
    const registered = await send(canonical('CustomerRegistered', { customerId, data: { customerNumber: customerId } }));
    // Right after the 202 the event is at most on the topic; the read waits until it is folded.
    const first = await read(registered);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ customerId, revision: 0 });
    // A write, then at once a read with its token: the new event is in the answer.
    for (let revision = 1; revision <= 3; revision += 1) {
      const moved = await send(canonical('MoneyMoved', { customerId, data: { amountMinor: 4_321 + revision } }));
      const next = await read(moved);
      expect(next.status).toBe(200);
      expect(next.json['revision']).toBe(revision);
    }
  });

  it('with the ingestor stopped: a bounded wait, then 503 not_yet_consistent with Retry-After; once it runs again the read succeeds', async () => {
    await k.stopIngestor();
    const pending = await send(canonical('MoneyMoved', { customerId, data: { amountMinor: 99 } }));
    const refused = await read(pending);
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toMatchObject({ status: 503, code: 'not_yet_consistent' });
    expect(String(refused.json['detail'])).toMatch(/not reached this consistency token/);
    expect(refused.ms).toBeGreaterThanOrEqual(WAIT_MS - 50);
    expect(refused.ms).toBeLessThan(WAIT_MS + 3_000);

    await k.startIngestor();
    await expectEventually(
      async () => {
        const res = await read(pending);
        expect(res.status).toBe(200);
        expect(res.json['revision']).toBe(4);
      },
      { timeoutMs: 60_000 },
    );
  });

  it('refuses a token naming a topic the ingestor does not read (400), and a malformed one', async () => {
    const other = await read('kafka:some.other.topic:0@5');
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ code: 'invalid_consistency_token' });
    expect((await read('kafka:x')).status).toBe(400);
  });
});
