import type { ChurnConfig, DomainConfig } from '@c360/customer-domain';
import type { DerivedTrace } from './derived.ports';

/** Settings shared by the derived services (from configuration; see DerivedConfig in apps/projector). */
export interface DerivedServiceOptions {
  readonly domain?: DomainConfig;
  /** The configured churn thresholds (a churn rule version's overrides are layered on top). */
  readonly churn?: ChurnConfig;
  /** Topic of the derived events. */
  readonly topic?: string;
  /** Customers per page (and per transaction) in re-evaluations, sweeps and shadow runs. Default 200. */
  readonly pageSize?: number;
  /** The clock (tests inject one). */
  readonly clock?: () => Date;
  /**
   * Starts a new trace for work the clock causes (one per sweep): the derived events a sweep
   * produces carry it. Apps bind it to @c360/observability; without it those events are stored
   * without a trace and the outbox relay starts one when it publishes them.
   */
  readonly newTrace?: () => DerivedTrace;
}

export const pageSizeOf = (o: DerivedServiceOptions): number => o.pageSize ?? 200;
export const nowOf = (o: DerivedServiceOptions): Date => (o.clock ?? (() => new Date()))();
