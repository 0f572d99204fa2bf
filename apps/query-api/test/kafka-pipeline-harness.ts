import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { resolveMasterKeys } from '@c360/config';
import { eventTypeDefinitions } from '@c360/contracts';
import { EventTypeRegistry, MasterKeyring, migratePostgresEventStore, PostgresEventStore, PostgresKeyStore, ProtectedEventStore } from '@c360/event-store';
import { createPipelineEnv, post, startGateway, startIngestor, type PipelineEnv } from '../../ingestor/test/pipeline-harness';
import { Projector } from '../../projector/src/projector';
import { parseProjectorConfig } from '../../projector/src/projector-config';
import { createQueryApiApp } from '../src/query-api-app';
import { parseQueryApiConfig } from '../src/query-api-config';

export interface Response {
  readonly status: number;
  readonly body: string;
  readonly json: Record<string, unknown>;
  readonly headers: Record<string, unknown>;
  readonly ms: number;
}

/**
 * The whole write-to-read path as separate apps on the real broker and one test database:
 * gateway (HTTP → Kafka) → ingestor (consumer group → protected event store) → projector →
 * the standalone query API (createQueryApiApp, which resolves Kafka consistency tokens itself).
 */
export interface KafkaQueryPipeline {
  readonly env: PipelineEnv;
  readonly queryApi: NestFastifyApplication;
  /** POST to the gateway (events:write); expects 202, returns the consistency token. */
  send(event: Record<string, unknown>): Promise<string>;
  get(path: string, token: string, headers?: Record<string, string>): Promise<Response>;
  postQuery(path: string, token: string, body: unknown): Promise<Response>;
  token(scopes: readonly string[]): Promise<string>;
  stopIngestor(): Promise<void>;
  startIngestor(): Promise<void>;
  dump(): Promise<string>;
  close(): Promise<void>;
}

export async function startKafkaQueryPipeline(name: string, options: { consistencyWaitMs: number }): Promise<KafkaQueryPipeline> {
  const p = await createPipelineEnv(name, 3);
  await migratePostgresEventStore(p.db.pool);
  const storePool = p.db.createPool({ max: 4 });
  const keyStore = new PostgresKeyStore(storePool);
  await keyStore.migrate();
  // The ingestor's master keys (the dev key file of this test's data dir), so the projector can decrypt.
  const keys = await resolveMasterKeys(p.config);
  const active = keys[0];
  if (!active) throw new Error('no master key');
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const store = new ProtectedEventStore(new PostgresEventStore(storePool, { registry, pollIntervalMs: 20 }), { registry, keyStore, masterKeys });
  const gateway = await startGateway(p);
  let ingestor: NestFastifyApplication | undefined = await startIngestor(p);
  const projector = new Projector({
    config: parseProjectorConfig({ DATABASE_URL: p.db.url, PROJECTOR_WORKER_ID: name, PROJECTOR_PARTITIONS: '4', PROJECTOR_MODE: 'single', PROJECTOR_BATCH_LATENCY_MS: '20' }),
    eventStore: store,
  });
  await projector.start();
  const queryApi = await createQueryApiApp(
    p.config,
    {
      databaseUrl: p.db.url,
      config: parseQueryApiConfig({ QUERY_RETENTION_SWEEP_MS: '0', QUERY_CONSISTENCY_WAIT_MS: String(options.consistencyWaitMs), QUERY_DATABASE_POOL_MAX: '4' }),
    },
    { swaggerUi: false },
  );
  await queryApi.init();
  await queryApi.getHttpAdapter().getInstance().ready();
  const writer = await p.token(['events:write']);

  const call = async (method: 'GET' | 'POST', path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> => {
    const started = Date.now();
    const res = await queryApi.inject({
      method,
      url: path,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    let json: Record<string, unknown>;
    try {
      json = res.body.length > 0 ? (JSON.parse(res.body) as Record<string, unknown>) : {};
    } catch {
      json = {};
    }
    return { status: res.statusCode, body: res.body, json, headers: res.headers, ms: Date.now() - started };
  };

  return {
    env: p,
    queryApi,
    async send(event) {
      const res = await post(`${gateway.url}/v1/events`, writer, event);
      if (res.status !== 202) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body['consistencyToken'] as string;
    },
    get: (path, token, headers) => call('GET', path, token, undefined, headers),
    postQuery: (path, token, body) => call('POST', path, token, body),
    token: (scopes) => p.token(scopes),
    async stopIngestor() {
      await ingestor?.close();
      ingestor = undefined;
    },
    async startIngestor() {
      ingestor ??= await startIngestor(p);
    },
    async dump() {
      const { execFile } = await import('node:child_process');
      const { promisify } = await import('node:util');
      const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', `--dbname=${p.db.url}`], { maxBuffer: 256 * 1024 * 1024 });
      return stdout;
    },
    async close() {
      await queryApi.close().catch(() => undefined);
      await projector.stop().catch(() => undefined);
      await ingestor?.close().catch(() => undefined);
      await gateway.app.close().catch(() => undefined);
      await store.close().catch(() => undefined);
      await storePool.end();
      await p.cleanup();
    },
  };
}
