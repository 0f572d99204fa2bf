import { toMs } from '../calendar/calendar';
import { foldCustomer } from '../customer-360/customer-360.fold';
import type { Customer360State } from '../customer-360/customer-360.state';
import type { DomainEvent } from '../events/domain-event';

/** Events that had happened by `t` (business time). */
export const occurredBy =
  (t: Date | string) =>
  (event: DomainEvent): boolean =>
    toMs(event.occurredAt) <= toMs(t);

/** Events the bank had recorded by `t`. */
export const recordedBy =
  (t: Date | string) =>
  (event: DomainEvent): boolean =>
    toMs(event.recordedAt) <= toMs(t);

/**
 * The view as of `t`: events that had occurred by then, applied in stream order with the
 * live fold. A late-arriving event changes this for times after it occurred.
 */
export const foldAsOf = (
  customerId: string,
  events: readonly DomainEvent[],
  t: Date | string,
): Customer360State => foldCustomer(customerId, events.filter(occurredBy(t)));

/** The view as the bank knew it at `t`: events recorded by then. Late arrivals do not rewrite it. */
export const foldKnownAt = (
  customerId: string,
  events: readonly DomainEvent[],
  t: Date | string,
): Customer360State => foldCustomer(customerId, events.filter(recordedBy(t)));
