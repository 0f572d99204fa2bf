import type { Admin, Kafka } from 'kafkajs';
import type { PartitionLag, TopicAdmin, TopicSpec } from '../../ports/topic-admin.port';
import { createKafka, type KafkaConnectionOptions } from './kafkajs-client';
import { translateKafkaError } from './kafkajs-errors';

/** Group lag: high watermark minus committed offset (the log start when nothing committed). */
export async function fetchGroupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  const out: PartitionLag[] = [];
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const t of committed) {
    const ends = await admin.fetchTopicOffsets(t.topic);
    for (const end of ends) {
      const c = t.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = BigInt(c) >= 0n ? BigInt(c) : BigInt(end.low);
      out.push({
        topic: t.topic,
        partition: end.partition,
        committed: from.toString(),
        highWatermark: end.high,
        lag: Number(BigInt(end.high) - from),
      });
    }
  }
  return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export class KafkaTopicAdmin implements TopicAdmin {
  private readonly kafka: Kafka;
  private admin: Promise<Admin> | undefined;

  constructor(options: KafkaConnectionOptions) {
    this.kafka = createKafka(options);
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    const admin = await this.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
        })),
      });
    } catch (e) {
      if ((e as { type?: unknown }).type === 'TOPIC_ALREADY_EXISTS') return;
      throw translateKafkaError(e, 'ensure topics');
    }
  }

  async groupLag(groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]> {
    try {
      return await fetchGroupLag(await this.connect(), groupId, topics);
    } catch (e) {
      throw translateKafkaError(e, `lag of group ${groupId}`);
    }
  }

  async close(): Promise<void> {
    const a = this.admin;
    this.admin = undefined;
    if (a) await (await a.catch(() => undefined))?.disconnect();
  }

  private connect(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        return admin;
      } catch (e) {
        this.admin = undefined;
        throw translateKafkaError(e, 'admin connect');
      }
    })();
    return this.admin;
  }
}
