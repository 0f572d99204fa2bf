import { Logger } from '@nestjs/common';
import type { MessagePublisher, OutgoingMessage } from '@c360/messaging';
import {
  childTraceContext,
  CORRELATION_ID_HEADER,
  formatTraceparent,
  newTraceContext,
  runInTraceScope,
  STORED_TRACE_KEY,
  toStoredTrace,
  traceLogFields,
  traceScopeFromMetadata,
  TRACEPARENT_HEADER,
  type TraceScope,
} from '@c360/observability';
import type { DerivedStore, DerivedTrace, PendingOutboxMessage } from '@c360/projections';

/** Where the relay logs (Nest's `Logger` fits; tests pass their own). */
export interface OutboxRelayLogger {
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface OutboxRelayOptions {
  readonly intervalMs?: number;
  readonly batchSize?: number;
  /** Default: Nest's `Logger` ('OutboxRelay'), which the apps route to their JSON logs. */
  readonly logger?: OutboxRelayLogger;
}

/**
 * The trace scope a derived event is published in: a new span of the trace its cause was
 * recorded with (W3C: same trace id, new parent id; the correlation id kept), or a new trace
 * when it has none or a malformed one (rows from before the column, causes stored untraced).
 */
export function publishScope(trace: DerivedTrace | undefined): TraceScope {
  const cause = trace === undefined ? undefined : traceScopeFromMetadata({ [STORED_TRACE_KEY]: trace });
  if (cause === undefined) return { trace: newTraceContext() };
  return { trace: childTraceContext(cause.trace), ...(cause.correlationId !== undefined ? { correlationId: cause.correlationId } : {}) };
}

/** A new trace for the derived events the clock causes (`DerivedServiceOptions.newTrace`: one per sweep). */
export const newDerivedTrace = (): DerivedTrace => toStoredTrace({ trace: newTraceContext() });

/** The record of a derived event: its stable id and type, and its trace (`traceparent`, `x-correlation-id`). */
function recordOf(m: PendingOutboxMessage, scope: TraceScope): OutgoingMessage {
  return {
    key: m.key,
    value: JSON.stringify(m.event),
    headers: {
      'c360-event-id': m.eventId,
      'c360-event-type': m.event.type,
      [TRACEPARENT_HEADER]: formatTraceparent(scope.trace),
      ...(scope.correlationId !== undefined ? { [CORRELATION_ID_HEADER]: scope.correlationId } : {}),
    },
  };
}

/**
 * Relays the transactional outbox of derived events to the publisher: claims the oldest
 * unsent rows (SKIP LOCKED, so several projector processes never send the same row at
 * once), publishes them with their stable event ids, marks them sent in the same
 * transaction. At least once: a crash after the broker's ack and before the commit sends
 * those rows again — with the same ids, which consumers deduplicate on.
 *
 * Each record carries the trace of what caused its event (stored with the row): a span of
 * that trace is the publish, in the record's `traceparent`, and the relay's log line for the
 * event is written under it — so a trace id found on a derived event leads back to the
 * request and the event that caused it. A republish is a new span of the same trace.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private readonly logger: OutboxRelayLogger;

  constructor(
    private readonly store: DerivedStore,
    private readonly publisher: MessagePublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.logger = options.logger ?? new Logger('OutboxRelay');
  }

  /** Sends what is pending, batch by batch; returns how many were sent. */
  async relayOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.store.transaction(async (tx) => {
        const pending = await tx.outboxRelay.claim(this.options.batchSize ?? 500);
        if (pending.length === 0) return 0;
        const byTopic = new Map<string, { message: PendingOutboxMessage; scope: TraceScope }[]>();
        for (const message of pending) {
          const entry = { message, scope: publishScope(message.trace) };
          const list = byTopic.get(message.topic);
          if (list === undefined) byTopic.set(message.topic, [entry]);
          else list.push(entry);
        }
        for (const [topic, entries] of byTopic) {
          await this.publisher.publish(topic, entries.map((e) => recordOf(e.message, e.scope)));
          for (const { message, scope } of entries)
            runInTraceScope(scope, () =>
              this.logger.debug({ eventId: message.eventId, type: message.event.type, topic, ...traceLogFields(scope) }, 'derived event published'),
            );
        }
        await tx.outboxRelay.markSent(pending.map((m) => m.seq));
        return pending.length;
      });
      sent += n;
      if (n === 0) return sent;
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      this.running = this.relayOnce()
        .catch(() => 0) // broker or database away: try again next tick
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(tick, this.options.intervalMs ?? 200);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
