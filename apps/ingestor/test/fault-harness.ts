import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { TokenIssuer } from '@c360/auth';
import { loadConfig, type AppConfig } from '@c360/config';
import { createTestDatabase, createTopic, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { createGatewayApp } from '../../gateway/src/gateway-app';
import { createIngestorApp } from '../src/ingestor-app';
import { moneyMoved } from './fixtures';
import type { StoredRow } from './pipeline-harness';
export { freePort } from '@c360/testing';
import { freePort } from '@c360/testing';

/**
 * Fault-test variant of pipeline-harness: the broker, the database the ingestor connects to
 * (e.g. through a test-owned TCP proxy) and the database the test verifies (directly) can be
 * chosen; the ledger checks I1, I2 and I4 in one place.
 */

const ROOT = resolve(__dirname, '..', '..', '..');

export interface FaultDatabase {
  /** Direct URL (verification; the ingestor may be given another route to it). */
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

export interface FaultEnv {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly brokers: readonly string[];
  readonly db: FaultDatabase;
  /** The DATABASE_URL the ingestor is given. */
  readonly ingestorDatabaseUrl: string;
  readonly env: Record<string, string>;
  readonly config: AppConfig;
  token(scopes: readonly string[]): Promise<string>;
  cleanup(): Promise<void>;
}

export interface FaultEnvOptions {
  readonly partitions?: number;
  readonly brokers?: readonly string[];
  readonly db?: FaultDatabase;
  /** Rewrites the database URL for the ingestor (e.g. to a proxy's port). */
  readonly ingestorDatabaseUrl?: (directUrl: string) => string;
  readonly extraEnv?: Record<string, string>;
}

/** A database on an arbitrary server (e.g. a private PostgreSQL) given its admin URL. */
export async function createDatabaseOn(adminUrl: string, prefix: string): Promise<FaultDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new Pool({ connectionString: adminUrl, max: 1 });
  admin.on('error', () => undefined);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  return {
    url,
    pool,
    drop: async () => {
      await pool.end().catch(() => undefined);
      const cleanup = new Pool({ connectionString: adminUrl, max: 1 });
      cleanup.on('error', () => undefined);
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await cleanup.end().catch(() => undefined);
    },
  };
}

async function retrying<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

/** A fresh broker creates __consumer_offsets on the first group request: ask until it answers. */
async function warmUp(brokers: readonly string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'c360-fault-warm-up', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await retrying(() => admin.connect(), 60_000);
  try {
    await retrying(() => admin.describeGroups(['c360-warm-up']), 60_000);
  } finally {
    await admin.disconnect();
  }
}

export async function createFaultEnv(name: string, options: FaultEnvOptions = {}): Promise<FaultEnv> {
  const partitions = options.partitions ?? 3;
  const brokers = options.brokers ?? kafkaBrokers();
  let db = options.db;
  if (!db) {
    const t = await createTestDatabase({ prefix: 'c360_fault', poolMax: 4 });
    db = { url: t.url, pool: t.pool, drop: () => t.drop() };
  }
  const topic = uniqueTopic(`${name}-events`);
  const dlqTopic = uniqueTopic(`${name}-dlq`);
  // A freshly started (private) broker may still be electing leaders: retry for a while.
  await retrying(() => createTopic(topic, partitions, brokers), 60_000);
  await retrying(() => createTopic(dlqTopic, partitions, brokers), 60_000);
  if (options.brokers) await warmUp(brokers);
  const dataDir = mkdtempSync(join(tmpdir(), 'c360-fault-'));
  const ingestorDatabaseUrl = options.ingestorDatabaseUrl ? options.ingestorDatabaseUrl(db.url) : db.url;
  const env: Record<string, string> = {
    C360_ENV: 'test',
    C360_DATA_DIR: dataDir,
    DATABASE_URL: ingestorDatabaseUrl,
    DATABASE_POOL_MAX: '6',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_EVENTS: topic,
    KAFKA_TOPIC_DEAD_LETTERS: dlqTopic,
    KAFKA_GROUP_PREFIX: uniqueTopic('grp'),
    KAFKA_PARTITIONS: String(partitions),
    LOG_LEVEL: 'silent',
    BODY_LIMIT: '256kb',
    ...options.extraEnv,
  };
  const config = loadConfig(env);
  const issuer = TokenIssuer.forConfig(config);
  const dbRef = db;
  return {
    topic,
    dlqTopic,
    brokers,
    db: dbRef,
    ingestorDatabaseUrl,
    env,
    config,
    token: (scopes) => issuer.mintToken({ subject: 'fault-client', scopes, ttlSeconds: 3600 }),
    cleanup: async () => {
      await dbRef.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const urlOf = (app: NestFastifyApplication): string => {
  const address = app.getHttpServer().address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
};

export async function startFaultGateway(p: FaultEnv): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createGatewayApp(p.config, { swaggerUi: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: urlOf(app) };
}

/** An ingestor in this process (its own consumer, pool and HTTP port). */
export async function startFaultIngestor(p: FaultEnv, poolMax = 6): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await createIngestorApp(p.config, { databaseUrl: p.ingestorDatabaseUrl, mode: 'kafka', poolMax });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: urlOf(app) };
}

export interface ChildApp {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Resolves once GET /health/live answers (or rejects with the process output). */
  live(timeoutMs?: number): Promise<void>;
  exited(): Promise<void>;
}

/** An app (`gateway` or `ingestor`) as a user runs it, in a process of its own, so that it can be SIGKILLed. */
export async function spawnApp(app: 'gateway' | 'ingestor', p: FaultEnv, extra: Record<string, string> = {}): Promise<ChildApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts', 'register.cjs'), join(ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...p.env, PORT: String(port), LOG_LEVEL: 'warn', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr?.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    output: () => out,
    exited: () => exit,
    live: async (timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${app} exited during start-up:\n${out.slice(-3000)}`);
        const ok = await fetch(`${url}/health/live`).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`${app} not live after ${timeoutMs} ms:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** Sum of the group's committed offsets on a topic (0 for a partition it never committed). */
export async function committedTotal(brokers: readonly string[], groupId: string, topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'c360-fault-offsets', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Every event in the store, by stream then revision. */
export async function storedRows(pool: Pool): Promise<StoredRow[]> {
  const exists = await pool.query(`SELECT to_regclass('event_store.events') AS t`);
  if ((exists.rows[0] as { t: string | null }).t === null) return [];
  const r = await pool.query<{ event_id: string; stream_id: string; revision: string; type: string }>(
    'SELECT event_id::text AS event_id, stream_id, revision, type FROM event_store.events ORDER BY stream_id, revision',
  );
  return r.rows.map((row) => ({ eventId: row.event_id, streamId: row.stream_id, revision: Number(row.revision), type: row.type }));
}

/** What the test was answered 2xx for, in the order each customer's events were sent. */
export class Ledger {
  private readonly entries: { eventId: string; stream: string }[] = [];
  private readonly ids = new Set<string>();

  accepted(eventId: string, stream: string): void {
    if (this.ids.has(eventId)) return; // a retry of an ambiguous outcome: same id, same place in the order
    this.ids.add(eventId);
    this.entries.push({ eventId, stream });
  }

  get size(): number {
    return this.entries.length;
  }

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  /** Per stream, event ids in send order. */
  streams(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const e of this.entries) out.set(e.stream, [...(out.get(e.stream) ?? []), e.eventId]);
    return out;
  }
}

/**
 * I1 (nothing answered 2xx is missing), I2 (no id twice, nothing that was not accepted) and I4
 * (revisions contiguous, per-customer order = send order): a readable diff on failure.
 */
export function expectStoreMatchesLedger(rows: readonly StoredRow[], ledger: Ledger): void {
  const ids = rows.map((r) => r.eventId);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect({ duplicates: dupes }).toEqual({ duplicates: [] });
  const missing = [...ledger.streams().values()].flat().filter((id) => !ids.includes(id));
  expect({ missing: missing.length }).toEqual({ missing: 0 });
  const extra = ids.filter((id) => !ledger.has(id));
  expect({ extra }).toEqual({ extra: [] });
  const streams = new Map<string, string[]>();
  for (const r of rows) {
    const list = streams.get(r.streamId) ?? [];
    expect({ stream: r.streamId, revision: r.revision }).toEqual({ stream: r.streamId, revision: list.length });
    list.push(r.eventId);
    streams.set(r.streamId, list);
  }
  expect(streams).toEqual(ledger.streams());
}

export async function waitForCount(pool: Pool, n: number, timeoutMs: number, diagnostics: () => string = () => ''): Promise<StoredRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await storedRows(pool).catch(() => [] as StoredRow[]);
    if (rows.length >= n) return rows;
    if (Date.now() > deadline) throw new Error(`store has ${rows.length} of ${n} events after ${timeoutMs} ms\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface PostOutcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly contentType: string;
  readonly retryAfter: string | null;
  readonly ms: number;
}

/** POST with a client-side timeout; a network failure is status 0 (ambiguous, to be retried). */
export async function postJson(url: string, token: string, body: unknown, timeoutMs = 60_000): Promise<PostOutcome> {
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { raw: text };
    }
    return { status: res.status, body: parsed, contentType: res.headers.get('content-type') ?? '', retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
  } catch (e) {
    return { status: 0, body: { error: (e as Error).name }, contentType: '', retryAfter: null, ms: Date.now() - started };
  }
}

/**
 * A steady stream for the fault tests: `clients` clients each post batches of 10 MoneyMoved
 * (six customers per client, `${prefix}W<client>C<n>`) to /v1/events, a short pause between
 * batches, until `stopped()`. A batch answered 202 goes into the ledger; any other answer is
 * recorded in `refusals` and the same batch is sent again (same ids) — unless `abandoned()`,
 * when the suite is tearing down.
 */
export function postSteadily(options: {
  readonly gatewayUrl: string;
  readonly token: string;
  readonly ledger: Ledger;
  readonly prefix: string;
  readonly clients?: number;
  readonly stopped: () => boolean;
  readonly abandoned?: () => boolean;
}): { readonly refusals: number[]; readonly done: Promise<void> } {
  const { gatewayUrl, token, ledger, prefix, stopped } = options;
  const abandoned = options.abandoned ?? ((): boolean => false);
  const refusals: number[] = [];
  let amount = 0;
  const client = async (w: number): Promise<void> => {
    let n = 0;
    while (!stopped() && !abandoned()) {
      const batch = Array.from({ length: 10 }, (_, i) => moneyMoved(`${prefix}W${w}C${(n + i) % 6}`, ++amount));
      n++;
      for (;;) {
        const res = await postJson(`${gatewayUrl}/v1/events`, token, batch);
        if (res.status === 202) {
          for (const e of batch) ledger.accepted(e['eventId'] as string, `customer-${e['customerId'] as string}`);
          break;
        }
        refusals.push(res.status);
        if (abandoned()) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 20)); // a steady stream, not a flood
    }
  };
  const done = Promise.all(Array.from({ length: options.clients ?? 3 }, (_, w) => client(w))).then(() => undefined);
  return { refusals, done };
}
