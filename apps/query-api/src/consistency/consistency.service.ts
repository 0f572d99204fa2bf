import { customerStreamId } from '@c360/contracts';
import type { RecordedEvent, ReadStreamOptions } from '@c360/event-store';
import type { CustomerReadRepository } from '../persistence/customer-read.repository';
import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';
import { parseConsistencyToken } from './consistency-token';

/**
 * How far the ingestor has consumed a Kafka partition (its group's committed offset: every
 * message below it is in the event store). Optional: without it, Kafka tokens are refused.
 */
export interface KafkaProgressProbe {
  committedOffset(topic: string, partition: number): Promise<bigint | null>;
}

/**
 * The customer's stream, read backwards for its last event's position. (Not the store's
 * `headPosition()`: that is the reader horizon, held back by any transaction still open on the
 * server, so it can lie below events already committed — waiting for it would answer too early.)
 */
export interface StreamTail {
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
}

export interface ConsistencyOptions {
  readonly maxWaitMs: number;
  readonly pollIntervalMs: number;
  readonly kafka?: KafkaProgressProbe;
}

/**
 * Read-your-writes: waits (bounded) until the customer-360 projection has applied
 * everything up to the caller's consistency token, for the partition holding the customer.
 */
export class ConsistencyService {
  constructor(
    private readonly reads: CustomerReadRepository,
    private readonly store: StreamTail,
    private readonly options: ConsistencyOptions,
  ) {}

  async waitFor(customerId: string, tokenText: string | undefined): Promise<void> {
    if (tokenText === undefined || tokenText === '') return;
    const token = parseConsistencyToken(tokenText);
    const deadline = Date.now() + this.options.maxWaitMs;
    switch (token.kind) {
      case 'parked':
        return; // held back by the ingestor (identity unresolved): there is nothing to wait for
      case 'store':
        return this.untilCheckpoint(customerId, token.position, deadline);
      case 'kafka': {
        const probe = this.options.kafka;
        if (!probe)
          throw new QueryApiError(QueryApiErrorCode.InvalidConsistencyToken, 'This deployment cannot resolve Kafka consistency tokens (no Kafka progress probe is configured).');
        for (const { partition, offset } of token.offsets) {
          await this.poll(deadline, async () => {
            const committed = await probe.committedOffset(token.topic, partition);
            return committed !== null && committed > offset;
          });
        }
        // Everything the token names is in the store now: this customer's part of it is at or
        // below the last position of its stream.
        const last = await this.lastPositionOf(customerId);
        if (last === null) return; // nothing of this customer was stored (the events were about others, or parked)
        return this.untilCheckpoint(customerId, last, deadline);
      }
    }
  }

  private async lastPositionOf(customerId: string): Promise<bigint | null> {
    for await (const e of this.store.readStream(customerStreamId(customerId), { direction: 'backwards', maxCount: 1 })) return e.globalPosition;
    return null;
  }

  private untilCheckpoint(customerId: string, position: bigint, deadline: number): Promise<void> {
    return this.poll(deadline, async () => {
      const checkpoint = await this.reads.checkpointFor(customerId);
      return checkpoint !== null && checkpoint >= position;
    });
  }

  private async poll(deadline: number, reached: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (await reached()) return;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new QueryApiError(
          QueryApiErrorCode.NotYetConsistent,
          'The read models have not reached this consistency token yet; retry after the indicated time.',
          1,
        );
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(this.options.pollIntervalMs, left)));
    }
  }
}
