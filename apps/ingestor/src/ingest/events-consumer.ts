import { Logger } from '@nestjs/common';
import type { BatchHandler, IncomingMessage, MessageConsumer, MessageConsumerFactory } from '@c360/messaging';
import { CORRELATION_ID_HEADER, runInTraceScope, TRACEPARENT_HEADER, traceScopeFromHeaders, type TraceScope } from '@c360/observability';
import { decodeEventMessage } from './decode-message';
import { arrivedUnder } from './to-new-event';
import type { Ingestion } from './ingestion';

export interface EventsConsumerOptions {
  readonly groupId: string;
  readonly topic: string;
  readonly maxBatchSize?: number;
  readonly sessionTimeoutMs?: number;
  /** A debug line per event ingested (off unless the log level is debug or trace: it costs per event). */
  readonly logEachEvent?: boolean;
}

/**
 * The trace scope of a record (a child span of its `traceparent`), one per distinct trace
 * headers within a batch: the events of one gateway request share their headers, and so
 * share the ingestor's span (a random span id per event was a cost per event).
 */
export function tracesOfBatch(): (m: IncomingMessage) => TraceScope | undefined {
  const seen = new Map<string, TraceScope | undefined>();
  return (m) => {
    const parent = m.headers[TRACEPARENT_HEADER];
    const correlation = m.headers[CORRELATION_ID_HEADER];
    const first = parent?.toString('latin1') ?? '';
    const key = `${first.length}:${first}${correlation?.toString('latin1') ?? ''}`;
    if (seen.has(key)) return seen.get(key);
    const scope = traceScopeFromHeaders(m.headers);
    seen.set(key, scope);
    return scope;
  };
}

/**
 * The ingestor's consumer group on the events topic: each batch (one partition, offset order)
 * is decoded, validated and ingested; the port commits the offsets only after the handler
 * resolved. Poison messages are dead-lettered inside the handler, so they never block the
 * partition; a transient failure (store or database unavailable) fails the batch and the port
 * redelivers it after a backoff — everything the handler does is idempotent.
 */
export class EventsConsumer {
  private readonly logger = new Logger('Ingestor');
  private consumer: MessageConsumer | undefined;

  constructor(
    private readonly factory: MessageConsumerFactory,
    private readonly ingestion: Ingestion,
    private readonly options: EventsConsumerOptions,
  ) {}

  async start(): Promise<void> {
    const handler: BatchHandler = async (batch) => {
      const inputs = batch.messages.map((m) => ({
        decoded: decodeEventMessage(m.value),
        source: { topic: m.topic, partition: m.partition, offset: m.offset },
        message: m,
      }));
      // Each record's trace (its traceparent header) goes into its stored event's metadata and on its log line.
      const traceOf = tracesOfBatch();
      const traces = inputs.map((i) => (i.decoded.ok ? traceOf(i.message) : undefined));
      inputs.forEach((i, n) => i.decoded.ok && arrivedUnder(i.decoded.event, traces[n]));
      await this.ingestion.ingest(inputs);
      if (this.options.logEachEvent !== true) return;
      inputs.forEach(({ decoded, source }, n) => {
        const trace = traces[n];
        if (trace && decoded.ok) runInTraceScope(trace, () => this.logger.debug({ eventId: decoded.event.eventId, partition: source.partition, offset: source.offset }, 'event ingested'));
      });
    };
    this.consumer = this.factory.create({
      groupId: this.options.groupId,
      topics: [this.options.topic],
      handler,
      fromBeginning: true,
      maxBatchSize: this.options.maxBatchSize ?? 2000,
      sessionTimeoutMs: this.options.sessionTimeoutMs ?? 30_000,
      retry: { initialBackoffMs: 200, maxBackoffMs: 5_000 },
    });
    this.consumer.onEvent((e) => {
      switch (e.type) {
        case 'handler-failed':
          // The error's class and code only: driver messages can carry values.
          this.logger.warn({ partition: e.partition, offset: e.offset, attempt: e.attempt, error: e.error.name, code: (e.error as { code?: unknown }).code }, 'batch failed; will retry');
          break;
        case 'crashed':
        case 'restarting':
        case 'stalled':
          this.logger.warn({ event: e.type }, 'consumer trouble');
          break;
        case 'assigned':
        case 'committed':
        case 'dead-lettered':
          break;
      }
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }

  healthy(): boolean {
    return this.consumer?.health().healthy ?? false;
  }

  async lag(): Promise<number | undefined> {
    if (!this.consumer) return undefined;
    const parts = await this.consumer.lag();
    return parts.reduce((sum, p) => sum + p.lag, 0);
  }
}
