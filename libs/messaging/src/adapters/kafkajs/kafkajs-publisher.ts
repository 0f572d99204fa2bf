import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { MessagingError, MessagingErrorCode } from '../../messaging.errors';
import type { HeaderValue, OutgoingMessage, PublishReceipt } from '../../ports/message';
import type { MessagePublisher } from '../../ports/publisher.port';
import { createKafka, type KafkaConnectionOptions } from './kafkajs-client';
import { translateKafkaError } from './kafkajs-errors';

export interface KafkaPublisherOptions extends KafkaConnectionOptions {
  /** How long the broker may take to acknowledge (acks=all) one send. Default 30 s. */
  readonly ackTimeoutMs?: number;
  readonly compression?: 'none' | 'gzip';
}

const toBuffer = (v: Uint8Array | string): Buffer =>
  typeof v === 'string'
    ? Buffer.from(v, 'utf8')
    : Buffer.isBuffer(v)
      ? v
      : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

const toHeaders = (
  h: Readonly<Record<string, HeaderValue>> | undefined,
): Record<string, Buffer> | undefined => {
  if (!h) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(h)) out[k] = toBuffer(v);
  return out;
};

/** Producer states that a fresh producer (new id and epoch) clears. */
const FATAL_PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'DUPLICATE_SEQUENCE_NUMBER',
]);

/**
 * kafkajs producer: idempotent (one request in flight, so retries keep order), acks=all,
 * the Java client's murmur2 partitioner chosen explicitly (same key → same partition as
 * any other Kafka client). `publish` resolves only when the broker acked every message.
 * After a broker restart the same instance reconnects on the next publish.
 */
export class KafkaPublisher implements MessagePublisher {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private closed = false;
  private connected = false;

  constructor(private readonly options: KafkaPublisherOptions) {
    this.kafka = createKafka(options);
  }

  isReady(): boolean {
    return this.connected && !this.closed;
  }

  async publish(
    topic: string,
    messages: readonly OutgoingMessage[],
  ): Promise<readonly PublishReceipt[]> {
    if (this.closed)
      throw new MessagingError(MessagingErrorCode.Closed, 'publisher is closed', false);
    if (messages.length === 0) return [];
    const producer = await this.connect();
    const payload: Message[] = messages.map((m) => ({
      key: typeof m.key === 'string' ? m.key : toBuffer(m.key),
      value: toBuffer(m.value),
      headers: toHeaders(m.headers),
    }));
    try {
      const meta = await producer.send({
        topic,
        acks: -1,
        timeout: this.options.ackTimeoutMs ?? 30_000,
        compression:
          this.options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        messages: payload,
      });
      return meta.map((r) => ({
        topic: r.topicName,
        partition: r.partition,
        baseOffset: r.baseOffset ?? '-1',
      }));
    } catch (e) {
      const type =
        (e as { type?: unknown; cause?: { type?: unknown } }).type ??
        (e as { cause?: { type?: unknown } }).cause?.type;
      if (typeof type === 'string' && FATAL_PRODUCER_ERRORS.has(type)) await this.reset();
      throw translateKafkaError(e, `publish to ${topic}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  private async connect(): Promise<Producer> {
    // kafkajs reconnects a connected producer's brokers by itself after a restart.
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
      });
      try {
        await producer.connect();
      } catch (e) {
        await producer.disconnect().catch(() => undefined);
        throw translateKafkaError(e, 'producer connect');
      }
      this.producer = producer;
      this.connected = true;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async reset(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    this.connected = false;
    if (p) await p.disconnect().catch(() => undefined);
  }
}
