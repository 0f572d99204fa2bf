import type { GlobalPosition, RecordedEvent } from '@c360/event-store';
import type { CustomerEvents } from '../definition/projection-definition';
import { partitionOf } from '../partitioning/partition-of';

export interface GroupingScope {
  readonly partitionCount: number;
  /** Checkpoint per owned partition; events of other partitions are not ours. */
  readonly checkpoints: ReadonlyMap<number, GlobalPosition>;
}

export interface GroupedBatch {
  /** Customers in order of their first event in the batch; each customer's events in order. */
  readonly customers: CustomerEvents[];
  readonly eventCount: number;
}

/**
 * Groups a batch by customer (identity), keeping per-customer order, and drops what is not
 * this worker's: events without a customer, of partitions it does not own, or at/below
 * their partition's checkpoint (already committed). The same event id twice in a batch
 * (a redelivery) is kept once.
 */
export function groupByCustomer(
  events: readonly RecordedEvent[],
  identity: (event: RecordedEvent) => string | null,
  scope: GroupingScope,
): GroupedBatch {
  const byCustomer = new Map<string, RecordedEvent[]>();
  const seen = new Set<string>();
  let eventCount = 0;
  for (const event of events) {
    const customerId = identity(event);
    if (customerId === null) continue;
    const checkpoint = scope.checkpoints.get(partitionOf(customerId, scope.partitionCount));
    if (checkpoint === undefined || event.globalPosition <= checkpoint) continue;
    if (seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    let list = byCustomer.get(customerId);
    if (!list) {
      list = [];
      byCustomer.set(customerId, list);
    }
    list.push(event);
    eventCount++;
  }
  return { customers: [...byCustomer].map(([customerId, list]) => ({ customerId, events: list })), eventCount };
}
