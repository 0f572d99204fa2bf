import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JwksFileKeyStore, TokenVerifier } from '@c360/auth';
import { loadConfig } from '@c360/config';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function c360(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, ['apps/cli/bin/c360.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('c360 CLI', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'c360-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('token prints only a token, signed with the configured key and verifiable by the platform', async () => {
    const res = c360(['token', '--scopes', 'customers:read,channel:mobile:write', '--ttl', '10m', '--subject', 'svc-app'], { C360_DATA_DIR: dataDir });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const config = loadConfig({ C360_DATA_DIR: dataDir });
    const store = new JwksFileKeyStore(config.jwt.jwksFile, 60_000);
    await store.start();
    try {
      const verifier = new TokenVerifier({ issuer: config.jwt.issuer, audience: config.jwt.audience, clockToleranceSeconds: 0, getKey: store.getKey });
      const principal = await verifier.verifyToken(res.stdout.trim());
      expect(principal.subject).toBe('svc-app');
      expect([...principal.scopes].sort()).toEqual(['channel:mobile:write', 'customers:read']);
    } finally {
      store.stop();
    }
  }, 60_000);

  it.each([
    [['token', '--scopes', 'customers:write'], 'unknown scope "customers:write"'],
    [['token', '--scopes', 'ops:read', '--ttl', 'forever'], '--ttl must be a duration like 15m, 1h or 7d'],
    [['token'], "required option '--scopes <list>' not specified"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['demo', '--customers', 'lots'], '--customers must be a whole number from 1 to 1,000,000 (got "lots"), e.g. --customers 10000.'],
    [['demo', '--rate', '-1'], '--rate must be a positive number of events per second'],
    [['demo', '--url', 'localhost:3000'], '--url must start with http:// or https://'],
  ])('bad flags %p exit 2 with the fix', (args, message) => {
    const res = c360(args, { C360_DATA_DIR: dataDir });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stdout).toBe('');
  }, 60_000);

  // Every command is implemented (no stubs left); those that work on the platform's database say how to point at it.
  it.each([
    ['projections', 'status'],
    ['projections', 'rebuild', 'customer-360'],
    ['verify'],
    ['dead-letters', 'list'],
    ['dead-letters', 'parked'],
    ['dead-letters', 'redrive', '1'],
    ['dead-letters', 'discard', '1'],
    ['replay', '--from', '2026-11-01T00:00:00Z', '--to', '2026-12-01T00:00:00Z'],
  ])('%p without DATABASE_URL exits 2 saying how to set it, and does nothing', (...args) => {
    const res = c360(args, { C360_DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^c360: DATABASE_URL is not set: point it at the platform's database.*e\.g\. DATABASE_URL=postgres:\/\//);
    expect(res.stdout).toBe('');
  }, 60_000);

  it.each([
    [['dead-letters', 'redrive', 'abc'], '"abc" is not a dead letter id (a number)'],
    [['dead-letters', 'list', '--status', 'lost'], '--status must be one of open, redriven, discarded, all (got "lost")'],
    [['dead-letters', 'parked', '--limit', '0'], '--limit must be a whole number from 1 to 1000'],
  ])('dead-letters: bad flags %p exit 2 with the fix', (args, message) => {
    const res = c360(args, { C360_DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(message);
  }, 60_000);

  it('demo against a platform that is not running says how to start it, and exits 1', () => {
    const res = c360(['demo', '--customers', '10', '--url', 'http://127.0.0.1:9'], { C360_DATA_DIR: dataDir });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('the platform is not reachable at http://127.0.0.1:9');
    expect(res.stderr).toContain('Start it with "npm start"');
  }, 60_000);

  it('a bad setting stops the command with the setting named', () => {
    const res = c360(['token', '--scopes', 'ops:read'], { C360_DATA_DIR: dataDir, JWT_TTL: 'later' });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('Invalid configuration: JWT_TTL must be a duration like 15m, 1h or 1d');
  }, 60_000);
});
