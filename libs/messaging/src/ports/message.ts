/** Header values travel as bytes; strings are UTF-8 encoded on the way out. */
export type HeaderValue = string | Uint8Array;

export interface OutgoingMessage {
  /**
   * Partitioning key: all messages with the same key go to the same partition and keep
   * their order (for c360, the customer identity).
   */
  readonly key: string | Uint8Array;
  readonly value: Uint8Array | string;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}

export interface PublishReceipt {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the first message of this send on that partition (decimal string). */
  readonly baseOffset: string;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface IncomingMessage extends TopicPartition {
  /** Decimal string: Kafka offsets are 64-bit. */
  readonly offset: string;
  readonly key: Buffer | null;
  /** The original bytes, untouched (dead letters keep exactly these). */
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
  /** Milliseconds since the epoch, as the broker or producer stamped it. */
  readonly timestamp: number;
  /**
   * The offset of the last message of the producer batch this one came in (one send's
   * messages for this partition), when the transport knows it. Consumers never commit inside
   * a producer batch: a committed offset past a send's first offset then means all of that
   * send's messages on the partition were handled (what read-your-writes tokens rely on).
   */
  readonly producerBatchLastOffset?: string;
}

export interface MessageBatch extends TopicPartition {
  /** In offset order; one partition only, so per-key order is the array order. */
  readonly messages: readonly IncomingMessage[];
}

export const headerString = (m: IncomingMessage, name: string): string | undefined =>
  m.headers[name]?.toString('utf8');
