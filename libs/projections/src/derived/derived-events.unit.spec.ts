import { churnMessage, deterministicUuid, derivedEventId, derivedTraceOf, flagIdOf, segmentMessage } from './derived-events';

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

describe('the trace a derived event carries', () => {
  const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it("is the source event's recorded metadata.trace, correlation id included", () => {
    expect(derivedTraceOf({ trace: { traceparent: TRACEPARENT, correlationId: 'order-42' }, other: 1 })).toEqual({
      traceparent: TRACEPARENT,
      correlationId: 'order-42',
    });
    expect(derivedTraceOf({ trace: { traceparent: TRACEPARENT } })).toEqual({ traceparent: TRACEPARENT });
  });

  it('is none when nothing or something else was recorded, and drops an unsafe correlation id', () => {
    expect(derivedTraceOf({})).toBeUndefined();
    expect(derivedTraceOf(null)).toBeUndefined();
    expect(derivedTraceOf({ trace: TRACEPARENT })).toBeUndefined();
    expect(derivedTraceOf({ trace: { traceparent: TRACEPARENT.toUpperCase() } })).toBeUndefined();
    expect(derivedTraceOf({ trace: { traceparent: `${TRACEPARENT}-extra` } })).toBeUndefined();
    expect(derivedTraceOf({ trace: { traceparent: 42 } })).toBeUndefined();
    expect(derivedTraceOf({ trace: { traceparent: TRACEPARENT, correlationId: 'evil\r\nid' } })).toEqual({ traceparent: TRACEPARENT });
  });

  it('goes with the outbox message, outside the published event (whose shape is frozen), and does not change its id', () => {
    const data = { flagId: 'f', code: 'nps-detractor' as const, reason: 'r', evidenceEventIds: ['e1'], ruleVersion: 1, riskScore: 15, revision: 3 };
    const traced = churnMessage('t', 'C1', 'ChurnFlagRaised', '2026-01-01T00:00:00.000Z', 'e1', data, { traceparent: TRACEPARENT });
    const plain = churnMessage('t', 'C1', 'ChurnFlagRaised', '2026-01-01T00:00:00.000Z', 'e1', data);
    expect(traced.trace).toEqual({ traceparent: TRACEPARENT });
    expect(plain).not.toHaveProperty('trace');
    expect(traced.event).toEqual(plain.event);
    expect(JSON.stringify(traced.event)).not.toContain('traceparent');
  });
});
