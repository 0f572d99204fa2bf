import { customerIdFromStream } from '@c360/contracts';
import { foldSurvivor } from '@c360/customer-domain';
import type { EventStore, RecordedEvent } from '@c360/event-store';
import { toCustomer360Record, type Customer360ProjectionOptions } from '../customer-360/customer-360.projection';
import type { Customer360Record } from '../customer-360/customer-360.repository.port';

/**
 * The oracle: every customer's record computed straight from the domain fold over the
 * whole store (foldSurvivor with every stream available), independent of the runner.
 */
export async function expectedCustomer360(
  store: EventStore,
  options: Customer360ProjectionOptions = {},
): Promise<Map<string, Customer360Record>> {
  const streams = new Map<string, RecordedEvent[]>();
  for await (const event of store.readAll()) {
    const id = customerIdFromStream(event.streamId);
    if (id === null) continue;
    let list = streams.get(id);
    if (!list) streams.set(id, (list = []));
    list.push(event);
  }
  const all = Object.fromEntries(streams);
  const out = new Map<string, Customer360Record>();
  for (const [id, own] of [...streams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    out.set(id, toCustomer360Record(foldSurvivor(id, own, all), options));
  return out;
}
