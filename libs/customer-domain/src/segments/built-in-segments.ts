import { VALUE_TIERS, type ValueTier } from '../tiers/value-tiers';
import type { SegmentDefinition } from './segment-membership';

/**
 * The built-in segments, as data like any other. Money thresholds are reporting minor
 * units (CNY fen by default).
 */

const tierSegment = (tier: ValueTier): SegmentDefinition => ({
  id: `tier-${tier}`,
  version: 1,
  name: `Value tier: ${tier}`,
  description: `Customers whose relationship value puts them in the ${tier} tier.`,
  rule: { field: 'tier', op: 'eq', value: tier },
});

export const TIER_SEGMENTS: readonly SegmentDefinition[] = VALUE_TIERS.map(tierSegment);

/** Fastest-growing: assets up ≥ 20% on a meaningful base (≥ CNY 1,000), or more products than 90 days ago. */
export const GROWTH_SEGMENT: SegmentDefinition = {
  id: 'growth',
  version: 1,
  name: 'Growth',
  description:
    'Assets grew by 20% or more over 90 days, or the customer holds more products than 90 days ago.',
  rule: {
    any: [
      {
        all: [
          { field: 'assetsValue90dAgo', op: 'gte', value: 100_000 },
          { field: 'assetsGrowthPct90d', op: 'gte', value: 20 },
        ],
      },
      { field: 'productGrowth90d', op: 'gte', value: 1 },
    ],
  },
};

/**
 * Potential (low share of wallet): the customer earns with us (salary ≥ CNY 5,000 a month)
 * but keeps little here: few products, most of the salary sent on to other banks, or assets
 * below three months of income.
 */
export const POTENTIAL_SEGMENT: SegmentDefinition = {
  id: 'potential',
  version: 1,
  name: 'Potential',
  description:
    'Income signals with a low share of wallet: few products, salary moved elsewhere, or low assets.',
  rule: {
    all: [
      { field: 'monthlyIncome90d', op: 'gte', value: 500_000 },
      { field: 'tier', op: 'in', values: ['core', 'mass'] },
      {
        any: [
          { field: 'productCount', op: 'lte', value: 2 },
          { field: 'outToOtherBanksShareOfIncome90d', op: 'gte', value: 0.5 },
          { field: 'assetsValue', op: 'lt', ref: 'monthlyIncome90d', factor: 3 },
        ],
      },
    ],
  },
};

export const DIGITAL_FIRST_SEGMENT: SegmentDefinition = {
  id: 'digital-first',
  version: 1,
  name: 'Digital first',
  description: 'At least 3 interactions in 90 days, 80% or more of them in the app.',
  rule: {
    all: [
      { field: 'interactions90d', op: 'gte', value: 3 },
      { field: 'digitalShare90d', op: 'gte', value: 0.8 },
    ],
  },
};

export const BRANCH_RELIANT_SEGMENT: SegmentDefinition = {
  id: 'branch-reliant',
  version: 1,
  name: 'Branch reliant',
  description: 'At least 3 interactions in 90 days, half or more of them at a branch counter.',
  rule: {
    all: [
      { field: 'interactions90d', op: 'gte', value: 3 },
      { field: 'branchShare90d', op: 'gte', value: 0.5 },
    ],
  },
};

/** Served below cost: the reason carries the channel costs that make it so. */
export const UNPROFITABLE_SEGMENT: SegmentDefinition = {
  id: 'unprofitable',
  version: 1,
  name: 'Unprofitable',
  description: 'Cost-to-serve over 90 days above the estimated revenue over the same window.',
  rule: { field: 'costToServe90d', op: 'gt', ref: 'revenue90d' },
};

export const BUILT_IN_SEGMENTS: readonly SegmentDefinition[] = [
  ...TIER_SEGMENTS,
  GROWTH_SEGMENT,
  POTENTIAL_SEGMENT,
  DIGITAL_FIRST_SEGMENT,
  BRANCH_RELIANT_SEGMENT,
  UNPROFITABLE_SEGMENT,
];
