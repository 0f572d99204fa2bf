import { dayFromNumber, dayNumber, daysBetween, isoDay } from '../calendar/calendar';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import {
  activityTotals,
  balancePointAt,
  daysSinceInteraction,
  type ActivityTotals,
} from '../customer-360/customer-360.queries';
import type { Customer360State } from '../customer-360/customer-360.state';
import { valueTier } from '../tiers/value-tiers';
import { describeChannelCosts, profitabilityFromTotals } from '../valuation/profitability';
import { relationshipValue, toReportingMinor } from '../valuation/valuation';

/**
 * The flat, named facts segment rules compare: the 360 state plus recent behaviour at
 * `now`, with money in reporting minor units. A rule names these fields, so adding a fact is
 * adding a key here and to FACT_NAMES.
 */
export interface CustomerFacts {
  readonly tier: string;
  readonly region: string | null;
  readonly branchCode: string | null;
  readonly kind: string | null;
  readonly relationshipValue: number;
  readonly assetsValue: number;
  readonly assetsValue90dAgo: number | null;
  /** Percent change of assets over 90 days; null when there was nothing 90 days ago. */
  readonly assetsGrowthPct90d: number | null;
  readonly productCount: number;
  readonly productCount90dAgo: number | null;
  readonly productGrowth90d: number | null;
  readonly interactions30d: number;
  readonly interactions90d: number;
  readonly branch30d: number;
  readonly branch90d: number;
  readonly mobile30d: number;
  readonly mobile90d: number;
  readonly callCentre30d: number;
  readonly callCentre90d: number;
  /** Mobile share of interactions in 90 days (null: none). */
  readonly digitalShare90d: number | null;
  readonly branchShare90d: number | null;
  readonly daysSinceLastInteraction: number | null;
  readonly salaryIn90d: number;
  readonly hasSalary90d: boolean;
  /** Salary in 90 days / 3. */
  readonly monthlyIncome90d: number;
  readonly outToOtherBanks90d: number;
  /** Money sent to other banks against salary received, 90 days (null: no salary). */
  readonly outToOtherBanksShareOfIncome90d: number | null;
  readonly revenue90d: number;
  readonly costToServe90d: number;
  readonly margin90d: number;
  readonly latestNps: number | null;
  readonly latestCsat: number | null;
  readonly openComplaints: number;
  readonly daysSinceManagerChange: number | null;
}

export type FactName = keyof CustomerFacts;
export type FactValue = CustomerFacts[FactName];

export const FACT_NAMES: readonly FactName[] = [
  'tier',
  'region',
  'branchCode',
  'kind',
  'relationshipValue',
  'assetsValue',
  'assetsValue90dAgo',
  'assetsGrowthPct90d',
  'productCount',
  'productCount90dAgo',
  'productGrowth90d',
  'interactions30d',
  'interactions90d',
  'branch30d',
  'branch90d',
  'mobile30d',
  'mobile90d',
  'callCentre30d',
  'callCentre90d',
  'digitalShare90d',
  'branchShare90d',
  'daysSinceLastInteraction',
  'salaryIn90d',
  'hasSalary90d',
  'monthlyIncome90d',
  'outToOtherBanks90d',
  'outToOtherBanksShareOfIncome90d',
  'revenue90d',
  'costToServe90d',
  'margin90d',
  'latestNps',
  'latestCsat',
  'openComplaints',
  'daysSinceManagerChange',
];

/** Facts plus short explanations some facts carry into reasons (e.g. the channel costs). */
export interface FactSheet {
  readonly facts: CustomerFacts;
  readonly explain: Partial<Record<FactName, string>>;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export const customerFacts = (
  state: Customer360State,
  now: Date | string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): FactSheet => {
  const v = config.valuation;
  const value = relationshipValue(state, v);
  const assetsValue = toReportingMinor(state.assetsMinor, v).valueMinor;
  const past = balancePointAt(state, dayFromNumber(dayNumber(isoDay(now)) - 90));
  const assetsValue90dAgo = past === null ? null : toReportingMinor(past.assetsMinor, v).valueMinor;
  const productCount = state.products.filter((p) => p.status === 'open').length;
  // One pass over the daily buckets for the 30- and 90-day windows and the profit window.
  const [w30, w90, wProfit] = activityTotals(state, now, [
    30,
    90,
    config.profitability.windowDays,
  ]) as [ActivityTotals, ActivityTotals, ActivityTotals];
  const c30 = w30.interactions;
  const c90 = w90.interactions;
  const total30 = c30.branch + c30.mobile + c30['call-centre'];
  const total90 = c90.branch + c90.mobile + c90['call-centre'];
  const salaryIn90d = toReportingMinor(w90.salaryInMinor, v).valueMinor;
  const outToOtherBanks90d = toReportingMinor(w90.outToOtherBanksMinor, v).valueMinor;
  const profit = profitabilityFromTotals(state, wProfit, config);
  const rmChange = state.relationshipManager?.changedAt ?? null;
  const facts: CustomerFacts = {
    tier: valueTier(value, config.tiers),
    region: state.profile.region,
    branchCode: state.profile.branchCode,
    kind: state.profile.kind,
    relationshipValue: value,
    assetsValue,
    assetsValue90dAgo,
    assetsGrowthPct90d:
      assetsValue90dAgo === null || assetsValue90dAgo <= 0
        ? null
        : ((assetsValue - assetsValue90dAgo) / assetsValue90dAgo) * 100,
    productCount,
    productCount90dAgo: past?.openProducts ?? null,
    productGrowth90d: past === null ? null : productCount - past.openProducts,
    interactions30d: total30,
    interactions90d: total90,
    branch30d: c30.branch,
    branch90d: c90.branch,
    mobile30d: c30.mobile,
    mobile90d: c90.mobile,
    callCentre30d: c30['call-centre'],
    callCentre90d: c90['call-centre'],
    digitalShare90d: ratio(c90.mobile, total90),
    branchShare90d: ratio(c90.branch, total90),
    daysSinceLastInteraction: daysSinceInteraction(state, now),
    salaryIn90d,
    hasSalary90d: salaryIn90d > 0,
    monthlyIncome90d: Math.round(salaryIn90d / 3),
    outToOtherBanks90d,
    outToOtherBanksShareOfIncome90d: ratio(outToOtherBanks90d, salaryIn90d),
    revenue90d: profit.revenueMinor,
    costToServe90d: profit.costToServeMinor,
    margin90d: profit.marginMinor,
    latestNps: state.latestNps?.score ?? null,
    latestCsat: state.latestCsat?.score ?? null,
    openComplaints: state.openComplaints.length,
    daysSinceManagerChange: rmChange === null ? null : Math.floor(daysBetween(rmChange, now)),
  };
  return { facts, explain: { costToServe90d: describeChannelCosts(profit.costByChannel) } };
};
