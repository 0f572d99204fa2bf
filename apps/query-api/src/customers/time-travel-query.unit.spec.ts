import { QueryApiErrorCode } from '../query-api.errors';
import { parseViewTime } from './time-travel-query';

const now = new Date('2026-11-28T12:00:00Z');

describe('parseViewTime', () => {
  it('is live without parameters', () => {
    expect(parseViewTime(undefined, undefined, now)).toEqual({ kind: 'live' });
    expect(parseViewTime('', '', now)).toEqual({ kind: 'live' });
  });

  it('reads asOf and knownAt', () => {
    expect(parseViewTime('2026-10-01T08:00:00Z', undefined, now)).toEqual({ kind: 'asOf', at: new Date('2026-10-01T08:00:00Z') });
    expect(parseViewTime(undefined, '2026-10-01T10:00:00+02:00', now)).toEqual({ kind: 'knownAt', at: new Date('2026-10-01T08:00:00Z') });
    expect(parseViewTime('2026-10-01', undefined, now)).toEqual({ kind: 'asOf', at: new Date('2026-10-01T00:00:00Z') });
  });

  it.each([
    ['yesterday', undefined],
    ['2026-10-01T08:00:00', undefined], // no zone
    ['2026-02-31', undefined],
    ['2026-13-01T00:00:00Z', undefined],
    ['2027-01-01T00:00:00Z', undefined], // future
    ['2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z'], // both
  ])('refuses asOf=%p knownAt=%p', (a, k) => {
    expect(() => parseViewTime(a, k, now)).toThrow(expect.objectContaining({ code: QueryApiErrorCode.InvalidTime }) as Error);
  });
});
