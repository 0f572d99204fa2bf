import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from '../config/domain-config';

/** The ABN AMRO scheme the seed cites: top / important / core / mass customers. */
export type ValueTier = 'top' | 'important' | 'core' | 'mass';
export const VALUE_TIERS: readonly ValueTier[] = ['top', 'important', 'core', 'mass'];

/** Share of customers wanted in each tier above mass (mass takes the rest). */
export interface TierShares {
  readonly top: number;
  readonly important: number;
  readonly core: number;
}
export const DEFAULT_TIER_SHARES: TierShares = { top: 0.01, important: 0.09, core: 0.3 };

/** A value at or above a tier's threshold is in that tier (thresholds are inclusive minimums). */
export const valueTier = (
  relationshipValue: number,
  thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
): ValueTier => {
  if (relationshipValue >= thresholds.top) return 'top';
  if (relationshipValue >= thresholds.important) return 'important';
  if (relationshipValue >= thresholds.core) return 'core';
  return 'mass';
};

/**
 * Thresholds from the bank's own book: each is the smallest value among the customers who
 * must be at or above it, so the top `shares.top` (rounded up) are top, the next
 * `shares.important` important, and so on. Ties at a threshold go up with it. Throws on an
 * empty book or shares that do not fit in 1 — there is nothing sensible to calibrate then.
 */
export const deriveTierThresholds = (
  values: readonly number[],
  shares: TierShares = DEFAULT_TIER_SHARES,
): TierThresholds => {
  if (values.length === 0) throw new RangeError('deriveTierThresholds needs at least one value');
  const { top, important, core } = shares;
  if ([top, important, core].some((s) => !(s >= 0)) || top + important + core > 1) {
    throw new RangeError('tier shares must be non-negative and sum to at most 1');
  }
  const desc = [...values].sort((a, b) => b - a);
  const n = desc.length;
  const atRank = (share: number): number => {
    const count = Math.ceil(share * n - 1e-9);
    // Nobody must reach a tier with a zero share: put its threshold above everyone.
    return count <= 0
      ? Number.POSITIVE_INFINITY
      : (desc[Math.min(count, n) - 1] ?? Number.POSITIVE_INFINITY);
  };
  return {
    top: atRank(top),
    important: atRank(top + important),
    core: atRank(top + important + core),
  };
};

/**
 * The seed's 20/80 check: the share of total value held by the most valuable `topShare` of
 * customers (by count, rounded up). 0 for an empty book or one with no value.
 */
export const valueConcentration = (values: readonly number[], topShare = 0.2): number => {
  const total = values.reduce((sum, v) => sum + Math.max(0, v), 0);
  if (values.length === 0 || total <= 0) return 0;
  const desc = [...values].sort((a, b) => b - a);
  const count = Math.ceil(topShare * desc.length - 1e-9);
  const held = desc.slice(0, count).reduce((sum, v) => sum + Math.max(0, v), 0);
  return held / total;
};

/** How many customers fall in each tier (for the calibration report). */
export const tierDistribution = (
  values: readonly number[],
  thresholds: TierThresholds = DEFAULT_TIER_THRESHOLDS,
): Record<ValueTier, number> => {
  const counts: Record<ValueTier, number> = { top: 0, important: 0, core: 0, mass: 0 };
  for (const v of values) counts[valueTier(v, thresholds)] += 1;
  return counts;
};
