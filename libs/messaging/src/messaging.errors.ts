/**
 * Coded errors of the messaging port. Adapters translate their client's errors into these
 * (kafkajs errors never leave the kafkajs adapter); each transport maps the codes once.
 */
export enum MessagingErrorCode {
  /** No broker answered (connection refused or lost, leader unknown, broker restarting). */
  BrokerUnavailable = 'BROKER_UNAVAILABLE',
  /** The broker did not acknowledge within the configured time. Outcome unknown. */
  Timeout = 'TIMEOUT',
  /** The topic does not exist (topics are created explicitly, never auto-created). */
  TopicNotFound = 'TOPIC_NOT_FOUND',
  MessageTooLarge = 'MESSAGE_TOO_LARGE',
  /** Fewer in-sync replicas than min.insync.replicas: acks=all cannot be met. */
  NotEnoughReplicas = 'NOT_ENOUGH_REPLICAS',
  /** The consumer group is rebalancing: this member's commit was refused. */
  Rebalancing = 'REBALANCING',
  Unauthorized = 'UNAUTHORIZED',
  InvalidArgument = 'INVALID_ARGUMENT',
  /** The publisher or consumer was closed. */
  Closed = 'CLOSED',
  Unknown = 'UNKNOWN',
}

export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    /** Whether the same call may succeed if retried (the outcome of a timed-out send is unknown). */
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }
}

export const isMessagingError = (e: unknown, code?: MessagingErrorCode): e is MessagingError =>
  e instanceof MessagingError && (code === undefined || e.code === code);
