import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { importJWK, SignJWT, type JWK } from 'jose';
import { ensureLocalSigningKey } from '@c360/auth';
import { loadConfig, resolveMasterKeys, type AppConfig } from '@c360/config';
import { customerStreamId, eventTypeDefinitions } from '@c360/contracts';
import { DEFAULT_CHURN_CONFIG, DEFAULT_TIER_THRESHOLDS } from '@c360/customer-domain';
import { EventTypeRegistry, MasterKeyring, migratePostgresEventStore, PostgresEventStore, PostgresKeyStore, ProtectedEventStore } from '@c360/event-store';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { createQueryApiApp } from '../src/query-api-app';
import { parseQueryApiConfig } from '../src/query-api-config';
import { registration } from './query-api-harness';

// The standalone query API (createQueryApiApp, as main.ts builds it) computes tiers and churn
// flags with the thresholds of its AppConfig (TIER_*, CHURN_*), not the domain defaults.
const BALANCE_MINOR = 150;
const NPS_SCORE = 8;

let db: TestDatabase;
let dataDir: string;
let storePool: ReturnType<TestDatabase['createPool']>;
let store: ProtectedEventStore;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'c360_query_thresholds', poolMax: 4 });
  await migratePostgresEventStore(db.pool);
  await new PostgresKeyStore(db.pool).migrate();
  dataDir = mkdtempSync(join(tmpdir(), 'c360-query-thresholds-'));
});

afterAll(async () => {
  await store?.close().catch(() => undefined);
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function standalone(env: Record<string, string>): Promise<{ app: NestFastifyApplication; token: string }> {
  const config: AppConfig = loadConfig({ C360_DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env });
  await ensureLocalSigningKey(config);
  const app = await createQueryApiApp(
    config,
    { databaseUrl: db.url, config: parseQueryApiConfig({ QUERY_RETENTION_SWEEP_MS: '0', QUERY_DATABASE_POOL_MAX: '2' }) },
    { swaggerUi: false },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const jwk = JSON.parse(readFileSync(config.jwt.signingKeyFile, 'utf8')) as JWK;
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ scope: 'customers:read' })
    .setProtectedHeader({ alg: jwk.alg ?? 'ES256', kid: jwk.kid ?? '', typ: 'at+jwt' })
    .setIssuer(config.jwt.issuer)
    .setAudience(config.jwt.audience)
    .setSubject('thresholds-test')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .setJti(randomUUID())
    .sign(await importJWK(jwk, jwk.alg ?? 'ES256'));
  if (!store) {
    // The app's own master keys (the generated dev file of this data dir), so it can read what we append.
    const keys = await resolveMasterKeys(config);
    const active = keys[0];
    if (!active) throw new Error('no master key');
    const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
    const registry = new EventTypeRegistry(eventTypeDefinitions());
    storePool = db.createPool({ max: 2 });
    store = new ProtectedEventStore(new PostgresEventStore(storePool, { registry }), { registry, keyStore: new PostgresKeyStore(storePool), masterKeys });
  }
  return { app, token };
}

async function seed(tag: string): Promise<string> {
  const id = `C${tag}`;
  const events = [
    ...registration(tag),
    { type: 'ProductOpened', data: { productId: `S-${tag}`, productType: 'savings', currency: 'CNY' }, occurredAt: new Date('2026-01-11T09:00:00Z') },
    { type: 'BalanceReported', data: { productId: `S-${tag}`, balanceMinor: BALANCE_MINOR, currency: 'CNY', asOfDate: '2026-01-12' }, occurredAt: new Date('2026-01-12T09:00:00Z') },
    { type: 'SurveyAnswered', data: { kind: 'nps', score: NPS_SCORE }, occurredAt: new Date('2026-01-13T09:00:00Z') },
  ];
  for (const e of events) {
    await store.appendToStream(customerStreamId(id), [{ eventId: randomUUID(), type: e.type, version: 1, data: e.data, ...(e.occurredAt ? { occurredAt: e.occurredAt } : {}) }]);
  }
  return id;
}

interface View {
  readonly tier: string;
  readonly churn: { readonly openFlags: ReadonlyArray<{ readonly code: string }> };
}

async function timeTravel(app: NestFastifyApplication, token: string, id: string): Promise<View> {
  const res = await app.inject({ method: 'GET', url: `/v1/customers/${id}?asOf=2026-02-01T00:00:00Z`, headers: { authorization: `Bearer ${token}` } });
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as View;
}

describe('standalone query API thresholds', () => {
  it('computes tier and churn flags with the configured TIER_* / CHURN_* settings, and the defaults without them', async () => {
    // The seeded customer sits between the configured and the default thresholds.
    expect(BALANCE_MINOR).toBeLessThan(DEFAULT_TIER_THRESHOLDS.core);
    expect(NPS_SCORE).toBeGreaterThan(DEFAULT_CHURN_CONFIG.npsDetractor.maxScore);

    const configured = await standalone({ TIER_TOP_MIN_MINOR: '1000', TIER_IMPORTANT_MIN_MINOR: '500', TIER_CORE_MIN_MINOR: '100', CHURN_NPS_DETRACTOR_MAX: '8' });
    const id = await seed(`t${randomUUID().slice(0, 8)}`);
    try {
      const view = await timeTravel(configured.app, configured.token, id);
      expect(view.tier).toBe('core');
      expect(view.churn.openFlags.map((f) => f.code)).toContain('nps-detractor');
    } finally {
      await configured.app.close();
    }

    const defaults = await standalone({});
    try {
      const view = await timeTravel(defaults.app, defaults.token, id);
      expect(view.tier).toBe('mass');
      expect(view.churn.openFlags.map((f) => f.code)).not.toContain('nps-detractor');
    } finally {
      await defaults.app.close();
    }
  });
});
