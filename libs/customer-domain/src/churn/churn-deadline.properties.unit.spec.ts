import fc from 'fast-check';
import { isoDay, MS_PER_DAY, toIso, toMs } from '../calendar/calendar';
import { initialCustomer360, type Customer360State } from '../customer-360/customer-360.state';
import { DEFAULT_CHURN_CONFIG, type ChurnConfig } from './churn-config';
import { evaluateChurn, nextChurnChange } from './churn-rules';

const T0 = Date.UTC(2026, 5, 1);
/** Any instant within about a year either side of T0, to the millisecond. */
const instant = fc.integer({ min: -400 * MS_PER_DAY, max: 400 * MS_PER_DAY }).map((d) => T0 + d);
const id = fc.uuid();
const channel = fc.constantFrom('branch' as const, 'mobile' as const, 'call-centre' as const);
const money = fc.integer({ min: 0, max: 50_000_000_000 });

const stateArb: fc.Arbitrary<Customer360State> = fc
  .record({
    activity: fc.array(fc.record({ at: instant, branch: fc.nat(5), mobile: fc.nat(5), call: fc.nat(5) }), { maxLength: 6 }),
    last: fc.record({
      branch: fc.option(fc.record({ at: instant, eventId: id }), { nil: null }),
      mobile: fc.option(fc.record({ at: instant, eventId: id }), { nil: null }),
      call: fc.option(fc.record({ at: instant, eventId: id }), { nil: null }),
    }),
    balances: fc.array(fc.record({ at: instant, assets: money, eventId: id }), { maxLength: 5 }),
    assets: money,
    relationship: money,
    complaints: fc.array(fc.record({ at: instant, severity: fc.constantFrom('low' as const, 'medium' as const, 'high' as const), eventId: id, channel }), {
      maxLength: 3,
    }),
    nps: fc.option(fc.record({ score: fc.integer({ min: 0, max: 10 }), at: instant, eventId: id }), { nil: null }),
    manager: fc.option(fc.record({ changedAt: fc.option(instant, { nil: null }), eventId: id }), { nil: null }),
    salary: fc.option(fc.record({ at: instant, eventId: id, credits: fc.integer({ min: 0, max: 6 }), interval: fc.double({ min: 1, max: 45, noNaN: true }) }), {
      nil: null,
    }),
    transfers: fc.array(fc.record({ at: instant, amount: money, eventId: id, bank: fc.constantFrom('BANK-A', 'BANK-B') }), { maxLength: 4 }),
    closures: fc.array(fc.record({ at: instant, eventId: id }), { maxLength: 3 }),
  })
  .map((g): Customer360State => {
    const base = initialCustomer360('C1');
    const ms = (t: number): string => toIso(t);
    const balanceDays = [...new Map(g.balances.map((b) => [isoDay(b.at), b])).values()].sort((a, b) => a.at - b.at);
    return {
      ...base,
      assetsMinor: { CNY: g.assets },
      relationshipBalanceMinor: { CNY: g.relationship },
      activity: [...new Map(g.activity.map((a) => [isoDay(a.at), a])).values()]
        .sort((a, b) => a.at - b.at)
        .map((a) => ({
          day: isoDay(a.at),
          interactions: { branch: a.branch, mobile: a.mobile, 'call-centre': a.call },
          branchWaitMinutes: 0,
          callsResolved: 0,
          callsAbandoned: 0,
          feesMinor: {},
          cardSpendMinor: {},
          salaryInMinor: {},
          outToOtherBanksMinor: {},
        })),
      lastInteraction: {
        branch: g.last.branch && { at: ms(g.last.branch.at), eventId: g.last.branch.eventId },
        mobile: g.last.mobile && { at: ms(g.last.mobile.at), eventId: g.last.mobile.eventId },
        'call-centre': g.last.call && { at: ms(g.last.call.at), eventId: g.last.call.eventId },
      },
      balanceHistory: balanceDays.map((b) => ({ day: isoDay(b.at), assetsMinor: { CNY: b.assets }, openProducts: 1, eventId: b.eventId })),
      openComplaints: g.complaints.map((c, i) => ({ complaintId: `K${i}`, category: 'fees', severity: c.severity, channel: c.channel, raisedAt: ms(c.at), eventId: c.eventId })),
      latestNps: g.nps && { score: g.nps.score, at: ms(g.nps.at), eventId: g.nps.eventId },
      relationshipManager: g.manager && {
        managerId: 'RM2',
        previousManagerId: 'RM1',
        since: ms(T0),
        changedAt: g.manager.changedAt === null ? null : ms(g.manager.changedAt),
        eventId: g.manager.eventId,
      },
      salary:
        g.salary === null
          ? base.salary
          : {
              lastAt: ms(g.salary.at),
              lastEventId: g.salary.eventId,
              lastAmountMinor: 1_000_000,
              currency: 'CNY',
              count: g.salary.credits,
              recentAt: Array.from({ length: g.salary.credits }, (_, i) => ms(g.salary!.at - i * g.salary!.interval * MS_PER_DAY)).reverse(),
              typicalIntervalDays: g.salary.credits >= 2 ? g.salary.interval : null,
            },
      transfersToOtherBanks: g.transfers
        .sort((a, b) => a.at - b.at)
        .map((t) => ({ eventId: t.eventId, at: ms(t.at), amountMinor: t.amount, currency: 'CNY', counterpartyBank: t.bank })),
      productClosures: g.closures
        .sort((a, b) => a.at - b.at)
        .map((c, i) => ({ eventId: c.eventId, at: ms(c.at), productId: `P${i}`, productType: 'savings' as const, reason: 'moved' })),
    };
  });

/** Thresholds around the defaults, fractional windows included. */
const configArb: fc.Arbitrary<ChurnConfig> = fc
  .record({
    inactivityDays: fc.double({ min: 0.5, max: 120, noNaN: true }),
    windows: fc.double({ min: 0.5, max: 120, noNaN: true }),
    drainWindow: fc.oneof(fc.integer({ min: 1, max: 120 }), fc.double({ min: 0.5, max: 120, noNaN: true })),
    dropPct: fc.integer({ min: 0, max: 90 }),
    minBaseline: fc.constantFrom(0, 1_000_000),
    factor: fc.double({ min: 1, max: 3, noNaN: true }),
    slaHours: fc.integer({ min: 1, max: 300 }),
    tiers: fc.subarray(['top', 'important', 'core', 'mass'] as const),
  })
  .map((c) => ({
    ...DEFAULT_CHURN_CONFIG,
    inactivity: { ...DEFAULT_CHURN_CONFIG.inactivity, days: c.inactivityDays },
    balanceDrain: { ...DEFAULT_CHURN_CONFIG.balanceDrain, windowDays: c.drainWindow, dropPct: c.dropPct, minBaselineMinor: c.minBaseline },
    salaryStopped: { ...DEFAULT_CHURN_CONFIG.salaryStopped, missedIntervalFactor: c.factor },
    largeTransferOut: { ...DEFAULT_CHURN_CONFIG.largeTransferOut, windowDays: c.windows },
    complaintSlaHours: { high: c.slaHours, medium: c.slaHours * 2, low: c.slaHours * 3 },
    productClosures: { ...DEFAULT_CHURN_CONFIG.productClosures, windowDays: c.windows },
    npsDetractor: { ...DEFAULT_CHURN_CONFIG.npsDetractor, maxAgeDays: c.windows },
    managerChanged: { windowDays: c.windows, tiers: c.tiers },
  }));

describe('nextChurnChange: the churn verdict stands until the deadline', () => {
  it('for any state, time and thresholds, evaluating at any later instant before the deadline gives exactly the same flags', () => {
    fc.assert(
      fc.property(stateArb, configArb, instant, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (state, config, at, fraction) => {
        const deadline = nextChurnChange(state, toIso(at), config);
        const end = deadline === null ? at + 800 * MS_PER_DAY : toMs(deadline);
        const t = at + Math.floor((end - at) * fraction);
        if (t < at) return; // the deadline has passed already (within its margin): due now
        expect(evaluateChurn(state, toIso(t), config)).toEqual(evaluateChurn(state, toIso(at), config));
      }),
      { numRuns: 3000 },
    );
  });

  it('right before each deadline, too (where a rule that changes late would show)', () => {
    fc.assert(
      fc.property(stateArb, configArb, instant, (state, config, at) => {
        const deadline = nextChurnChange(state, toIso(at), config);
        if (deadline === null || toMs(deadline) - 1 < at) return;
        expect(evaluateChurn(state, toIso(toMs(deadline) - 1), config)).toEqual(evaluateChurn(state, toIso(at), config));
      }),
      { numRuns: 3000 },
    );
  });

  it('is null only for a state with nothing the clock can change, and a deadline is never far past what changes', () => {
    const silent = initialCustomer360('C1');
    expect(nextChurnChange(silent, toIso(T0))).toBeNull();
    const withComplaint: Customer360State = {
      ...silent,
      openComplaints: [{ complaintId: 'K1', category: 'fees', severity: 'high', channel: 'branch', raisedAt: toIso(T0), eventId: '00000000-0000-4000-8000-000000000001' }],
    };
    // high severity: 48 h SLA by default; due a moment before the breach, and the breach shows after it
    const due = nextChurnChange(withComplaint, toIso(T0 + 3_600_000));
    expect(due).not.toBeNull();
    expect(toMs(due!)).toBeLessThanOrEqual(T0 + 48 * 3_600_000);
    expect(toMs(due!)).toBeGreaterThan(T0 + 47 * 3_600_000);
    expect(evaluateChurn(withComplaint, toIso(T0 + 48 * 3_600_000)).map((f) => f.code)).toEqual(['complaint-sla-breached']);
  });
});
