import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { consumerDefaults, tpKey } from '../../core/consumer-defaults';
import { delay, runPartitionBatch, settleWithin } from '../../core/partition-lane';
import type {
  ConsumerEvent,
  ConsumerHealth,
  ConsumerOptions,
  ConsumerState,
  MessageConsumer,
  MessageConsumerFactory,
} from '../../ports/consumer.port';
import type { IncomingMessage, TopicPartition } from '../../ports/message';
import type { PartitionLag } from '../../ports/topic-admin.port';
import { MessagingError, MessagingErrorCode } from '../../messaging.errors';
import { fetchGroupLag } from './kafkajs-admin';
import { createKafka, type KafkaConnectionOptions } from './kafkajs-client';
import { translateKafkaError } from './kafkajs-errors';

interface Lane {
  readonly tp: TopicPartition;
  readonly abort: AbortController;
  busy: Promise<void> | undefined;
  stalled: boolean;
}

type BatchContext = { readonly firstOffset?: unknown; readonly lastOffsetDelta?: unknown };
/** Per record batch (its records share one header object): computed once, not per message. */
const batchLastOffsets = new WeakMap<BatchContext, string | undefined>();

/** The last offset of the record batch a message came in: kafkajs keeps the batch header on each record (not in its types). */
const lastOffsetOfBatch = (m: KafkaMessage): string | undefined => {
  const batch = (m as { batchContext?: BatchContext }).batchContext;
  if (batch === undefined) return undefined;
  if (batchLastOffsets.has(batch)) return batchLastOffsets.get(batch);
  const last =
    typeof batch.firstOffset === 'string' && typeof batch.lastOffsetDelta === 'number'
      ? (BigInt(batch.firstOffset) + BigInt(batch.lastOffsetDelta)).toString()
      : undefined;
  batchLastOffsets.set(batch, last);
  return last;
};

const toIncoming = (topic: string, partition: number, m: KafkaMessage): IncomingMessage => {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined)
      headers[k] = Buffer.isBuffer(first) ? first : Buffer.from(first, 'utf8');
  }
  const producerBatchLastOffset = lastOffsetOfBatch(m);
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers,
    timestamp: Number(m.timestamp),
    ...(producerBatchLastOffset !== undefined ? { producerBatchLastOffset } : {}),
  };
};

/**
 * kafkajs consumer group behind the MessageConsumer port.
 *
 * Why it is shaped like this (the known kafkajs failure modes):
 * - Each partition is a lane: `eachBatch` hands the batch to the lane, pauses the
 *   partition and returns at once, so kafkajs keeps fetching and heartbeating while a
 *   handler is slow, and one stalled customer does not hold up the other partitions
 *   (kafkajs itself waits for every batch of a fetch before the next fetch).
 * - Offsets are committed explicitly, after the handler handled (or acked) the messages;
 *   never auto-committed.
 * - A crashed kafkajs consumer is replaced by a new one, with backoff, until `stop()`
 *   (kafkajs' own restart does not cover every error); so is one whose fetch loop has gone
 *   silent for `stallTimeoutMs` (the watchdog).
 * - Partitions taken away by a rebalance abort their lane's signal; nothing further of it
 *   is committed. Delivery is at least once: a rebalance can redeliver.
 */
export class KafkaConsumer implements MessageConsumer {
  private readonly kafka: Kafka;
  private readonly o: ReturnType<typeof consumerDefaults>;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private generation = 0;
  private state: ConsumerState = 'idle';
  private member = false;
  private assigned: TopicPartition[] = [];
  private readonly lanes = new Map<string, Lane>();
  private readonly userPaused = new Set<string>();
  private readonly listeners = new Set<(e: ConsumerEvent) => void>();
  private restarts = 0;
  private lastError: { code: string; message: string } | undefined;
  private lastActivity = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private restarting: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    connection: KafkaConnectionOptions,
    private readonly options: ConsumerOptions,
  ) {
    this.kafka = createKafka(connection);
    this.o = consumerDefaults(options);
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    try {
      await this.spawn();
    } catch (e) {
      this.state = 'stopped';
      throw e;
    }
    this.state = 'running';
    const every = Math.max(200, Math.min(5000, Math.floor(this.o.stallTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.checkStall(), every);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.member = false;
    this.stopping.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    await this.drainLanes();
    await this.restarting?.catch(() => undefined);
    const c = this.consumer;
    this.consumer = undefined;
    await c?.disconnect().catch(() => undefined);
    const a = this.admin;
    this.admin = undefined;
    await a?.disconnect().catch(() => undefined);
  }

  pause(topic: string, partitions?: readonly number[]): void {
    const keys = partitions ? partitions.map((p) => tpKey(topic, p)) : [tpKey(topic, -1)];
    keys.forEach((k) => this.userPaused.add(k));
    this.consumer?.pause([{ topic, partitions: partitions ? [...partitions] : undefined }]);
  }

  resume(topic: string, partitions?: readonly number[]): void {
    if (partitions) partitions.forEach((p) => this.userPaused.delete(tpKey(topic, p)));
    else
      for (const k of [...this.userPaused])
        if (k.startsWith(`${topic}|`)) this.userPaused.delete(k);
    const candidates = this.assigned.filter(
      (tp) => tp.topic === topic && (!partitions || partitions.includes(tp.partition)),
    );
    const free = candidates
      .filter((tp) => !this.lanes.get(tpKey(tp.topic, tp.partition))?.busy)
      .map((tp) => tp.partition);
    if (free.length > 0) this.consumer?.resume([{ topic, partitions: free }]);
  }

  health(): ConsumerHealth {
    return {
      state: this.state,
      healthy: this.state === 'running' && this.member,
      assigned: [...this.assigned],
      stalledPartitions: [...this.lanes.values()].filter((l) => l.stalled).map((l) => l.tp),
      restarts: this.restarts,
      lastError: this.lastError,
      lastActivityAt: new Date(this.lastActivity),
    };
  }

  async lag(): Promise<readonly PartitionLag[]> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      return await fetchGroupLag(this.admin, this.options.groupId, this.options.topics);
    } catch (e) {
      throw translateKafkaError(e, `lag of group ${this.options.groupId}`);
    }
  }

  onEvent(listener: (event: ConsumerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------

  /** A method, not a field test: the state changes across awaits. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private emit(event: ConsumerEvent): void {
    for (const l of this.listeners) l(event);
  }

  private isUserPaused(tp: TopicPartition): boolean {
    return (
      this.userPaused.has(tpKey(tp.topic, tp.partition)) || this.userPaused.has(tpKey(tp.topic, -1))
    );
  }

  private async spawn(): Promise<void> {
    const generation = ++this.generation;
    const session = this.o.sessionTimeoutMs;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: session,
      heartbeatInterval: Math.max(100, Math.min(3000, Math.floor(session / 5))),
      rebalanceTimeout: Math.max(session, 30_000),
      maxWaitTimeInMs: this.o.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
      // Our own restart policy replaces kafkajs'; see onCrash.
      retry: {
        initialRetryTime: 200,
        maxRetryTime: 5000,
        retries: 5,
        restartOnFailure: async () => false,
      },
    });
    const alive = (): boolean => generation === this.generation;
    const touch = (): void => {
      if (alive()) this.lastActivity = Date.now();
    };
    consumer.on(consumer.events.FETCH_START, touch);
    consumer.on(consumer.events.FETCH, touch);
    consumer.on(consumer.events.HEARTBEAT, touch);
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (alive()) this.onAssigned(payload.memberAssignment);
    });
    consumer.on(consumer.events.REBALANCING, () => {
      if (alive()) this.member = false;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (alive()) this.onCrash(payload.error);
    });
    this.consumer = consumer;
    this.member = false;
    this.lastActivity = Date.now();
    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.o.fromBeginning,
      });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => {
          if (alive()) this.onBatch(consumer, payload);
        },
      });
    } catch (e) {
      await consumer.disconnect().catch(() => undefined);
      throw translateKafkaError(e, `consumer ${this.options.groupId} start`);
    }
  }

  private onAssigned(assignment: Record<string, number[]>): void {
    const now: TopicPartition[] = Object.entries(assignment).flatMap(([topic, ps]) =>
      ps.map((partition) => ({ topic, partition })),
    );
    const keep = new Set(now.map((tp) => tpKey(tp.topic, tp.partition)));
    for (const [k, lane] of this.lanes) {
      if (!keep.has(k)) {
        lane.abort.abort(
          new MessagingError(MessagingErrorCode.Rebalancing, 'partition revoked', true),
        );
        this.lanes.delete(k);
      }
    }
    this.assigned = now;
    this.member = true;
    this.lastActivity = Date.now();
    // Pauses do not survive a rejoin in every case: put back ours and the user's.
    for (const tp of now) {
      if (this.lanes.get(tpKey(tp.topic, tp.partition))?.busy || this.isUserPaused(tp)) {
        this.consumer?.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
      }
    }
    this.emit({ type: 'assigned', partitions: now });
  }

  private onBatch(consumer: Consumer, p: EachBatchPayload): void {
    const { topic, partition } = p.batch;
    const key = tpKey(topic, partition);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        tp: { topic, partition },
        abort: new AbortController(),
        busy: undefined,
        stalled: false,
      };
      this.lanes.set(key, lane);
    }
    consumer.pause([{ topic, partitions: [partition] }]);
    // Still busy with an earlier batch (fetched before the pause took hold): kafkajs will
    // fetch these again from the resolved offset once the lane resumes the partition.
    if (lane.busy) return;
    const messages = p.batch.messages.map((m) => toIncoming(topic, partition, m));
    if (messages.length === 0) {
      if (!this.isUserPaused(lane.tp)) consumer.resume([{ topic, partitions: [partition] }]);
      return;
    }
    const current = lane;
    const signal = AbortSignal.any([current.abort.signal, this.stopping.signal]);
    current.busy = runPartitionBatch(
      { topic, partition, messages },
      {
        handler: this.options.handler,
        maxBatchSize: this.o.maxBatchSize,
        handlerTimeoutMs: this.o.handlerTimeoutMs,
        retry: this.o.retry,
        deadLetter: this.o.deadLetter,
        signal,
        commit: async (nextOffset) => {
          if (signal.aborted || consumer !== this.consumer)
            throw new MessagingError(MessagingErrorCode.Rebalancing, 'lane aborted', true);
          try {
            await consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
          } catch (e) {
            const err = translateKafkaError(e, `commit ${topic}/${partition}`);
            this.lastError = { code: err.code, message: err.message };
            throw err;
          }
          // Move kafkajs' fetch position past what is committed.
          p.resolveOffset((BigInt(nextOffset) - 1n).toString());
        },
        emit: (e) => this.emit(e),
        onStall: (stalled) => {
          current.stalled = stalled;
          if (stalled) this.emit({ type: 'stalled', partitions: [current.tp] });
        },
      },
    )
      .then(() => undefined)
      .catch((e: unknown) => {
        const err = translateKafkaError(e, `partition ${topic}/${partition}`);
        this.lastError = { code: err.code, message: err.message };
      })
      .finally(() => {
        current.busy = undefined;
        current.stalled = false;
        const stillOurs =
          this.lanes.get(key) === current && consumer === this.consumer && this.state === 'running';
        if (stillOurs && !this.isUserPaused(current.tp))
          consumer.resume([{ topic, partitions: [partition] }]);
      });
  }

  private onCrash(error: Error): void {
    if (this.state === 'stopped') return;
    const err = translateKafkaError(error, `consumer ${this.options.groupId} crashed`);
    this.lastError = { code: err.code, message: err.message };
    this.member = false;
    this.emit({ type: 'crashed', error: err });
    this.restart('crash');
  }

  private checkStall(): void {
    if (this.state !== 'running' || this.restarting) return;
    const fetching = this.assigned.some(
      (tp) => !this.isUserPaused(tp) && !this.lanes.get(tpKey(tp.topic, tp.partition))?.busy,
    );
    const idleFor = Date.now() - this.lastActivity;
    if ((fetching || this.assigned.length === 0) && idleFor > this.o.stallTimeoutMs) {
      this.emit({ type: 'stalled', partitions: this.assigned });
      this.restart(`no fetch activity for ${idleFor} ms`);
    }
  }

  /** Replaces the kafkajs consumer, with backoff, until it runs again or we stop. */
  private restart(reason: string): void {
    if (this.restarting || this.state === 'stopped') return;
    this.restarting = (async () => {
      this.state = 'restarting';
      this.member = false;
      this.emit({ type: 'restarting', reason });
      let attempt = 0;
      while (!this.isStopped()) {
        attempt += 1;
        this.restarts += 1;
        this.generation += 1; // silences the old consumer's callbacks
        await this.drainLanes();
        const old = this.consumer;
        this.consumer = undefined;
        await old?.disconnect().catch(() => undefined);
        if (this.isStopped()) return;
        try {
          await this.spawn();
          this.state = 'running';
          return;
        } catch (e) {
          const err = translateKafkaError(e, 'consumer restart');
          this.lastError = { code: err.code, message: err.message };
          await delay(Math.min(10_000, 250 * 2 ** Math.min(attempt, 6)), this.stopping.signal);
        }
      }
    })().finally(() => {
      this.restarting = undefined;
    });
  }

  /** Aborts every lane and waits (briefly: a handler may ignore its signal) for them. */
  private async drainLanes(): Promise<void> {
    const busy: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      lane.abort.abort(new MessagingError(MessagingErrorCode.Closed, 'consumer stopping', false));
      if (lane.busy) busy.push(lane.busy);
    }
    this.lanes.clear();
    this.assigned = [];
    await settleWithin(busy, 5000);
  }
}

export class KafkaConsumerFactory implements MessageConsumerFactory {
  constructor(private readonly connection: KafkaConnectionOptions) {}

  create(options: ConsumerOptions): MessageConsumer {
    return new KafkaConsumer(this.connection, options);
  }
}
