import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { importJWK, SignJWT, type JWK } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import { AuthModule, authErrorToProblem } from '@c360/auth';
import { ConfigModule, loadConfig, type AppConfig } from '@c360/config';
import { migratePostgresEventStore, PostgresEventStore } from '@c360/event-store';
import { ProblemMappers, ProblemModule } from '@c360/observability';
import { createTestDatabase, expectEventually, kafkaBrokers, uniqueTopic, type TestDatabase } from '@c360/testing';
import { OPS, OpsModule, opsErrorToProblem, type Ops, type ReplayJob } from '../src/ops/index';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { defaultProjection } from '../src/projector';

jest.setTimeout(240_000);

/** POST /v1/ops/replay (ops:replay) starts the CLI's replay as a job; GET /v1/ops/replay/{id} reports it. */
describe('replay over HTTP (real broker, PostgreSQL)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let app: NestFastifyApplication;
  let appConfig: AppConfig;
  let key: Awaited<ReturnType<typeof importJWK>>;
  let signingKey: JWK;
  const eventsTopic = uniqueTopic('replay-http-events');
  const target = uniqueTopic('replay-http-target');
  const kafka = new Kafka({ clientId: 'c360-replay-http-test', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId: uniqueTopic('replay-http-reader') });
  const appended: Array<{ eventId: string; customerId: string }> = [];

  const token = (scopes: string[]): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: scopes.join(' ') })
      .setProtectedHeader({ alg: signingKey.alg ?? 'ES256', kid: signingKey.kid ?? '', typ: 'at+jwt' })
      .setIssuer(appConfig.jwt.issuer)
      .setAudience(appConfig.jwt.audience)
      .setSubject('ops-test')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(randomUUID())
      .sign(key);
  };
  const call = async (method: 'GET' | 'POST', url: string, auth: string | undefined, body?: unknown): Promise<{ status: number; json: Record<string, unknown>; type: string }> => {
    const res = await app.inject({
      method,
      url,
      headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: res.statusCode, json: (res.body ? JSON.parse(res.body) : {}) as Record<string, unknown>, type: String(res.headers['content-type'] ?? '') };
  };

  beforeAll(async () => {
    await admin.connect();
    db = await createTestDatabase({ prefix: 'c360_ops_replay' });
    await migratePostgresEventStore(db.pool);
    const store = new PostgresEventStore(db.pool);
    for (let i = 0; i < 30; i++) {
      const customerId = `P${i % 4}`;
      const eventId = randomUUID();
      await store.appendToStream(`customer-${customerId}`, [
        { eventId, type: i % 3 === 0 ? 'ComplaintRaised' : 'MoneyMoved', version: 1, data: { n: i }, metadata: { source: { system: 'core-banking' } } },
      ]);
      if (i % 3 !== 0) appended.push({ eventId, customerId });
    }
    dataDir = mkdtempSync(join(tmpdir(), 'c360-ops-replay-'));
    appConfig = loadConfig({ C360_DATA_DIR: dataDir, LOG_LEVEL: 'error' });

    @Module({})
    class Problems {
      constructor(mappers: ProblemMappers) {
        mappers.register(authErrorToProblem);
        mappers.register(opsErrorToProblem);
      }
    }
    Reflect.defineMetadata('design:paramtypes', [ProblemMappers], Problems);
    app = await NestFactory.create<NestFastifyApplication>(
      {
        module: class OpsReplayTestApp {},
        imports: [
          ConfigModule.forRoot(appConfig),
          ProblemModule,
          Problems,
          AuthModule,
          OpsModule.forRoot({
            databaseUrl: db.url,
            readModelSchema: 'read_models',
            eventStoreSchema: 'event_store',
            definitions: [defaultProjection(parseDerivedConfig({}))],
            defaultPartitions: 4,
            batch: { maxSize: 100, maxLatencyMs: 5 },
            kafka: { brokers: kafkaBrokers(), clientId: 'c360-replay-http-test', groupPrefix: uniqueTopic('g'), topics: { events: eventsTopic, deadLetters: `${eventsTopic}.dlq`, derived: `${eventsTopic}.derived` }, partitions: 2 },
            resumeOrphans: false,
          }),
        ],
      },
      new FastifyAdapter({ logger: false }),
      { logger: false, abortOnError: false },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    signingKey = JSON.parse(readFileSync(appConfig.jwt.signingKeyFile, 'utf8')) as JWK;
    key = await importJWK(signingKey, signingKey.alg ?? 'ES256');
  });

  afterAll(async () => {
    await consumer.disconnect().catch(() => undefined);
    await app?.close();
    await admin.deleteTopics({ topics: [target] }).catch(() => undefined);
    await admin.disconnect();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the replay as a job, reports progress to the end; the topic receives exactly the selected history in order per customer', async () => {
    const ops = await token(['ops:replay', 'ops:read']);
    const started = await call('POST', '/v1/ops/replay', ops, { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', types: ['MoneyMoved'], topic: target, partitions: 2 });
    expect(started.status).toBe(202);
    const job = started.json as unknown as ReplayJob;
    expect(job).toMatchObject({ state: 'running', total: appended.length, request: { topic: target, types: ['MoneyMoved'] }, requestedBy: 'ops-test' });
    let last: ReplayJob | undefined;
    await expectEventually(async () => {
      const r = await call('GET', `/v1/ops/replay/${job.id}`, ops);
      expect(r.status).toBe(200);
      last = r.json as unknown as ReplayJob;
      expect(last.state).toBe('done');
    }, { timeoutMs: 60_000, intervalMs: 200 });
    expect(last).toMatchObject({ published: appended.length, total: appended.length, error: null });

    const received: Array<{ eventId: string; customerId: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: target, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const v = JSON.parse(message.value?.toString('utf8') ?? '{}') as { eventId: string; customerId: string };
        received.push({ eventId: v.eventId, customerId: v.customerId });
        return Promise.resolve();
      },
    });
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(appended.length), { timeoutMs: 60_000, intervalMs: 100 });
    expect(received.map((r) => r.eventId).sort()).toEqual(appended.map((a) => a.eventId).sort());
    for (const customer of ['P0', 'P1', 'P2', 'P3'])
      expect(received.filter((r) => r.customerId === customer).map((r) => r.eventId)).toEqual(appended.filter((a) => a.customerId === customer).map((a) => a.eventId));
  });

  it('bad input answers 400 problem+json naming the field; scopes are enforced; unknown jobs are 404; the endpoints are in OpenAPI', async () => {
    const ops = await token(['ops:replay', 'ops:read']);
    const base = { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', topic: 'c360.replay.crm' };
    const cases: Array<[unknown, string, string]> = [
      [{ ...base, from: 'yesterday' }, 'from', 'invalid-time'],
      [{ ...base, to: '2026-12-01T00:00:00' }, 'to', 'invalid-time'],
      [{ ...base, from: '2026-12-02T00:00:00Z' }, 'from', 'from-not-before-to'],
      [{ ...base, types: ['MoneyMoved', 'NoSuchType'] }, 'types[1]', 'unknown-type'],
      [{ ...base, types: 'MoneyMoved' }, 'types', 'not-an-array'],
      [{ from: base.from, to: base.to }, 'topic', 'required'],
      [{ ...base, topic: 'bad topic!' }, 'topic', 'invalid-topic'],
      [{ ...base, topic: eventsTopic }, 'topic', 'reserved-topic'],
      [{ ...base, ratePerSecond: -5 }, 'ratePerSecond', 'not-positive'],
      [{ ...base, partitions: 0 }, 'partitions', 'out-of-range'],
      [{ ...base, tpoic: 'x' }, 'tpoic', 'unknown-field'],
      [[1, 2], '', 'not-an-object'],
    ];
    for (const [body, path, code] of cases) {
      const r = await call('POST', '/v1/ops/replay', ops, body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.type).toContain('application/problem+json');
      expect({ body, errors: r.json['errors'] }).toEqual({ body, errors: [expect.objectContaining({ path, code })] });
    }
    expect((await call('POST', '/v1/ops/replay', undefined, base)).status).toBe(401);
    expect((await call('POST', '/v1/ops/replay', await token(['ops:read']), base)).status).toBe(403);
    expect((await call('GET', `/v1/ops/replay/${randomUUID()}`, ops)).status).toBe(404);
    expect((await call('GET', '/v1/ops/replay/not-a-uuid', ops)).status).toBe(404);
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/ops/replay', '/v1/ops/replay/{id}']));
    expect(JSON.stringify(document.paths['/v1/ops/replay'])).toContain('ratePerSecond');
  });

  it('a replay whose process died is marked failed, not left running', async () => {
    const r = await db.pool.query<{ id: string }>(
      `INSERT INTO c360_ops.replay_jobs (request, state, published, total, updated_at) VALUES ('{"topic":"x"}', 'running', 5, 20, now() - interval '5 minutes') RETURNING id::text AS id`,
    );
    const id = r.rows[0]?.id ?? '';
    const ops = await token(['ops:read']);
    expect(((await call('GET', `/v1/ops/replay/${id}`, ops)).json as unknown as ReplayJob).state).toBe('running');
    expect(await app.get<Ops>(OPS).replay.failOrphans()).toEqual([id]);
    const after = (await call('GET', `/v1/ops/replay/${id}`, ops)).json as unknown as ReplayJob;
    expect(after).toMatchObject({ state: 'failed', published: 5 });
    expect(after.error).toMatch(/interrupted: the process running this replay stopped after publishing 5 of 20 events/);
  });
});
