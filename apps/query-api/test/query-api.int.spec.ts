import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomBytes } from 'node:crypto';
import { expectEventually } from '@c360/testing';
import { RetentionSweeper } from '../src/erasure/retention-sweeper';
import { createQueryApiHarness, registration, type QueryApiHarness } from './query-api-harness';

let h: QueryApiHarness;
let id: string;
let tag: string;
beforeAll(async () => {
  h = await createQueryApiHarness({ rateLimitMax: 1_000, consistencyMaxWaitMs: 1_500 });
  tag = randomBytes(5).toString('hex');
  id = `C${tag}`;
  const last = await h.append(id, [
    ...registration(tag),
    { type: 'ChannelIdentityLinked', data: { scheme: 'mobile-user', value: `mu-${tag}` }, occurredAt: new Date('2026-01-10T09:06:00Z') },
  ]);
  await h.caughtUp(last);
});
afterAll(async () => {
  await h?.close();
});

type ScopeSet = readonly string[];
const SCOPE_SETS: Record<string, ScopeSet> = {
  none: [],
  read: ['customers:read'],
  readPii: ['customers:read', 'customers:read-pii'],
  segments: ['segments:read'],
  churn: ['churn:read'],
  ops: ['ops:read'],
  erase: ['customers:erase'],
  compliance: ['customers:read-restricted'],
  writer: ['events:write', 'channel:branch:write'],
};

describe('authorisation matrix', () => {
  // Every endpoint × every scope set → expected status. Unlisted scope sets expect 403.
  const endpoints: Array<{ name: string; method: 'GET' | 'POST' | 'PUT'; path: () => string; body?: unknown; allowed: Record<string, number> }> = [
    { name: 'GET 360', method: 'GET', path: () => `/v1/customers/${id}`, allowed: { read: 200, readPii: 200 } },
    { name: 'GET 360 asOf', method: 'GET', path: () => `/v1/customers/${id}?asOf=2026-02-01T00:00:00Z`, allowed: { read: 200, readPii: 200 } },
    { name: 'GET timeline', method: 'GET', path: () => `/v1/customers/${id}/timeline`, allowed: { read: 200, readPii: 200 } },
    { name: 'GET lookup', method: 'GET', path: () => `/v1/customers:lookup?channel=mobile-user&id=mu-${tag}`, allowed: { read: 200, readPii: 200 } },
    { name: 'GET segments', method: 'GET', path: () => '/v1/segments', allowed: { segments: 200 } },
    { name: 'GET segment members', method: 'GET', path: () => '/v1/segments/tier-mass/members?limit=5', allowed: { segments: 200 } },
    { name: 'GET unknown segment members', method: 'GET', path: () => '/v1/segments/no-such-segment/members', allowed: { segments: 404 } },
    { name: 'GET churn flags', method: 'GET', path: () => '/v1/churn-flags?status=open&minScore=10&tier=top&region=east', allowed: { churn: 200 } },
    { name: 'GET ops audit', method: 'GET', path: () => '/v1/ops/audit?limit=1', allowed: { ops: 200 } },
    // 404: an unknown customer — authorised, so the scope check passed first.
    { name: 'POST erase', method: 'POST', path: () => '/v1/customers/CUNKNOWN:erase', body: { reason: 'matrix' }, allowed: { erase: 404 } },
    { name: 'PUT retention', method: 'PUT', path: () => '/v1/customers/CUNKNOWN/retention', body: { basis: 'aml', retainUntil: '2031-01-01T00:00:00Z' }, allowed: { compliance: 404 } },
  ];
  const cases = endpoints.flatMap((e) => [
    { ...e, set: '(no token)', expected: 401 },
    ...Object.keys(SCOPE_SETS).map((set) => ({ ...e, set, expected: e.allowed[set] ?? 403 })),
  ]);

  it.each(cases.map((c) => [c.name, c.set, c.expected, c] as const))('%s with %s → %i', async (_name, set, expected, c) => {
    const token = set === '(no token)' ? undefined : await h.token(`matrix-${set}`, SCOPE_SETS[set] ?? []);
    const res = c.method === 'GET' ? await h.get(c.path(), token) : c.method === 'POST' ? await h.post(c.path(), token, c.body) : await h.put(c.path(), token, c.body);
    expect(res.status).toBe(expected);
    if (expected >= 400) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain(`Canaryname${tag}`);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    }
  });

  it('rejects a forged token (alg none) with 401', async () => {
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forged = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'x', scope: 'customers:read customers:read-pii', iss: 'c360-local', aud: 'c360', exp: 9_999_999_999 })}.`;
    expect((await h.get(`/v1/customers/${id}`, forged)).status).toBe(401);
  });
});

describe('audit failure refuses the read', () => {
  it('answers 503 with nothing of the customer when the audit record cannot be written, and serves again once it can', async () => {
    const reader = await h.token('rm', ['customers:read', 'customers:read-pii']);
    await h.db.pool.query(`CREATE FUNCTION query_api.fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$`);
    await h.db.pool.query(`CREATE TRIGGER fail_audit BEFORE INSERT ON query_api.audit_log FOR EACH ROW EXECUTE FUNCTION query_api.fail_audit()`);
    try {
      for (const path of [`/v1/customers/${id}`, `/v1/customers/${id}/timeline`, `/v1/customers:lookup?channel=mobile-user&id=mu-${tag}`, `/v1/customers/${id}?asOf=2026-03-01T00:00:00Z`]) {
        const res = await h.get(path, reader);
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.json).toMatchObject({ code: 'audit_unavailable' });
        expect(res.body).not.toContain(tag);
      }
    } finally {
      await h.db.pool.query(`DROP TRIGGER fail_audit ON query_api.audit_log`);
    }
    expect((await h.get(`/v1/customers/${id}`, reader)).status).toBe(200);
  });

  it('refuses every one of concurrent live reads (read and audited together) when their records cannot be written', async () => {
    const reader = await h.token('rm-concurrent', ['customers:read', 'customers:read-pii']);
    await h.db.pool.query(`CREATE OR REPLACE FUNCTION query_api.fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$`);
    await h.db.pool.query(`CREATE TRIGGER fail_audit BEFORE INSERT ON query_api.audit_log FOR EACH ROW EXECUTE FUNCTION query_api.fail_audit()`);
    let refused: Awaited<ReturnType<QueryApiHarness['get']>>[];
    try {
      refused = await Promise.all(Array.from({ length: 12 }, (_, i) => h.get(i % 3 === 0 ? '/v1/customers/CNOSUCH' : `/v1/customers/${id}`, reader)));
    } finally {
      await h.db.pool.query(`DROP TRIGGER fail_audit ON query_api.audit_log`);
    }
    for (const res of refused) {
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ code: 'audit_unavailable' });
      expect(res.body).not.toContain(tag);
    }
    // Once records can be written again, concurrent reads are served and each is audited once.
    const ops = await h.token('ops-concurrent', ['ops:read']);
    const served = await Promise.all(Array.from({ length: 6 }, () => h.get(`/v1/customers/${id}`, reader)));
    expect(served.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const trail = await h.get(`/v1/ops/audit?client=rm-concurrent&action=customer.view&limit=100`, ops);
    const items = (trail.json as { items: Array<{ outcome: string; piiShown: boolean; customerId: string }> }).items;
    expect(items).toHaveLength(6);
    expect(items.every((r) => r.outcome === 'ok' && r.piiShown && r.customerId === id)).toBe(true);
  });

  it('the audit log is append-only: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    await expect(h.db.pool.query(`UPDATE query_api.audit_log SET client = 'x'`)).rejects.toThrow(/append-only/);
    await expect(h.db.pool.query(`DELETE FROM query_api.audit_log`)).rejects.toThrow(/append-only/);
    await expect(h.db.pool.query(`TRUNCATE query_api.audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('read-your-writes', () => {
  it('waits for the projection to reach the consistency token, or answers 503 with Retry-After', async () => {
    const reader = await h.token('rm', ['customers:read']);
    await h.stopProjector();
    const position = await h.append(id, [{ type: 'BranchVisited', data: { branchCode: 'SH001', service: 'deposit', waitMinutes: 4, tellerId: 'T1' } }]);
    const token = `store:${position.toString()}`;
    // The projector is stopped: bounded wait, then a clear "not yet".
    const started = Date.now();
    const stale = await h.get(`/v1/customers/${id}`, reader, { 'x-consistency-token': token });
    expect(stale.status).toBe(503);
    expect(stale.headers['retry-after']).toBe('1');
    expect(stale.json).toMatchObject({ code: 'not_yet_consistent' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    // With the projector running, the same read waits and sees the event.
    await h.startProjector();
    const fresh = await h.get(`/v1/customers/${id}?consistency=${encodeURIComponent(token)}`, reader);
    expect(fresh.status).toBe(200);
    expect((fresh.json as { interactions: { last90Days: Record<string, number> } }).interactions.last90Days['branch']).toBeGreaterThanOrEqual(0);
    expect((fresh.json as { recentTimeline: Array<{ type: string }> }).recentTimeline[0]?.type).toBe('BranchVisited');
    // A malformed token is a 400.
    expect((await h.get(`/v1/customers/${id}`, reader, { 'x-consistency-token': 'store:abc' })).status).toBe(400);
  });
});

describe('time travel', () => {
  it('a late-arriving event changes asOf views of the past, not knownAt views', async () => {
    const t = randomBytes(5).toString('hex');
    const cid = `C${t}`;
    await h.append(cid, registration(t));
    await h.append(cid, [{ type: 'SurveyAnswered', data: { kind: 'nps', score: 9 }, occurredAt: new Date('2026-02-01T10:00:00Z') }]);
    const before = (await h.db.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0]?.now as Date;
    await expectEventually(async () => {
      expect((await h.db.pool.query('SELECT clock_timestamp() > $1 AS later', [before])).rows[0]).toEqual({ later: true });
    });
    // Late arrival: occurred on 2026-02-02, recorded now.
    const last = await h.append(cid, [{ type: 'SurveyAnswered', data: { kind: 'nps', score: 2 }, occurredAt: new Date('2026-02-02T10:00:00Z') }]);
    await h.caughtUp(last);
    const reader = await h.token('rm', ['customers:read']);
    const nps = async (q: string): Promise<number | undefined> =>
      ((await h.get(`/v1/customers/${cid}?${q}`, reader)).json as { satisfaction: { nps: { score: number } | null } }).satisfaction.nps?.score;
    expect(await nps('asOf=2026-02-03T00:00:00Z')).toBe(2); // occurred by then
    expect(await nps(`knownAt=${encodeURIComponent(before.toISOString())}`)).toBe(9); // not yet recorded then
    expect(await nps('asOf=2026-02-01T12:00:00Z')).toBe(9);
    // Before registration: the customer did not exist yet.
    expect((await h.get(`/v1/customers/${cid}?asOf=2025-01-01T00:00:00Z`, reader)).status).toBe(404);
    // Bad times are 400 problems.
    for (const q of ['asOf=yesterday', 'knownAt=2026-02-31', 'asOf=2026-01-01T00:00:00Z&knownAt=2026-01-01T00:00:00Z']) {
      const res = await h.get(`/v1/customers/${cid}?${q}`, reader);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'invalid_time' });
    }
  });
});

describe('timeline paging', () => {
  it('pages newest first with a stable cursor, to the exact end', async () => {
    const t = randomBytes(5).toString('hex');
    const cid = `C${t}`;
    const visits = Array.from({ length: 7 }, (_, i) => ({
      type: 'BranchVisited',
      data: { branchCode: `B${i}`, service: 'deposit', waitMinutes: i, tellerId: 'T1' },
      occurredAt: new Date(Date.UTC(2026, 1, 1 + i)),
    }));
    // Balances have no timeline line: they are skipped, not counted.
    await h.append(cid, [...registration(t), ...visits, { type: 'BalanceReported', data: { productId: 'X', balanceMinor: 1, currency: 'CNY', asOfDate: '2026-02-10' } }]);
    const reader = await h.token('rm', ['customers:read']);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.get(`/v1/customers/${cid}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`, reader);
      expect(res.status).toBe(200);
      const page = res.json as { items: Array<{ summary: string; type: string }>; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.summary.split(':')[0] ?? ''));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual(['branch B6', 'branch B5', 'branch B4', 'branch B3', 'branch B2', 'branch B1', 'branch B0', expect.stringMatching(/^registered/)]);
    // Exactly a page: limit = total lines → one page, no cursor.
    const all = (await h.get(`/v1/customers/${cid}/timeline?limit=8`, reader)).json as { items: unknown[]; nextCursor: string | null };
    expect(all.items).toHaveLength(8);
    expect(all.nextCursor).toBeNull();
    // Edges: bad cursor, bad limit, unknown customer.
    expect((await h.get(`/v1/customers/${cid}/timeline?cursor=garbage`, reader)).status).toBe(400);
    expect((await h.get(`/v1/customers/${cid}/timeline?limit=0`, reader)).status).toBe(400);
    expect((await h.get(`/v1/customers/${cid}/timeline?limit=201`, reader)).status).toBe(400);
    expect((await h.get('/v1/customers/CNOBODY/timeline', reader)).status).toBe(404);
  });
});

describe('legal retention', () => {
  it('erasure during a retention restricts personal data to compliance at once, and the sweeper erases when it ends', async () => {
    const t = randomBytes(5).toString('hex');
    const cid = `C${t}`;
    await h.caughtUp(await h.append(cid, registration(t)));
    const compliance = await h.token('compliance', ['customers:read', 'customers:read-restricted']);
    const piiReader = await h.token('rm', ['customers:read', 'customers:read-pii']);
    const eraser = await h.token('privacy', ['customers:erase']);
    const until = new Date(Date.now() + 2_000);
    expect((await h.put(`/v1/customers/${cid}/retention`, compliance, { basis: 'aml', retainUntil: until.toISOString() })).status).toBe(200);
    const res = await h.post(`/v1/customers/${cid}:erase`, eraser, { reason: 'GDPR art. 17' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ customerId: cid, outcome: 'restricted-until', restrictedUntil: until.toISOString(), retentionBasis: 'aml' });
    const restricted = await h.get(`/v1/customers/${cid}`, piiReader);
    expect(restricted.json).toMatchObject({ personalData: 'restricted', profile: { fullName: { restricted: true } }, restriction: { until: until.toISOString() } });
    expect(restricted.body).not.toContain(`Canaryname${t}`);
    const forCompliance = await h.get(`/v1/customers/${cid}`, compliance);
    expect(forCompliance.json).toMatchObject({ personalData: 'clear', profile: { fullName: `Canaryname${t} Zhang` } });
    // When the retention ends, the sweeper destroys the key.
    const sweeper = h.app.get(RetentionSweeper);
    await expectEventually(async () => expect((await sweeper.sweep()).erased).toContain(cid), { timeoutMs: 10_000, intervalMs: 200 });
    const erased = await h.get(`/v1/customers/${cid}`, compliance);
    expect(erased.json).toMatchObject({ erased: true, profile: { fullName: { erased: true } } });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After for one client while another is unaffected', async () => {
    const limited = await createQueryApiHarness({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    try {
      const t = randomBytes(5).toString('hex');
      await limited.caughtUp(await limited.append(`C${t}`, registration(t)));
      const noisy = await limited.token('noisy-service', ['customers:read']);
      const quiet = await limited.token('quiet-service', ['customers:read']);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.get(`/v1/customers/C${t}`, noisy)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const over = await limited.get(`/v1/customers/C${t}`, noisy);
      expect(over.headers['retry-after']).toMatch(/^\d+$/);
      expect(over.json).toMatchObject({ code: 'rate_limited', status: 429 });
      // Another token of the same client shares its budget; another client does not.
      expect((await limited.get(`/v1/customers/C${t}`, await limited.token('noisy-service', ['customers:read']))).status).toBe(429);
      expect((await limited.get(`/v1/customers/C${t}`, quiet)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('OpenAPI', () => {
  it('documents every route with examples', () => {
    const doc = SwaggerModule.createDocument(h.app, new DocumentBuilder().setTitle('c360').build());
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/customers/{id}', '/v1/customers/{id}/timeline', '/v1/segments', '/v1/churn-flags', '/v1/ops/audit']));
    expect(paths.some((p) => p.includes('lookup'))).toBe(true);
    expect(paths.some((p) => p.includes('erase'))).toBe(true);
    expect(JSON.stringify(doc.paths['/v1/customers/{id}'])).toContain('Z** W**');
  });
});
