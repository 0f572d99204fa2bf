import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { AuditLogRepository } from '../src/persistence/audit-log.repository';
import { CustomerReadRepository, type AuditedLiveRead, type AuditOutcome } from '../src/persistence/customer-read.repository';
import { migrateQueryApi } from '../src/persistence/query-api-migrations';

// The live 360 read and its audit records in one statement: each read's record states what that
// read found (open, restricted, missing), all records commit with the read or none does.
let db: TestDatabase;
let reads: CustomerReadRepository;
let audit: AuditLogRepository;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'c360_query_live', poolMax: 4 });
  await migrateQueryApi(db.pool, 'query_api');
  // The columns the live read selects (the real table has more; the HTTP tests use it).
  await db.pool.query(`CREATE SCHEMA rm; CREATE TABLE rm.customer_360 (customer_id text PRIMARY KEY, state jsonb NOT NULL)`);
  await db.pool.query(
    `INSERT INTO rm.customer_360 VALUES ('C1', '{"customerId":"C1","n":1}'), ('C2', '{"customerId":"C2","n":2}'), ('C3', '{"customerId":"C3","n":3}')`,
  );
  await db.pool.query(
    `INSERT INTO query_api.erasure_requests (customer_id, status, requested_by, reason, restricted_until)
     VALUES ('C2', 'restricted', 'dpo', 'test', '2031-01-01T00:00:00Z'), ('C3', 'erased', 'dpo', 'test', NULL)`,
  );
  reads = new CustomerReadRepository(db.pool, 'rm');
  audit = new AuditLogRepository(db.pool, 'query_api');
});
afterAll(async () => {
  await db?.drop();
});

const outcome = (disclosure: string): AuditOutcome => ({ fields: ['profile', 'tier'], piiShown: disclosure === 'clear', outcome: 'ok', detail: { view: 'live', personalData: disclosure } });
const read = (customerId: string, requestId: string, client = 'svc', overrides: Partial<AuditedLiveRead> = {}): AuditedLiveRead => ({
  customerId,
  requestId,
  client,
  tokenId: `tok-${requestId}`,
  action: 'customer.view',
  ifOpen: outcome('clear'),
  ifRestricted: outcome('restricted'),
  ifNotFound: { fields: [], piiShown: false, outcome: 'not-found', detail: { view: 'live' } },
  ...overrides,
});

const recordsOf = async (requestIds: readonly string[]) =>
  (await audit.find({ limit: 1000 })).filter((r) => r.requestId !== null && requestIds.includes(r.requestId)).reverse();

describe('CustomerReadRepository.liveByIdsAudited', () => {
  it('answers each read in order and writes one record per read, the case picked by what it found', async () => {
    const group = [
      read('C1', 'g1'),
      read('C2', 'g2'),
      read('C404', 'g3'),
      read('C3', 'g4'),
      read('C1', 'g5', 'other', { ifOpen: outcome('masked') }),
    ];
    const got = await reads.liveByIdsAudited('query_api', group);
    expect(got.map((r) => (r === null ? null : [(r.state as unknown as { n: number }).n, r.erasure?.status ?? null]))).toEqual([
      [1, null],
      [2, 'restricted'],
      null,
      [3, 'erased'],
      [1, null],
    ]);
    expect(got[1]?.erasure?.restrictedUntil?.toISOString()).toBe('2031-01-01T00:00:00.000Z');
    const stored = await recordsOf(['g1', 'g2', 'g3', 'g4', 'g5']);
    expect(stored.map((r) => [r.requestId, r.client, r.tokenId, r.customerId, r.action, r.outcome, r.piiShown, r.fields, r.detail])).toEqual([
      ['g1', 'svc', 'tok-g1', 'C1', 'customer.view', 'ok', true, ['profile', 'tier'], { view: 'live', personalData: 'clear' }],
      ['g2', 'svc', 'tok-g2', 'C2', 'customer.view', 'ok', false, ['profile', 'tier'], { view: 'live', personalData: 'restricted' }],
      ['g3', 'svc', 'tok-g3', 'C404', 'customer.view', 'not-found', false, [], { view: 'live' }],
      // erased (not restricted): the open case; the fields themselves read as erased
      ['g4', 'svc', 'tok-g4', 'C3', 'customer.view', 'ok', true, ['profile', 'tier'], { view: 'live', personalData: 'clear' }],
      ['g5', 'other', 'tok-g5', 'C1', 'customer.view', 'ok', false, ['profile', 'tier'], { view: 'live', personalData: 'masked' }],
    ]);
  });

  it('returns nothing and stores no record of the group when the audit INSERT fails', async () => {
    await db.pool.query(`CREATE FUNCTION query_api.fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit disk full'; END $$`);
    await db.pool.query(`CREATE TRIGGER fail_audit BEFORE INSERT ON query_api.audit_log FOR EACH ROW EXECUTE FUNCTION query_api.fail_audit()`);
    try {
      await expect(reads.liveByIdsAudited('query_api', [read('C1', 'f1'), read('C2', 'f2')])).rejects.toThrow('audit disk full');
    } finally {
      await db.pool.query(`DROP TRIGGER fail_audit ON query_api.audit_log; DROP FUNCTION query_api.fail_audit()`);
    }
    expect(await recordsOf(['f1', 'f2'])).toEqual([]);
  });

  it('fails a group holding a value PostgreSQL cannot store with a data error (class 22), storing nothing', async () => {
    const error = await reads.liveByIdsAudited('query_api', [read('C1', 'd1'), read('C1', 'd2', 'evil\u0000')]).then(
      () => null,
      (e: unknown) => e as { code?: unknown },
    );
    expect(String(error?.code)).toMatch(/^22/);
    expect(await recordsOf(['d1', 'd2'])).toEqual([]);
  });

  it('stores awkward strings exactly: quotes, backslashes, braces, commas, NULL-like text, unicode, no token id', async () => {
    // The statement's parameters are array literals built by the repository: every element must
    // come back as it went in (a mistake here would write wrong audit records, or fail reads).
    const awkward = ['a"b', 'c\\d', '{e,f}', 'NULL', '', ' padded ', 'd\u00e9j\u00e0 \u{1F600} \u5BA2\u6237', '\\"', 'x}', 'ends\\'];
    const group = awkward.map((client, i) =>
      read('C1', `w${i}`, client, {
        tokenId: i % 2 === 0 ? null : `tok"${i}`,
        ifOpen: { fields: ['profile', `f"${i}`, 'g\\h', '{i}'], piiShown: i % 3 === 0, outcome: `ok"${i}`, detail: { view: 'live', note: `"q" \\ ${client}` } },
      }),
    );
    const got = await reads.liveByIdsAudited('query_api', group);
    expect(got.every((r) => (r?.state as unknown as { n: number } | undefined)?.n === 1)).toBe(true);
    const stored = (await recordsOf(awkward.map((_, i) => `w${i}`))).sort((a, b) => Number(a.requestId?.slice(1)) - Number(b.requestId?.slice(1)));
    expect(stored.map((r) => [r.client, r.tokenId, r.fields, r.piiShown, r.outcome, r.detail])).toEqual(
      awkward.map((client, i) => [
        client,
        i % 2 === 0 ? null : `tok"${i}`,
        ['profile', `f"${i}`, 'g\\h', '{i}'],
        i % 3 === 0,
        `ok"${i}`,
        { view: 'live', note: `"q" \\ ${client}` },
      ]),
    );
  });
});
