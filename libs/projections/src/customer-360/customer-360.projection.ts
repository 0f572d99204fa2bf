import { CANONICAL_EVENT_TYPES, customerIdFromStream, customerStreamId } from '@c360/contracts';
import {
  churnRiskScore,
  DEFAULT_CHURN_CONFIG,
  DEFAULT_DOMAIN_CONFIG,
  evaluateChurn,
  evolve,
  foldSurvivor,
  foldSurvivorSteps,
  activeMergedIds,
  initialCustomer360,
  relationshipValue,
  requiresRefold,
  valueTier,
  type ChurnConfig,
  type Customer360State,
  type DomainConfig,
} from '@c360/customer-domain';
import type { RecordedEvent } from '@c360/event-store';
import {
  defineProjection,
  type ApplyContext,
  type ProjectionDefinition,
  type StreamReader,
} from '../definition/projection-definition';
import { derivedTraceOf } from '../derived/derived-events';
import type { CustomerStep, DerivedView } from '../derived/derived-view';
import type {
  Customer360Record,
  Customer360Repositories,
} from './customer-360.repository.port';

export const CUSTOMER_360_PROJECTION = 'customer-360';

export interface Customer360ProjectionOptions {
  readonly domain?: DomainConfig;
  readonly churn?: ChurnConfig;
}

/** customer-360 with the views derived from it (segments, churn flags) in the same transaction. */
export interface Customer360WithDerivedOptions<D> extends Customer360ProjectionOptions {
  readonly derived: readonly DerivedView<D>[];
}

/** The state after `event`, its id as the cause, and the trace it was stored with (handed on to derived events). */
function stepOf(state: Customer360State, event: RecordedEvent): CustomerStep {
  const trace = derivedTraceOf(event.metadata);
  return trace === undefined ? { state, cause: event.eventId } : { state, cause: event.eventId, trace };
}

/** The customer an event belongs to: the owner of its stream. */
export const customerOfEvent = (event: RecordedEvent): string | null => customerIdFromStream(event.streamId);

/** The derived columns of a state (pure; tier and risk from the domain rules). */
export function toCustomer360Record(
  state: Customer360State,
  options: Customer360ProjectionOptions = {},
): Customer360Record {
  const domain = options.domain ?? DEFAULT_DOMAIN_CONFIG;
  const churn = options.churn ?? DEFAULT_CHURN_CONFIG;
  const value = relationshipValue(state, domain.valuation);
  const lastEventAt = state.timeline[0]?.occurredAt ?? state.profile.registeredAt;
  // Evaluated at the customer's own last event, not the clock, so live equals rebuild; the
  // churn projection owns clock-driven evaluation.
  const risk = lastEventAt === null ? 0 : churnRiskScore(evaluateChurn(state, lastEventAt, churn, domain), churn.weights);
  return {
    customerId: state.customerId,
    lastRevision: state.position.lastRevision,
    state,
    tier: valueTier(value, domain.tiers),
    region: state.profile.region,
    relationshipValueMinor: value,
    churnRiskScore: risk,
    mergedInto: state.mergedInto,
    mergedFrom: state.mergedFrom,
    lastEventAt,
  };
}

async function readAll(streams: StreamReader, streamId: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of streams.readStream(streamId)) events.push(event);
  return events;
}

/**
 * The survivor's view from the store: its stream and the streams merged into it, folded
 * with the domain's foldSurvivor. Reads the streams as they are now, possibly ahead of the
 * batch; the rows' revisions make the later redelivery of those events a no-op.
 */
export async function refoldCustomer(customerId: string, streams: StreamReader): Promise<Customer360State> {
  const own = await readAll(streams, customerStreamId(customerId));
  const merged: Record<string, RecordedEvent[]> = {};
  for (const id of activeMergedIds(customerId, own)) merged[id] = await readAll(streams, customerStreamId(id));
  return foldSurvivor(customerId, own, merged);
}

/** refoldCustomer with the intermediate states after the events `isNew` selects (for the derived views). */
export async function refoldCustomerSteps(
  customerId: string,
  streams: StreamReader,
  isNew: (event: RecordedEvent) => boolean,
): Promise<{ final: Customer360State; steps: readonly { state: Customer360State; event: RecordedEvent }[] }> {
  const own = await readAll(streams, customerStreamId(customerId));
  const merged: Record<string, RecordedEvent[]> = {};
  for (const id of activeMergedIds(customerId, own)) merged[id] = await readAll(streams, customerStreamId(id));
  const result = foldSurvivorSteps(customerId, own, merged, (e) => isNew(e as RecordedEvent));
  return { final: result.final, steps: result.steps.map((s) => ({ state: s.state, event: s.event as RecordedEvent })) };
}

/**
 * customer-360: one row per customer, the domain fold of its stream (and, for a merge
 * survivor, of the streams merged into it). Ordinary events evolve the stored state; a
 * merge or unmerge naming the customer as survivor, and any event of a merged-in stream,
 * re-fold the survivor from the store — merges are rare and this keeps the row equal to
 * foldSurvivor whatever the arrival order across partitions.
 */
export function customer360Projection(options?: Customer360ProjectionOptions): ProjectionDefinition<Customer360Repositories>;
export function customer360Projection<D>(options: Customer360WithDerivedOptions<D>): ProjectionDefinition<Customer360Repositories & D>;
export function customer360Projection<D>(
  options: Customer360ProjectionOptions & { readonly derived?: readonly DerivedView<D>[] } = {},
): ProjectionDefinition<Customer360Repositories & D> {
  const derived = options.derived ?? [];
  const applyTo = async (
    customerId: string,
    events: readonly RecordedEvent[],
    repositories: Customer360Repositories & D,
    streams: StreamReader,
  ): Promise<void> => {
    const repo = repositories.customer360;
    const stored = await repo.load(customerId);
    const state = stored?.state ?? initialCustomer360(customerId);
    const fresh = events.filter((e) => e.revision > (state.position.byStream[e.streamId] ?? -1));
    if (fresh.length === 0) return; // a redelivery: nothing to do (I5)
    const ownStream = customerStreamId(customerId);
    let refold = state.mergedFrom.length > 0 || fresh.some((e) => e.streamId !== ownStream);
    let next = state;
    const steps: CustomerStep[] = [];
    for (const event of fresh) {
      if (refold) break;
      if (requiresRefold(next, event)) refold = true;
      else {
        next = evolve(next, event);
        steps.push(stepOf(next, event));
      }
    }
    let replace = false;
    if (refold) {
      // A merge changes the survivor's past: its derived views are recomputed from scratch
      // over the re-folded sequence (a state after every event of the merged view) and replace
      // what they held, so they depend on the streams only — not on batch boundaries, nor on
      // how far the streams had been read at earlier refolds (live equals rebuild, I6).
      const refolded = await refoldCustomerSteps(customerId, streams, () => true);
      next = refolded.final;
      steps.length = 0;
      for (const s of refolded.steps) steps.push(stepOf(s.state, s.event));
      replace = true;
    }
    const record = toCustomer360Record(next, options);
    await repo.save(record, stored);
    const change = { customerId, steps, savedRiskScore: record.churnRiskScore, replace };
    for (const view of derived) await view.onChange(change, repositories);
  };

  return defineProjection<Customer360Repositories & D>({
    name: CUSTOMER_360_PROJECTION,
    version: 1,
    eventTypes: CANONICAL_EVENT_TYPES,
    identity: customerOfEvent,
    async prepare(customers, context: ApplyContext<Customer360Repositories & D>) {
      const ids = customers.map((c) => c.customerId);
      await context.repositories.customer360.prefetch?.(ids);
      for (const view of derived) await view.prepare?.(ids, context.repositories);
    },
    async apply(batch, context: ApplyContext<Customer360Repositories & D>) {
      const repositories = context.repositories;
      await applyTo(batch.customerId, batch.events, repositories, context.streams);
      // The customer's events also belong to the view of any survivor it is merged into.
      for (const survivor of await repositories.customer360.survivorsOf(batch.customerId))
        if (survivor !== batch.customerId) await applyTo(survivor, batch.events, repositories, context.streams);
    },
  });
}
