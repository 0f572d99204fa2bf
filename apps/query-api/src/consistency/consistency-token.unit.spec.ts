import { QueryApiErrorCode } from '../query-api.errors';
import { parseConsistencyToken } from './consistency-token';

describe('parseConsistencyToken', () => {
  it('reads the gateway formats', () => {
    expect(parseConsistencyToken('store:42')).toEqual({ kind: 'store', position: 42n });
    expect(parseConsistencyToken('store:parked')).toEqual({ kind: 'parked' });
    expect(parseConsistencyToken('kafka:c360.events.v1:0@17,3@5')).toEqual({
      kind: 'kafka',
      topic: 'c360.events.v1',
      offsets: [
        { partition: 0, offset: 17n },
        { partition: 3, offset: 5n },
      ],
    });
  });

  it.each(['', 'store:', 'store:-1', 'store:1.5', 'kafka:t:', 'kafka:t:0@', 'kafka::0@1', 'foo:1', 'store:1 ', `store:${'9'.repeat(41)}`])(
    'refuses %p with a coded error',
    (text) => {
      expect(() => parseConsistencyToken(text)).toThrow(expect.objectContaining({ code: QueryApiErrorCode.InvalidConsistencyToken }) as Error);
    },
  );
});
