import { dayNumber, MS_PER_DAY, toIso, toMs } from '../calendar/calendar';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import type { Customer360State } from '../customer-360/customer-360.state';
import type { FactName } from './customer-facts';
import type { SegmentDefinition } from './segment-membership';
import type { SegmentRule } from './segment-rule';

/**
 * How a fact moves with the clock alone (no new event):
 * - `none`: a function of the state only (tier, balances, products, scores…);
 * - `window`: sums / counts over the daily buckets of a trailing window — changes only on the
 *   UTC day a bucket leaves (or enters) a window;
 * - `balance-90d`: the balance snapshot 90 days back — changes on the day a snapshot turns 90
 *   days old;
 * - `age`: whole days since a moment (last interaction, manager change) — changes on every
 *   anniversary of it, forever.
 */
export type FactClock = 'none' | 'window' | 'balance-90d' | 'age';

export const FACT_CLOCK: Readonly<Record<FactName, FactClock>> = {
  tier: 'none',
  region: 'none',
  branchCode: 'none',
  kind: 'none',
  relationshipValue: 'none',
  assetsValue: 'none',
  assetsValue90dAgo: 'balance-90d',
  assetsGrowthPct90d: 'balance-90d',
  productCount: 'none',
  productCount90dAgo: 'balance-90d',
  productGrowth90d: 'balance-90d',
  interactions30d: 'window',
  interactions90d: 'window',
  branch30d: 'window',
  branch90d: 'window',
  mobile30d: 'window',
  mobile90d: 'window',
  callCentre30d: 'window',
  callCentre90d: 'window',
  digitalShare90d: 'window',
  branchShare90d: 'window',
  daysSinceLastInteraction: 'age',
  salaryIn90d: 'window',
  hasSalary90d: 'window',
  monthlyIncome90d: 'window',
  outToOtherBanks90d: 'window',
  outToOtherBanksShareOfIncome90d: 'window',
  revenue90d: 'window',
  costToServe90d: 'window',
  margin90d: 'window',
  latestNps: 'none',
  latestCsat: 'none',
  openComplaints: 'none',
  daysSinceManagerChange: 'age',
};

/** Every fact a rule reads (compared fields and referenced fields). */
export const ruleFacts = (rule: SegmentRule): FactName[] => {
  if ('all' in rule) return [...new Set(rule.all.flatMap(ruleFacts))];
  if ('any' in rule) return [...new Set(rule.any.flatMap(ruleFacts))];
  if ('not' in rule) return ruleFacts(rule.not);
  return 'ref' in rule ? [...new Set([rule.field, rule.ref])] : [rule.field];
};

/** The clock kinds a segment's rule depends on (empty: membership moves only with events). */
export const segmentClocks = (definition: SegmentDefinition): FactClock[] =>
  [...new Set(ruleFacts(definition.rule).map((f) => FACT_CLOCK[f]))].filter((c) => c !== 'none').sort();

/** Can a customer enter or leave this segment with time alone (digital-first, growth…; not a tier)? */
export const isTimeSensitiveSegment = (definition: SegmentDefinition): boolean => segmentClocks(definition).length > 0;

export const timeSensitiveSegments = (definitions: readonly SegmentDefinition[]): SegmentDefinition[] =>
  definitions.filter(isTimeSensitiveSegment);

const startOfDay = (n: number): number => n * MS_PER_DAY;

/**
 * The earliest instant strictly after `after` at which the facts the given segments read can
 * differ from their value at `after`, for this state and no new event; null if they never
 * will (every bucket has left every window, no age fact is read). Membership of these
 * segments cannot change between `after` and that instant, so a clock sweep may skip the
 * customer until then. Conservative: the facts may also stay the same at that instant.
 */
export const nextMembershipChangeAt = (
  state: Customer360State,
  definitions: readonly SegmentDefinition[],
  after: string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): string | null => {
  if (state.mergedInto !== null) return null; // merged away: in no segment, whatever the time
  const clocks = new Set(definitions.flatMap(segmentClocks));
  if (clocks.size === 0) return null;
  const t = toMs(after);
  let best = Number.POSITIVE_INFINITY;
  const consider = (ms: number): void => {
    if (ms > t && ms < best) best = ms;
  };
  if (clocks.has('window')) {
    const windows = [...new Set([30, 90, config.profitability.windowDays])];
    for (const bucket of state.activity) {
      const d = dayNumber(bucket.day);
      consider(startOfDay(d)); // enters the windows (a bucket dated after `after`)
      for (const w of windows) consider(startOfDay(d + w)); // leaves a window of w days
    }
  }
  if (clocks.has('balance-90d')) {
    for (const point of state.balanceHistory) consider(startOfDay(dayNumber(point.day) + 90));
  }
  if (clocks.has('age')) {
    const moments: number[] = [];
    const lasts = Object.values(state.lastInteraction).filter((x) => x !== null);
    if (lasts.length > 0) moments.push(Math.max(...lasts.map((x) => toMs(x.at))));
    const changedAt = state.relationshipManager?.changedAt ?? null;
    if (changedAt !== null) moments.push(toMs(changedAt));
    for (const m of moments) {
      if (m > t) consider(m);
      else consider(m + (Math.floor((t - m) / MS_PER_DAY) + 1) * MS_PER_DAY);
    }
  }
  return Number.isFinite(best) ? toIso(best) : null;
};

/** Can the membership of these segments change between `from` (exclusive) and `to` (inclusive)? */
export const membershipMayChange = (
  state: Customer360State,
  definitions: readonly SegmentDefinition[],
  from: string,
  to: string,
  config: DomainConfig = DEFAULT_DOMAIN_CONFIG,
): boolean => {
  const next = nextMembershipChangeAt(state, definitions, from, config);
  return next !== null && toMs(next) <= toMs(to);
};

