import type { DerivedEvent } from '@c360/contracts';
import type { MessagePublisher, OutgoingMessage } from '@c360/messaging';
import { parseTraceparent } from '@c360/observability';
import type { DerivedStore, DerivedTransaction, PendingOutboxMessage } from '@c360/projections';
import { newDerivedTrace, OutboxRelay, publishScope, type OutboxRelayLogger } from '../src/derived/outbox-relay';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CAUSE = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

const pending = (seq: number, trace?: PendingOutboxMessage['trace']): PendingOutboxMessage => {
  const event = {
    eventId: `00000000-0000-5000-8000-00000000000${seq}`,
    type: 'ChurnFlagRaised',
    version: 1,
    occurredAt: '2026-06-01T09:00:00.000Z',
    source: { system: 'c360' },
    customerId: `C${seq}`,
    data: { flagId: 'f', code: 'nps-detractor', reason: 'r', evidenceEventIds: [], ruleVersion: 1, riskScore: 15, revision: 1 },
  } as DerivedEvent;
  return { seq: String(seq), eventId: event.eventId, topic: 'c360.derived.test', key: event.customerId, event, ...(trace ? { trace } : {}) };
};

/** The outbox in memory: claim returns the unsent rows, markSent marks them. */
function memoryStore(rows: PendingOutboxMessage[]): DerivedStore {
  const sent = new Set<string>();
  const tx = {
    outboxRelay: {
      claim: async (limit: number) => rows.filter((r) => !sent.has(r.seq)).slice(0, limit),
      markSent: async (seqs: readonly string[]) => seqs.forEach((s) => sent.add(s)),
    },
  } as unknown as DerivedTransaction;
  return { transaction: (work) => work(tx), exclusive: (_job, work) => work() };
}

describe('outbox relay: trace context on derived events', () => {
  it("publishes in a new span of the cause's trace, keeping its correlation id", () => {
    const scope = publishScope({ traceparent: CAUSE, correlationId: 'order-42' });
    expect(scope.trace.traceId).toBe(TRACE_ID);
    expect(scope.trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(scope.trace.spanId).not.toBe('00f067aa0ba902b7');
    expect(scope.trace.flags).toBe('01');
    expect(scope.correlationId).toBe('order-42');
    expect(publishScope({ traceparent: CAUSE }).trace.spanId).not.toBe(scope.trace.spanId);
  });

  it('starts a new trace when none was recorded or the recorded one is malformed', () => {
    for (const trace of [undefined, { traceparent: CAUSE.replace(TRACE_ID, '0'.repeat(32)) }, { traceparent: 'ff' + CAUSE.slice(2) }]) {
      const scope = publishScope(trace);
      expect(scope.trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(scope.trace.traceId).not.toBe(TRACE_ID);
      expect(scope.trace.traceId).not.toBe('0'.repeat(32));
      expect(scope.correlationId).toBeUndefined();
    }
    expect(publishScope(undefined).trace.traceId).not.toBe(publishScope(undefined).trace.traceId);
  });

  it('a sweep trace is a valid, fresh root (sampled)', () => {
    const a = newDerivedTrace();
    const b = newDerivedTrace();
    expect(parseTraceparent(a.traceparent)).toMatchObject({ flags: '01' });
    expect(parseTraceparent(a.traceparent)?.traceId).not.toBe(parseTraceparent(b.traceparent)?.traceId);
    expect(a.correlationId).toBeUndefined();
  });

  it('puts traceparent and x-correlation-id on each record and logs each event under its trace', async () => {
    const records: OutgoingMessage[] = [];
    const publisher: MessagePublisher = {
      isReady: () => true,
      close: async () => undefined,
      publish: async (topic, messages) => {
        records.push(...messages);
        return [{ topic, partition: 0, baseOffset: '0' }];
      },
    };
    const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: OutboxRelayLogger = { debug: (fields, message) => lines.push({ fields, message }) };
    const relay = new OutboxRelay(memoryStore([pending(1, { traceparent: CAUSE, correlationId: 'order-42' }), pending(2)]), publisher, { logger });

    expect(await relay.relayOnce()).toBe(2);
    expect(records).toHaveLength(2);
    const [traced, untraced] = records.map((r) => r.headers ?? {});
    const sent = parseTraceparent(traced?.['traceparent']);
    expect(sent?.traceId).toBe(TRACE_ID);
    expect(sent?.spanId).not.toBe('00f067aa0ba902b7');
    expect(traced?.['x-correlation-id']).toBe('order-42');
    expect(traced?.['c360-event-id']).toBe(pending(1).eventId);
    const fresh = parseTraceparent(untraced?.['traceparent']);
    expect(fresh?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh?.traceId).not.toBe(TRACE_ID);
    expect(untraced).not.toHaveProperty('x-correlation-id');

    // One line per event, under the span the record names.
    expect(lines.map((l) => l.message)).toEqual(['derived event published', 'derived event published']);
    expect(lines[0]?.fields).toMatchObject({ eventId: pending(1).eventId, type: 'ChurnFlagRaised', traceId: TRACE_ID, spanId: sent?.spanId, correlationId: 'order-42' });
    expect(lines[1]?.fields).toMatchObject({ eventId: pending(2).eventId, traceId: fresh?.traceId, spanId: fresh?.spanId });
    expect(await relay.relayOnce()).toBe(0);
  });
});
