import { foldCustomer } from '@c360/customer-domain';
import { FencedError } from '@c360/projections';
import { classifyPostgresFailure } from './pg-failures';
import { decodeDocument, encodeDocument } from './state-codec';

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
