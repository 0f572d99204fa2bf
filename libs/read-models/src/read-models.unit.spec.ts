import { foldCustomer } from '@c360/customer-domain';
import { FencedError, type Customer360Record } from '@c360/projections';
import { classifyPostgresFailure } from './pg-failures';
import { customerRowsJson, encodeCustomer360Record } from './projection-store/batch-unit-of-work';
import { decodeDocument, decodeDocumentText, encodeDocument, encodeDocumentText } from './state-codec';

describe('state codec', () => {
  it('round-trips a folded customer-360 state through JSON text (what jsonb stores)', () => {
    const state = foldCustomer('C1', [
      { eventId: 'e1', type: 'BranchVisited', version: 1, streamId: 'customer-C1', revision: 0, occurredAt: new Date('2026-01-02T09:00:00Z'), recordedAt: new Date('2026-01-02T09:00:01Z'), data: { branchCode: 'B', service: 'cash', waitMinutes: 4, tellerId: 'T' } },
    ]);
    expect(decodeDocument(JSON.parse(JSON.stringify(encodeDocument(state))))).toEqual(state);
  });

  it('keeps Dates as Dates, nested in arrays and objects', () => {
    const doc = { at: new Date('2026-03-01T00:00:00.000Z'), list: [{ when: new Date(0) }], s: '2026-03-01' };
    const back = decodeDocument<typeof doc>(JSON.parse(JSON.stringify(encodeDocument(doc))));
    expect(back.at).toBeInstanceOf(Date);
    expect(back).toEqual(doc);
  });

  it('refuses values JSON would silently change', () => {
    expect(() => encodeDocument({ x: Number.NaN })).toThrow(TypeError);
    expect(() => encodeDocument({ f: () => 1 })).toThrow(TypeError);
  });
});

describe('state codec, text form (the batched writes and prefetches)', () => {
  const state = foldCustomer('C1', [
    { eventId: 'e1', type: 'BranchVisited', version: 1, streamId: 'customer-C1', revision: 0, occurredAt: new Date('2026-01-02T09:00:00Z'), recordedAt: new Date('2026-01-02T09:00:01Z'), data: { branchCode: 'B', service: 'cash', waitMinutes: 4, tellerId: 'T' } },
  ]);

  it('writes exactly the JSON encodeDocument gives, with or without Dates', () => {
    expect(JSON.parse(encodeDocumentText(state))).toEqual(encodeDocument(state));
    const doc = { at: new Date('2026-03-01T00:00:00.000Z'), list: [{ when: new Date(0), n: 1 }], s: '2026-03-01', skip: undefined };
    expect(JSON.parse(encodeDocumentText(doc))).toEqual(encodeDocument(doc));
    expect(encodeDocumentText(doc)).toContain('{"$date":"2026-03-01T00:00:00.000Z"}');
  });

  it('reads back what it wrote: plain documents as parsed, tagged Dates as Dates', () => {
    expect(decodeDocumentText(encodeDocumentText(state))).toEqual(state);
    const doc = { at: new Date('2026-03-01T00:00:00.000Z'), list: [{ when: new Date(0) }] };
    const back = decodeDocumentText<typeof doc>(encodeDocumentText(doc));
    expect(back.list[0]?.when).toBeInstanceOf(Date);
    expect(back).toEqual(doc);
  });

  it('refuses what JSON would silently change, deep inside too', () => {
    expect(() => encodeDocumentText({ a: [{ x: Number.NaN }] })).toThrow(TypeError);
    expect(() => encodeDocumentText({ a: { b: Number.POSITIVE_INFINITY } })).toThrow(TypeError);
    expect(() => encodeDocumentText({ f: () => 1 })).toThrow(TypeError);
    expect(() => encodeDocumentText({ at: new Date(0), n: Number.NaN })).toThrow(TypeError);
    expect(() => encodeDocumentText({ big: BigInt(1) })).toThrow(TypeError);
  });
});

describe('customerRowsJson (the batched customer_360 upsert parameter)', () => {
  const record = (customerId: string, state: unknown) =>
    ({ customerId, lastRevision: 3, state, tier: 'mass', region: null, relationshipValueMinor: 12, churnRiskScore: 0, mergedInto: null, mergedFrom: ['X'], lastEventAt: null }) as unknown as Customer360Record;

  it('holds every column, the state as encodeDocument gives it (encoded when saved), with or without Dates', () => {
    const plain = record('A', { n: 1, list: ['x'], text: 'quote " and \\ backslash, \u2028' });
    const dated = record('B', { at: new Date('2026-03-01T00:00:00.000Z') });
    for (const batch of [[plain], [plain, dated]]) {
      const rows = JSON.parse(customerRowsJson(batch.map(encodeCustomer360Record))) as Array<Record<string, unknown>>;
      expect(rows).toEqual(
        batch.map((r) => ({ state: encodeDocument(r.state), customer_id: r.customerId, last_revision: 3, tier: 'mass', region: null,
          relationship_value_minor: 12, churn_risk_score: 0, merged_into: null, merged_from: ['X'], last_event_at: null })),
      );
    }
  });
});

describe('classifyPostgresFailure', () => {
  it.each([
    ['40P01', 'transient'],
    ['55P03', 'transient'],
    ['57P01', 'transient'],
    ['08006', 'transient'],
    ['ECONNREFUSED', 'transient'],
    ['23505', 'fatal'],
    ['42P01', 'fatal'],
  ])('code %s is %s', (code, kind) => {
    expect(classifyPostgresFailure(Object.assign(new Error('x'), { code }))).toBe(kind);
  });

  it('looks into TypeORM wrappers and messages, and knows fencing', () => {
    expect(classifyPostgresFailure(Object.assign(new Error('q'), { driverError: { code: '40001' } }))).toBe('transient');
    expect(classifyPostgresFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyPostgresFailure(new FencedError('p', [1]))).toBe('fenced');
    expect(classifyPostgresFailure(new TypeError('bug'))).toBe('fatal');
  });
});
