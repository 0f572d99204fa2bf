import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { isMessagingError, MessagingError, MessagingErrorCode } from '../../messaging.errors';
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

/** Failures that say the broker is out of reach, not that one send was wrong. */
const UNAVAILABLE: ReadonlySet<MessagingErrorCode> = new Set([
  MessagingErrorCode.BrokerUnavailable,
  MessagingErrorCode.Timeout,
  MessagingErrorCode.NotEnoughReplicas,
]);

/**
 * kafkajs producer: idempotent, acks=all, the Java client's murmur2 partitioner chosen
 * explicitly (same key → same partition as any other Kafka client). `publish` resolves only
 * when the broker acked every message. After a broker restart the same instance reconnects on
 * the next publish.
 *
 * Sends go one at a time, and a failed send retires the producer (its id and sequence numbers)
 * before the next one. kafkajs, when a produce request fails (a timeout, a dropped
 * connection), hands that request's sequence numbers back and retries it later. A concurrent
 * send that takes those numbers in between is, if it has as many messages for the partition,
 * answered by the broker as a duplicate of the failed request — which the broker may well have
 * written — and acknowledged without being written: an acknowledged message lost. The same
 * happens to the next send after a failed one whose last attempt did reach the log. With one
 * send at a time only kafkajs' own retry of a request reuses its numbers (what the idempotent
 * protocol is for), and a fresh producer after a failure starts a sequence the broker has never
 * seen. kafkajs allows one produce request per broker at a time anyway, so this costs little.
 * (Pinned by the broker-stall test in kafkajs-faults.int.spec.ts.)
 */
export class KafkaPublisher implements MessagePublisher {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private closed = false;
  private connected = false;
  /** The tail of the send queue. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Failed sends so far, and the last one's error. */
  private failures = 0;
  private lastFailure: MessagingError | undefined;

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
    const payload: Message[] = messages.map((m) => ({
      key: typeof m.key === 'string' ? m.key : toBuffer(m.key),
      value: toBuffer(m.value),
      headers: toHeaders(m.headers),
    }));
    const failuresBefore = this.failures;
    const turn = this.queue.then(() => this.send(topic, payload, failuresBefore));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async send(
    topic: string,
    payload: Message[],
    failuresBefore: number,
  ): Promise<readonly PublishReceipt[]> {
    if (this.closed)
      throw new MessagingError(MessagingErrorCode.Closed, 'publisher is closed', false);
    // A send that failed while this one waited (the broker is down or stalled): fail at once,
    // unsent, rather than each queued send waiting out its own retry budget in turn.
    const earlier = this.lastFailure;
    if (this.failures !== failuresBefore && earlier && UNAVAILABLE.has(earlier.code))
      throw new MessagingError(earlier.code, `not sent: ${earlier.message}`, true, { cause: earlier });
    try {
      const producer = await this.connect();
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
      const err = isMessagingError(e) ? e : translateKafkaError(e, `publish to ${topic}`);
      this.failures += 1;
      this.lastFailure = err;
      // Whatever that send's outcome, its producer id and sequence numbers are retired.
      await this.reset();
      throw err;
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
