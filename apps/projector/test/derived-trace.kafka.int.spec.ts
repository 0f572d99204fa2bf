import { randomBytes, randomUUID } from 'node:crypto';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType, type DerivedEventType } from '@c360/contracts';
import type { JsonObject } from '@c360/event-store';
import { KafkaConsumerFactory, KafkaPublisher, type MessageConsumer } from '@c360/messaging';
import { parseTraceparent } from '@c360/observability';
import { derivedEventId } from '@c360/projections';
import type { HistoryAppend } from '@c360/projections/testing';
import { createTopic, expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const DAY = 86_400_000;
const LAST = Date.UTC(2026, 5, 1, 9);
/** Uses the app, then goes quiet: enters digital-first by its events, leaves it (and is flagged inactive) by the clock. */
const APP_USER = 'TR-APP';
/** Answers an NPS survey as a detractor: a churn flag raised by that event. */
const DETRACTOR = 'TR-NPS';
/** Its events were stored without a trace (before tracing, or by a producer that sent none). */
const UNTRACED = 'TR-NONE';

interface Source {
  readonly customerId: string;
  readonly eventId: string;
  readonly traceId: string | null;
  readonly traceparent: string | null;
  readonly correlationId: string | null;
}

interface Received {
  readonly eventId: string;
  readonly type: string;
  readonly customerId: string;
  readonly subject: string;
  readonly headers: Record<string, string>;
}

describe('trace context on derived events, on the real Kafka broker', () => {
  let h: Harness;
  const topic = uniqueTopic('c360.derived-trace');
  const connection = { brokers: kafkaBrokers(), clientId: 'derived-trace-test' };
  const publisher = new KafkaPublisher(connection);
  let consumer: MessageConsumer | undefined;
  let projector: Projector | undefined;
  const sources: Source[] = [];
  const received: Received[] = [];
  // The relay logs through Nest's Logger, which the apps route to their JSON logs: capture it.
  const logLines: Array<Record<string, unknown>> = [];
  const capture: LoggerService = {
    log: () => undefined,
    error: () => undefined,
    warn: () => undefined,
    debug: (message: unknown) => {
      if (typeof message === 'object' && message !== null) logLines.push(message as Record<string, unknown>);
    },
  };

  const append = (customerId: string, type: CanonicalEventType, at: number, traced: boolean, data?: JsonObject): HistoryAppend => {
    const eventId = randomUUID();
    const traceId = traced ? randomBytes(16).toString('hex') : null;
    const traceparent = traceId === null ? null : `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const correlationId = traced ? `corr-${eventId.slice(0, 8)}` : null;
    sources.push({ customerId, eventId, traceId, traceparent, correlationId });
    return {
      streamId: customerStreamId(customerId),
      event: {
        eventId,
        type,
        version: 1,
        data: data ?? (structuredClone(EXAMPLES_V1[type].data) as unknown as JsonObject),
        occurredAt: new Date(at),
        // What the ingestor records (libs/observability toStoredTrace): the hop's traceparent and correlation id.
        ...(traceparent !== null && correlationId !== null ? { metadata: { trace: { traceparent, correlationId } } } : {}),
      },
    };
  };
  const registered = (id: string): JsonObject => ({
    ...(structuredClone(EXAMPLES_V1.CustomerRegistered.data) as unknown as JsonObject),
    customerNumber: id,
    region: 'north',
  });

  /** The source event whose application produced this derived event (event ids are a function of the cause). */
  const causeOf = (r: Received): Source | undefined =>
    sources.find((s) => s.customerId === r.customerId && derivedEventId(r.customerId, r.subject, r.type as DerivedEventType, s.eventId) === r.eventId);

  const outbox = async (): Promise<Array<{ seq: number; event_id: string; sent: boolean; trace: { traceparent: string; correlationId?: string } | null }>> =>
    (
      await h.db.pool.query<{ seq: number; event_id: string; sent: boolean; trace: { traceparent: string; correlationId?: string } | null }>(
        'SELECT seq::int AS seq, event_id::text AS event_id, sent_at IS NOT NULL AS sent, trace FROM read_models.derived_outbox ORDER BY seq',
      )
    ).rows;

  const startProjector = async (workerId: string, extra: { sweepIntervalMs: number; clock?: () => Date }): Promise<Projector> => {
    const p = new Projector({
      config: h.config({ workerId, mode: 'single' }),
      derived: { ...parseDerivedConfig({ DERIVED_TOPIC: topic }), relayIntervalMs: 50, sweepIntervalMs: extra.sweepIntervalMs },
      publisher,
      ...(extra.clock ? { clock: extra.clock } : {}),
    });
    await p.start();
    return p;
  };

  let npsAnswer: HistoryAppend;

  beforeAll(async () => {
    Logger.overrideLogger(capture);
    h = await createHarness();
    await createTopic(topic, 3);
    npsAnswer = append(DETRACTOR, 'SurveyAnswered', LAST - DAY, true, { kind: 'nps', score: 2 });
    await h.append([
      append(APP_USER, 'CustomerRegistered', LAST - 30 * DAY, true, registered(APP_USER)),
      ...[15, 10, 5, 0].map((d) => append(APP_USER, 'MobileSessionStarted', LAST - d * DAY, true)),
      append(DETRACTOR, 'CustomerRegistered', LAST - 30 * DAY, true, registered(DETRACTOR)),
      npsAnswer,
      append(UNTRACED, 'CustomerRegistered', LAST - 30 * DAY, false, registered(UNTRACED)),
      append(UNTRACED, 'SurveyAnswered', LAST - DAY, false, { kind: 'nps', score: 1 }),
    ]);
    consumer = new KafkaConsumerFactory(connection).create({
      groupId: uniqueTopic('derived-trace-reader'),
      topics: [topic],
      sessionTimeoutMs: 10_000,
      handler: async (batch) => {
        for (const m of batch.messages) {
          const event = JSON.parse(m.value?.toString('utf8') ?? '{}') as { eventId: string; customerId: string; type: string; data: { segmentId?: string; code?: string } };
          const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toString('utf8')]));
          received.push({ eventId: event.eventId, type: event.type, customerId: event.customerId, subject: event.data.segmentId ?? event.data.code ?? '', headers });
        }
      },
    });
    await consumer.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await projector?.stop();
    await publisher.close();
    await h?.close();
    Logger.overrideLogger(new ConsoleLogger());
  });

  it("an event stored with a trace that enters a segment or raises a churn flag: the derived record carries that trace id, in a new span", async () => {
    projector = await startProjector('trace-live', { sweepIntervalMs: 0 });
    await h.caughtUpDigest();
    await expectEventually(async () => expect((await outbox()).every((r) => r.sent)).toBe(true), { timeoutMs: 30_000 });
    const rows = await outbox();
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(rows.length), { timeoutMs: 60_000, intervalMs: 100 });

    const entered = received.find((r) => r.customerId === APP_USER && r.type === 'SegmentEntered' && r.subject === 'digital-first');
    const raised = received.find((r) => r.customerId === DETRACTOR && r.type === 'ChurnFlagRaised' && r.subject === 'nps-detractor');
    expect(entered).toBeDefined();
    expect(raised).toBeDefined();
    // Every event-caused derived record of the traced customers: its cause's trace id and correlation id, a new parent id.
    const traced = received.filter((r) => r.customerId !== UNTRACED);
    expect(traced.length).toBeGreaterThanOrEqual(2);
    for (const r of traced) {
      const cause = causeOf(r);
      expect(cause?.traceId).toMatch(/^[0-9a-f]{32}$/);
      const sent = parseTraceparent(r.headers['traceparent']);
      expect(sent?.traceId).toBe(cause?.traceId);
      expect(r.headers['traceparent']).not.toBe(cause?.traceparent);
      expect(r.headers['x-correlation-id']).toBe(cause?.correlationId);
      // Stored with the row: the cause's trace as recorded.
      expect(rows.find((row) => row.event_id === r.eventId)?.trace).toEqual({ traceparent: cause?.traceparent, correlationId: cause?.correlationId });
    }
    expect(causeOf(raised!)?.eventId).toBe(npsAnswer.event.eventId);

    // Caused by events stored without a trace: nothing stored, a valid new trace on the record, no correlation id.
    const untraced = received.filter((r) => r.customerId === UNTRACED);
    expect(untraced.some((r) => r.type === 'ChurnFlagRaised')).toBe(true);
    const knownTraceIds = new Set(sources.map((s) => s.traceId));
    for (const r of untraced) {
      expect(rows.find((row) => row.event_id === r.eventId)?.trace).toBeNull();
      const sent = parseTraceparent(r.headers['traceparent']);
      expect(sent?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(knownTraceIds.has(sent!.traceId)).toBe(false);
      expect(r.headers).not.toHaveProperty('x-correlation-id');
    }

    // The relay's log line for the event is written under the record's trace and span.
    const line = logLines.find((l) => l['eventId'] === raised!.eventId);
    const sent = parseTraceparent(raised!.headers['traceparent']);
    expect(line).toMatchObject({ type: 'ChurnFlagRaised', traceId: sent?.traceId, spanId: sent?.spanId, correlationId: raised!.headers['x-correlation-id'] });
  });

  it('derived events caused by the clock (churn and segment sweepers) carry a valid fresh trace, one per sweep', async () => {
    await projector?.stop();
    const before = new Set((await outbox()).map((r) => r.event_id));
    const clock = (): Date => new Date(LAST + 81 * DAY);
    projector = await startProjector('trace-sweep', { sweepIntervalMs: 100, clock });
    const fresh = async (): Promise<Array<{ event_id: string; sent: boolean; trace: { traceparent: string } | null }>> =>
      (await outbox()).filter((r) => !before.has(r.event_id));
    // APP_USER leaves digital-first (segment sweep) and is flagged inactive (churn sweep).
    const ids = await expectEventually(
      async () => {
        const rows = await fresh();
        const bySweep = received.filter((r) => rows.some((row) => row.event_id === r.eventId));
        expect(bySweep.some((r) => r.customerId === APP_USER && r.type === 'SegmentLeft' && r.subject === 'digital-first')).toBe(true);
        expect(bySweep.some((r) => r.customerId === APP_USER && r.type === 'ChurnFlagRaised' && r.subject === 'inactivity')).toBe(true);
        expect(rows.every((row) => row.sent)).toBe(true);
        return rows;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const bySweep = received.filter((r) => ids.some((row) => row.event_id === r.eventId));
    const knownTraceIds = new Set(sources.map((s) => s.traceId));
    const traceOfRow = (eventId: string): string | undefined => parseTraceparent(ids.find((row) => row.event_id === eventId)?.trace?.traceparent)?.traceId;
    for (const r of bySweep) {
      const sent = parseTraceparent(r.headers['traceparent']);
      expect(sent?.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(knownTraceIds.has(sent!.traceId)).toBe(false);
      // Stored with the row (the sweep's trace), sent as a new span of it.
      expect(traceOfRow(r.eventId)).toBe(sent?.traceId);
      expect(r.headers).not.toHaveProperty('x-correlation-id');
    }
    // One trace per sweep: the segment sweep's events share one, the churn sweep's another.
    const segmentTraces = new Set(bySweep.filter((r) => r.type.startsWith('Segment')).map((r) => parseTraceparent(r.headers['traceparent'])?.traceId));
    const churnTraces = new Set(bySweep.filter((r) => r.type.startsWith('ChurnFlag')).map((r) => parseTraceparent(r.headers['traceparent'])?.traceId));
    expect(segmentTraces.size).toBe(1);
    expect(churnTraces.size).toBe(1);
    expect([...segmentTraces][0]).not.toBe([...churnTraces][0]);
  });
});
