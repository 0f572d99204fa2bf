import { CHANNELS, type Channel } from '@c360/contracts';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import {
  interactionCounts,
  sumInWindow,
  type ActivityTotals,
} from '../customer-360/customer-360.queries';
import type { Customer360State } from '../customer-360/customer-360.state';
import { toReportingMinor } from './valuation';

export interface ChannelCost {
  readonly channel: Channel;
  readonly interactions: number;
  readonly unitCostMinor: number;
  readonly costMinor: number;
}

/** Estimated revenue against cost-to-serve over the configured window, reporting minor units. */
export interface Profitability {
  readonly windowDays: number;
  readonly interestMarginMinor: number;
  readonly feesMinor: number;
  readonly interchangeMinor: number;
  readonly revenueMinor: number;
  readonly costByChannel: readonly ChannelCost[];
  readonly costToServeMinor: number;
  readonly marginMinor: number;
}

/**
 * Revenue: the annual margin rate of each open product's type on its current balance,
 * pro rata for the window (current balance stands in for the average: the state keeps no
 * daily balances per product), plus fees paid and card interchange in the window.
 * Cost: interactions per channel in the window × the channel's unit cost.
 */
export const profitability = (
  state: Customer360State,
  asOf: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): Profitability => {
  const days = config.profitability.windowDays;
  return profitabilityFromTotals(
    state,
    {
      interactions: interactionCounts(state, asOf, days),
      feesMinor: sumInWindow(state, asOf, days, 'feesMinor'),
      cardSpendMinor: sumInWindow(state, asOf, days, 'cardSpendMinor'),
    },
    config,
  );
};

/**
 * profitability from the window's totals already summed (activityTotals over
 * `config.profitability.windowDays`), for callers that read several windows in one pass.
 */
export const profitabilityFromTotals = (
  state: Customer360State,
  window: Pick<ActivityTotals, 'interactions' | 'feesMinor' | 'cardSpendMinor'>,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): Profitability => {
  const p = config.profitability;
  const days = p.windowDays;
  const marginByCurrency: Record<string, number> = {};
  for (const product of state.products) {
    if (product.status !== 'open' || product.currency === '') continue;
    const yearly = Math.abs(product.balanceMinor) * p.annualMarginRate[product.productType];
    marginByCurrency[product.currency] =
      (marginByCurrency[product.currency] ?? 0) + (yearly * days) / 365;
  }
  const interestMarginMinor = toReportingMinor(marginByCurrency, config.valuation).valueMinor;
  const feesMinor = toReportingMinor(window.feesMinor, config.valuation).valueMinor;
  const cardSpend = toReportingMinor(window.cardSpendMinor, config.valuation).valueMinor;
  const interchangeMinor = Math.round(cardSpend * p.cardInterchangeRate);
  const counts = window.interactions;
  const costByChannel = CHANNELS.map((channel) => ({
    channel,
    interactions: counts[channel],
    unitCostMinor: p.channelUnitCostMinor[channel],
    costMinor: counts[channel] * p.channelUnitCostMinor[channel],
  }));
  const revenueMinor = interestMarginMinor + feesMinor + interchangeMinor;
  const costToServeMinor = costByChannel.reduce((sum, c) => sum + c.costMinor, 0);
  return {
    windowDays: days,
    interestMarginMinor,
    feesMinor,
    interchangeMinor,
    revenueMinor,
    costByChannel,
    costToServeMinor,
    marginMinor: revenueMinor - costToServeMinor,
  };
};

/** "branch 3 × 25.00 = 75.00; call-centre 2 × 8.00 = 16.00" — channels with a cost, largest first. */
export const describeChannelCosts = (costs: readonly ChannelCost[]): string => {
  const money = (minor: number): string => (minor / 100).toFixed(2);
  const parts = [...costs]
    .filter((c) => c.costMinor > 0)
    .sort((a, b) => b.costMinor - a.costMinor)
    .map(
      (c) => `${c.channel} ${c.interactions} × ${money(c.unitCostMinor)} = ${money(c.costMinor)}`,
    );
  return parts.length === 0 ? 'no channel costs' : parts.join('; ');
};
