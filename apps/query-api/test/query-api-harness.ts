import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { importJWK, SignJWT, type JWK } from 'jose';
import { AuthModule, authErrorToProblem } from '@c360/auth';
import { ConfigModule, loadConfig, type AppConfig } from '@c360/config';
import { customerStreamId, eventTypeDefinitions } from '@c360/contracts';
import {
  EventTypeRegistry,
  MasterKeyring,
  migratePostgresEventStore,
  PostgresEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type JsonObject,
} from '@c360/event-store';
import { assignRequestId, ProblemMappers, ProblemModule } from '@c360/observability';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import { Projector } from '../../projector/src/projector';
import { parseProjectorConfig } from '../../projector/src/projector-config';
import { parseQueryApiConfig, type QueryApiConfig } from '../src/query-api-config';
import { QueryApiModule } from '../src/query-api.module';

const run = promisify(execFile);

export interface SeedEvent {
  readonly type: string;
  readonly data: JsonObject;
  readonly occurredAt?: Date;
}

export interface QueryApiHarness {
  readonly db: TestDatabase;
  readonly app: NestFastifyApplication;
  readonly store: ProtectedEventStore;
  readonly config: QueryApiConfig;
  token(subject: string, scopes: readonly string[]): Promise<string>;
  append(customerId: string, events: readonly SeedEvent[]): Promise<bigint>;
  /** Waits until the projector has applied everything up to `position` for every partition. */
  caughtUp(position: bigint): Promise<void>;
  startProjector(): Promise<void>;
  stopProjector(): Promise<void>;
  /** Rebuilds customer-360 from scratch into a fresh schema with the protected store. */
  rebuild(schema: string): Promise<void>;
  get(path: string, token?: string, headers?: Record<string, string>): Promise<{ status: number; body: string; json: unknown; headers: Record<string, unknown> }>;
  post(path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: string; json: unknown; headers: Record<string, unknown> }>;
  put(path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: string; json: unknown; headers: Record<string, unknown> }>;
  dump(): Promise<string>;
  close(): Promise<void>;
}

export async function createQueryApiHarness(overrides: Partial<QueryApiConfig> = {}): Promise<QueryApiHarness> {
  const db = await createTestDatabase({ prefix: 'c360_query', poolMax: 6 });
  await migratePostgresEventStore(db.pool);
  const keyStore = new PostgresKeyStore(db.pool);
  await keyStore.migrate();
  const dataDir = mkdtempSync(join(tmpdir(), 'c360-query-'));
  const appConfig: AppConfig = loadConfig({ C360_DATA_DIR: dataDir, LOG_LEVEL: 'error' });
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } });
  const storePool = db.createPool({ max: 4 });
  const store = new ProtectedEventStore(new PostgresEventStore(storePool, { registry, pollIntervalMs: 20 }), { registry, keyStore: new PostgresKeyStore(storePool), masterKeys });
  const config: QueryApiConfig = { ...parseQueryApiConfig({ QUERY_RETENTION_SWEEP_MS: '0' }), ...overrides };
  let lastAppended = 0n;

  const projectorConfig = (schema = 'read_models', workerId = 'query-test') =>
    parseProjectorConfig({ DATABASE_URL: db.url, PROJECTOR_WORKER_ID: workerId, PROJECTOR_PARTITIONS: '8', PROJECTOR_MODE: 'single', READ_MODEL_SCHEMA: schema, PROJECTOR_BATCH_LATENCY_MS: '20' });
  let projector: Projector | undefined;
  const startProjector = async (): Promise<void> => {
    projector = new Projector({ config: projectorConfig(), eventStore: store });
    await projector.start();
  };
  await startProjector();

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
      module: class QueryApiTestApp {},
      imports: [ConfigModule.forRoot(appConfig), ProblemModule, AuthProblems, AuthModule, QueryApiModule.forRoot({ databaseUrl: db.url, eventStore: store, config })],
    },
    adapter,
    { logger: false, abortOnError: false },
  );
  await app.register(helmet, { contentSecurityPolicy: false });
  await app.register(rateLimit, { global: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  const signingKey = JSON.parse(readFileSync(appConfig.jwt.signingKeyFile, 'utf8')) as JWK;
  const key = await importJWK(signingKey, signingKey.alg ?? 'ES256');

  const call = async (method: 'GET' | 'POST' | 'PUT', path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method,
      url: path,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let json: unknown;
    try {
      json = res.body.length > 0 ? JSON.parse(res.body) : null;
    } catch {
      json = null;
    }
    return { status: res.statusCode, body: res.body, json, headers: res.headers as Record<string, unknown> };
  };

  const caughtUp = async (position: bigint): Promise<void> => {
    await expectEventually(
      async () => {
        const { rows } = await db.pool.query<{ behind: number }>(
          `SELECT count(*)::int AS behind FROM read_models.projection_checkpoints WHERE projection = 'customer-360' AND position < $1::numeric`,
          [position.toString()],
        );
        expect(rows[0]?.behind).toBe(0);
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  };

  return {
    db,
    app,
    store,
    config,
    async token(subject, scopes) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ scope: scopes.join(' ') })
        .setProtectedHeader({ alg: signingKey.alg ?? 'ES256', kid: signingKey.kid ?? '', typ: 'at+jwt' })
        .setIssuer(appConfig.jwt.issuer)
        .setAudience(appConfig.jwt.audience)
        .setSubject(subject)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomUUID())
        .sign(key);
    },
    async append(customerId, events) {
      let position = 0n;
      for (const e of events) {
        const r = await store.appendToStream(customerStreamId(customerId), [
          { eventId: randomUUID(), type: e.type, version: 1, data: e.data, ...(e.occurredAt ? { occurredAt: e.occurredAt } : {}) },
        ]);
        position = r.position;
      }
      if (position > lastAppended) lastAppended = position;
      return position;
    },
    caughtUp,
    startProjector,
    async stopProjector() {
      await projector?.stop();
      projector = undefined;
    },
    async rebuild(schema) {
      const p = new Projector({ config: projectorConfig(schema, `rebuild-${schema}`), eventStore: store });
      await p.start();
      try {
        await expectEventually(
          async () => {
            const { rows } = await db.pool.query<{ behind: number }>(
              `SELECT count(*)::int AS behind FROM ${schema}.projection_checkpoints WHERE projection = 'customer-360' AND position < $1::numeric`,
              [lastAppended.toString()],
            );
            expect(rows[0]?.behind).toBe(0);
          },
          { timeoutMs: 60_000, intervalMs: 50 },
        );
      } finally {
        await p.stop();
      }
    },
    get: (path, token, headers) => call('GET', path, token, undefined, headers),
    post: (path, token, body) => call('POST', path, token, body),
    put: (path, token, body) => call('PUT', path, token, body),
    async dump() {
      const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', `--dbname=${db.url}`], { maxBuffer: 256 * 1024 * 1024 });
      return stdout;
    },
    async close() {
      await app.close();
      await projector?.stop();
      await store.close().catch(() => undefined);
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A customer with unique canary values in every personal field. */
export function registration(tag: string, overrides: Partial<Record<string, string>> = {}): SeedEvent[] {
  return [
    {
      type: 'CustomerRegistered',
      occurredAt: new Date('2026-01-10T09:00:00Z'),
      data: {
        customerNumber: `C${tag}`,
        kind: 'individual',
        fullName: overrides['fullName'] ?? `Canaryname${tag} Zhang`,
        nationalId: overrides['nationalId'] ?? `11010119900307${tag.slice(0, 4)}`,
        birthDate: '1990-03-07',
        phone: overrides['phone'] ?? `+86138${tag.replace(/\D/g, '').padEnd(8, '7').slice(0, 8)}`,
        email: overrides['email'] ?? `canary.${tag}@example.test`,
        address: overrides['address'] ?? `${tag} Canary Street, Shanghai`,
        region: 'east',
        branchCode: 'SH001',
      },
    },
  ];
}
