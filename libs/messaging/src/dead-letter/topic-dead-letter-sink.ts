import type { DeadLetter, DeadLetterReason, DeadLetterSink } from '../ports/dead-letter';
import type { HeaderValue, IncomingMessage } from '../ports/message';
import type { MessagePublisher } from '../ports/publisher.port';

/** Headers a dead letter carries besides the original message's own. */
export const DLQ_HEADERS = {
  reasonCode: 'c360-dlq-reason-code',
  reasonDetail: 'c360-dlq-reason-detail',
  topic: 'c360-dlq-original-topic',
  partition: 'c360-dlq-original-partition',
  offset: 'c360-dlq-original-offset',
  timestamp: 'c360-dlq-original-timestamp',
  keyIsNull: 'c360-dlq-original-key-null',
  attempts: 'c360-dlq-attempts',
  at: 'c360-dlq-at',
} as const;

const dlqHeaderNames = new Set<string>(Object.values(DLQ_HEADERS));

/** The default dead-letter topic of a topic. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

/**
 * Dead letters as messages on a topic (by default `<topic>.dlq`): the value is the
 * original bytes untouched, the key and headers are the original ones, and the reason and
 * origin ride in `c360-dlq-*` headers. Resolves only when the broker acknowledged.
 */
export class TopicDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly publisher: MessagePublisher,
    private readonly topicFor: (sourceTopic: string) => string = deadLetterTopicOf,
  ) {}

  async deadLetter(letter: DeadLetter): Promise<void> {
    const m = letter.original;
    const headers: Record<string, HeaderValue> = { ...m.headers };
    headers[DLQ_HEADERS.reasonCode] = letter.reason.code;
    headers[DLQ_HEADERS.reasonDetail] = letter.reason.detail;
    headers[DLQ_HEADERS.topic] = m.topic;
    headers[DLQ_HEADERS.partition] = String(m.partition);
    headers[DLQ_HEADERS.offset] = m.offset;
    headers[DLQ_HEADERS.timestamp] = String(m.timestamp);
    headers[DLQ_HEADERS.attempts] = String(letter.attempts);
    headers[DLQ_HEADERS.at] = letter.deadLetteredAt.toISOString();
    if (m.key === null) headers[DLQ_HEADERS.keyIsNull] = '1';
    await this.publisher.publish(this.topicFor(m.topic), [
      { key: m.key ?? '', value: m.value ?? new Uint8Array(0), headers },
    ]);
  }
}

export interface DecodedDeadLetter {
  readonly reason: DeadLetterReason;
  readonly attempts: number;
  readonly deadLetteredAt: Date;
  /** The original message as it was first consumed. */
  readonly original: IncomingMessage;
}

/** Reads a message of a dead-letter topic back (for listing and re-driving). */
export function decodeDeadLetter(m: IncomingMessage): DecodedDeadLetter {
  const h = (name: string): string => m.headers[name]?.toString('utf8') ?? '';
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(m.headers)) {
    if (!dlqHeaderNames.has(name)) headers[name] = value;
  }
  return {
    reason: { code: h(DLQ_HEADERS.reasonCode), detail: h(DLQ_HEADERS.reasonDetail) },
    attempts: Number(h(DLQ_HEADERS.attempts)),
    deadLetteredAt: new Date(h(DLQ_HEADERS.at)),
    original: {
      topic: h(DLQ_HEADERS.topic),
      partition: Number(h(DLQ_HEADERS.partition)),
      offset: h(DLQ_HEADERS.offset),
      timestamp: Number(h(DLQ_HEADERS.timestamp)),
      key: h(DLQ_HEADERS.keyIsNull) === '1' ? null : m.key,
      value: m.value,
      headers,
    },
  };
}
