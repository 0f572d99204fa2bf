import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { TokenIssuer } from '@c360/auth';
import { loadConfig, type AppConfig } from '@c360/config';
import { createTestDatabase, createTopic, kafkaBrokers, uniqueTopic, type TestDatabase } from '@c360/testing';
import { createGatewayApp } from '../../gateway/src/gateway-app';
import { createIngestorApp } from '../src/ingestor-app';

/** A test's own database, topics, data dir (keys) and configuration: nothing shared with other suites. */
export interface PipelineEnv {
  readonly db: TestDatabase;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly env: Record<string, string>;
  readonly config: AppConfig;
  token(scopes: readonly string[]): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createPipelineEnv(name: string, partitions = 3): Promise<PipelineEnv> {
  const db = await createTestDatabase({ prefix: 'c360_ing' });
  const topic = uniqueTopic(`${name}-events`);
  const dlqTopic = uniqueTopic(`${name}-dlq`);
  await createTopic(topic, partitions);
  await createTopic(dlqTopic, partitions);
  const dataDir = mkdtempSync(join(tmpdir(), 'c360-ing-'));
  const env: Record<string, string> = {
    C360_ENV: 'test',
    C360_DATA_DIR: dataDir,
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '8',
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_TOPIC_EVENTS: topic,
    KAFKA_TOPIC_DEAD_LETTERS: dlqTopic,
    KAFKA_GROUP_PREFIX: uniqueTopic('grp'),
    KAFKA_PARTITIONS: String(partitions),
    LOG_LEVEL: 'silent',
    BODY_LIMIT: '256kb',
  };
  const config = loadConfig(env);
  const issuer = TokenIssuer.forConfig(config);
  return {
    db,
    topic,
    dlqTopic,
    env,
    config,
    token: (scopes) => issuer.mintToken({ subject: 'test-client', scopes, ttlSeconds: 3600 }),
    cleanup: async () => {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startGateway(p: PipelineEnv): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createGatewayApp(p.config, { swaggerUi: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}

export async function startIngestor(p: PipelineEnv): Promise<NestFastifyApplication> {
  const app = await createIngestorApp(p.config, { databaseUrl: p.db.url, mode: 'kafka', poolMax: 8 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

export interface StoredRow {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

/** Every event in the store, by stream then revision (read straight from the tables). */
export async function storedEvents(db: TestDatabase): Promise<StoredRow[]> {
  const exists = await db.pool.query(`SELECT to_regclass('event_store.events') AS t`);
  if ((exists.rows[0] as { t: string | null }).t === null) return [];
  const r = await db.pool.query<{ event_id: string; stream_id: string; revision: string; type: string }>(
    'SELECT event_id::text AS event_id, stream_id, revision, type FROM event_store.events ORDER BY stream_id, revision',
  );
  return r.rows.map((row) => ({ eventId: row.event_id, streamId: row.stream_id, revision: Number(row.revision), type: row.type }));
}

/** Sum of the topic's high watermarks: how many messages were ever written to it. */
export async function messagesOnTopic(topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'c360-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Writes raw bytes straight to a topic (bypassing the gateway). */
export async function produceRaw(topic: string, messages: readonly { key: string; value: Buffer | string }[]): Promise<void> {
  const producer = new Kafka({ clientId: 'c360-test-raw', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Per stream: the event ids in revision order; and a check that revisions run 0..n-1. */
export function streamsOf(rows: readonly StoredRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.streamId) ?? [];
    if (r.revision !== list.length) throw new Error(`stream ${r.streamId}: revision ${r.revision} after ${list.length} events`);
    list.push(r.eventId);
    out.set(r.streamId, list);
  }
  return out;
}

export async function post(url: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; contentType: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: res.status, body: parsed, contentType: res.headers.get('content-type') ?? '' };
}
