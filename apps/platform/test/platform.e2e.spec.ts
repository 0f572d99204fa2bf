import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { bannerToken, eventually, freePort, launch, stopGracefully, waitUntilReady, type PlatformProcess } from './platform-process.e2e-helper';

const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432';

/** What a new user checks on a running platform: health, metrics, docs, auth, problem+json, headers. */
async function checkRunningPlatform(p: PlatformProcess): Promise<void> {
  const live = await fetch(`${p.baseUrl}/health/live`);
  expect(live.status).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });

  const ready = await fetch(`${p.baseUrl}/health/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, migrations: { status: 'up' } } });

  const metrics = await fetch(`${p.baseUrl}/metrics`);
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get('content-type')).toContain('text/plain');
  const text = await metrics.text();
  expect(text).toContain('c360_process_cpu_user_seconds_total');
  expect(text).toContain('c360_http_request_duration_seconds_bucket');

  const docs = await fetch(`${p.baseUrl}/docs`);
  expect(docs.status).toBe(200);
  expect(await docs.text()).toContain('swagger');
  const openapi = (await (await fetch(`${p.baseUrl}/docs-json`)).json()) as { openapi: string; paths: Record<string, unknown> };
  expect(openapi.openapi).toMatch(/^3\./);
  expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/whoami', '/health/ready']));

  // A guarded route without a token: 401 problem+json, a Bearer challenge, no stack, security headers.
  const anonymous = await fetch(`${p.baseUrl}/v1/whoami`, { headers: { 'x-request-id': 'e2e-req-1' } });
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
  expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  expect(anonymous.headers.get('x-request-id')).toBe('e2e-req-1');
  expect(anonymous.headers.get('x-content-type-options')).toBe('nosniff');
  expect(anonymous.headers.get('strict-transport-security')).toContain('max-age=');
  const problem = (await anonymous.json()) as Record<string, unknown>;
  expect(problem).toMatchObject({ status: 401, code: 'token_missing', title: 'Unauthorized', requestId: 'e2e-req-1' });
  expect(typeof problem['type']).toBe('string');
  expect(JSON.stringify(problem)).not.toMatch(/\bat .+\.(ts|js):\d+/);

  const forged = await fetch(`${p.baseUrl}/v1/whoami`, { headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' } });
  expect(forged.status).toBe(401);

  // The token printed at start-up works.
  const token = bannerToken(p.output());
  const me = await fetch(`${p.baseUrl}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
  const whoami = (await me.json()) as { subject: string; scopes: string[] };
  expect(whoami.subject).toBe('local-admin');
  expect(whoami.scopes).toEqual(expect.arrayContaining(['customers:read-pii', 'channel:branch:write']));

  const unknown = await fetch(`${p.baseUrl}/no/such/route`, { headers: { authorization: `Bearer ${token}` } });
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toContain('application/problem+json');

  // Logs are one JSON object per line and never contain the token.
  const jsonLines = p.output().split('\n').filter((l) => l.startsWith('{'));
  expect(jsonLines.length).toBeGreaterThan(0);
  for (const line of jsonLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  expect(jsonLines.join('\n')).not.toContain(token);
}

describe('npm start, as a new user runs it', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'c360-e2e-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('first run on a laptop: embedded PostgreSQL, ready, guarded, stops cleanly; data and recovery survive a hard kill', async () => {
    const first = launch(['npm', 'start'], { C360_DATA_DIR: dataDir }, await freePort());
    try {
      await waitUntilReady(first);
      await checkRunningPlatform(first);
    } finally {
      // Ctrl-C in a terminal: SIGINT to the foreground process group (npm and its wrapper).
      // npm itself exits at once; the platform drains, stops PostgreSQL and logs "stopped".
      process.kill(-(first.child.pid ?? 0), 'SIGINT');
      await eventually(() => first.output().includes('"msg":"stopped"'), 30_000, 'the platform to stop');
    }
    expect(first.output()).toContain('embedded PostgreSQL: first run');
    // The embedded server stopped with the platform (PostgreSQL removes its pid file on exit).
    await eventually(() => !existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 15_000, 'embedded PostgreSQL to exit');

    // Hard kill: the embedded server is left behind; the next start takes over the same data.
    const second = launch(['node', 'apps/cli/bin/c360.js', 'start'], { C360_DATA_DIR: dataDir }, await freePort());
    await waitUntilReady(second);
    expect(second.output()).not.toContain('first run');
    second.child.kill('SIGKILL');
    await second.exited;
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true);

    const third = launch(['node', 'apps/cli/bin/c360.js', 'start'], { C360_DATA_DIR: dataDir }, await freePort());
    try {
      await waitUntilReady(third);
      expect(third.output()).toContain('cleaned up after an earlier run');
      expect(third.output()).not.toContain('first run');
    } finally {
      // SIGTERM, as a service manager stops it: drained, exit status 0.
      expect(await stopGracefully(third, 'SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(third.output()).toContain('"msg":"stopped"');
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 300_000);

  it('on the local PostgreSQL server (DATABASE_URL): ready once migrations ran, guarded, stops cleanly', async () => {
    const db = `c360_e2e_${process.pid}_${Date.now().toString(36)}`;
    const admin = new Client({ connectionString: `${LOCAL_PG}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    try {
      const p = launch(['node', 'apps/cli/bin/c360.js', 'start'], { C360_DATA_DIR: dataDir, DATABASE_URL: `${LOCAL_PG}/${db}` }, await freePort());
      try {
        await waitUntilReady(p);
        await checkRunningPlatform(p);
        const check = new Client({ connectionString: `${LOCAL_PG}/${db}` });
        await check.connect();
        const applied = await check.query<{ id: string }>('SELECT id FROM c360_platform_migrations');
        await check.end();
        expect(applied.rows.map((r) => r.id)).toContain('0001-platform-info');
      } finally {
        expect(await stopGracefully(p)).toEqual({ code: 0, signal: null });
      }
      expect(existsSync(path.join(dataDir, 'pg'))).toBe(false); // no embedded server was started
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    }
  }, 180_000);
});

describe('bad configuration fails fast with the setting named', () => {
  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be an integer 1-65535 (got "abc"). Set PORT to a free TCP port.'],
    [{ DATABASE_URL: 'mysql://db/c360' }, 'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ C360_ENV: 'production' }, 'Invalid configuration: C360_MASTER_KEYS must be set in production'],
    [{ EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:notaport' }, 'Invalid configuration: EVENTSTORE_CONNECTION_STRING must be an EventStoreDB/KurrentDB connection string the client can parse'],
  ])('%p', async (env, message) => {
    const { PORT, ...rest } = env as Record<string, string>;
    const p = launch(['npm', 'start'], { C360_DATA_DIR: path.join(tmpdir(), 'c360-never-created'), ...rest }, PORT ?? 1);
    const exit = await p.exited;
    expect(exit.code).toBe(78);
    expect(p.output()).toContain(message);
    expect(p.output()).not.toContain('c360 is running');
    expect(existsSync(path.join(tmpdir(), 'c360-never-created'))).toBe(false);
  }, 60_000);
});
