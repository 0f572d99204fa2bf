import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { BRANCH_EXAMPLES, CALL_CENTRE_EXAMPLE, MOBILE_EXAMPLE } from '../apps/gateway/src/channels/index';
import { api, bannerToken, eventually, freePort, launch, pollUntil, runCli, stopProcessGroup, waitUntilReady, type PlatformProcess } from '../apps/platform/test/platform-process.e2e-helper';

const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432';

/** The customer the channel examples belong to: the branch transaction names its CIF. */
const CUSTOMER = 'C000123';
const PII = { fullName: 'Zhang Wei', nationalId: '110101199001011234', email: 'zhang.wei@example.com', phone: '+8613800135678' };

interface CustomerView {
  readonly personalData: string;
  readonly profile: Record<string, unknown>;
  readonly interactions: { readonly lastByChannel: Readonly<Record<'branch' | 'mobile' | 'call-centre', string | null>> };
  readonly erased: boolean;
}
interface Segment {
  readonly segmentId: string;
  readonly members: number;
}

const canonical = (type: string, data: Record<string, unknown>, occurredAt = '2026-11-01T09:30:00Z'): Record<string, unknown> => ({
  eventId: randomUUID(),
  type,
  version: 1,
  occurredAt,
  source: { system: 'core-banking' },
  customerId: CUSTOMER,
  data,
});

/** Core banking registers the customer and links the channel identities the examples use. */
const onboarding = [
  canonical('CustomerRegistered', {
    customerNumber: CUSTOMER,
    kind: 'individual',
    ...PII,
    birthDate: '1990-01-01',
    address: '1 Example Road, Beijing',
    region: 'north',
    branchCode: 'BJ001',
  }),
  canonical('ChannelIdentityLinked', { scheme: 'mobile-user', value: MOBILE_EXAMPLE.userId }),
  canonical('ChannelIdentityLinked', { scheme: 'card', value: 'tok_4f9a2b7c1d' }),
  canonical('ChannelIdentityLinked', { scheme: 'phone', value: CALL_CENTRE_EXAMPLE.ani }),
];

async function tierSegments(p: PlatformProcess, token: string): Promise<Segment[]> {
  const res = await api(p, token, 'GET', '/v1/segments');
  expect(res.status).toBe(200);
  return (res.json as Segment[]).filter((s) => s.segmentId.startsWith('tier-'));
}

async function withDatabase(run: (url: string) => Promise<void>): Promise<void> {
  const db = `c360_e2e_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: `${LOCAL_PG}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  try {
    await run(`${LOCAL_PG}/${db}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await admin.end();
  }
}

describe('the whole platform in one process (npm start)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'c360-e2e-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('what a new user does: start, post on every channel with the printed token, read the 360 (clear and masked), stop', async () => {
    const p = launch(['npm', 'start'], { C360_DATA_DIR: dataDir }, await freePort());
    let stopped = false;
    try {
      await waitUntilReady(p, 150_000);
      const ready = await fetch(`${p.baseUrl}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, 'gateway-intake': { status: 'up' }, projector: { status: 'up' } } });
      const token = bannerToken(p.output());

      // Core banking speaks the canonical catalogue; one request, a batch of four.
      const registered = await api(p, token, 'POST', '/v1/events', onboarding);
      expect(registered).toMatchObject({ status: 202, json: { accepted: 4 } });

      // Each channel posts its own native shape (the examples of its OpenAPI document).
      const branch = await api(p, token, 'POST', '/v1/channels/branch/events', [BRANCH_EXAMPLES.transaction, BRANCH_EXAMPLES.visit]);
      expect(branch.status).toBe(202);
      const mobile = await api(p, token, 'POST', '/v1/channels/mobile/events', MOBILE_EXAMPLE);
      expect(mobile.status).toBe(202);
      const call = await api(p, token, 'POST', '/v1/channels/call-centre/events', CALL_CENTRE_EXAMPLE);
      expect(call.status).toBe(202);

      // Bad input is a problem with a code, and nothing of it is taken.
      const malformed = await fetch(`${p.baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"eventId":' });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({ code: 'malformed_json' });

      // The projector folds every channel into the 360 view; the PII-scoped token sees it in clear.
      const view = await pollUntil(
        async () => {
          const res = await api(p, token, 'GET', `/v1/customers/${CUSTOMER}`);
          if (res.status !== 200) return undefined;
          const v = res.json as CustomerView;
          const last = v.interactions.lastByChannel;
          return last.branch !== null && last.mobile !== null && last['call-centre'] !== null ? v : undefined;
        },
        60_000,
        'the 360 view to show branch, mobile and call-centre interactions',
      );
      expect(view.personalData).toBe('clear');
      expect(view.profile).toMatchObject({ fullName: PII.fullName, nationalId: PII.nationalId, email: PII.email, phone: PII.phone });

      // A token minted with the CLI, customers:read only: the same view, personal data masked.
      const minted = await runCli(['token', '--scopes', 'customers:read'], { C360_DATA_DIR: dataDir });
      expect(minted.code).toBe(0);
      const readOnly = minted.stdout.trim();
      const masked = await api(p, readOnly, 'GET', `/v1/customers/${CUSTOMER}`);
      expect(masked.status).toBe(200);
      expect((masked.json as CustomerView).personalData).toBe('masked');
      for (const value of Object.values(PII)) expect(JSON.stringify(masked.json)).not.toContain(value);
      expect((await api(p, readOnly, 'GET', '/v1/segments')).status).toBe(403);

      // The rest of the read side and the operator endpoints answer on the same process.
      const timeline = await api(p, token, 'GET', `/v1/customers/${CUSTOMER}/timeline`);
      expect(timeline.status).toBe(200);
      expect((timeline.json as { items: unknown[] }).items.length).toBeGreaterThanOrEqual(10);
      const lookup = await api(p, token, 'GET', `/v1/customers:lookup?channel=mobile-user&id=${MOBILE_EXAMPLE.userId}`);
      expect(lookup).toMatchObject({ status: 200, json: { customers: [{ customerId: CUSTOMER }] } });
      const segments = await tierSegments(p, token);
      expect(segments.reduce((n, s) => n + s.members, 0)).toBe(1);
      expect((await api(p, token, 'GET', '/v1/churn-flags?status=open')).status).toBe(200);
      const projections = await api(p, token, 'GET', '/v1/ops/projections');
      expect(projections).toMatchObject({ status: 200, json: { projections: [{ name: 'customer-360' }] } });
      expect(await api(p, token, 'GET', '/v1/ops/dead-letters')).toMatchObject({ status: 200, json: { items: [] } });
      const audit = await api(p, token, 'GET', '/v1/ops/audit');
      expect(audit.status).toBe(200);
      expect(JSON.stringify(audit.json)).toContain(CUSTOMER);
      const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
      expect(metrics).toContain('c360_http_request_duration_seconds_bucket');
      const openapi = (await (await fetch(`${p.baseUrl}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/v1/channels/branch/events', '/v1/events', '/v1/customers/{id}', '/v1/churn-flags', '/v1/ops/projections', '/v1/ops/dead-letters', '/v1/ops/audit']),
      );

      // /docs documents each channel's native payload with its example.
      expect(JSON.stringify(openapi.paths['/v1/channels/branch/events'])).toContain(BRANCH_EXAMPLES.transaction.recordId);

      // Erasure (crypto-shredding) through the query API, on the store the ingestor wrote.
      const erased = await api(p, token, 'POST', `/v1/customers/${CUSTOMER}:erase`, { reason: 'GDPR art. 17 request e2e-1' });
      expect(erased).toMatchObject({ status: 200, json: { outcome: 'erased' } });
      const after = await api(p, token, 'GET', `/v1/customers/${CUSTOMER}`);
      expect((after.json as CustomerView).erased).toBe(true);
      expect(JSON.stringify(after.json)).not.toContain(PII.nationalId);

      // Ctrl-C, as a new user stops it (SIGINT to the terminal's process group): drained, a clean
      // exit ("stopped", every process gone), embedded PostgreSQL stopped.
      stopped = true;
      await stopProcessGroup(p, 'SIGINT');
      expect(p.output()).toContain('"msg":"shutting down: draining requests"');
      await eventually(() => !existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 15_000, 'embedded PostgreSQL to exit');
      expect(p.output()).not.toContain('"level":"error"');
    } finally {
      if (!stopped) await stopProcessGroup(p, 'SIGTERM').catch(() => undefined); // the test's own failure is the one to report
    }
  }, 240_000);

  it('the demo: `c360 demo` streams a synthetic bank through every channel; churn flags and tier segments fill', async () => {
    await withDatabase(async (databaseUrl) => {
      const p = launch(['npm', 'start'], { C360_DATA_DIR: dataDir, DATABASE_URL: databaseUrl }, await freePort());
      try {
        await waitUntilReady(p);
        const token = bannerToken(p.output());
        const demo = await runCli(['demo', '--customers', '200', '--url', p.baseUrl, '--token', token], { C360_DATA_DIR: dataDir }, 150_000);
        expect({ code: demo.code, stderr: demo.code === 0 ? '' : demo.stderr }).toEqual({ code: 0, stderr: '' });
        expect(demo.stdout).toMatch(/^ {2}customers {2}200 of 200/m);
        expect(demo.stdout).toMatch(/^ {2}rejected {3}0$/m);
        expect(demo.stdout).toMatch(/core banking [\d,]+\/[\d,]+ · branch [\d,]+\/[\d,]+ · mobile [\d,]+\/[\d,]+ · call-centre [\d,]+\/[\d,]+/);

        const flags = await pollUntil(
          async () => {
            const res = await api(p, token, 'GET', '/v1/churn-flags?status=open');
            const items = (res.json as { items?: Array<{ status: string; reason: string }> }).items ?? [];
            return items.length > 0 ? items : undefined;
          },
          120_000,
          'an open churn flag',
          1_000,
        );
        expect(flags[0]?.status).toBe('open');
        expect(flags[0]?.reason.length).toBeGreaterThan(0);
        // Every customer sits in exactly one value tier once the projector has caught up.
        const tiers = await pollUntil(
          async () => {
            const segments = await tierSegments(p, token);
            return segments.reduce((n, s) => n + s.members, 0) === 200 ? segments : undefined;
          },
          120_000,
          'all 200 customers in a tier segment',
          1_000,
        );
        expect(tiers.filter((s) => s.members > 0).length).toBeGreaterThanOrEqual(2);
      } finally {
        await stopProcessGroup(p, 'SIGTERM');
      }
    });
  }, 300_000);

  it('`npm start -- --demo-customers N` starts the platform and streams the demo into it', async () => {
    await withDatabase(async (databaseUrl) => {
      const p = launch(['npm', 'start', '--', '--demo-customers', '60'], { C360_DATA_DIR: dataDir, DATABASE_URL: databaseUrl }, await freePort());
      try {
        await waitUntilReady(p);
        await eventually(() => /c360 demo (done|interrupted)/.test(p.output()), 120_000, 'the demo summary');
        expect(p.output()).toContain('c360 demo done');
        expect(p.output()).toMatch(/^ {2}customers {2}60 of 60/m);
        expect(p.output()).toMatch(/^ {2}rejected {3}0$/m);
        const token = bannerToken(p.output());
        await pollUntil(
          async () => ((await tierSegments(p, token)).reduce((n, s) => n + s.members, 0) === 60 ? true : undefined),
          120_000,
          'all 60 demo customers in a tier segment',
          1_000,
        );
      } finally {
        await stopProcessGroup(p, 'SIGTERM');
      }
    });
  }, 300_000);

  it('a bad demo option stops the start with the option named', async () => {
    const p = launch(['npm', 'start', '--', '--demo-customers', 'lots'], { C360_DATA_DIR: dataDir }, await freePort());
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.output()).toContain('--demo-customers must be a whole number');
    expect(p.output()).not.toContain('c360 is running');
  }, 60_000);
});
