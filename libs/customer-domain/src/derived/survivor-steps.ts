import type { DomainEvent } from '../events/domain-event';
import { evolve } from '../customer-360/customer-360.evolve';
import { activeMergedIds, combineForMerge } from '../customer-360/customer-360.fold';
import { initialCustomer360, type Customer360State } from '../customer-360/customer-360.state';

export interface FoldStep {
  readonly state: Customer360State;
  readonly event: DomainEvent;
}

/**
 * foldSurvivor, keeping the intermediate states after the events `isNew` selects (those the
 * stored view had not seen yet). The derived views (segments, churn) evaluate these steps
 * after a merge or unmerge, so their history depends on the streams only, not on how the
 * projection happened to cut its batches. `final` equals foldSurvivor(customerId, own, merged).
 */
export const foldSurvivorSteps = (
  customerId: string,
  ownEvents: readonly DomainEvent[],
  mergedStreams: Readonly<Record<string, readonly DomainEvent[]>>,
  isNew: (event: DomainEvent) => boolean,
): { readonly final: Customer360State; readonly steps: readonly FoldStep[] } => {
  const merged = activeMergedIds(customerId, ownEvents).map((id) => mergedStreams[id] ?? []);
  let state = initialCustomer360(customerId);
  const steps: FoldStep[] = [];
  for (const event of combineForMerge(ownEvents, ...merged)) {
    state = evolve(state, event);
    if (isNew(event)) steps.push({ state, event });
  }
  return { final: state, steps };
};
