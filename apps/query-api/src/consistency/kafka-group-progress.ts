import { Logger } from '@nestjs/common';
import type { TopicAdmin } from '@c360/messaging';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';
import type { KafkaProgressProbe } from './consistency.service';

export interface KafkaGroupProgressOptions {
  /** The ingestor's consumer group (`${KAFKA_GROUP_PREFIX}.ingestor`). */
  readonly groupId: string;
  /** The topics a consistency token may name (the events topic); any other is refused (400). */
  readonly topics: readonly string[];
  /** How long one fetch of the group's committed offsets is reused (default 100 ms). */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

interface Snapshot {
  readonly at: number;
  readonly offsets: ReadonlyMap<number, bigint>;
}

/**
 * How far the ingestor has consumed each partition: its consumer group's committed offsets
 * (everything below a committed offset is in the event store — the ingestor commits after the
 * append). One admin fetch per topic is shared by every waiting read and reused for `cacheMs`.
 * A broker that cannot be asked counts as "not yet": the read's bounded wait then ends in
 * 503 not_yet_consistent rather than an error.
 */
export class KafkaGroupProgress implements KafkaProgressProbe {
  private readonly logger = new Logger('KafkaGroupProgress');
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly inFlight = new Map<string, Promise<Snapshot | null>>();
  private lastWarning = 0;

  constructor(
    private readonly admin: Pick<TopicAdmin, 'groupLag' | 'close'>,
    private readonly options: KafkaGroupProgressOptions,
  ) {
    this.cacheMs = options.cacheMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  async committedOffset(topic: string, partition: number): Promise<bigint | null> {
    if (!this.options.topics.includes(topic))
      throw new QueryApiError(QueryApiErrorCode.InvalidConsistencyToken, 'The consistency token names a topic this service does not read from.');
    const cached = this.snapshots.get(topic);
    const snapshot = cached && this.now() - cached.at < this.cacheMs ? cached : await this.fetch(topic);
    return snapshot?.offsets.get(partition) ?? null;
  }

  async close(): Promise<void> {
    await this.admin.close();
  }

  private fetch(topic: string): Promise<Snapshot | null> {
    let pending = this.inFlight.get(topic);
    if (!pending) {
      pending = this.load(topic).finally(() => this.inFlight.delete(topic));
      this.inFlight.set(topic, pending);
    }
    return pending;
  }

  private async load(topic: string): Promise<Snapshot | null> {
    const at = this.now();
    try {
      const lag = await this.admin.groupLag(this.options.groupId, [topic]);
      const snapshot: Snapshot = { at, offsets: new Map(lag.filter((l) => l.topic === topic).map((l) => [l.partition, BigInt(l.committed)])) };
      this.snapshots.set(topic, snapshot);
      return snapshot;
    } catch (e) {
      if (at - this.lastWarning > 10_000) {
        this.lastWarning = at;
        this.logger.warn(`cannot read the committed offsets of ${this.options.groupId} (${(e as Error).name}); consistency tokens wait`);
      }
      return null;
    }
  }
}
