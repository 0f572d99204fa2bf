import { randomBytes, randomUUID } from 'node:crypto';
import { expectEventually } from '@c360/testing';
import { canonical } from '../../ingestor/test/fixtures';
import { produceRaw } from '../../ingestor/test/pipeline-harness';
import { startKafkaQueryPipeline, type KafkaQueryPipeline } from './kafka-pipeline-harness';

/**
 * Erasure reaches the ingestor's own copies too. A customer with canary values arrives through
 * the gateway and the real ingestor; a poison message of that customer is dead-lettered (its raw
 * bytes kept, the customer blocked) and a later valid event of it is parked behind that dead
 * letter. Erasing the customer must leave no canary in plain text anywhere in the database —
 * event store, read models, parked events, dead letters, audit log.
 */
describe('erasure purges the ingestor’s parked events and dead-letter bytes', () => {
  let k: KafkaQueryPipeline;

  beforeAll(async () => {
    k = await startKafkaQueryPipeline('erase-ing', { consistencyWaitMs: 20_000 });
  });

  afterAll(async () => {
    await k?.close();
  });

  it('after a dead-lettered and a parked event of the customer, the dump holds no canary', async () => {
    const tag = randomBytes(5).toString('hex');
    const id = `E${tag}`;
    const canaries = {
      name: `Canaryname${tag}`,
      email: `canary.${tag}@example.test`,
      deadLettered: `deadletter.${tag}@example.test`,
      parked: `parked.${tag}@example.test`,
    };
    const reader = await k.token(['customers:read', 'customers:read-pii']);
    const token = await k.send(
      canonical('CustomerRegistered', { customerId: id, data: { customerNumber: id, fullName: `${canaries.name} Zhang`, email: canaries.email } }),
    );
    const seen = await k.get(`/v1/customers/${id}`, reader, { 'x-consistency-token': token });
    expect(seen.status).toBe(200);
    expect(seen.body).toContain(canaries.name);

    // A poison message of this customer, keyed as the gateway keys it: refused by validation
    // (an unknown field), dead-lettered with its raw bytes, and the customer is blocked.
    const poison = canonical('ContactDetailsChanged', { customerId: id, data: { email: canaries.deadLettered, notAField: true } });
    await produceRaw(k.env.topic, [{ key: `customer:${id}`, value: JSON.stringify(poison) }]);
    await expectEventually(
      async () => {
        const { rows } = await k.env.db.pool.query(`SELECT 1 FROM ingestor.dead_letters WHERE blocks = $1`, [id]);
        expect(rows).toHaveLength(1);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // A valid event of the customer after it: parked behind the dead letter.
    await k.send({ ...canonical('ContactDetailsChanged', { customerId: id, data: { email: canaries.parked } }), eventId: randomUUID() });
    await expectEventually(
      async () => {
        const { rows } = await k.env.db.pool.query(`SELECT 1 FROM ingestor.parked_events WHERE subject = $1`, [`customer:${id}`]);
        expect(rows).toHaveLength(1);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // pg_dump writes bytea (dead-letter bytes) as hex: search for both forms.
    const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
    const before = await k.dump();
    expect(before).toContain(hex(canaries.deadLettered)); // the search sees these copies
    expect(before).toContain(canaries.parked);

    const eraser = await k.token(['customers:erase']);
    const erased = await k.postQuery(`/v1/customers/${id}:erase`, eraser, { reason: 'GDPR art. 17 request 7' });
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ customerId: id, outcome: 'erased' });

    const after = await k.get(`/v1/customers/${id}`, reader);
    expect(after.status).toBe(200);
    expect(after.json['erased']).toBe(true);

    const dump = await k.dump();
    expect(dump).toContain(id); // the search does see the customer's (non-personal) rows
    for (const c of Object.values(canaries)) {
      expect(dump).not.toContain(c);
      expect(dump).not.toContain(hex(c));
    }

    // The dead letter itself stays (position, reason code, status), without its bytes.
    const { rows: letters } = await k.env.db.pool.query<{ raw: Buffer | null; reason_code: string; status: string }>(
      `SELECT raw, reason_code, status FROM ingestor.dead_letters WHERE blocks = $1`,
      [id],
    );
    expect(letters).toEqual([expect.objectContaining({ raw: null, status: 'open' })]);
    expect(letters[0]?.reason_code.length).toBeGreaterThan(0);
    const { rows: parked } = await k.env.db.pool.query(`SELECT 1 FROM ingestor.parked_events WHERE subject = $1`, [`customer:${id}`]);
    expect(parked).toHaveLength(0);

    // The audit log keeps the fact and the counts (never the values).
    const ops = await k.token(['ops:read']);
    const trail = await k.get(`/v1/ops/audit?customerId=${id}&action=customer.erase&outcome=erased`, ops);
    expect((trail.json['items'] as Array<{ detail: Record<string, unknown> }>)[0]?.detail).toMatchObject({ parkedEventsDeleted: 1, deadLettersScrubbed: 1 });
  });
});
