import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenIssuer } from '@c360/auth';
import { loadConfig } from '@c360/config';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually, freePort } from '@c360/testing';
import { launch, stopGracefully, waitUntilReady } from '../../platform/test/platform-process.e2e-helper';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { createOps } from '../src/ops/index';
import { defaultProjection } from '../src/projector';
import { createHarness, type Harness } from './harness';
import { killProjector, launchProjector, PROJECTOR_MAIN as MAIN, projectorBaseEnv as baseEnv, type ProjectorProcess } from './projector-process.e2e-helper';

jest.setTimeout(300_000);

const CUSTOMERS = Array.from({ length: 30 }, (_, i) => `P${String(i).padStart(4, '0')}`);
const HISTORY = historyFromOps(CUSTOMERS, seededOps(61, 300, CUSTOMERS.length));
const DEFINITION = defaultProjection(parseDerivedConfig({}));
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The value of one sample line of a Prometheus scrape. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/**
 * Issues 6 and 7: the projector started on its own, as an operator starts it
 * (`node -r ./scripts/register.cjs apps/projector/src/main.ts`), is a first-class app: health,
 * readiness, metrics, the ops API with the platform's authentication, and orphaned rebuilds
 * taken over, on PROJECTOR_PORT.
 */
describe('the standalone projector process', () => {
  let h: Harness;
  let dataDir: string;
  let p: ProjectorProcess;
  let issuer: TokenIssuer;

  const get = async (path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; text: string; type: string }> => {
    const res = await fetch(`${p.baseUrl}${path}`, { headers });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // /metrics is text
    }
    return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
  };
  const token = (scopes: string[]): Promise<string> => issuer.mintToken({ subject: 'projector-e2e', scopes });

  beforeAll(async () => {
    h = await createHarness();
    await h.append(HISTORY);
    dataDir = mkdtempSync(join(tmpdir(), 'c360-projector-'));
    p = await launchProjector({ ...baseEnv(dataDir), DATABASE_URL: h.db.url, PROJECTOR_WORKER_ID: 'standalone-1' });
    await waitUntilReady(p, 180_000);
    // The process generated the local signing key in its data directory at start.
    issuer = TokenIssuer.forConfig(loadConfig({ C360_DATA_DIR: dataDir }));
  });

  afterAll(async () => {
    await killProjector(p);
    await h?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers liveness on PROJECTOR_PORT (not PORT), and readiness once its runners run and the database answers', async () => {
    expect(await get('/health/live')).toMatchObject({ status: 200, json: { status: 'ok' } });
    await expect(fetch(`http://127.0.0.1:${p.decoyPort}/health/live`)).rejects.toThrow();
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json['details']).toMatchObject({
      projector: { status: 'up', 'customer-360': expect.stringMatching(/^(catching-up|live)$/) as unknown },
      database: { status: 'up' },
    });
  });

  it('says in its start-up log that without KAFKA_BROKERS derived events stay in the outbox, unpublished', () => {
    const logged = p
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level?: string; msg?: string });
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'KAFKA_BROKERS is not set: derived events (segment entered/left, churn flag raised/cleared) stay in the outbox and are NOT published to "c360.derived.v1"; set KAFKA_BROKERS to relay them',
      }),
    );
    expect(p.output()).not.toContain('relayed from the outbox');
  });

  it('exports the applied events, position and lag of each projection at /metrics', async () => {
    await h.caughtUpDigest('read_models', 120_000);
    const handled = HISTORY.filter((a) => DEFINITION.eventTypes.includes(a.event.type)).length;
    expect(handled).toBeGreaterThan(300);
    const c360 = '{projection="customer-360"}';
    await expectEventually(
      async () => {
        const scrape = await get('/metrics');
        expect(scrape.status).toBe(200);
        expect(scrape.type).toMatch(/^text\/plain/);
        expect(sample(scrape.text, `c360_projection_events_applied_total${c360}`)).toBe(handled);
        expect(sample(scrape.text, `c360_projection_lag_events${c360}`)).toBe(0);
        expect(sample(scrape.text, `c360_projection_partitions_owned${c360}`)).toBe(16);
        expect(sample(scrape.text, 'c360_projection_state{projection="customer-360",state="live"}')).toBe(1);
        expect(sample(scrape.text, `c360_projection_position${c360}`)).toBeGreaterThan(0);
        expect(sample(scrape.text, `c360_projection_position${c360}`)).toBe(sample(scrape.text, `c360_projection_head_position${c360}`));
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });

  it('serves the ops API with the platform authentication, and logs each request under its trace', async () => {
    const anonymous = await get('/v1/ops/projections');
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/^application\/problem\+json/);
    const wrongScope = await get('/v1/ops/projections', { authorization: `Bearer ${await token(['customers:read'])}` });
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.json).toMatchObject({ code: 'insufficient_scope', requiredScopes: ['ops:read'] });

    const authorization = `Bearer ${await token(['ops:read'])}`;
    await expectEventually(
      async () => {
        const listed = await get('/v1/ops/projections', { authorization, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
        expect(listed.status).toBe(200);
        expect(listed.json['projections']).toEqual([
          // The state comes from the worker's status snapshot, published at start ('starting') and then
          // every 2 s: a test that runs within 2 s of the start sees the first one. Caught up, it may still say catching-up.
          expect.objectContaining({ name: 'customer-360', state: expect.stringMatching(/^(catching-up|live)$/) as unknown, workers: 1, partitions: 16, lag: expect.objectContaining({ events: 0 }) as unknown, rebuild: null }),
        ]);
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    await expectEventually(
      () => {
        const lines = p
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { req?: { path?: string }; res?: { statusCode?: number }; traceId?: string; msg?: string });
        expect(lines).toContainEqual(expect.objectContaining({ req: expect.objectContaining({ path: '/v1/ops/projections' }) as unknown, res: { statusCode: 200 }, traceId: TRACE_ID }));
      },
      { timeoutMs: 5_000, intervalMs: 100 },
    );
  });

  it('takes over a rebuild whose process died before running it, finishes it, and the swapped-in read models equal a from-scratch rebuild', async () => {
    // A CLI or platform process asked for the rebuild and died before it began: the job stays
    // pending and nobody updates it. The projector process's resumer takes it over.
    const ops = await createOps({
      databaseUrl: h.db.url,
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [DEFINITION],
      defaultPartitions: 16,
      batch: { maxSize: 200, maxLatencyMs: 5 },
    });
    let jobId: string;
    try {
      const { job } = await ops.rebuild.request('customer-360', { customers: [], dryRun: false, requestedBy: 'crashed-cli' });
      jobId = job.id;
      await ops.pool.query(`UPDATE c360_ops.rebuild_jobs SET updated_at = now() - interval '1 minute' WHERE id = $1`, [jobId]);
    } finally {
      await ops.close();
    }

    const auth = { authorization: `Bearer ${await token(['ops:read'])}` };
    await expectEventually(async () => expect((await get(`/v1/ops/jobs/${jobId}`, auth)).json).toMatchObject({ id: jobId, state: 'done', attempts: 1 }), {
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    expect(p.output()).toContain(`resuming rebuild job ${jobId}`);
    expect((await get('/v1/ops/projections', auth)).json['projections']).toEqual([expect.objectContaining({ name: 'customer-360', rebuild: null, lastError: null })]);
    const live = await h.caughtUpDigest('read_models', 60_000);
    expect(await h.rebuildDigest('fresh_after_takeover')).toEqual(live);
  });

  it('stops on SIGTERM with exit 0, releasing its partitions', async () => {
    expect(await stopGracefully(p, 'SIGTERM', 60_000)).toEqual({ code: 0, signal: null });
    const held = await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.projection_leases WHERE owner = 'standalone-1'`);
    expect(held.rows[0]?.n).toBe(0);
  });

  it.each([
    [{ PROJECTOR_PORT: '70000' }, /Invalid configuration: PROJECTOR_PORT must be an integer 1-65535 \(got "70000"\)/],
    [{ PROJECTOR_PORT: 'http' }, /Invalid configuration: PROJECTOR_PORT must be an integer 1-65535 \(got "http"\)/],
    [{ EVENTSTORE_CONNECTION_STRING: 'esdb://admin:s3cret@host:notaport' }, /Invalid configuration: EVENTSTORE_CONNECTION_STRING .*expected port number/],
  ])('refuses to start on %j: exit 78, the setting named, nothing served', async (bad, message) => {
    const port = await freePort();
    const child = launch(MAIN, { ...baseEnv(dataDir), DATABASE_URL: h.db.url, PROJECTOR_PORT: String(port), ...bad }, port);
    expect(await child.exited).toEqual({ code: 78, signal: null });
    expect(child.output()).toMatch(message);
    expect(child.output()).not.toContain('s3cret');
    expect(child.output()).not.toContain('projector running');
  });
});
