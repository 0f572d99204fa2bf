import { deterministicUuid, derivedEventId, flagIdOf, segmentMessage } from './derived-events';

describe('derived event ids', () => {
  it('are UUIDs that depend only on customer, subject, kind and cause', () => {
    const id = derivedEventId('C1', 'growth', 'SegmentEntered', 'event-7');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(derivedEventId('C1', 'growth', 'SegmentEntered', 'event-7')).toBe(id);
    expect(derivedEventId('C1', 'growth', 'SegmentLeft', 'event-7')).not.toBe(id);
    expect(derivedEventId('C1', 'growth', 'SegmentEntered', 'event-8')).not.toBe(id);
    expect(flagIdOf('C1', 'inactivity', 'x')).not.toBe(deterministicUuid('C1'));
  });

  it('builds the canonical envelope, keyed by customer', () => {
    const m = segmentMessage('c360.derived.v1', 'C1', 'SegmentEntered', '2026-01-01T00:00:00.000Z', 'e1', {
      segmentId: 'growth',
      ruleVersion: 2,
      reason: 'r',
      revision: 4,
    });
    expect(m).toMatchObject({ topic: 'c360.derived.v1', key: 'C1', eventId: m.event.eventId });
    expect(m.event).toMatchObject({ type: 'SegmentEntered', version: 1, source: { system: 'c360' }, customerId: 'C1', data: { segmentId: 'growth' } });
  });
});
