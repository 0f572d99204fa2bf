import { QueryApiErrorCode } from '../query-api.errors';
import { decodeCursor, encodeCursor, parseLimit } from './cursor';

describe('cursors', () => {
  it('round-trips and is bound to its listing', () => {
    const c = encodeCursor('timeline', { rev: 41 });
    expect(decodeCursor('timeline', c)).toEqual({ k: 'timeline', rev: 41 });
    expect(() => decodeCursor('members', c)).toThrow(expect.objectContaining({ code: QueryApiErrorCode.InvalidCursor }) as Error);
  });

  it.each(['', '!!!', 'bm90IGpzb24', 'x'.repeat(600)])('refuses garbage %p', (c) => {
    expect(() => decodeCursor('timeline', c)).toThrow(expect.objectContaining({ code: QueryApiErrorCode.InvalidCursor }) as Error);
  });

  it('parses limits with edges', () => {
    expect(parseLimit(undefined)).toBe(50);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('200')).toBe(200);
    for (const bad of ['0', '201', '-1', '1.5', 'abc', '99999']) expect(() => parseLimit(bad)).toThrow(expect.objectContaining({ code: QueryApiErrorCode.InvalidQuery }) as Error);
  });
});
