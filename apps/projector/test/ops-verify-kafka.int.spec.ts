import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { RecordedEvent } from '@c360/event-store';
import { KafkaPublisher, type OutgoingMessage } from '@c360/messaging';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { createTopic, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { migrateIngestor } from '../../ingestor/src/index';
import { createOps, toReplayMessage, type KafkaVerification, type Ops } from '../src/ops/index';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { defaultProjection, Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const ROOT = resolve(__dirname, '../../..');
jest.setTimeout(480_000);

const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `K${String(i).padStart(4, '0')}`);

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [resolve(ROOT, 'apps/cli/bin/c360.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.once('exit', (code) => r({ code, stdout, stderr })));
}

/**
 * The Kafka half of `c360 verify` on the real broker: the raw topic is read from its start up to
 * the high-water marks, each record's event id is looked up in the event store; dead-lettered
 * records count as accounted for, parked ones as pending; anything else is named by partition,
 * offset and customer.
 */
describe('verify: every event Kafka accepted is in the event store (real broker, PostgreSQL)', () => {
  let h: Harness;
  let ops: Ops;
  let publisher: KafkaPublisher;
  const topic = uniqueTopic('verify-raw');
  const groupPrefix = uniqueTopic('verify-grp');
  const kafkaAdmin = new Kafka({ clientId: 'c360-verify-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();

  beforeAll(async () => {
    await kafkaAdmin.connect();
    await createTopic(topic, 3);
    h = await createHarness();
    await migrateIngestor(h.db.pool);
    publisher = new KafkaPublisher({ brokers: kafkaBrokers(), clientId: 'c360-verify-test' });
    ops = await createOps({
      databaseUrl: h.db.url,
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [defaultProjection(parseDerivedConfig({}))],
      defaultPartitions: 16,
      batch: { maxSize: 200, maxLatencyMs: 5 },
      kafka: {
        brokers: kafkaBrokers(),
        clientId: 'c360-verify-test',
        groupPrefix,
        topics: { events: topic, deadLetters: `${topic}.dlq`, derived: `${topic}.derived` },
        partitions: 3,
      },
    });
  });

  afterAll(async () => {
    await ops?.close();
    await publisher?.close();
    await h?.close();
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(groupPrefix));
    if (groups.length > 0) await kafkaAdmin.deleteGroups(groups).catch(() => undefined);
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  });

  const env = (): Record<string, string> => ({
    DATABASE_URL: h.db.url,
    PROJECTOR_PARTITIONS: '16',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC_EVENTS: topic,
    KAFKA_GROUP_PREFIX: groupPrefix,
    LOG_LEVEL: 'silent',
  });
  const send = async (messages: OutgoingMessage[]): Promise<Array<{ partition: number; offset: string }>> => {
    const out: Array<{ partition: number; offset: string }> = [];
    for (const m of messages) {
      const [receipt] = await publisher.publish(topic, [m]);
      out.push({ partition: receipt?.partition ?? -1, offset: receipt?.baseOffset ?? '-1' });
    }
    return out;
  };
  /** A canonical event as the gateway would publish it, that the store does not have. */
  const unstored = (customerId: string): { eventId: string; message: OutgoingMessage } => {
    const eventId = randomUUID();
    const event = { eventId, type: 'ComplaintRaised', version: 1, streamId: `customer-${customerId}`, occurredAt: new Date(), recordedAt: new Date(), metadata: {}, data: { complaintId: 'X1', category: 'fees', severity: 'low' } };
    const message = toReplayMessage(event as unknown as RecordedEvent);
    if (!message) throw new Error('no message');
    return { eventId, message };
  };

  it('healthy: every record is stored, dead-lettered or parked → passes; a record never appended is named by partition, offset and customer (CLI exit 1), a missing event the ingestor went past is "missing"', async () => {
    // History in the store and a projection caught up on it (the read-model half must pass too).
    await h.append(historyFromOps(CUSTOMERS, seededOps(11, 400, CUSTOMERS.length)));
    const projector = new Projector({ config: h.config({ workerId: 'verify-live' }), derived: h.derived });
    await projector.start();
    await h.caughtUpDigest();
    await projector.stop();
    // What the gateway published for it: every stored event, in the gateway's wire format.
    const stored: RecordedEvent[] = [];
    for await (const e of h.eventStore.readAll({})) stored.push(e);
    expect(stored.length).toBeGreaterThanOrEqual(400);
    await publisher.publish(topic, stored.map((e) => toReplayMessage(e)).filter((m): m is OutgoingMessage => m !== null));
    // Binary garbage the ingestor dead-lettered, and a valid event it parked (waiting for an identity link).
    const [garbage] = await send([{ key: 'customer:K0001', value: Buffer.from([0xff, 0xfe, 0x00, 0x13]) }]);
    await h.db.pool.query(
      `INSERT INTO ingestor.dead_letters (source_topic, source_partition, source_offset, raw, reason_code, reason_detail) VALUES ($1, $2, $3, $4, 'UNDECODABLE', 'the message is not UTF-8 JSON')`,
      [topic, garbage?.partition, garbage?.offset, Buffer.from([0xff, 0xfe, 0x00, 0x13])],
    );
    const parked = unstored('K0002');
    await send([parked.message]);
    await h.db.pool.query(`INSERT INTO ingestor.parked_events (event_id, subject, reason, event) VALUES ($1, 'identity:abc', 'awaiting-link', '{}'::jsonb)`, [parked.eventId]);

    const healthy = await ops.kafkaVerify?.verify({ settleMs: 0 });
    expect(healthy).toMatchObject({ records: stored.length + 2, stored: stored.length, deadLettered: 1, pending: 1, findingsTotal: 0, findings: [], complete: true });
    expect(healthy?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    const ok = await cli(['verify', '--deep', '0'], env());
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(new RegExp(`kafka ${topic}: ${stored.length + 2} records .* ${stored.length} stored, 1 dead-lettered, 1 parked \\(pending\\), 0 not in the store`));
    expect(ok.stdout).toMatch(/verify: OK/);
    expect(ok.code).toBe(0);

    // Published straight to the topic while no ingestor runs: never appended.
    const lost = unstored('K0007');
    const [at] = await send([lost.message]);
    const report = (await ops.kafkaVerify?.verify({ settleMs: 0 })) as KafkaVerification;
    expect(report.findingsTotal).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ topic, partition: at?.partition, offset: at?.offset, eventId: lost.eventId, customerId: 'K0007', problem: 'not-ingested' }),
    ]);
    const failed = await cli(['verify', '--deep', '0'], env());
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`NOT INGESTED kafka ${topic} partition ${at?.partition} offset ${at?.offset} customer K0007`);
    expect(failed.stdout).toMatch(/verify: FAILED \(1 disagreements\)/);

    // The ingestor's group committed past it (it consumed the record) yet it is not stored: a loss.
    const ends = await kafkaAdmin.fetchTopicOffsets(topic);
    await kafkaAdmin.setOffsets({ groupId: `${groupPrefix}.ingestor`, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    const json = await cli(['verify', '--deep', '0', '--json'], env());
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; kafka: KafkaVerification };
    expect(parsed.ok).toBe(false);
    expect(parsed.kafka.findings).toEqual([expect.objectContaining({ partition: at?.partition, offset: at?.offset, customerId: 'K0007', problem: 'missing' })]);

    // Once the event is stored (e.g. a re-drive), verify passes again; --no-kafka skips the half.
    await h.eventStore.appendToStream('customer-K0007', [{ eventId: lost.eventId, type: 'ComplaintRaised', version: 1, data: { complaintId: 'X1', category: 'fees', severity: 'low' } }]);
    expect(await ops.kafkaVerify?.verify({ settleMs: 0 })).toMatchObject({ findingsTotal: 0, stored: stored.length + 1 });
    const skipped = await cli(['verify', '--deep', '0', '--no-kafka'], { ...env(), DATABASE_URL: h.db.url });
    expect(skipped.stdout).toMatch(/kafka: not checked/);
  });

  it('CLI: --kafka without KAFKA_BROKERS is a usage error (exit 2) saying what to set', async () => {
    const r = await cli(['verify', '--kafka'], { ...env(), KAFKA_BROKERS: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--kafka needs KAFKA_BROKERS');
  });
});
