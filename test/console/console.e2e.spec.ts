import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createReadModelDataSource,
  readModelDigest,
  type ReadModelDigest,
} from '@c360/read-models';
import { kafkaBrokers, uniqueTopic } from '@c360/testing';
import {
  api,
  bannerToken,
  eventually,
  freePort,
  launch,
  pollUntil,
  runCli,
  ROOT,
  stopProcessGroup,
  waitUntilReady,
  type PlatformProcess,
} from '../../apps/platform/test/platform-process.e2e-helper';

/**
 * The operator console's main flows in headless Chromium, against the platform started as a
 * user starts it (`npm start`, which builds the console when stale), on the real PostgreSQL
 * with the in-process transport: sign in, find a customer, read the 360, segments, churn flags,
 * a blue/green rebuild watched to the end, dead letters. Screenshots go to test-artifacts/console/.
 */

const CHROMIUM = '/usr/bin/chromium';
const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432';
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');

const suffix = String(Date.now() % 1_000_000).padStart(6, '0');
const ALICE = `CA${suffix}`;
const BOB = `CB${suffix}`;
const MOBILE_USER = `mu-console-${suffix}`;
const daysAgo = (d: number): string => new Date(Date.now() - d * 86_400_000).toISOString();

const event = (
  customerId: string,
  type: string,
  data: Record<string, unknown>,
  occurredAt = daysAgo(20),
): Record<string, unknown> => ({
  eventId: randomUUID(),
  type,
  version: 1,
  occurredAt,
  source: { system: 'core-banking' },
  customerId,
  data,
});

/** Two customers with products, balances and a detractor NPS each (so each has an open churn flag). */
const history = [
  event(
    ALICE,
    'CustomerRegistered',
    {
      customerNumber: ALICE,
      kind: 'individual',
      fullName: 'Zhang Wei',
      nationalId: '110101199001011234',
      birthDate: '1990-01-01',
      phone: '+8613800135678',
      email: 'zhang.wei@example.com',
      address: '1 Example Road, Beijing',
      region: 'north',
      branchCode: 'BJ001',
    },
    daysAgo(30),
  ),
  event(ALICE, 'ChannelIdentityLinked', { scheme: 'mobile-user', value: MOBILE_USER }, daysAgo(30)),
  event(
    ALICE,
    'ProductOpened',
    { productId: 'A-77', productType: 'current', currency: 'CNY' },
    daysAgo(29),
  ),
  event(
    ALICE,
    'BalanceReported',
    {
      productId: 'A-77',
      balanceMinor: 8_450_000,
      currency: 'CNY',
      asOfDate: daysAgo(2).slice(0, 10),
    },
    daysAgo(2),
  ),
  event(ALICE, 'SurveyAnswered', { kind: 'nps', score: 3 }, daysAgo(3)),
  event(
    BOB,
    'CustomerRegistered',
    {
      customerNumber: BOB,
      kind: 'individual',
      fullName: 'Li Na',
      nationalId: '110101198502023456',
      birthDate: '1985-02-02',
      phone: '+8613900246810',
      email: 'li.na@example.com',
      address: '9 Sample Street, Shanghai',
      region: 'east',
      branchCode: 'SH002',
    },
    daysAgo(30),
  ),
  event(
    BOB,
    'ProductOpened',
    { productId: 'B-12', productType: 'savings', currency: 'CNY' },
    daysAgo(28),
  ),
  event(
    BOB,
    'BalanceReported',
    {
      productId: 'B-12',
      balanceMinor: 120_000,
      currency: 'CNY',
      asOfDate: daysAgo(2).slice(0, 10),
    },
    daysAgo(2),
  ),
  event(BOB, 'SurveyAnswered', { kind: 'nps', score: 1 }, daysAgo(1)),
  // A closed product too: a second open flag, so Bob's risk is the higher one.
  event(
    BOB,
    'ProductOpened',
    { productId: 'TD-9', productType: 'time-deposit', currency: 'CNY' },
    daysAgo(27),
  ),
  event(
    BOB,
    'ProductClosed',
    { productId: 'TD-9', productType: 'time-deposit', reason: 'moved to another bank' },
    daysAgo(4),
  ),
];

interface View {
  readonly tier: string;
  readonly segments: readonly { segmentId: string }[];
  readonly churn: { riskScore: number; openFlags: readonly { code: string }[] };
}

async function withDatabase(run: (url: string) => Promise<void>): Promise<void> {
  const db = `c360_console_${process.pid}_${Date.now().toString(36)}`;
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

/** The live read model's digest (I6's comparison: every row, volatile columns excluded). */
async function liveDigest(databaseUrl: string): Promise<ReadModelDigest> {
  const ds = createReadModelDataSource({
    url: databaseUrl,
    schema: 'read_models',
    poolMax: 1,
    applicationName: 'console-e2e-digest',
  });
  await ds.initialize();
  try {
    return await readModelDigest(ds, 'read_models');
  } finally {
    await ds.destroy();
  }
}

async function schemaExists(databaseUrl: string, schema: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query(
      'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1',
      [schema],
    );
    return r.rowCount === 1;
  } finally {
    await client.end();
  }
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('who').waitFor();
}

describe('the operator console in headless Chromium', () => {
  let dataDir: string;
  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'c360-console-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('signs in, finds a customer, shows the 360, segments and churn flags, and runs a rebuild to the end', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: the console's browser tests need Debian's Chromium (apt-get install chromium).`,
      );

    await withDatabase(async (databaseUrl) => {
      const p: PlatformProcess = launch(
        ['npm', 'start'],
        { C360_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
        await freePort(),
      );
      let browser: Browser | undefined;
      try {
        await waitUntilReady(p, 180_000);
        await eventually(
          () => p.output().includes('export C360_TOKEN='),
          30_000,
          'the start-up banner',
        );
        const token = bannerToken(p.output());

        // The platform serves the page (SPA fallback) under its own strict CSP; a missing asset is a 404.
        const deep = await fetch(`${p.baseUrl}/console/customers/${ALICE}`);
        expect(deep.status).toBe(200);
        expect(deep.headers.get('content-type')).toContain('text/html');
        expect(deep.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(deep.headers.get('content-security-policy')).not.toContain('unsafe-inline');
        expect(await deep.text()).toContain('<div id="root">');
        expect((await fetch(`${p.baseUrl}/console/assets/nope.js`)).status).toBe(404);

        expect(await api(p, token, 'POST', '/v1/events', history)).toMatchObject({
          status: 202,
          json: { accepted: history.length },
        });
        const alice = await pollUntil(
          async () => {
            const res = await api(p, token, 'GET', `/v1/customers/${ALICE}`);
            const v = res.json as View | null;
            return res.status === 200 && v && v.churn.openFlags.length > 0 ? v : undefined;
          },
          60_000,
          'the 360 view of the first customer with its churn flag',
        );
        await pollUntil(
          async () => {
            const res = await api(p, token, 'GET', '/v1/churn-flags?status=open');
            return res.status === 200 && (res.json as { items: unknown[] }).items.length >= 3
              ? true
              : undefined;
          },
          60_000,
          'the three churn flags',
        );
        const bob = (await api(p, token, 'GET', `/v1/customers/${BOB}`)).json as View;
        expect(bob.churn.riskScore).toBeGreaterThan(alice.churn.riskScore);
        const tierSegment =
          alice.segments.find((s) => s.segmentId.startsWith('tier-'))?.segmentId ??
          `tier-${alice.tier}`;

        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
        const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
        const page = await context.newPage();
        const cspViolations: string[] = [];
        const pageErrors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' && /Content Security Policy/i.test(m.text()))
            cspViolations.push(m.text());
        });
        page.on('pageerror', (e) => pageErrors.push(e.message));

        // A bad token is refused with the 401 said plainly; the sign-in box stays.
        await page.goto(`${p.baseUrl}/console/`);
        await page.getByLabel('Bearer token').fill('not-a-token');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expectText(page.getByTestId('problem'), /not accepted \(401\)/);
        await shot(page, '01-sign-in-refused');

        await page.getByLabel('Bearer token').fill(token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expectText(page.getByTestId('who'), /local-admin/);
        expect(await page.evaluate("sessionStorage.getItem('c360.console.token')")).toBe(token);

        // Find the customer by a channel identity, land on the 360.
        await page.getByTestId('search-scheme').selectOption('mobile-user');
        await page.getByTestId('search-input').fill(MOBILE_USER);
        await page.getByTestId('search-submit').click();
        await expectText(page.getByTestId('customer-id'), new RegExp(`^${ALICE}$`));
        expect(page.url()).toBe(`${p.baseUrl}/console/customers/${ALICE}`);
        await expectText(page.getByTestId('customer-name'), /^Zhang Wei$/);
        await expectText(page.getByTestId('disclosure'), /personal data clear/);
        await expectText(page.getByTestId('national-id'), /110101199001011234/);
        await expectText(page.getByTestId('balance-A-77'), /^84,500\.00 CNY$/);
        await expectText(page.getByTestId('relationship-value'), /\d/);
        await expectText(page.getByTestId('churn-flags'), /nps-detractor/);
        await expectText(page.getByTestId('churn-flags'), /latest NPS 3/);
        await expectText(page.getByTestId('segments'), new RegExp(tierSegment));
        await expectText(page.getByTestId('identities'), new RegExp(MOBILE_USER));
        await expectText(page.getByTestId('timeline'), /SurveyAnswered/);
        await expectText(page.getByTestId('risk-score'), new RegExp(`^${alice.churn.riskScore}$`));
        await shot(page, '02-customer-360');

        // Segments: sizes, the tier chart, and the customer among its tier's members.
        await page.getByTestId('nav-segments').click();
        await page.getByTestId('segments-table').waitFor();
        await page.locator('[data-testid="tier-chart"] canvas').waitFor();
        await page.locator('[data-testid="lorenz-chart"] canvas').waitFor();
        // Two customers worth about 84,500.00 and 1,200.00: the top 20% (Alice) holds nearly all the value.
        const concentration = (await api(p, token, 'GET', '/v1/segments/value-concentration'))
          .json as { customers: number; top20Share: number };
        expect(concentration.customers).toBe(2);
        expect(concentration.top20Share).toBeGreaterThan(0.95);
        await expectText(
          page.getByTestId('top20-share'),
          new RegExp(`hold ${Math.round(concentration.top20Share * 100)}% of value`),
        );
        const segments = (await api(p, token, 'GET', '/v1/segments')).json as {
          segmentId: string;
          members: number;
        }[];
        const tier = segments.find((s) => s.segmentId === tierSegment);
        expect(tier?.members).toBeGreaterThanOrEqual(1);
        await expectText(
          page.getByTestId(`segment-size-${tierSegment}`),
          new RegExp(`^${tier?.members ?? -1}$`),
        );
        await shot(page, '03-segments');
        await page.getByTestId(`segment-row-${tierSegment}`).getByRole('link').click();
        await expectText(page.getByTestId('members-table'), new RegExp(ALICE));
        await shot(page, '04-segment-members');

        // Churn flags, highest risk first: both customers, scores in descending order.
        await page.getByTestId('nav-churn-flags').click();
        await page.getByTestId('churn-table').waitFor();
        const rows = page.getByTestId('churn-row');
        await pollUntil(
          async () => ((await rows.count()) >= 3 ? true : undefined),
          10_000,
          'three churn rows',
        );
        const scores = (
          await page.locator('[data-testid="churn-row"] .risk-value').allTextContents()
        ).map(Number);
        expect(scores).toEqual([bob.churn.riskScore, bob.churn.riskScore, alice.churn.riskScore]);
        await expectText(rows.first(), new RegExp(BOB));
        await expectText(rows.last(), new RegExp(ALICE));
        await expectText(page.getByTestId('churn-table'), new RegExp(BOB));
        await expectText(page.getByTestId('churn-table'), new RegExp(ALICE));
        await shot(page, '05-churn-flags');

        // Projections: status, lag chart, a blue/green rebuild watched until done.
        const projections = (
          (await api(p, token, 'GET', '/v1/ops/projections')).json as {
            projections: { name: string }[];
          }
        ).projections;
        const name = projections[0]?.name ?? 'missing';
        await page.getByTestId('nav-projections').click();
        await page.getByTestId(`projection-${name}`).waitFor();
        await page.locator('[data-testid="lag-chart"] canvas').waitFor();
        await page.getByTestId(`rebuild-${name}`).click();
        await page.getByTestId(`rebuild-confirm-${name}`).click();
        const job = page.getByTestId(`projection-${name}`).getByTestId('rebuild-job');
        await job.waitFor();
        await pollUntil(
          async () => ((await job.getAttribute('data-state')) === 'done' ? true : undefined),
          120_000,
          'the rebuild to finish',
          500,
        );
        await expectText(job.getByTestId('rebuild-state'), /^done$/);
        expect(await job.getByTestId('rebuild-progress').getAttribute('aria-valuenow')).toBe('100');
        await expectText(job.getByTestId('rebuild-progress'), /100%/);
        await shot(page, '06-projections-rebuild-done');

        // The swap kept the read model whole: the 360 reads the same after it.
        const after = await api(p, token, 'GET', `/v1/customers/${ALICE}`);
        expect(after.status).toBe(200);
        expect((after.json as View).churn.riskScore).toBe(alice.churn.riskScore);

        await page.getByTestId('nav-dead-letters').click();
        await page.getByTestId('dead-letters-page').waitFor();
        await expectText(page.getByTestId('dead-letters-page'), /No open dead letters|Re-drive/);
        await shot(page, '07-dead-letters');

        // A token without customers:read-pii sees the 360 masked; without ops:read the projections page says 403.
        const minted = await runCli(
          ['token', '--scopes', 'customers:read,segments:read,churn:read'],
          { C360_DATA_DIR: dataDir },
        );
        expect(minted.code).toBe(0);
        await page.getByRole('button', { name: 'Sign out' }).click();
        await signIn(page, p.baseUrl, minted.stdout.trim());
        await page.goto(`${p.baseUrl}/console/customers/${ALICE}`);
        await expectText(page.getByTestId('disclosure'), /personal data masked/);
        expect(await page.getByTestId('customer-name').textContent()).not.toContain('Zhang Wei');
        expect(await page.getByTestId('national-id').textContent()).not.toContain(
          '110101199001011234',
        );
        await shot(page, '08-customer-360-masked');
        await page.getByTestId('nav-projections').click();
        await expectText(page.getByTestId('problem'), /lacks the scope.*\(403\)/);
        await shot(page, '09-projections-forbidden');

        expect(pageErrors).toEqual([]);
        expect(cspViolations).toEqual([]);
      } finally {
        await browser?.close();
        await stopProcessGroup(p);
      }
    });
  }, 420_000);

  it('cancels a running rebuild from the Projections page: the job ends cancelled, its shadow is dropped, the live model is unchanged', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: the console's browser tests need Debian's Chromium (apt-get install chromium).`,
      );
    await withDatabase(async (databaseUrl) => {
      // A rebuild that is still running when the operator presses cancel: a demo bank of a few
      // thousand events, folded in small batches (PROJECTOR_BATCH_SIZE, an operator's setting)
      // and in global order (PROJECTOR_BULK_MIN_EVENTS=0: a bulk pass would be done before the click).
      // The clock-driven sweeps are off so that nothing but the rebuild could touch the live model.
      const p = launch(
        ['npm', 'start'],
        {
          C360_DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          PROJECTOR_BATCH_SIZE: '50',
          PROJECTOR_BULK_MIN_EVENTS: '0',
          CHURN_SWEEP_INTERVAL_MS: '0',
        },
        await freePort(),
      );
      let browser: Browser | undefined;
      try {
        await waitUntilReady(p, 180_000);
        await eventually(
          () => p.output().includes('export C360_TOKEN='),
          30_000,
          'the start-up banner',
        );
        const token = bannerToken(p.output());
        const demo = await runCli(
          ['demo', '--customers', '200', '--url', p.baseUrl, '--token', token],
          { C360_DATA_DIR: dataDir },
          150_000,
        );
        expect({ code: demo.code, stderr: demo.code === 0 ? '' : demo.stderr }).toEqual({
          code: 0,
          stderr: '',
        });
        expect(demo.stdout).toMatch(/^ {2}rejected {3}0$/m);
        type Status = {
          name: string;
          position: string | null;
          head: string | null;
          lag: { events: number };
          rebuild: { jobId: string; state: string } | null;
        };
        const status = async (): Promise<Status> => {
          const res = await api(p, token, 'GET', '/v1/ops/projections');
          expect(res.status).toBe(200);
          const first = (res.json as { projections: Status[] }).projections[0];
          if (!first) throw new Error('no projection');
          return first;
        };
        await pollUntil(
          async () => {
            const s = await status();
            return s.lag.events === 0 && BigInt(s.position ?? -1) >= BigInt(s.head ?? 0)
              ? true
              : undefined;
          },
          120_000,
          'the live projection to catch up with the demo',
          500,
        );
        const before = await liveDigest(databaseUrl);
        expect(before.customers).toBe(200);
        const name = (await status()).name;

        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
        const page = await (
          await browser.newContext({ viewport: { width: 1366, height: 768 } })
        ).newPage();
        const pageErrors: string[] = [];
        page.on('pageerror', (e) => pageErrors.push(e.message));
        await signIn(page, p.baseUrl, token);
        await page.getByTestId('nav-projections').click();
        const card = page.getByTestId(`projection-${name}`);
        await card.waitFor();
        await card.getByTestId(`rebuild-${name}`).click();
        const started = page.waitForResponse(
          (r) =>
            r.request().method() === 'POST' &&
            r.url().endsWith(`/v1/ops/projections/${name}/rebuild`),
        );
        await card.getByTestId(`rebuild-confirm-${name}`).click();
        const response = await started;
        expect(response.status()).toBe(202);
        const job = (await response.json()) as { id: string; shadowSchema: string };
        const ui = card.getByTestId('rebuild-job');
        await pollUntil(
          async () => ((await ui.getAttribute('data-state')) === 'building' ? true : undefined),
          30_000,
          'the rebuild to be building',
          200,
        );
        // Over the API too: the projection has this rebuild running, its shadow schema exists.
        expect((await status()).rebuild).toMatchObject({ jobId: job.id, state: 'building' });
        expect(await schemaExists(databaseUrl, job.shadowSchema)).toBe(true);
        await shot(page, '13-projections-rebuild-running');

        // Cancel asks first; then the job goes to cancelled and says what happened.
        await ui.getByTestId('rebuild-cancel').click();
        await expectText(ui, /Stop this rebuild and drop its shadow copy\?/);
        await shot(page, '14-projections-rebuild-cancel-confirm');
        await ui.getByTestId('rebuild-cancel-confirm').click();
        await pollUntil(
          async () => ((await ui.getAttribute('data-state')) === 'cancelled' ? true : undefined),
          90_000,
          'the rebuild to be cancelled',
          200,
        );
        await expectText(ui.getByTestId('rebuild-state'), /^cancelled$/);
        await expectText(
          ui.getByTestId('rebuild-cancelled'),
          /cancelled: its shadow copy was dropped; the live read model was not changed/,
        );
        expect(await ui.getByTestId('rebuild-cancel').count()).toBe(0);
        // The projection can be rebuilt again.
        await pollUntil(
          async () => ((await card.getByTestId(`rebuild-${name}`).isEnabled()) ? true : undefined),
          20_000,
          'the rebuild button to be enabled again',
          200,
        );
        await shot(page, '15-projections-rebuild-cancelled');

        // The API agrees: the job is cancelled (it never swapped), none is active, the shadow is gone…
        const after = await api(p, token, 'GET', `/v1/ops/jobs/${job.id}`);
        expect(after.status).toBe(200);
        const ended = after.json as {
          state: string;
          progress: number;
          total: number;
          result: unknown;
        };
        expect(ended.state).toBe('cancelled');
        expect(ended.result).toBeNull();
        expect(ended.progress).toBeLessThan(ended.total);
        expect((await status()).rebuild).toBeNull();
        expect(await schemaExists(databaseUrl, job.shadowSchema)).toBe(false);
        // …and the live read model is row for row what it was before the rebuild started.
        expect(await liveDigest(databaseUrl)).toEqual(before);
        expect(pageErrors).toEqual([]);
      } finally {
        await browser?.close();
        await stopProcessGroup(p);
      }
    });
  }, 420_000);

  it('shows a dead letter from Kafka, says why a re-drive is refused, and discards it', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: the console's browser tests need Debian's Chromium (apt-get install chromium).`,
      );
    const topic = uniqueTopic('console-events');
    await withDatabase(async (databaseUrl) => {
      const p = launch(
        ['npm', 'start'],
        {
          C360_DATA_DIR: dataDir,
          DATABASE_URL: databaseUrl,
          KAFKA_BROKERS: kafkaBrokers().join(','),
          KAFKA_TOPIC_EVENTS: topic,
          KAFKA_TOPIC_DERIVED: uniqueTopic('console-derived'),
          KAFKA_TOPIC_DEAD_LETTERS: uniqueTopic('console-dlq'),
          KAFKA_GROUP_PREFIX: uniqueTopic('console-group'),
        },
        await freePort(),
      );
      let browser: Browser | undefined;
      try {
        await waitUntilReady(p, 180_000);
        await eventually(
          () => p.output().includes('export C360_TOKEN='),
          30_000,
          'the start-up banner',
        );
        const token = bannerToken(p.output());

        // A channel system writes bytes that are not JSON straight to the events topic.
        const kafka = new Kafka({
          clientId: 'console-e2e',
          brokers: kafkaBrokers(),
          logLevel: logLevel.NOTHING,
        });
        const producer = kafka.producer({ allowAutoTopicCreation: false });
        await producer.connect();
        try {
          await producer.send({ topic, messages: [{ key: ALICE, value: '{"eventId": "broken' }] });
        } finally {
          await producer.disconnect();
        }
        const letter = await pollUntil(
          async () => {
            const res = await api(p, token, 'GET', '/v1/ops/dead-letters?status=open');
            const items =
              (res.json as { items?: { id: string; reason: { code: string } }[] } | null)?.items ??
              [];
            return items[0];
          },
          60_000,
          'the dead letter',
        );

        browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
        const page = await (
          await browser.newContext({ viewport: { width: 1366, height: 768 } })
        ).newPage();
        await signIn(page, p.baseUrl, token);
        await page.getByTestId('nav-dead-letters').click();
        const table = page.getByTestId('dead-letters-table');
        await expectText(table, new RegExp(letter.reason.code));
        await expectText(table, new RegExp(`${topic}/\\d+@\\d+`));
        await shot(page, '10-dead-letter');

        // Re-driving the same unreadable bytes cannot work: the API's problem is shown as it is.
        const redrive = await api(p, token, 'POST', `/v1/ops/dead-letters/${letter.id}/redrive`);
        expect(redrive.status).toBeGreaterThanOrEqual(400);
        await table.getByRole('button', { name: 'Re-drive' }).click();
        await expectText(page.getByTestId('problem'), new RegExp(`\\(${redrive.status}\\)`));
        await shot(page, '11-dead-letter-redrive-refused');

        await table.getByRole('button', { name: 'Discard' }).click();
        await expectText(
          page.getByRole('status'),
          new RegExp(`Dead letter ${letter.id} discarded`),
        );
        await expectText(page.getByTestId('dead-letters-page'), /No open dead letters/);
        const after = await api(p, token, 'GET', '/v1/ops/dead-letters?status=discarded');
        expect((after.json as { items: { id: string }[] }).items.map((d) => d.id)).toContain(
          letter.id,
        );
        await shot(page, '12-dead-letter-discarded');
      } finally {
        await browser?.close();
        await stopProcessGroup(p);
      }
    });
  }, 300_000);
});

/** Waits (polling, bounded) until the element's text matches; fails with the last text seen. */
async function expectText(
  locator: ReturnType<Page['getByTestId']>,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<void> {
  let last = '';
  try {
    await pollUntil(
      async () => {
        last = ((await locator.first().textContent({ timeout: 2_000 })) ?? '').trim();
        return pattern.test(last) ? true : undefined;
      },
      timeoutMs,
      `text ${String(pattern)}`,
      200,
    );
  } catch (e) {
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}; last text: "${last.slice(0, 300)}"`,
      { cause: e },
    );
  }
}
