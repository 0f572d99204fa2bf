import type { CanonicalEvent } from '@c360/contracts';

/** DI token of the port through which the gateway hands validated events on. */
export const EVENT_INTAKE = Symbol('EVENT_INTAKE');

export interface IntakeReceipt {
  /**
   * Opaque token for read-your-writes: with Kafka, the topic partitions and base offsets the
   * events were written at (`kafka:<topic>:<partition>@<baseOffset>,…`); in all-in-one mode,
   * the store's global position of the last event appended (`store:<position>`).
   */
  readonly consistencyToken: string;
}

/**
 * Where accepted events go. `submit` resolves only once they are durably accepted: Kafka
 * acknowledged every message (acks=all), or — all-in-one mode without Kafka — the event store
 * (or the ingestor's durable parking table) committed them. Events of one customer keep their
 * order. It rejects when that cannot be promised; some events may have been taken anyway, so
 * clients retry with the same event ids (every consumer is idempotent on the id).
 *
 * The all-in-one platform binds the ingestor's direct ingestion here (structurally typed: the
 * apps do not import each other).
 */
export interface EventIntake {
  submit(events: readonly CanonicalEvent[]): Promise<IntakeReceipt>;
  isReady(): boolean;
}

/** Thrown by an intake when the events could not be taken now (retry with the same ids). */
export class IntakeUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'IntakeUnavailableError';
  }
}
