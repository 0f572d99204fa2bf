import { DEFAULT_TIER_THRESHOLDS } from '../config/domain-config';
import {
  deriveTierThresholds,
  tierDistribution,
  valueConcentration,
  valueTier,
} from './value-tiers';

/** Deterministic lognormal sample (mulberry32 + Box–Muller) of a retail deposit book. */
const lognormalBook = (n: number, medianMinor: number, sigma: number, seed = 42): number[] => {
  let a = seed;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    return Math.round(medianMinor * Math.exp(sigma * z));
  });
};

describe('value tiers', () => {
  const t = { top: 1_000, important: 100, core: 10 };

  it('puts a value exactly on a threshold in that tier, and one below in the tier under it', () => {
    expect(valueTier(1_000, t)).toBe('top');
    expect(valueTier(999, t)).toBe('important');
    expect(valueTier(100, t)).toBe('important');
    expect(valueTier(99, t)).toBe('core');
    expect(valueTier(10, t)).toBe('core');
    expect(valueTier(9, t)).toBe('mass');
    expect(valueTier(0, t)).toBe('mass');
    expect(valueTier(-5, t)).toBe('mass');
  });

  it('has defaults at CNY 6m / 500k / 50k (minor units)', () => {
    expect(DEFAULT_TIER_THRESHOLDS).toEqual({
      top: 600_000_000,
      important: 50_000_000,
      core: 5_000_000,
    });
    expect(valueTier(600_000_000)).toBe('top');
    expect(valueTier(599_999_999)).toBe('important');
    expect(valueTier(4_999_999)).toBe('mass');
  });

  it('splits a bank-like lognormal book roughly 1% / 9% / 30% / 60% with the defaults', () => {
    const n = 50_000;
    const d = tierDistribution(lognormalBook(n, 2_800_000, 2.3));
    expect(d.top / n).toBeCloseTo(0.01, 2);
    expect(Math.abs(d.important / n - 0.09)).toBeLessThan(0.01);
    expect(Math.abs(d.core / n - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(d.mass / n - 0.6)).toBeLessThan(0.015);
  });

  it('derives thresholds as quantiles that reproduce the wanted shares', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000
    const th = deriveTierThresholds(values, { top: 0.01, important: 0.09, core: 0.3 });
    expect(th).toEqual({ top: 991, important: 901, core: 601 });
    expect(tierDistribution(values, th)).toEqual({ top: 10, important: 90, core: 300, mass: 600 });
    const book = lognormalBook(20_000, 2_800_000, 2.3, 7);
    const d = tierDistribution(book, deriveTierThresholds(book));
    expect(d).toEqual({ top: 200, important: 1_800, core: 6_000, mass: 12_000 });
  });

  it('rounds tier sizes up on small books and keeps a zero share empty', () => {
    expect(deriveTierThresholds([5], { top: 0.01, important: 0.09, core: 0.3 })).toEqual({
      top: 5,
      important: 5,
      core: 5,
    });
    const th = deriveTierThresholds([1, 2, 3], { top: 0, important: 0, core: 0.5 });
    expect(th.top).toBe(Number.POSITIVE_INFINITY);
    expect(tierDistribution([1, 2, 3], th)).toEqual({ top: 0, important: 0, core: 2, mass: 1 });
  });

  it('refuses an empty book or shares over 100%', () => {
    expect(() => deriveTierThresholds([])).toThrow(RangeError);
    expect(() => deriveTierThresholds([1], { top: 0.5, important: 0.5, core: 0.5 })).toThrow(
      RangeError,
    );
  });

  it('measures value concentration (the 20/80 check)', () => {
    expect(valueConcentration([])).toBe(0);
    expect(valueConcentration([0, 0])).toBe(0);
    expect(valueConcentration([80, 5, 5, 5, 5])).toBeCloseTo(0.8, 10);
    expect(valueConcentration([1, 1, 1, 1, 1])).toBeCloseTo(0.2, 10);
    // A heavy-tailed book is far more concentrated than 20/80.
    expect(valueConcentration(lognormalBook(10_000, 2_800_000, 2.3))).toBeGreaterThan(0.8);
  });
});
