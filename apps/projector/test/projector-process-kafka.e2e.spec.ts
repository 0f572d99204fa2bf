import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migratePostgresEventStore } from '@c360/event-store';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { stopGracefully, waitUntilReady } from '../../platform/test/platform-process.e2e-helper';
import { DERIVED_TYPES, derivedOutbox, readDerivedTopic } from './derived-topic-reader';
import { createHarness, type Harness } from './harness';
import { killProjector, launchProjector, projectorBaseEnv, type ProjectorProcess } from './projector-process.e2e-helper';

jest.setTimeout(300_000);

// The history of derived-events.kafka.int.spec.ts: it raises and clears churn flags and enters and leaves segments.
const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `K${String(i).padStart(4, '0')}`);
const HISTORY = historyFromOps(CUSTOMERS, seededOps(11, 200, CUSTOMERS.length));

/** The messages of the child's JSON log lines. */
const messages = (p: ProjectorProcess): string[] =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => (JSON.parse(l) as { msg?: string }).msg ?? '');

/**
 * Issues 4 and 7: the standalone projector in a deployment (docker-compose) where it may start
 * before the ingestor has created the event store, with Kafka: it waits for the event store
 * schema instead of failing for good, and relays the derived events to the derived topic itself.
 */
describe('the standalone projector started before the event store exists, with KAFKA_BROKERS', () => {
  let h: Harness;
  let dataDir: string;
  let p: ProjectorProcess | undefined;
  let reader: Awaited<ReturnType<typeof readDerivedTopic>> | undefined;
  const topic = uniqueTopic('c360.derived.standalone');

  beforeAll(async () => {
    h = await createHarness();
    // A database the ingestor has not migrated yet: the harness's store is lazy, so dropping its schema suffices.
    await h.db.pool.query('DROP SCHEMA event_store CASCADE');
    dataDir = mkdtempSync(join(tmpdir(), 'c360-projector-kafka-'));
  });

  afterAll(async () => {
    await reader?.stop();
    await killProjector(p);
    await h?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('waits for the event store schema (saying so, not ready), then starts, applies the events and publishes their derived events to the derived topic', async () => {
    const projector = await launchProjector({
      ...projectorBaseEnv(dataDir),
      DATABASE_URL: h.db.url,
      PROJECTOR_WORKER_ID: 'standalone-kafka',
      KAFKA_BROKERS: kafkaBrokers().join(','),
      // Not created beforehand: the projector creates its topic (auto-creation is off on the broker).
      DERIVED_TOPIC: topic,
      OUTBOX_RELAY_INTERVAL_MS: '50',
      // No clock sweeps: the derived events are exactly those the history causes.
      CHURN_SWEEP_INTERVAL_MS: '0',
    });
    p = projector;
    await expectEventually(
      () => {
        expect(messages(projector)).toContain(`derived events relayed from the outbox to Kafka topic "${topic}" every 50 ms`);
        expect(messages(projector)).toContainEqual(expect.stringMatching(/^waiting for the event store schema "event_store" \(table event_store\.events does not exist yet; the ingestor creates it when it starts\)/));
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    // It keeps waiting, alive and not ready, past the point where its runners used to give up (five attempts, ~1 s).
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      expect(projector.child.exitCode).toBeNull();
      const ready = await fetch(`${projector.baseUrl}/health/ready`).then(
        (r) => r.status,
        () => 'not listening',
      );
      expect(ready).not.toBe(200);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(messages(projector).join('\n')).not.toMatch(/runner failed/);

    // The ingestor starts: it migrates the event store, then events arrive.
    await migratePostgresEventStore(h.db.pool);
    await h.append(HISTORY);
    await waitUntilReady(projector, 120_000);
    expect(messages(projector)).toContainEqual(expect.stringMatching(/^event store schema "event_store" found after \d+ s: starting the projections$/));
    const live = await h.caughtUpDigest('read_models', 120_000);
    expect(live).toEqual(await h.rebuildDigest('fresh'));

    // Every derived event of the outbox reaches the derived topic, once, keyed by customer.
    reader = await readDerivedTopic(topic, 'projector-process-kafka-test');
    const received = reader.received;
    await expectEventually(
      async () => {
        const outbox = await derivedOutbox(h.db.pool);
        expect(outbox.length).toBeGreaterThan(CUSTOMERS.length);
        expect(outbox.every((r) => r.sent)).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const ids = (await derivedOutbox(h.db.pool)).map((r) => r.event_id);
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(ids.length), { timeoutMs: 60_000, intervalMs: 100 });
    expect(received.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(received.every((r) => r.key === r.customerId)).toBe(true);
    expect(new Set(received.map((r) => r.type))).toEqual(new Set(DERIVED_TYPES));

    expect(await stopGracefully(projector, 'SIGTERM', 60_000)).toEqual({ code: 0, signal: null });
  });

  it('stops at once, exit 0, on SIGTERM while it waits for the event store schema', async () => {
    await h.db.pool.query('DROP SCHEMA IF EXISTS event_store CASCADE');
    const waiting = await launchProjector({ ...projectorBaseEnv(dataDir), DATABASE_URL: h.db.url, PROJECTOR_WORKER_ID: 'standalone-waiting' });
    p = waiting;
    await expectEventually(() => expect(messages(waiting)).toContainEqual(expect.stringMatching(/^waiting for the event store schema "event_store"/)), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    expect(await stopGracefully(waiting, 'SIGTERM', 15_000)).toEqual({ code: 0, signal: null });
    expect(waiting.output()).not.toContain('projector running');
  });
});
