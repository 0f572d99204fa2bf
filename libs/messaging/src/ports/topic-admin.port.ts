import type { TopicPartition } from './message';

export const TOPIC_ADMIN = Symbol('TOPIC_ADMIN');

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Default: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
}

export interface PartitionLag extends TopicPartition {
  /** Next offset the group will read (its committed offset), or the log start if none. */
  readonly committed: string;
  /** Offset the next produced message will get. */
  readonly highWatermark: string;
  readonly lag: number;
}

export interface TopicAdmin {
  /** Creates the topics that do not exist (auto-creation is off); idempotent. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Lag of a consumer group on the given topics, per partition. */
  groupLag(groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]>;
  close(): Promise<void>;
}
