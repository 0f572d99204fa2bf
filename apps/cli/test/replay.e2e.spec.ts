import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { loadConfig, resolveMasterKeys } from '@c360/config';
import { EXAMPLES_V1, eventTypeDefinitions, type CanonicalEventType } from '@c360/contracts';
import {
  EventTypeRegistry,
  MasterKeyring,
  migratePostgresEventStore,
  PostgresEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type JsonObject,
  type NewEvent,
} from '@c360/event-store';
import { createTestDatabase, expectEventually, kafkaBrokers, uniqueTopic, type TestDatabase } from '@c360/testing';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npx c360 …` as an operator runs it (async: the test process keeps its own Kafka clients alive). */
function c360(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/cli/bin/c360.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Appended {
  readonly eventId: string;
  readonly customerId: string;
  readonly type: CanonicalEventType;
}

interface Received {
  readonly key: string;
  readonly partition: number;
  readonly headers: Record<string, string>;
  readonly value: { eventId: string; type: string; version: number; customerId: string; occurredAt: string; source: { system: string }; data: Record<string, unknown> };
}

/** A stored event as the ingestor would append it (source kept in metadata). */
function storedEvent(type: CanonicalEventType, data?: JsonObject): NewEvent {
  const example = EXAMPLES_V1[type];
  return {
    eventId: randomUUID(),
    type,
    version: 1,
    data: data ?? (example.data as unknown as JsonObject),
    occurredAt: new Date(example.occurredAt),
    metadata: { source: { system: example.source.system, ...(example.source.channel ? { channel: example.source.channel } : {}) }, subject: 'customerId' },
  };
}

describe('c360 replay (real PostgreSQL event store, real Kafka broker)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let store: ProtectedEventStore;
  const consumers: Consumer[] = [];

  /** Appends one event per (customer, type) in the given order; returns what was appended. */
  async function append(plan: readonly [string, CanonicalEventType][]): Promise<Appended[]> {
    const out: Appended[] = [];
    for (const [customerId, type] of plan) {
      const e = storedEvent(type, type === 'ContactDetailsChanged' ? { phone: '+8613800000000', email: `${customerId.toLowerCase()}@example.com` } : undefined);
      await store.appendToStream(`customer-${customerId}`, [e]);
      out.push({ eventId: e.eventId, customerId, type });
    }
    return out;
  }

  /** The latest recorded_at so far, and a wait until the database clock is past it (the next append lands after). */
  async function boundary(): Promise<Date> {
    const r = await db.pool.query<{ at: Date }>('SELECT max(recorded_at) AS at FROM event_store.events');
    const at = new Date((r.rows[0]?.at ?? new Date()).getTime() + 1);
    await expectEventually(async () => {
      const now = await db.pool.query<{ past: boolean }>('SELECT clock_timestamp() > $1::timestamptz + interval \'2 milliseconds\' AS past', [at]);
      expect(now.rows[0]?.past).toBe(true);
    });
    return at;
  }

  async function consumeAll(topic: string, expected: number): Promise<Received[]> {
    const received: Received[] = [];
    const consumer = new Kafka({ clientId: 'c360-replay-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueTopic('replay-test') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (Buffer.isBuffer(v)) headers[k] = v.toString('utf8');
        received.push({ key: message.key?.toString('utf8') ?? '', partition, headers, value: JSON.parse(message.value?.toString('utf8') ?? 'null') as Received['value'] });
        return Promise.resolve();
      },
    });
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(expected), { timeoutMs: 60_000, intervalMs: 100 });
    return received;
  }

  async function messagesOn(topic: string): Promise<number> {
    const admin = new Kafka({ clientId: 'c360-replay-test-admin', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(topic)) return 0;
      return (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'c360_replay' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'c360-replay-'));
    env = {
      C360_ENV: 'test',
      C360_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_EVENTS: uniqueTopic('replay-ingest'),
      KAFKA_TOPIC_DEAD_LETTERS: uniqueTopic('replay-dlq'),
      LOG_LEVEL: 'silent',
    };
    // The same master keys the CLI resolves from the data dir, so it can decrypt what we append.
    const keys = await resolveMasterKeys(loadConfig(env));
    const active = keys[0];
    if (!active) throw new Error('no master key');
    await migratePostgresEventStore(db.pool);
    const keyStore = new PostgresKeyStore(db.pool);
    await keyStore.migrate();
    const registry = new EventTypeRegistry(eventTypeDefinitions());
    const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
    store = new ProtectedEventStore(new PostgresEventStore(db.pool, { registry }), { registry, keyStore, masterKeys });
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await store?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes exactly the selected history — time range and types — once, in order per customer, keyed by customer, in the gateway format; erased customers stay erased', async () => {
    // Before the range: must not be replayed.
    await append([['C1', 'MoneyMoved'], ['C2', 'MoneyMoved'], ['C1', 'ContactDetailsChanged']]);
    const from = await boundary();
    // Inside the range: four customers interleaved, three types (ComplaintRaised is filtered out).
    const inside = await append([
      ['C1', 'MoneyMoved'], ['C2', 'ContactDetailsChanged'], ['C3', 'MoneyMoved'], ['C1', 'ComplaintRaised'], ['C2', 'MoneyMoved'],
      ['C3', 'ContactDetailsChanged'], ['C4', 'MoneyMoved'], ['C1', 'MoneyMoved'], ['C3', 'MoneyMoved'], ['C2', 'ComplaintRaised'],
      ['C4', 'MoneyMoved'], ['C1', 'ContactDetailsChanged'], ['C3', 'MoneyMoved'], ['C4', 'ComplaintRaised'], ['C2', 'MoneyMoved'],
    ]);
    const to = await boundary();
    // After the range: must not be replayed.
    await append([['C1', 'MoneyMoved'], ['C4', 'MoneyMoved'], ['C2', 'ContactDetailsChanged']]);
    await store.eraseSubject('C3', 'test: right to erasure');

    const selected = inside.filter((e) => e.type === 'MoneyMoved' || e.type === 'ContactDetailsChanged');
    const topic = uniqueTopic('replay-target');
    const run = await c360(
      ['replay', '--from', from.toISOString(), '--to', to.toISOString(), '--types', 'MoneyMoved,ContactDetailsChanged', '--topic', topic, '--partitions', '3', '--json'],
      env,
    );
    expect(run.stderr).not.toContain('c360:');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; published: number; total: number; cancelled?: boolean });
    const result = lines.find((l) => l.kind === 'result');
    expect(result).toMatchObject({ kind: 'result', published: selected.length, total: selected.length, cancelled: false });

    const received = await consumeAll(topic, selected.length);
    // Exactly once: the topic holds exactly the selected events, no more.
    expect(await messagesOn(topic)).toBe(selected.length);
    expect(received.map((r) => r.value.eventId).sort()).toEqual(selected.map((e) => e.eventId).sort());
    // In order per customer, keyed by customer (so each customer sits on one partition).
    for (const customer of ['C1', 'C2', 'C3', 'C4']) {
      const mine = received.filter((r) => r.value.customerId === customer);
      expect(mine.map((r) => r.value.eventId)).toEqual(selected.filter((e) => e.customerId === customer).map((e) => e.eventId));
      expect(new Set(mine.map((r) => r.key))).toEqual(new Set([`customer:${customer}`]));
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
    }
    // The canonical envelope and the gateway's headers.
    for (const r of received) {
      expect(r.headers).toEqual({ 'content-type': 'application/json', 'c360-event-id': r.value.eventId, 'c360-event-type': r.value.type, 'c360-event-version': '1' });
      expect(Object.keys(r.value)).toEqual(['eventId', 'type', 'version', 'occurredAt', 'source', 'customerId', 'data']);
      expect(r.value.source.system).toBe(EXAMPLES_V1[r.value.type as CanonicalEventType].source.system);
    }
    // Personal fields: decrypted for live customers, erased for the erased one.
    const contact = (customer: string): Received['value'] | undefined => received.find((r) => r.value.customerId === customer && r.value.type === 'ContactDetailsChanged')?.value;
    expect(contact('C2')?.data).toEqual({ phone: '+8613800000000', email: 'c2@example.com' });
    expect(contact('C3')?.data).toEqual({ phone: { erased: true }, email: { erased: true } });
  }, 180_000);

  it('a range with nothing in it publishes nothing and says so', async () => {
    const topic = uniqueTopic('replay-empty');
    const run = await c360(['replay', '--from', '2001-01-01T00:00:00Z', '--to', '2001-01-02T00:00:00Z', '--topic', topic], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`replay done: 0 of 0 events recorded in [2001-01-01T00:00:00.000Z, 2001-01-02T00:00:00.000Z) published to ${topic}`);
    expect(await messagesOn(topic)).toBe(0);
  }, 120_000);

  it.each([['KAFKA_TOPIC_EVENTS'], ['KAFKA_TOPIC_DEAD_LETTERS']])('refuses to write into the system\'s own %s topic, and writes nothing', async (setting) => {
    const own = env[setting] ?? '';
    const run = await c360(['replay', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--topic', own], env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`refusing to replay into "${own}": it is one of c360's own topics`);
    expect(await messagesOn(own)).toBe(0);
  }, 120_000);

  it.each([
    [['replay', '--to', '2026-12-01T00:00:00Z'], '--from is required'],
    [['replay', '--from', 'yesterday', '--to', '2026-12-01T00:00:00Z'], '--from must be an ISO time with its zone, e.g. --from 2026-11-01T00:00:00Z (got "yesterday")'],
    [['replay', '--from', '2026-11-01T00:00:00', '--to', '2026-12-01T00:00:00Z'], '--from must be an ISO time with its zone'],
    [['replay', '--from', '2026-12-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], 'must be before --to'],
    [['replay', '--from', '2026-11-01T00:00:00Z', '--to', '2026-11-01T00:00:00Z'], 'must be before --to'],
    [['replay', '--from', '2026-11-01', '--to', '2026-12-01', '--rate', '0'], '--rate must be a positive number of events per second'],
    [['replay', '--from', '2026-11-01', '--to', '2026-12-01', '--partitions', '1.5'], '--partitions must be a whole number from 1 to 10000'],
    [['replay', '--from', '2026-11-01', '--to', '2026-12-01', '--types', 'MoneyMoved,Teleported', '--topic', 'x'], 'unknown event type(s) Teleported'],
    [['replay', '--from', '2026-11-01', '--to', '2026-12-01', '--topic', 'bad topic'], '"bad topic" is not a Kafka topic name'],
  ])('bad arguments %p exit 2 with the fix', async (args, message) => {
    const run = await c360(args, env);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  }, 60_000);

  it.each([
    ['DATABASE_URL', 'DATABASE_URL is not set'],
    ['KAFKA_BROKERS', 'KAFKA_BROKERS is not set'],
  ])('without %s it exits 2 saying how to set it', async (unset, message) => {
    const rest = Object.fromEntries(Object.entries(env).filter(([k]) => k !== unset));
    const child = await new Promise<Run>((resolve, reject) => {
      const p = spawn(process.execPath, ['apps/cli/bin/c360.js', 'replay', '--from', '2026-11-01', '--to', '2026-12-01'], {
        cwd: ROOT,
        env: Object.fromEntries(Object.entries({ ...process.env, ...rest }).filter(([k]) => k !== unset)),
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      p.on('error', reject);
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(child.status).toBe(2);
    expect(child.stderr).toContain(message);
  }, 60_000);
});
