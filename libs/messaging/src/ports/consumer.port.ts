import type { DeadLetterPolicy, RetryPolicy } from './dead-letter';
import type { IncomingMessage, MessageBatch, TopicPartition } from './message';
import type { PartitionLag } from './topic-admin.port';

export const MESSAGE_CONSUMER_FACTORY = Symbol('MESSAGE_CONSUMER_FACTORY');

export interface BatchContext {
  /**
   * Aborted when the handler's time is up (`handlerTimeoutMs`), when the partition is
   * taken away by a rebalance, or when the consumer stops: pass it to downstream calls.
   */
  readonly signal: AbortSignal;
  /** 1 for the first delivery of the batch's first message, then 2, 3… on redelivery. */
  readonly attempt: number;
  /**
   * Marks `message` and every earlier message of the batch as handled: if the handler
   * fails later, delivery resumes after it. Without acks, a failing batch is redelivered
   * whole; a handler that resolves acknowledges the whole batch.
   */
  ack(message: IncomingMessage): void;
}

/**
 * Handles one batch of one partition, in offset order. Offsets are committed only after
 * it resolves (or for what it acked). Delivery is at least once: make the effect idempotent.
 */
export type BatchHandler = (batch: MessageBatch, context: BatchContext) => Promise<void>;

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  /** Where a group without committed offsets starts. Default true (the beginning). */
  readonly fromBeginning?: boolean;
  /** Largest batch given to the handler. Default 500. */
  readonly maxBatchSize?: number;
  /** The handler's signal aborts after this long. Default 30 s. */
  readonly handlerTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly deadLetter?: DeadLetterPolicy;
  /** Kafka group session timeout. Default 30 s. */
  readonly sessionTimeoutMs?: number;
  /** No fetch activity for this long while partitions are assigned and not paused: restart. Default 60 s. */
  readonly stallTimeoutMs?: number;
  /**
   * Longest a fetch waits for data (Kafka: fetch.max.wait), and — kafkajs — how long its fetch
   * loop sleeps while every assigned partition is paused (all handlers busy): a partition whose
   * handler finishes is fetched again at most this long after. Default 50 ms: an idle consumer
   * then asks the broker 20 times a second (cheap); at 500 ms the ingestor sat idle half the time
   * with a backlog (bench ingest: 10k → 16k events/s).
   */
  readonly fetchMaxWaitMs?: number;
}

export type ConsumerState = 'idle' | 'starting' | 'running' | 'restarting' | 'stopped';

export interface ConsumerHealth {
  readonly state: ConsumerState;
  /** Running, and (Kafka) a member of its group: what readiness should check. */
  readonly healthy: boolean;
  readonly assigned: readonly TopicPartition[];
  /** Partitions whose handler has run past `handlerTimeoutMs` without returning. */
  readonly stalledPartitions: readonly TopicPartition[];
  readonly restarts: number;
  readonly lastError?: { readonly code: string; readonly message: string };
  readonly lastActivityAt?: Date;
}

export type ConsumerEvent =
  | { readonly type: 'assigned'; readonly partitions: readonly TopicPartition[] }
  | {
      readonly type: 'committed';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
    }
  | {
      readonly type: 'handler-failed';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly attempt: number;
      readonly error: Error;
    }
  | {
      readonly type: 'dead-lettered';
      readonly topic: string;
      readonly partition: number;
      readonly offset: string;
      readonly code: string;
    }
  | { readonly type: 'crashed'; readonly error: Error }
  | { readonly type: 'restarting'; readonly reason: string }
  | { readonly type: 'stalled'; readonly partitions: readonly TopicPartition[] };

export interface MessageConsumer {
  /** Resolves once subscribed and running (partitions arrive with the first `assigned`). */
  start(): Promise<void>;
  /** Stops fetching, aborts handlers, waits briefly for them, leaves the group. */
  stop(): Promise<void>;
  pause(topic: string, partitions?: readonly number[]): void;
  resume(topic: string, partitions?: readonly number[]): void;
  health(): ConsumerHealth;
  lag(): Promise<readonly PartitionLag[]>;
  /** Returns an unsubscribe function. Listeners must not throw. */
  onEvent(listener: (event: ConsumerEvent) => void): () => void;
}

export interface MessageConsumerFactory {
  create(options: ConsumerOptions): MessageConsumer;
}
