import { consumerDefaults, tpKey } from '../../core/consumer-defaults';
import { runPartitionBatch, settleWithin } from '../../core/partition-lane';
import { MessagingError, MessagingErrorCode } from '../../messaging.errors';
import type {
  ConsumerEvent,
  ConsumerHealth,
  ConsumerOptions,
  ConsumerState,
  MessageConsumer,
  MessageConsumerFactory,
} from '../../ports/consumer.port';
import type {
  IncomingMessage,
  OutgoingMessage,
  PublishReceipt,
  TopicPartition,
} from '../../ports/message';
import type { MessagePublisher } from '../../ports/publisher.port';
import type { PartitionLag, TopicAdmin, TopicSpec } from '../../ports/topic-admin.port';

/**
 * Kafka's delivery model inside one process, for the all-in-one mode without a broker:
 * topics with partitions chosen by key hash (per-key order), consumer groups with
 * committed offsets, at-least-once delivery with commit after the handler succeeded, the
 * same retry and dead-letter rules as the Kafka adapter. Nothing is durable: the caller
 * owns durable hand-off (all-in-one: the event store is the record). Messages every group
 * has consumed are dropped, so memory stays bounded while consumers keep up.
 */
interface PartitionLog {
  /** Offset of messages[0]. */
  base: bigint;
  messages: IncomingMessage[];
  waiters: Array<() => void>;
}

interface Group {
  readonly committed: Map<string, bigint>;
  readonly members: InProcessConsumer[];
}

const toBuffer = (v: Uint8Array | string): Buffer =>
  typeof v === 'string'
    ? Buffer.from(v, 'utf8')
    : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** FNV-1a: a stable key → partition mapping (the same within this process, which is all that matters here). */
export const partitionForKey = (key: Uint8Array, partitions: number): number => {
  let h = 0x811c9dc5;
  for (const b of key) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h % partitions;
};

export class InProcessBroker implements TopicAdmin {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, Group>();

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    for (const t of topics) {
      if (!Number.isInteger(t.partitions) || t.partitions < 1) {
        throw new MessagingError(
          MessagingErrorCode.InvalidArgument,
          `topic ${t.name}: partitions must be ≥ 1`,
          false,
        );
      }
      if (!this.topics.has(t.name)) {
        this.topics.set(
          t.name,
          Array.from({ length: t.partitions }, () => ({ base: 0n, messages: [], waiters: [] })),
        );
      }
    }
  }

  async groupLag(groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]> {
    const group = this.groups.get(groupId);
    return topics.flatMap((topic) =>
      this.logs(topic).map((log, partition) => {
        const high = log.base + BigInt(log.messages.length);
        const committed = group?.committed.get(tpKey(topic, partition)) ?? log.base;
        return {
          topic,
          partition,
          committed: committed.toString(),
          highWatermark: high.toString(),
          lag: Number(high - committed),
        };
      }),
    );
  }

  async close(): Promise<void> {}

  publisher(): MessagePublisher {
    let closed = false;
    return {
      publish: async (topic, messages) => {
        if (closed)
          throw new MessagingError(MessagingErrorCode.Closed, 'publisher is closed', false);
        return this.append(topic, messages);
      },
      isReady: () => !closed,
      close: async () => {
        closed = true;
      },
    };
  }

  consumerFactory(): MessageConsumerFactory {
    return { create: (options) => new InProcessConsumer(this, options) };
  }

  // --- used by InProcessConsumer ------------------------------------------------------

  logs(topic: string): PartitionLog[] {
    const logs = this.topics.get(topic);
    if (!logs)
      throw new MessagingError(
        MessagingErrorCode.TopicNotFound,
        `topic ${topic} does not exist`,
        false,
      );
    return logs;
  }

  group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = { committed: new Map(), members: [] };
      this.groups.set(groupId, g);
    }
    return g;
  }

  /** Round-robin assignment of every partition of the group's topics over its members. */
  rebalance(groupId: string): void {
    const g = this.group(groupId);
    const all = new Map<string, TopicPartition>();
    for (const m of g.members) {
      for (const topic of m.topics)
        this.logs(topic).forEach((_, partition) =>
          all.set(tpKey(topic, partition), { topic, partition }),
        );
    }
    const assignments = new Map<InProcessConsumer, TopicPartition[]>(g.members.map((m) => [m, []]));
    let i = 0;
    for (const tp of all.values()) {
      const eligible = g.members.filter((m) => m.topics.includes(tp.topic));
      const member = eligible[i % eligible.length];
      i += 1;
      if (member) assignments.get(member)?.push(tp);
    }
    for (const [m, tps] of assignments) void m.assign(tps);
  }

  commit(groupId: string, tp: TopicPartition, next: bigint): void {
    this.group(groupId).committed.set(tpKey(tp.topic, tp.partition), next);
    this.trim(tp);
  }

  waitForData(tp: TopicPartition, offset: bigint, signal: AbortSignal): Promise<void> {
    const log = this.logs(tp.topic)[tp.partition];
    if (!log || log.base + BigInt(log.messages.length) > offset || signal.aborted)
      return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      log.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private append(topic: string, messages: readonly OutgoingMessage[]): PublishReceipt[] {
    const logs = this.logs(topic);
    const receipts = new Map<number, PublishReceipt>();
    const touched = new Set<PartitionLog>();
    for (const m of messages) {
      const key = toBuffer(m.key);
      const partition = partitionForKey(key, logs.length);
      const log = logs[partition];
      if (!log) continue;
      const offset = log.base + BigInt(log.messages.length);
      const headers: Record<string, Buffer> = {};
      for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = toBuffer(v);
      log.messages.push({
        topic,
        partition,
        offset: offset.toString(),
        key,
        value: toBuffer(m.value),
        headers,
        timestamp: Date.now(),
      });
      if (!receipts.has(partition))
        receipts.set(partition, { topic, partition, baseOffset: offset.toString() });
      touched.add(log);
    }
    for (const log of touched) log.waiters.splice(0).forEach((w) => w());
    return [...receipts.values()];
  }

  private trim(tp: TopicPartition): void {
    const log = this.topics.get(tp.topic)?.[tp.partition];
    if (!log) return;
    let min: bigint | undefined;
    for (const g of this.groups.values()) {
      if (!g.members.some((m) => m.topics.includes(tp.topic))) continue;
      const c = g.committed.get(tpKey(tp.topic, tp.partition)) ?? log.base;
      if (min === undefined || c < min) min = c;
    }
    if (min !== undefined && min > log.base) {
      log.messages.splice(0, Number(min - log.base));
      log.base = min;
    }
  }
}

export class InProcessConsumer implements MessageConsumer {
  readonly topics: readonly string[];
  private readonly o: ReturnType<typeof consumerDefaults>;
  private state: ConsumerState = 'idle';
  private assigned: TopicPartition[] = [];
  private readonly loops = new Map<
    string,
    { abort: AbortController; done: Promise<void>; stalled: boolean }
  >();
  private readonly paused = new Set<string>();
  private readonly resumeSignals = new Map<string, () => void>();
  private readonly listeners = new Set<(e: ConsumerEvent) => void>();

  constructor(
    private readonly broker: InProcessBroker,
    private readonly options: ConsumerOptions,
  ) {
    this.topics = [...options.topics];
    this.o = consumerDefaults(options);
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    for (const t of this.topics) this.broker.logs(t); // TopicNotFound early
    this.state = 'running';
    this.broker.group(this.options.groupId).members.push(this);
    this.broker.rebalance(this.options.groupId);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const g = this.broker.group(this.options.groupId);
    g.members.splice(g.members.indexOf(this), 1);
    await this.assign([]);
    this.broker.rebalance(this.options.groupId);
  }

  pause(topic: string, partitions?: readonly number[]): void {
    const ps = partitions ?? this.broker.logs(topic).map((_, i) => i);
    ps.forEach((p) => this.paused.add(tpKey(topic, p)));
  }

  resume(topic: string, partitions?: readonly number[]): void {
    const ps = partitions ?? this.broker.logs(topic).map((_, i) => i);
    for (const p of ps) {
      const k = tpKey(topic, p);
      this.paused.delete(k);
      this.resumeSignals.get(k)?.();
    }
  }

  health(): ConsumerHealth {
    return {
      state: this.state,
      healthy: this.state === 'running',
      assigned: [...this.assigned],
      stalledPartitions: this.assigned.filter(
        (tp) => this.loops.get(tpKey(tp.topic, tp.partition))?.stalled,
      ),
      restarts: 0,
    };
  }

  lag(): Promise<readonly PartitionLag[]> {
    return this.broker.groupLag(this.options.groupId, this.topics);
  }

  onEvent(listener: (event: ConsumerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the broker on every rebalance of the group. */
  async assign(partitions: readonly TopicPartition[]): Promise<void> {
    const keep = new Set(partitions.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked: Promise<void>[] = [];
    for (const [k, loop] of this.loops) {
      if (!keep.has(k)) {
        loop.abort.abort();
        revoked.push(loop.done);
        this.loops.delete(k);
      }
    }
    this.assigned = [...partitions];
    if (this.state === 'running') {
      for (const tp of partitions) {
        const k = tpKey(tp.topic, tp.partition);
        if (!this.loops.has(k)) this.startLoop(tp);
      }
      this.emit({ type: 'assigned', partitions: this.assigned });
    }
    await settleWithin(revoked, 5000);
  }

  private emit(e: ConsumerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private startLoop(tp: TopicPartition): void {
    const abort = new AbortController();
    const k = tpKey(tp.topic, tp.partition);
    const entry = { abort, done: Promise.resolve(), stalled: false };
    this.loops.set(k, entry);
    const group = this.broker.group(this.options.groupId);
    entry.done = (async () => {
      while (!abort.signal.aborted) {
        if (this.paused.has(k)) {
          await new Promise<void>((resolve) => {
            this.resumeSignals.set(k, resolve);
            abort.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          this.resumeSignals.delete(k);
          continue;
        }
        const log = this.broker.logs(tp.topic)[tp.partition];
        if (!log) return;
        let from = group.committed.get(k);
        if (from === undefined) {
          from = this.o.fromBeginning ? log.base : log.base + BigInt(log.messages.length);
          group.committed.set(k, from);
        }
        if (from < log.base) from = log.base;
        const start = Number(from - log.base);
        const messages = log.messages.slice(start, start + this.o.maxBatchSize);
        if (messages.length === 0) {
          await this.broker.waitForData(tp, from, abort.signal);
          continue;
        }
        await runPartitionBatch(
          { topic: tp.topic, partition: tp.partition, messages },
          {
            handler: this.options.handler,
            maxBatchSize: this.o.maxBatchSize,
            handlerTimeoutMs: this.o.handlerTimeoutMs,
            retry: this.o.retry,
            deadLetter: this.o.deadLetter,
            signal: abort.signal,
            commit: async (next) => {
              if (abort.signal.aborted)
                throw new MessagingError(MessagingErrorCode.Rebalancing, 'partition revoked', true);
              this.broker.commit(this.options.groupId, tp, BigInt(next));
            },
            emit: (e) => this.emit(e),
            onStall: (stalled) => {
              entry.stalled = stalled;
              if (stalled) this.emit({ type: 'stalled', partitions: [tp] });
            },
          },
        );
        // Let other partitions' loops and timers run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
  }
}
