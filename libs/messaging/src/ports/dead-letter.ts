import type { IncomingMessage } from './message';

export const DEAD_LETTER_SINK = Symbol('DEAD_LETTER_SINK');

/** Why a message was set aside: a stable machine code and a human detail (no personal data). */
export interface DeadLetterReason {
  readonly code: string;
  readonly detail: string;
}

/** A dead letter is whole: the original bytes, key and headers, where it came from, and why. */
export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly original: IncomingMessage;
  /** How many times the handler was given the message before it was set aside. */
  readonly attempts: number;
  readonly deadLetteredAt: Date;
}

export interface DeadLetterSink {
  /** Resolves once the dead letter is durably stored; only then is the original committed. */
  deadLetter(letter: DeadLetter): Promise<void>;
}

/**
 * What the consumer does when its handler fails.
 * - A handler that throws {@link PoisonMessageError} names one message that can never
 *   succeed: it goes to `sink` (when there is one) and the rest of the batch is redelivered.
 * - Any other error is transient: the unacknowledged messages are redelivered after a
 *   backoff, in order, forever, unless `deadLetterAfterAttempts` is set (then the first
 *   unacknowledged message is dead-lettered with code `RETRIES_EXHAUSTED`).
 * Without a sink nothing is ever dropped: poison messages are retried too.
 */
export interface DeadLetterPolicy {
  readonly sink?: DeadLetterSink;
  readonly deadLetterAfterAttempts?: number;
}

export interface RetryPolicy {
  /** Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Default 10 s. */
  readonly maxBackoffMs?: number;
}

/** Thrown by a handler to say: this message is poison, set it aside with this reason. */
export class PoisonMessageError extends Error {
  constructor(
    readonly poisoned: IncomingMessage,
    readonly reason: DeadLetterReason,
  ) {
    super(
      `poison message at ${poisoned.topic}/${poisoned.partition}@${poisoned.offset}: ${reason.code}`,
    );
    this.name = 'PoisonMessageError';
  }
}
