import { customerIdFromStream } from '@c360/contracts';
import { foldSurvivor } from '@c360/customer-domain';
import type { EventStore, GlobalPosition, RecordedEvent } from '@c360/event-store';
import { toCustomer360Record, type Customer360ProjectionOptions } from '../customer-360/customer-360.projection';
import type { Customer360Record } from '../customer-360/customer-360.repository.port';

/** Every event up to `through` (a subscription: it waits for a store whose readers lag behind, e.g. PostgreSQL's horizon), or readAll's. */
async function* eventsThrough(store: EventStore, through: GlobalPosition | undefined): AsyncGenerator<RecordedEvent> {
  if (through === undefined || through === 0n) {
    yield* store.readAll();
    return;
  }
  const subscription = store.subscribeToAll();
  try {
    for await (const event of subscription) {
      if (event.globalPosition > through) return;
      yield event;
      if (event.globalPosition === through) return;
    }
  } finally {
    await subscription.stop();
  }
}

/**
 * The oracle: every customer's record computed straight from the domain fold over the
 * whole store (foldSurvivor with every stream available), independent of the runner.
 * `through`: the last appended position, when readAll alone might not reach it yet (the
 * PostgreSQL store's readers stop at the server-wide xmin horizon, which any older transaction
 * on a shared server holds back).
 */
export async function expectedCustomer360(
  store: EventStore,
  options: Customer360ProjectionOptions = {},
  through?: GlobalPosition,
): Promise<Map<string, Customer360Record>> {
  const streams = new Map<string, RecordedEvent[]>();
  for await (const event of eventsThrough(store, through)) {
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
