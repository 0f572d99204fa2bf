import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { AuditLogRepository, textArrayLiteral, type AuditEntry } from '../src/persistence/audit-log.repository';
import { migrateQueryApi } from '../src/persistence/query-api-migrations';

// The audit INSERTs are prepared statements (one text for any group size): what goes in must
// come back exactly, in order, whatever the values hold.
let db: TestDatabase;
let repo: AuditLogRepository;

beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'c360_query_audit', poolMax: 4 });
  await migrateQueryApi(db.pool, 'query_api');
  repo = new AuditLogRepository(db.pool, 'query_api');
});
afterAll(async () => {
  await db?.drop();
});

const entry = (n: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  requestId: `req-${n}`,
  client: 'svc-reader',
  tokenId: `tok-${n}`,
  action: 'customer.view',
  customerId: `C${n}`,
  fields: ['profile', 'products'],
  piiShown: n % 2 === 0,
  outcome: 'ok',
  detail: { view: 'live', n },
  ...overrides,
});

describe('AuditLogRepository', () => {
  it('stores a group as given, in order, awkward values included', async () => {
    const group: AuditEntry[] = [
      entry(1),
      entry(2, { requestId: null, tokenId: null, customerId: null, fields: [] }),
      entry(3, { fields: ['with "quotes"', 'back\\slash', 'comma,brace{}', 'NULL', '', '雪'], client: 'svc "x"\\y' }),
      entry(4, { detail: { view: 'asOf', at: '2026-01-01T00:00:00.000Z', list: ['a', 'b'], none: null, ok: true } }),
      entry(5),
    ];
    await repo.appendMany(group);
    await repo.appendMany([entry(6), entry(7)]);
    await repo.append(entry(8, { fields: ['"only"'] }));
    const stored = (await repo.find({ limit: 100 })).reverse();
    expect(stored.map(({ id: _id, at: _at, ...rest }) => rest)).toEqual([...group, entry(6), entry(7), entry(8, { fields: ['"only"'] })]);
    const ids = stored.map((r) => BigInt(r.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(ids);
  });

  it('refuses the whole group with a data error (class 22) when one record holds a NUL', async () => {
    const before = (await repo.find({ limit: 1000 })).length;
    const error = await repo.appendMany([entry(10), entry(11, { client: 'evil\u0000' })]).then(
      () => null,
      (e: unknown) => e as { code?: unknown },
    );
    expect(String(error?.code)).toMatch(/^22/);
    expect((await repo.find({ limit: 1000 })).length).toBe(before);
  });

  it('writes text[] literals PostgreSQL reads back unchanged', () => {
    expect(textArrayLiteral([])).toBe('{}');
    expect(textArrayLiteral(['a', 'b "c"', 'd\\e'])).toBe('{"a","b \\"c\\"","d\\\\e"}');
  });
});
