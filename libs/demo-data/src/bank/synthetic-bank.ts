import { resolveDemoBankOptions, type DemoBankOptions } from './bank-options';
import { DAY, MINUTE } from './calendar';
import { buildCustomerTraffic, type HistoryContext } from './customer-history';
import { planCustomer } from './customer-plan';
import type { CustomerTraffic } from './traffic-item';

/**
 * The synthetic bank: a lazy, seeded stream of customers, each with its whole history. Nothing
 * is shared between customers, so memory stays at one customer's items however many are asked
 * for, and any customer can be regenerated on its own (`customerTraffic`).
 */
export interface SyntheticBank {
  readonly options: DemoBankOptions;
  /** Changes with `now` (to the minute): ids differ between runs with a different `now`. */
  readonly runTag: string;
  /** Every customer in index order, generated on demand. */
  customers(from?: number, to?: number): Generator<CustomerTraffic, void, undefined>;
  customerTraffic(index: number): CustomerTraffic;
}

export const createSyntheticBank = (overrides: Partial<DemoBankOptions> & { readonly now: Date }): SyntheticBank => {
  const options = resolveDemoBankOptions(overrides);
  const nowMs = Math.floor(options.now.getTime() / MINUTE) * MINUTE;
  const ctx: HistoryContext = { options, nowMs, startMs: nowMs - options.days * DAY, runTag: Math.floor(nowMs / MINUTE).toString(36) };
  const customerTraffic = (index: number): CustomerTraffic => {
    if (!Number.isInteger(index) || index < 0 || index >= options.customers) throw new RangeError(`no customer ${index}`);
    return buildCustomerTraffic(ctx, planCustomer(ctx, index));
  };
  return {
    options,
    runTag: ctx.runTag,
    customerTraffic,
    *customers(from = 0, to = options.customers) {
      for (let i = Math.max(0, from); i < Math.min(to, options.customers); i++) yield customerTraffic(i);
    },
  };
};
