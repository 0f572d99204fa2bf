import { setTimeout as delay } from 'node:timers/promises';
import { CANONICAL_EVENT_TYPES, CUSTOMER_STREAM_PREFIX } from '@c360/contracts';
import type { EventStore } from '@c360/event-store';
import type { MessagePublisher, OutgoingMessage, TopicAdmin } from '@c360/messaging';
import { OpsError, OpsErrorCode } from '../ops.errors';
import { toReplayMessage } from './replay-message';
import type { ReplayWindowSource } from './replay-window';

export interface ReplayRequest {
  /** Inclusive: events recorded at or after this instant. */
  readonly from: Date;
  /** Exclusive: events recorded before this instant. */
  readonly to: Date;
  /** Only these event types (default: every type). */
  readonly types?: readonly string[];
  readonly topic: string;
  /** At most this many events per second (default: as fast as the broker acknowledges). */
  readonly ratePerSecond?: number;
  /** Partitions of the topic when it has to be created (default: the configured KAFKA_PARTITIONS). */
  readonly partitions?: number;
}

export interface ReplayProgress {
  readonly published: number;
  readonly total: number;
  readonly ratePerSecond: number;
  readonly elapsedMs: number;
}

export interface ReplayResult extends ReplayProgress {
  readonly topic: string;
  /** True when stopped by the signal before the end of the window. */
  readonly cancelled: boolean;
}

export interface ReplayDeps {
  /** Read through the crypto-shredding decorator, so erased customers stay erased. */
  readonly eventStore: EventStore;
  readonly window: ReplayWindowSource;
  readonly publisher: MessagePublisher;
  readonly admin: TopicAdmin;
  /** The system's own topics (ingest, dead letters, derived): never a replay target. */
  readonly reservedTopics: readonly string[];
  readonly defaultPartitions: number;
  readonly replicationFactor?: number;
  /** Messages per send (each send is awaited: acks=all). Default 500. */
  readonly batchSize?: number;
  readonly now?: () => number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Re-publishes history from the event store to a Kafka topic for a new downstream consumer.
 * Events are read in the global order (so each customer's in stream order), sent in batches
 * that are each acknowledged before the next is read, keyed by customer: one customer's events
 * land on one partition in their order. Memory stays bounded by one batch.
 */
export class ReplayService {
  constructor(private readonly deps: ReplayDeps) {}

  /** Refuses a request that cannot be right, before anything is read or written; the problem names the field. */
  validate(request: ReplayRequest): void {
    const bad = (path: string, code: string, message: string): never => {
      throw new OpsError(OpsErrorCode.InvalidRequest, message, { errors: [{ path, code, message }] });
    };
    if (Number.isNaN(request.from.getTime())) bad('from', 'invalid-time', 'from and to must be valid times');
    if (Number.isNaN(request.to.getTime())) bad('to', 'invalid-time', 'from and to must be valid times');
    if (request.from.getTime() >= request.to.getTime())
      bad('from', 'from-not-before-to', `from (${request.from.toISOString()}) must be before to (${request.to.toISOString()}): the range is [from, to)`);
    if (!TOPIC_NAME.test(request.topic)) bad('topic', 'invalid-topic', `"${request.topic}" is not a Kafka topic name (letters, digits, ".", "_", "-"; up to 249)`);
    if (this.deps.reservedTopics.includes(request.topic)) {
      const message = `refusing to replay into "${request.topic}": it is one of c360's own topics (${this.deps.reservedTopics.join(', ')}); re-publishing history there would ingest it again or pollute it. Choose a topic for the new consumer, e.g. --topic c360.replay.my-consumer`;
      throw new OpsError(OpsErrorCode.ReplayTopicRefused, message, { topic: request.topic, errors: [{ path: 'topic', code: 'reserved-topic', message }] });
    }
    if (request.types !== undefined) {
      if (request.types.length === 0) bad('types', 'empty', 'types must name at least one event type');
      const unknown = request.types.filter((t) => !(CANONICAL_EVENT_TYPES as readonly string[]).includes(t));
      if (unknown.length > 0) bad(`types[${request.types.indexOf(unknown[0] ?? '')}]`, 'unknown-type', `unknown event type(s) ${unknown.join(', ')}; known: ${CANONICAL_EVENT_TYPES.join(', ')}`);
    }
    if (request.ratePerSecond !== undefined && !(Number.isFinite(request.ratePerSecond) && request.ratePerSecond > 0))
      bad('ratePerSecond', 'not-positive', 'rate must be a positive number of events per second');
    if (request.partitions !== undefined && !(Number.isInteger(request.partitions) && request.partitions >= 1 && request.partitions <= 10_000))
      bad('partitions', 'out-of-range', 'partitions must be a whole number from 1 to 10000');
  }

  /** How many events the request selects (0: nothing recorded in the range). */
  async count(request: ReplayRequest): Promise<number> {
    this.validate(request);
    return (await this.deps.window.find(request.from, request.to, request.types, CUSTOMER_STREAM_PREFIX))?.total ?? 0;
  }

  async run(request: ReplayRequest, options: { onProgress?: (p: ReplayProgress) => void; signal?: AbortSignal } = {}): Promise<ReplayResult> {
    this.validate(request);
    const now = this.deps.now ?? Date.now;
    const started = now();
    const window = await this.deps.window.find(request.from, request.to, request.types, CUSTOMER_STREAM_PREFIX);
    await this.deps.admin.ensureTopics([
      { name: request.topic, partitions: request.partitions ?? this.deps.defaultPartitions, ...(this.deps.replicationFactor !== undefined ? { replicationFactor: this.deps.replicationFactor } : {}) },
    ]);
    const total = window?.total ?? 0;
    let published = 0;
    const progress = (): ReplayProgress => {
      const elapsedMs = Math.max(now() - started, 1);
      return { published, total, elapsedMs, ratePerSecond: (published * 1000) / elapsedMs };
    };
    const rate = request.ratePerSecond;
    const batchSize = rate === undefined ? (this.deps.batchSize ?? 500) : Math.max(1, Math.min(this.deps.batchSize ?? 500, Math.ceil(rate / 10)));
    let batch: OutgoingMessage[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.deps.publisher.publish(request.topic, batch);
      published += batch.length;
      batch = [];
      if (rate !== undefined) {
        // Pace to the rate: the n-th event goes out no earlier than n / rate seconds in.
        const wait = (published * 1000) / rate - (now() - started);
        if (wait > 0) await delay(wait);
      }
      options.onProgress?.(progress());
    };
    let cancelled = false;
    if (window) {
      const from = request.from.getTime();
      const to = request.to.getTime();
      // A subscription, not readAll: readAll stops at the store's visibility horizon, which any
      // older transaction on the server holds back, and would end the replay short of the
      // window's last event. The subscription waits for the horizon to pass it.
      const subscription = this.deps.eventStore.subscribeToAll({
        after: window.after,
        filter: { streamPrefixes: [CUSTOMER_STREAM_PREFIX], ...(request.types ? { eventTypes: request.types } : {}) },
      });
      const stop = (): void => void subscription.stop().catch(() => undefined);
      options.signal?.addEventListener('abort', stop, { once: true });
      let reachedEnd = false;
      try {
        for await (const event of subscription) {
          if (event.globalPosition > window.upTo) {
            reachedEnd = true;
            break;
          }
          const at = event.recordedAt.getTime();
          const message = at < from || at >= to ? null : toReplayMessage(event);
          if (message !== null) batch.push(message);
          if (batch.length >= batchSize) await flush();
          if (event.globalPosition === window.upTo) {
            reachedEnd = true;
            break;
          }
          if (options.signal?.aborted) break;
        }
      } finally {
        options.signal?.removeEventListener('abort', stop);
        await subscription.stop().catch(() => undefined);
      }
      cancelled = !reachedEnd;
      if (!cancelled) await flush();
    }
    options.onProgress?.(progress());
    return { topic: request.topic, cancelled, ...progress() };
  }
}
