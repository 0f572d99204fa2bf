import { refoldCustomer, toCustomer360Record, type Customer360ProjectionOptions } from '@c360/projections';
import { Customer360TypeOrmRepository } from '@c360/read-models';
import type { DataSource } from 'typeorm';
import type { ErasableEventStore } from './erasable-event-store';

/**
 * Re-folds a customer's read-model rows from the (protected) event store, so values the
 * projection decrypted before an erasure are replaced by erased markers. Locks each row
 * (`FOR UPDATE`, as the projector does) so it serialises with the projector's batches; the
 * state's fold positions make the projector skip what the re-fold already applied.
 */
export class ReadModelRefolder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly store: ErasableEventStore,
    private readonly options: Customer360ProjectionOptions = {},
  ) {
  }

  /** Re-folds the customer and every survivor whose view folds its stream in. Returns the rows re-written. */
  async refold(customerId: string): Promise<number> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      await manager.query(`SELECT set_config('lock_timeout', '5s', true), set_config('statement_timeout', '60s', true)`);
      const repo = new Customer360TypeOrmRepository(manager, this.schema);
      const targets = [customerId, ...(await repo.survivorsOf(customerId)).filter((id) => id !== customerId)];
      let written = 0;
      for (const id of targets) {
        const stored = await repo.load(id);
        if (!stored) continue;
        const state = await refoldCustomer(id, this.store);
        await repo.save(toCustomer360Record(state, this.options), stored);
        written++;
      }
      return written;
    });
  }
}
