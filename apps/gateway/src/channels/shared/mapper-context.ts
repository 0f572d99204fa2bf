import { deterministicEventId } from './deterministic-id';

/**
 * What a channel mapper may depend on besides the native record.
 * `newId(name)` must be deterministic (same name → same UUID): mappers derive every event id from
 * the channel, the native record id and the event's role in that record, so a re-sent record
 * yields the same events and the event store ignores the repeat.
 * `now` is the gateway's clock. Mappers deliberately take every time from the native record and
 * not from `now`: stamping receipt time into an event would give a re-sent record a different
 * body under the same event id, which the store must treat as a conflict rather than a repeat.
 */
export interface MapperContext {
  readonly now: () => Date;
  readonly newId: (name: string) => string;
}

export const defaultMapperContext = (): MapperContext => ({ now: () => new Date(), newId: deterministicEventId });
