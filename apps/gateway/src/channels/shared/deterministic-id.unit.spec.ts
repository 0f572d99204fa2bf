import { CHANNEL_EVENT_NAMESPACE, deterministicEventId, uuidV5 } from './deterministic-id';

describe('uuidV5', () => {
  it('matches the RFC test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('derives the channel namespace from the URL namespace', () => {
    expect(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'c360:channels')).toBe(CHANNEL_EVENT_NAMESPACE);
  });

  it('is deterministic, name-sensitive, version 5 and lower-case', () => {
    const a = deterministicEventId('branch/BR-0042/TJ-1/MoneyMoved');
    expect(deterministicEventId('branch/BR-0042/TJ-1/MoneyMoved')).toBe(a);
    expect(deterministicEventId('branch/BR-0042/TJ-2/MoneyMoved')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('nope', 'x')).toThrow(RangeError);
  });
});
