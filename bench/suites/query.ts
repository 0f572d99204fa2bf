/**
 * query: authenticated GET /v1/customers/{id} of random customers under autocannon against
 * the query API (Nest + Fastify, in this process, per-client rate limit raised out of the way),
 * against a bare node:http server doing the same lookup (SELECT the customer_360 row with pg,
 * answer its state as JSON) in the same run.
 *  - throughput: requests/s at --connections, ratio ours / bare (target 0.6);
 *  - p99 at a fixed rate of half the bare server's maximum: ratio bare p99 / our p99 (target 0.5).
 * Seeding: --templates customers folded by the real Projector from events in the event store,
 * then cloned in SQL to --customers rows of the customer_360 read model.
 * Options: --quick, --customers N, --duration S, --connections N, --ours-only (profiling: no baseline, no figures).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { importJWK, SignJWT, type JWK } from 'jose';
import { Pool } from 'pg';
import { AuthModule, authErrorToProblem, ensureLocalSigningKey } from '@c360/auth';
import { ConfigModule, loadConfig } from '@c360/config';
import { customerStreamId, eventTypeDefinitions } from '@c360/contracts';
import {
  EventTypeRegistry,
  MasterKeyring,
  migratePostgresEventStore,
  PostgresEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type NewEvent,
} from '@c360/event-store';
import { assignRequestId, ProblemMappers, ProblemModule } from '@c360/observability';
import { Projector } from '../../apps/projector/src/projector';
import { parseProjectorConfig } from '../../apps/projector/src/projector-config';
import { parseDerivedConfig } from '../../apps/projector/src/derived/derived-config';
import { parseQueryApiConfig, QueryApiModule } from '../../apps/query-api/src';
import { createBenchDatabase, type BenchDatabase } from './bench-db';
import { customerIdOf, generateHistory } from './bench-events';
import { note, report, type Suite } from '../report';

const argValue = (args: readonly string[], name: string): number | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
};

/** Template customers through the event store and the real projector, then cloned to `customers` rows. */
async function seed(db: BenchDatabase, templates: number, customers: number): Promise<void> {
  const store = new PostgresEventStore(db.pool);
  const history = [...generateHistory({ events: templates * 6, customers: templates, seed: 7 })];
  const byCustomer = new Map<string, NewEvent[]>();
  for (const e of history) {
    const list = byCustomer.get(e.customerId) ?? [];
    list.push({ eventId: e.eventId, type: e.type, version: 1, data: e.data, metadata: e.metadata, occurredAt: e.occurredAt });
    byCustomer.set(e.customerId, list);
  }
  for (const [customerId, events] of byCustomer) await store.appendToStream(customerStreamId(customerId), events);
  const projector = new Projector({
    config: parseProjectorConfig({ DATABASE_URL: db.url, PROJECTOR_MODE: 'single', PROJECTOR_WORKER_ID: 'bench-query-seed' }),
    derived: { ...parseDerivedConfig({}), sweepIntervalMs: 0 },
    eventStore: store,
  });
  await projector.start();
  try {
    for (;;) {
      const s = projector.status()[0];
      if (s?.state === 'failed') throw new Error(`seed projection failed: ${s.lastError?.message ?? '?'}`);
      if ((s?.appliedEvents ?? 0) >= history.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await projector.stop();
  }
  // Clone: customer i takes template i mod templates' row, with its own id.
  const cols = (await db.pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'read_models' AND table_name = 'customer_360' ORDER BY ordinal_position`,
  )).rows.map((r) => r.column_name);
  const select = cols.map((c) =>
    c === 'customer_id' ? 'n.id' : c === 'state' ? `jsonb_set(t.state, '{customerId}', to_jsonb(n.id))` : `t.${c}`);
  await db.pool.query(
    `INSERT INTO read_models.customer_360 (${cols.join(', ')})
     SELECT ${select.join(', ')}
       FROM generate_series($1::int, $2::int - 1) g
       CROSS JOIN LATERAL (SELECT 'B' || lpad(g::text, 7, '0') AS id) n
       JOIN read_models.customer_360 t ON t.customer_id = 'B' || lpad((g % $1::int)::text, 7, '0')`,
    [templates, customers],
  );
  await db.pool.query('ANALYZE read_models.customer_360');
  await store.close();
}

/** The baseline: node:http, the same row by primary key with pg, its state as JSON. */
async function bareServer(url: string): Promise<{ server: Server; pool: Pool }> {
  const pool = new Pool({ connectionString: url, max: 10 });
  const server = createServer((req, res) => {
    const m = /^\/v1\/customers\/([A-Za-z0-9-]+)$/.exec(req.url ?? '');
    if (!m || !req.headers.authorization) {
      res.writeHead(404).end();
      return;
    }
    pool.query<{ state: unknown; tier: string }>('SELECT state, tier FROM read_models.customer_360 WHERE customer_id = $1', [m[1]]).then(
      (r) => {
        const row = r.rows[0];
        if (!row) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ customerId: m[1], tier: row.tier, state: row.state }));
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, pool };
}

async function ourServer(db: BenchDatabase, dataDir: string): Promise<{ app: NestFastifyApplication; token: string; close(): Promise<void> }> {
  const appConfig = loadConfig({ C360_DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  await ensureLocalSigningKey(appConfig);
  const keyStorePool = new Pool({ connectionString: db.url, max: 4 });
  const keyStore = new PostgresKeyStore(keyStorePool);
  await keyStore.migrate();
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } });
  const store = new ProtectedEventStore(new PostgresEventStore(keyStorePool, { registry }), { registry, keyStore, masterKeys });
  const config = parseQueryApiConfig({ QUERY_RETENTION_SWEEP_MS: '0', QUERY_RATE_LIMIT_MAX: '1000000' });

  @Module({})
  class AuthProblems {
    constructor(mappers: ProblemMappers) {
      mappers.register(authErrorToProblem);
    }
  }
  Reflect.defineMetadata('design:paramtypes', [ProblemMappers], AuthProblems);

  const adapter = new FastifyAdapter({ bodyLimit: 64 * 1024, requestTimeout: 10_000, genReqId: assignRequestId, logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(
    {
      module: class QueryBenchApp {},
      imports: [ConfigModule.forRoot(appConfig), ProblemModule, AuthProblems, AuthModule,
        QueryApiModule.forRoot({ databaseUrl: db.url, eventStore: store, config })],
    },
    adapter,
    { logger: false, abortOnError: false },
  );
  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(rateLimit, { global: false });
  await app.listen(0, '127.0.0.1');

  const jwk = JSON.parse(await readFile(appConfig.jwt.signingKeyFile, 'utf8')) as JWK;
  const key = await importJWK(jwk, jwk.alg ?? 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope: 'customers:read' })
    .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid ?? '', typ: 'at+jwt' })
    .setIssuer(appConfig.jwt.issuer)
    .setAudience(appConfig.jwt.audience)
    .setSubject('bench-reader')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(key);
  return {
    app,
    token,
    async close() {
      await app.close();
      await store.close().catch(() => undefined);
      await keyStorePool.end();
    },
  };
}

interface Load {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  /** CPU time of this process (server and load generator) per request served, µs: steadier than req/s on a busy machine. */
  readonly cpuPerRequestUs: number;
}

async function load(url: string, token: string, customers: number, seconds: number, connections: number, rate?: number): Promise<Load> {
  const cpu = process.cpuUsage();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    ...(rate !== undefined ? { overallRate: rate } : {}),
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/customers/${customerIdOf(Math.floor(Math.random() * customers))}` }) }],
  });
  const used = process.cpuUsage(cpu);
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx + result.timeouts,
    cpuPerRequestUs: (used.user + used.system) / Math.max(1, result.requests.total),
  };
}

const addressOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

export const querySuite: Suite = {
  async run(args) {
    const quick = args.includes('--quick');
    const customers = argValue(args, '--customers') ?? (quick ? 2_000 : 100_000);
    const templates = Math.min(customers, argValue(args, '--templates') ?? 200);
    const seconds = argValue(args, '--duration') ?? (quick ? 5 : 20);
    const connections = argValue(args, '--connections') ?? 32;
    const db = await createBenchDatabase('c360_bench_query');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'c360-bench-query-'));
    let bare: { server: Server; pool: Pool } | undefined;
    let ours: Awaited<ReturnType<typeof ourServer>> | undefined;
    try {
      await migratePostgresEventStore(db.pool);
      await seed(db, templates, customers);
      note(`seeded ${customers} customer-360 rows (${templates} folded by the projector, the rest cloned)`);
      bare = await bareServer(db.url);
      ours = await ourServer(db, dataDir);
      const ourUrl = await ours.app.getUrl();
      const probe = await fetch(`${ourUrl.replace('[::1]', '127.0.0.1')}/v1/customers/${customerIdOf(1)}`, { headers: { authorization: `Bearer ${ours.token}` } });
      if (probe.status !== 200) throw new Error(`query API answered ${probe.status}: ${await probe.text()}`);

      if (args.includes('--ours-only')) {
        // For profiling (node --cpu-prof): only the query API under load, no baseline, no figures.
        await load(ourUrl, ours.token, customers, 2, connections);
        const only = await load(ourUrl, ours.token, customers, seconds, connections);
        note(`query API alone: ${only.rps.toFixed(0)} req/s, p99 ${only.p99} ms, ${only.cpuPerRequestUs.toFixed(0)} µs CPU/request (${only.errors} errors)`);
        return;
      }
      // Warm-up both, then maximum throughput.
      await load(addressOf(bare.server), ours.token, customers, 2, connections);
      await load(ourUrl, ours.token, customers, 2, connections);
      const bareMax = await load(addressOf(bare.server), ours.token, customers, seconds, connections);
      const ourMax = await load(ourUrl, ours.token, customers, seconds, connections);
      note(`max: bare ${bareMax.rps.toFixed(0)} req/s (${bareMax.errors} errors), query API ${ourMax.rps.toFixed(0)} req/s (${ourMax.errors} errors)`);
      note(`CPU per request (this process, load generator included): bare ${bareMax.cpuPerRequestUs.toFixed(0)} µs, query API ${ourMax.cpuPerRequestUs.toFixed(0)} µs`);
      report({ bench: 'query.throughput', value: ourMax.rps, unit: 'req/s', baseline: bareMax.rps, ratio: ourMax.rps / bareMax.rps, target: 0.6 });

      const rate = Math.max(1, Math.floor(bareMax.rps / 2));
      const bareFixed = await load(addressOf(bare.server), ours.token, customers, seconds, connections, rate);
      const ourFixed = await load(ourUrl, ours.token, customers, seconds, connections, rate);
      note(`at ${rate} req/s: bare p99 ${bareFixed.p99} ms (${bareFixed.rps.toFixed(0)} req/s served), query API p99 ${ourFixed.p99} ms (${ourFixed.rps.toFixed(0)} req/s served, ${ourFixed.errors} errors)`);
      report({ bench: 'query.p99-at-half-max', value: ourFixed.p99, unit: 'ms', baseline: bareFixed.p99,
        ratio: bareFixed.p99 / Math.max(ourFixed.p99, 0.001), target: 0.5 });
    } finally {
      await ours?.close().catch(() => undefined);
      if (bare) {
        bare.server.close();
        await bare.pool.end();
      }
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
