import { CHANNELS, type Channel } from '@c360/contracts';
import { dayNumber, isoDay, toMs, MS_PER_DAY } from '../calendar/calendar';
import type { BalancePoint, Customer360State, DayActivity } from './customer-360.state';

/**
 * Read-side questions about a 360 state at an explicit time `asOf` (never the clock).
 * Windows are whole UTC days: a 30-day window at asOf covers asOf's day and the 29 before.
 * The state keeps 90 days of buckets counted back from its newest event, so windows reaching
 * further into the past than that need a time-travel fold (foldAsOf) instead.
 */

export const bucketsInWindow = (
  state: Customer360State,
  asOf: Date | string,
  days: number,
): DayActivity[] => {
  const end = dayNumber(isoDay(asOf));
  return state.activity.filter((b) => {
    const n = dayNumber(b.day);
    return n <= end && n > end - days;
  });
};

export const interactionCounts = (
  state: Customer360State,
  asOf: Date | string,
  days: number,
): Record<Channel, number> => {
  const counts: Record<Channel, number> = { branch: 0, mobile: 0, 'call-centre': 0 };
  for (const b of bucketsInWindow(state, asOf, days)) {
    for (const c of CHANNELS) counts[c] += b.interactions[c];
  }
  return counts;
};

/** Sums a per-currency field of the daily buckets over a window. */
export const sumInWindow = (
  state: Customer360State,
  asOf: Date | string,
  days: number,
  field: 'feesMinor' | 'cardSpendMinor' | 'salaryInMinor' | 'outToOtherBanksMinor',
): Record<string, number> => {
  const totals: Record<string, number> = {};
  for (const b of bucketsInWindow(state, asOf, days)) {
    for (const [currency, amount] of Object.entries(b[field]))
      totals[currency] = (totals[currency] ?? 0) + amount;
  }
  return totals;
};

/** What the daily buckets of one window add up to (see activityTotals). */
export interface ActivityTotals {
  readonly interactions: Record<Channel, number>;
  readonly feesMinor: Record<string, number>;
  readonly cardSpendMinor: Record<string, number>;
  readonly salaryInMinor: Record<string, number>;
  readonly outToOtherBanksMinor: Record<string, number>;
}

const emptyTotals = (): ActivityTotals => ({
  interactions: { branch: 0, mobile: 0, 'call-centre': 0 },
  feesMinor: {},
  cardSpendMinor: {},
  salaryInMinor: {},
  outToOtherBanksMinor: {},
});

const addAmounts = (totals: Record<string, number>, amounts: Readonly<Record<string, number>>) => {
  for (const currency in amounts)
    totals[currency] = (totals[currency] ?? 0) + (amounts[currency] as number);
};

/**
 * interactionCounts and sumInWindow for several windows at once, in one pass over the
 * buckets (the segment facts read five windows per evaluation). Totals are added in the
 * same order as the single-window queries, so they are equal to the last bit.
 */
export const activityTotals = (
  state: Customer360State,
  asOf: Date | string,
  windows: readonly number[],
): ActivityTotals[] => {
  const end = dayNumber(isoDay(asOf));
  const out = windows.map(emptyTotals);
  for (const b of state.activity) {
    const n = dayNumber(b.day);
    if (n > end) continue;
    for (let i = 0; i < windows.length; i++) {
      if (!(n > end - (windows[i] as number))) continue;
      const t = out[i] as ActivityTotals;
      t.interactions.branch += b.interactions.branch;
      t.interactions.mobile += b.interactions.mobile;
      t.interactions['call-centre'] += b.interactions['call-centre'];
      addAmounts(t.feesMinor, b.feesMinor);
      addAmounts(t.cardSpendMinor, b.cardSpendMinor);
      addAmounts(t.salaryInMinor, b.salaryInMinor);
      addAmounts(t.outToOtherBanksMinor, b.outToOtherBanksMinor);
    }
  }
  return out;
};

/** Last interaction per channel at or before asOf (null: none known). */
export const lastInteractionAsOf = (
  state: Customer360State,
  asOf: Date | string,
): Record<Channel, string | null> => {
  const t = toMs(asOf);
  const out: Record<Channel, string | null> = { branch: null, mobile: null, 'call-centre': null };
  for (const c of CHANNELS) {
    const last = state.lastInteraction[c];
    out[c] = last !== null && toMs(last.at) <= t ? last.at : null;
  }
  return out;
};

/** Whole days since the most recent interaction on any of `channels` (null: never). */
export const daysSinceInteraction = (
  state: Customer360State,
  asOf: Date | string,
  channels: readonly Channel[] = CHANNELS,
): number | null => {
  const times = channels
    .map((c) => state.lastInteraction[c])
    .filter((x) => x !== null)
    .map((x) => toMs(x.at));
  if (times.length === 0) return null;
  return Math.floor((toMs(asOf) - Math.max(...times)) / MS_PER_DAY);
};

/** The balance snapshot in force at the end of `day` (null: no balance known by then). */
export const balancePointAt = (state: Customer360State, day: string): BalancePoint | null => {
  let found: BalancePoint | null = null;
  for (const p of state.balanceHistory) {
    if (p.day <= day) found = p;
    else break;
  }
  return found;
};

export interface ServiceQuality {
  readonly branchVisits: number;
  readonly averageBranchWaitMinutes: number | null;
  readonly calls: number;
  readonly callsResolved: number;
  readonly callsAbandoned: number;
}

export const serviceQuality = (
  state: Customer360State,
  asOf: Date | string,
  days: number,
): ServiceQuality => {
  let visits = 0;
  let wait = 0;
  let calls = 0;
  let resolved = 0;
  let abandoned = 0;
  for (const b of bucketsInWindow(state, asOf, days)) {
    visits += b.interactions.branch;
    wait += b.branchWaitMinutes;
    calls += b.interactions['call-centre'];
    resolved += b.callsResolved;
    abandoned += b.callsAbandoned;
  }
  return {
    branchVisits: visits,
    averageBranchWaitMinutes: visits === 0 ? null : wait / visits,
    calls,
    callsResolved: resolved,
    callsAbandoned: abandoned,
  };
};
