import { customerStreamId } from '@c360/contracts';
import { toMs } from '../calendar/calendar';
import type { DomainEvent } from '../events/domain-event';
import { evolve } from './customer-360.evolve';
import { initialCustomer360, type Customer360State } from './customer-360.state';

/** Folds events, in the order given, from the empty state. */
export const foldCustomer = (
  customerId: string,
  events: Iterable<DomainEvent>,
): Customer360State => {
  let state = initialCustomer360(customerId);
  for (const event of events) state = evolve(state, event);
  return state;
};

/** Order of two events from different streams in a merged view: business time, then recording. */
const crossStreamOrder = (a: DomainEvent, b: DomainEvent): number =>
  toMs(a.occurredAt) - toMs(b.occurredAt) ||
  toMs(a.recordedAt) - toMs(b.recordedAt) ||
  (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0);

/**
 * The event sequence of a merged view: a stable merge of the given streams that keeps each
 * stream's own order (so the survivor's events are applied exactly as in its own fold) and
 * interleaves streams by occurredAt, then recordedAt, then stream id. Duplicate event ids
 * are kept once. Deterministic: the result depends only on the inputs.
 */
export const combineForMerge = (...streams: readonly (readonly DomainEvent[])[]): DomainEvent[] => {
  const heads = streams.map(() => 0);
  const seen = new Set<string>();
  const out: DomainEvent[] = [];
  for (;;) {
    let best = -1;
    let bestEvent: DomainEvent | undefined;
    streams.forEach((stream, i) => {
      const candidate = stream[heads[i] ?? 0];
      if (
        candidate !== undefined &&
        (bestEvent === undefined || crossStreamOrder(candidate, bestEvent) < 0)
      ) {
        best = i;
        bestEvent = candidate;
      }
    });
    if (bestEvent === undefined) return out;
    heads[best] = (heads[best] ?? 0) + 1;
    if (!seen.has(bestEvent.eventId)) {
      seen.add(bestEvent.eventId);
      out.push(bestEvent);
    }
  }
};

/** Customers currently merged into `customerId`, read from its own stream's merge events. */
export const activeMergedIds = (customerId: string, ownEvents: Iterable<DomainEvent>): string[] =>
  foldCustomer(
    customerId,
    [...ownEvents].filter((e) => e.type === 'CustomersMerged' || e.type === 'CustomersUnmerged'),
  ).mergedFrom.slice();

/**
 * The survivor's view: its own stream plus the streams of every customer currently merged
 * into it, folded together with the same evolve. Merging adds a stream to the union;
 * unmerging removes it, so both customers' states come back exactly as they were before
 * the merge (apart from fold positions). `include` restricts every stream first (asOf /
 * knownAt), and the merges active under that restriction are the ones applied.
 */
export const foldSurvivor = (
  customerId: string,
  ownEvents: readonly DomainEvent[],
  mergedStreams: Readonly<Record<string, readonly DomainEvent[]>>,
  include: (event: DomainEvent) => boolean = () => true,
): Customer360State => {
  const own = ownEvents.filter(include);
  const merged = activeMergedIds(customerId, own).map((id) =>
    (mergedStreams[id] ?? []).filter(include),
  );
  return foldCustomer(customerId, combineForMerge(own, ...merged));
};

/**
 * True when applying `event` incrementally is not enough: a merge or unmerge naming this
 * customer as survivor changes which streams its view folds, so the projection must
 * rebuild the view with foldSurvivor.
 */
export const requiresRefold = (state: Customer360State, event: DomainEvent): boolean => {
  if (event.type !== 'CustomersMerged' && event.type !== 'CustomersUnmerged') return false;
  if (event.streamId !== customerStreamId(state.customerId)) return false;
  const data = event.data as { survivorId?: unknown };
  return data.survivorId === state.customerId;
};
