/**
 * ingest, on the project's Kafka broker (KAFKA_BROKERS or `npm run kafka:start`'s):
 *  - gateway: POST /v1/events batches of --batch canonical events from --concurrency clients,
 *    accepted (202 = Kafka acked) events/s against a bare kafkajs producer (idempotent,
 *    acks=all) sending the same messages, same batches and concurrency (target 0.5);
 *  - ingestor: the ingestor app consuming what the gateway published until every event is in the
 *    event store, events/s against a bare consumer (eachBatch) inserting each batch raw into a
 *    bare table (target 0.7).
 * Options: --quick, --events N, --customers N, --batch N, --concurrency N.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { importJWK, SignJWT, type JWK } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { ensureLocalSigningKey } from '@c360/auth';
import { loadConfig } from '@c360/config';
import type { CanonicalEvent } from '@c360/contracts';
import { newTraceContext, traceHeaders } from '@c360/observability';
import { kafkaBrokers } from '@c360/testing';
import { createGatewayApp } from '../../apps/gateway/src/gateway-app';
import { toEventMessage } from '../../apps/gateway/src/intake/event-message';
import { createIngestorApp } from '../../apps/ingestor/src/ingestor-app';
import { migrateIngestor } from '../../apps/ingestor/src/persistence/ingestor-migrations';
import { migratePostgresEventStore, PostgresKeyStore } from '@c360/event-store';
import { createBenchDatabase } from './bench-db';
import { generateHistory } from './bench-events';
import { note, report, timed, type Suite } from '../report';

const argValue = (args: readonly string[], name: string): number | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
};

interface Canonical {
  readonly eventId: string;
  readonly type: string;
  readonly version: 1;
  readonly occurredAt: string;
  readonly source: unknown;
  readonly customerId: string;
  readonly data: unknown;
}

function canonicalBatches(events: number, customers: number, batch: number): Canonical[][] {
  const out: Canonical[][] = [];
  let current: Canonical[] = [];
  for (const e of generateHistory({ events, customers, seed: 11 })) {
    current.push({ eventId: e.eventId, type: e.type, version: 1, occurredAt: e.occurredAt.toISOString(), source: e.metadata['source'], customerId: e.customerId, data: e.data });
    if (current.length === batch) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Runs `work` over the batches from `concurrency` loops. */
async function concurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  }));
}

async function waitForCount(pool: Pool, sql: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    if (n >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${n}/${expected} after ${timeoutMs} ms (${sql})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const ingestSuite: Suite = {
  async run(args) {
    const quick = args.includes('--quick');
    const events = argValue(args, '--events') ?? (quick ? 5_000 : 100_000);
    const customers = argValue(args, '--customers') ?? Math.max(1, Math.round(events / 10));
    const batchSize = argValue(args, '--batch') ?? 100;
    const concurrency = argValue(args, '--concurrency') ?? 8;
    const brokers = kafkaBrokers();
    const suffix = randomUUID().slice(0, 8);
    const topic = `bench-ingest-${suffix}`;
    const bareTopic = `bench-ingest-bare-${suffix}`;
    const dlq = `bench-ingest-dlq-${suffix}`;
    const kafka = new Kafka({ clientId: 'c360-bench', brokers: [...brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const db = await createBenchDatabase('c360_bench_ingest');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'c360-bench-ingest-'));
    let gateway: NestFastifyApplication | undefined;
    let ingestor: NestFastifyApplication | undefined;
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [topic, bareTopic, dlq].map((t) => ({ topic: t, numPartitions: 6, replicationFactor: 1 })) });
      const config = loadConfig({
        C360_DATA_DIR: dataDir, LOG_LEVEL: 'error', DATABASE_URL: db.url, KAFKA_BROKERS: brokers.join(','),
        KAFKA_TOPIC_EVENTS: topic, KAFKA_TOPIC_DEAD_LETTERS: dlq, KAFKA_GROUP_PREFIX: `bench-${suffix}`, RATE_LIMIT_MAX: '1000000',
      });
      await ensureLocalSigningKey(config);
      const batches = canonicalBatches(events, customers, batchSize);

      // Baseline 1: a bare idempotent producer sending the same messages as the gateway: its key,
      // value and headers (content type, event id/type/version, and one request's trace context
      // per batch: a traceparent and the correlation id, which the gateway sets from the request
      // id when the caller sends none). Built the gateway's way, inside the timed loop as there.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const bareSend = await timed(() => concurrently(batches, concurrency, async (b) => {
        const trace = traceHeaders({ trace: newTraceContext(), correlationId: randomUUID() });
        await producer.send({ topic: bareTopic, acks: -1, messages: b.map((e) => {
          const m = toEventMessage(e as CanonicalEvent, trace); // string key, value and headers
          return { key: m.key as string, value: m.value as string, headers: m.headers as Record<string, string> };
        }) });
      }));
      await producer.disconnect();
      const bareSendRate = events / bareSend.seconds;

      // Ours: the gateway, HTTP → Kafka ack.
      gateway = await createGatewayApp(config, { swaggerUi: false });
      await gateway.listen(0, '127.0.0.1');
      const url = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
      const jwk = JSON.parse(await readFile(config.jwt.signingKeyFile, 'utf8')) as JWK;
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ scope: 'events:write' })
        .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid ?? '', typ: 'at+jwt' })
        .setIssuer(config.jwt.issuer).setAudience(config.jwt.audience).setSubject('bench-core-banking')
        .setIssuedAt(now).setExpirationTime(now + 3600).setJti(randomUUID())
        .sign(await importJWK(jwk, jwk.alg ?? 'ES256'));
      let rejected = 0;
      const send = await timed(() => concurrently(batches, concurrency, async (b) => {
        const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(b) });
        if (res.status !== 202) {
          rejected++;
          if (rejected === 1) note(`gateway answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        } else await res.arrayBuffer();
      }));
      if (rejected > 0) throw new Error(`${rejected} batches not accepted`);
      const gatewayRate = events / send.seconds;
      note(`gateway: ${gatewayRate.toFixed(0)} events/s accepted; bare producer: ${bareSendRate.toFixed(0)} events/s (batches of ${batchSize}, ${concurrency} concurrent)`);
      report({ bench: 'ingest.gateway', value: gatewayRate, unit: 'events/s', baseline: bareSendRate, ratio: gatewayRate / bareSendRate, target: 0.5 });
      await gateway.close();
      gateway = undefined;

      // Baseline 2: a bare consumer group inserting each batch raw into a bare table.
      await db.pool.query(`CREATE TABLE bare (event_id uuid PRIMARY KEY, customer_id text, type text, data jsonb, occurred_at timestamptz)`);
      const consumer = kafka.consumer({ groupId: `bench-bare-${suffix}` });
      await consumer.connect();
      await consumer.subscribe({ topic: bareTopic, fromBeginning: true });
      const bareCpuBefore = process.cpuUsage();
      const bareConsume = await timed(async () => {
        await consumer.run({
          eachBatch: async ({ batch }) => {
            const rows = batch.messages.map((m) => JSON.parse(m.value?.toString() ?? '{}') as Canonical);
            await db.pool.query(
              `INSERT INTO bare SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[]) ON CONFLICT DO NOTHING`,
              [rows.map((r) => r.eventId), rows.map((r) => r.customerId), rows.map((r) => r.type), rows.map((r) => JSON.stringify(r.data)), rows.map((r) => r.occurredAt)],
            );
          },
        });
        await waitForCount(db.pool, 'SELECT count(*) AS n FROM bare', events, 600_000);
      });
      await consumer.disconnect();
      const bareConsumeRate = events / bareConsume.seconds;
      const bareCpu = process.cpuUsage(bareCpuBefore);

      // Ours: the ingestor app from the beginning of the gateway's topic until the store holds all.
      // As for the baseline, whose table exists before its clock starts, the schema is migrated
      // and the app built first; the clock then covers start (topic check, consumer group join,
      // as the baseline's run) and consumption.
      const built = await timed(async () => {
        ingestor = await createIngestorApp(config, { databaseUrl: db.url, groupId: `bench-ingestor-${suffix}` });
        await migratePostgresEventStore(db.pool);
        await new PostgresKeyStore(db.pool).migrate();
        await migrateIngestor(db.pool);
      });
      let startedAfter = 0;
      const cpuBefore = process.cpuUsage();
      const ingest = await timed(async () => {
        const t0 = Date.now();
        await (ingestor as NestFastifyApplication).init();
        startedAfter = (Date.now() - t0) / 1000;
        // The stream heads sum to the number of events stored (a head moves in the transaction
        // that appends): the same figure as count(*) of the events, without a scan of every
        // event's row 20 times a second, which took a PostgreSQL core from the ingestor it measures.
        await waitForCount(db.pool, 'SELECT coalesce(sum(revision + 1), 0) AS n FROM event_store.streams', events, 1_800_000);
      });
      const ingestRate = events / ingest.seconds;
      const cpu = process.cpuUsage(cpuBefore);
      note(
        `ingestor: ${ingestRate.toFixed(0)} events/s into the store (start ${startedAfter.toFixed(1)} s of ${ingest.seconds.toFixed(1)} s; ` +
          `${(events / (ingest.seconds + built.seconds)).toFixed(0)} events/s counting the ${built.seconds.toFixed(1)} s build and migration too); ` +
          `bare consume + insert: ${bareConsumeRate.toFixed(0)} events/s; process CPU per event: ingestor ${((cpu.user + cpu.system) / events).toFixed(1)} µs, bare ${((bareCpu.user + bareCpu.system) / events).toFixed(1)} µs`,
      );
      report({ bench: 'ingest.ingestor', value: ingestRate, unit: 'events/s', baseline: bareConsumeRate, ratio: ingestRate / bareConsumeRate, target: 0.7 });
    } finally {
      await (gateway)?.close().catch(() => undefined);
      await (ingestor)?.close().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic, bareTopic, dlq] }).catch(() => undefined);
      await admin.disconnect();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
