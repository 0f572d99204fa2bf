import type { ChurnConfig, DomainConfig } from '@c360/customer-domain';

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
}

export const pageSizeOf = (o: DerivedServiceOptions): number => o.pageSize ?? 200;
export const nowOf = (o: DerivedServiceOptions): Date => (o.clock ?? (() => new Date()))();
