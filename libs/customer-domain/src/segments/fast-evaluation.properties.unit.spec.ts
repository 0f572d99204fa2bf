import fc from 'fast-check';
import { CHANNELS, customerStreamId } from '@c360/contracts';
import { dayFromNumber, dayNumber, MS_PER_DAY } from '../calendar/calendar';
import { DEFAULT_DOMAIN_CONFIG, type DomainConfig } from '../config/domain-config';
import { evolve } from '../customer-360/customer-360.evolve';
import {
  activityTotals,
  interactionCounts,
  sumInWindow,
} from '../customer-360/customer-360.queries';
import { initialCustomer360, type Customer360State } from '../customer-360/customer-360.state';
import type { DomainEvent } from '../events/domain-event';
import {
  referenceCustomerFacts,
  referenceEvaluateRule,
  referenceReevaluateMembership,
} from '../testing/reference-facts';
import { reevaluateMembership, type CurrentMembership } from '../derived/membership-step';
import { evaluationTime } from '../derived/evaluation-time';
import { profitability } from '../valuation/profitability';
import { BUILT_IN_SEGMENTS } from './built-in-segments';
import { customerFacts, FACT_NAMES } from './customer-facts';
import { evaluateRule, ruleHolds, type CompareOp, type SegmentRule } from './segment-rule';
import { evaluateSegments, memberSegments, type SegmentDefinition } from './segment-membership';

/**
 * The fast paths of the derived views (memoised day arithmetic, one-pass window totals,
 * short-circuit rule evaluation) against the straightforward computations they replace,
 * which stay as oracles in src/testing/reference-facts.ts.
 */
const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const body = fc.oneof(
  fc.record({
    type: fc.constant('CustomerRegistered'),
    data: fc.record({
      customerNumber: fc.constant('C1'),
      kind: fc.constantFrom('individual', 'business'),
      fullName: fc.constant('A'),
      nationalId: fc.constant('X'),
      birthDate: fc.constant('1990-01-01'),
      phone: fc.constant('+86'),
      email: fc.constant('a@example.com'),
      address: fc.constant('addr'),
      region: fc.constantFrom('north', 'south'),
      branchCode: fc.constantFrom('B1', 'B2'),
    }),
  }),
  fc.record({
    type: fc.constant('BranchVisited'),
    data: fc.record({ branchCode: fc.constant('B1'), service: fc.constant('cash'), waitMinutes: fc.nat(60), tellerId: fc.constant('T') }),
  }),
  fc.record({ type: fc.constant('MobileSessionStarted'), data: fc.record({ deviceId: fc.constant('d'), appVersion: fc.constant('1') }) }),
  fc.record({
    type: fc.constant('CallHandled'),
    data: fc.record({
      callId: fc.constant('c'),
      reason: fc.constant('r'),
      durationSec: fc.nat(900),
      outcome: fc.constantFrom('resolved', 'abandoned'),
      sentiment: fc.constant(0),
      agentId: fc.constant('a'),
    }),
  }),
  fc.record({
    type: fc.constant('ProductOpened'),
    data: fc.record({
      productId: fc.constantFrom('P1', 'P2', 'P3'),
      productType: fc.constantFrom('current', 'savings', 'loan', 'wealth'),
      currency: fc.constantFrom('CNY', 'USD', 'XXX'),
    }),
  }),
  fc.record({ type: fc.constant('ProductClosed'), data: fc.record({ productId: fc.constantFrom('P1', 'P2'), productType: fc.constant('current'), reason: fc.constant('r') }) }),
  fc.record({
    type: fc.constant('BalanceReported'),
    data: fc.record({
      productId: fc.constantFrom('P1', 'P2', 'P3'),
      balanceMinor: fc.integer({ min: -1_000_000, max: 100_000_000 }),
      currency: fc.constantFrom('CNY', 'USD'),
      asOfDate: fc.constantFrom('2026-01-01', '2026-06-01', '2027-01-01'),
    }),
  }),
  fc.record({
    type: fc.constant('MoneyMoved'),
    data: fc.record({
      productId: fc.constant('P1'),
      direction: fc.constantFrom('in', 'out'),
      kind: fc.constantFrom('salary', 'fee', 'card-payment', 'transfer'),
      // Fractions too: sums must be added in the same order to stay equal to the bit.
      amountMinor: fc.oneof(fc.nat(10_000_000), fc.double({ min: 0, max: 1e6, noNaN: true })),
      currency: fc.constantFrom('CNY', 'USD', 'EUR', 'XXX'),
      counterpartyBank: fc.constantFrom(null, 'ICBC'),
    }),
  }),
  fc.record({ type: fc.constant('SurveyAnswered'), data: fc.record({ kind: fc.constantFrom('nps', 'csat'), score: fc.nat(10) }) }),
  fc.record({
    type: fc.constant('RelationshipManagerAssigned'),
    data: fc.record({ managerId: fc.constantFrom('RM1', 'RM2'), previousManagerId: fc.constant(null) }),
  }),
  fc.record({
    type: fc.constant('ComplaintRaised'),
    data: fc.record({ complaintId: fc.constantFrom('K1', 'K2'), category: fc.constant('fees'), severity: fc.constantFrom('low', 'high'), channel: fc.constantFrom(...CHANNELS) }),
  }),
);

/** Histories with gaps (so windows open and close) and some events out of time order. */
const history = fc
  .array(fc.record({ body, gapHours: fc.nat(24 * 15), backHours: fc.nat(24 * 100) }), { minLength: 1, maxLength: 40 })
  .map((steps): DomainEvent[] => {
    let t = START;
    return steps.map((s, i) => {
      t += s.gapHours * HOUR;
      const occurred = i % 4 === 3 ? t - s.backHours * HOUR : t;
      return {
        eventId: `e${i}`,
        type: s.body.type,
        version: 1,
        data: s.body.data,
        streamId: customerStreamId('C1'),
        revision: i,
        occurredAt: new Date(occurred).toISOString(),
        recordedAt: new Date(t).toISOString(),
      };
    });
  });

const statesOf = (events: readonly DomainEvent[]): Customer360State[] => {
  let state = initialCustomer360('C1');
  return events.map((e) => (state = evolve(state, e)));
};

/** Evaluation times around the state's own time: now, a few hours or up to 200 days later. */
const atOffsets = fc.array(fc.integer({ min: -24 * 30, max: 24 * 200 }), { minLength: 1, maxLength: 4 });
const timesFor = (state: Customer360State, offsets: readonly number[]): string[] => {
  const own = state.timeline[0]?.occurredAt ?? state.profile.registeredAt ?? new Date(START).toISOString();
  return offsets.map((h) => new Date(Date.parse(own) + h * HOUR).toISOString());
};

const config: DomainConfig = {
  ...DEFAULT_DOMAIN_CONFIG,
  valuation: { ...DEFAULT_DOMAIN_CONFIG.valuation, fxRates: { ...DEFAULT_DOMAIN_CONFIG.valuation.fxRates, USD: 7.1, EUR: 7.7 } },
};

describe('fast derived-view evaluation equals the straightforward one', () => {
  it('memoised dayNumber / dayFromNumber give what the direct computation gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000, max: 100_000 }), fc.integer({ min: 0, max: MS_PER_DAY - 1 }), (n, ms) => {
        const instant = new Date(n * MS_PER_DAY + ms).toISOString();
        const direct = Math.floor(Date.parse(`${instant.slice(0, 10)}T00:00:00.000Z`) / MS_PER_DAY);
        // twice: the second answer comes from the memo
        for (let i = 0; i < 2; i++) {
          expect(dayNumber(instant)).toBe(direct);
          expect(dayNumber(instant.slice(0, 10))).toBe(direct);
          expect(dayFromNumber(n)).toBe(new Date(n * MS_PER_DAY).toISOString().slice(0, 10));
        }
      }),
      { numRuns: 300 },
    );
    expect(Number.isNaN(dayNumber('not a day'))).toBe(true);
    expect(Number.isNaN(dayNumber('not a day'))).toBe(true);
    expect(() => dayFromNumber(Number.NaN)).toThrow(RangeError);
    expect(() => dayFromNumber(Number.NaN)).toThrow(RangeError);
  });

  it('activityTotals equals interactionCounts and sumInWindow window by window', () => {
    fc.assert(
      fc.property(history, atOffsets, fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 4 }), (events, offsets, windows) => {
        for (const state of statesOf(events)) {
          for (const at of timesFor(state, offsets)) {
            const totals = activityTotals(state, at, windows);
            windows.forEach((days, i) => {
              const t = totals[i];
              expect(t?.interactions).toEqual(interactionCounts(state, at, days));
              for (const field of ['feesMinor', 'cardSpendMinor', 'salaryInMinor', 'outToOtherBanksMinor'] as const)
                expect(t?.[field]).toStrictEqual(sumInWindow(state, at, days, field));
            });
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('customerFacts (one pass) equals the reference fact sheet at every step and time', () => {
    fc.assert(
      fc.property(history, atOffsets, fc.constantFrom(30, 90, 45), (events, offsets, windowDays) => {
        const cfg: DomainConfig = { ...config, profitability: { ...config.profitability, windowDays } };
        for (const state of statesOf(events)) {
          for (const at of timesFor(state, offsets)) {
            const fast = customerFacts(state, at, cfg);
            expect(fast).toStrictEqual(referenceCustomerFacts(state, at, cfg));
            expect(profitability(state, at, cfg).costToServeMinor).toBe(fast.facts.costToServe90d);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  const leaf: fc.Arbitrary<SegmentRule> = fc.oneof(
    fc.record({
      field: fc.constantFrom(...FACT_NAMES),
      op: fc.constantFrom<CompareOp>('eq', 'neq', 'gt', 'gte', 'lt', 'lte'),
      value: fc.oneof(fc.integer({ min: -5, max: 200_000 }), fc.constantFrom('mass', 'core', 'north'), fc.boolean()),
    }),
    fc.record({
      field: fc.constantFrom(...FACT_NAMES),
      op: fc.constantFrom<CompareOp>('gt', 'lte'),
      ref: fc.constantFrom(...FACT_NAMES),
      factor: fc.constantFrom(1, 0.5, 2),
    }),
    fc.record({ field: fc.constantFrom(...FACT_NAMES), op: fc.constant('in' as const), values: fc.array(fc.constantFrom('mass', 'top', 0, 1, 'north'), { maxLength: 3 }) }),
    fc.record({ field: fc.constantFrom(...FACT_NAMES), op: fc.constant('known' as const) }),
  );
  const rule: fc.Arbitrary<SegmentRule> = fc.letrec<{ rule: SegmentRule }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ all: fc.array(tie('rule'), { maxLength: 4 }) }),
      fc.record({ any: fc.array(tie('rule'), { maxLength: 4 }) }),
      fc.record({ not: tie('rule') }),
    ),
  })).rule;

  it('short-circuit evaluateRule gives the outcome and reason of evaluating every alternative', () => {
    fc.assert(
      fc.property(history, atOffsets, fc.array(rule, { minLength: 1, maxLength: 5 }), (events, offsets, rules) => {
        const all = [...rules, ...BUILT_IN_SEGMENTS.map((s) => s.rule)];
        for (const state of statesOf(events).slice(-3)) {
          for (const at of timesFor(state, offsets)) {
            const sheet = referenceCustomerFacts(state, at, config);
            for (const r of all) expect(evaluateRule(r, sheet)).toStrictEqual(referenceEvaluateRule(r, sheet));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  const definition: fc.Arbitrary<SegmentDefinition> = fc.record({
    id: fc.constantFrom('s-a', 's-b', 's-c', 'tier-mass'),
    version: fc.integer({ min: 1, max: 3 }),
    name: fc.constant('n'),
    description: fc.constant('d'),
    scope: fc.option(fc.record({ regions: fc.array(fc.constantFrom('north', 'south'), { maxLength: 2 }) }), { nil: undefined }),
    rule,
  });

  it('ruleHolds and memberSegments (no reason text for non-members) agree with evaluateRule and evaluateSegments', () => {
    const scoped: fc.Arbitrary<SegmentDefinition> = fc.record({
      id: fc.constantFrom('s-a', 's-b', 's-c'),
      version: fc.integer({ min: 1, max: 3 }),
      name: fc.constant('n'),
      description: fc.constant('d'),
      scope: fc.option(
        fc.record({ regions: fc.option(fc.array(fc.constantFrom('north', 'south'), { maxLength: 2 }), { nil: undefined }), branches: fc.option(fc.array(fc.constantFrom('B1', 'B2'), { maxLength: 2 }), { nil: undefined }) }),
        { nil: undefined },
      ),
      rule,
    });
    fc.assert(
      fc.property(history, atOffsets, fc.array(scoped, { maxLength: 6 }), (events, offsets, extra) => {
        const definitions = [...BUILT_IN_SEGMENTS, ...extra];
        for (const state of statesOf(events).slice(-3)) {
          for (const at of timesFor(state, offsets)) {
            const sheet = customerFacts(state, at, config);
            for (const d of definitions) expect(ruleHolds(d.rule, sheet.facts)).toBe(evaluateRule(d.rule, sheet).holds);
            expect(memberSegments(definitions, state, at, config)).toStrictEqual(evaluateSegments(definitions, state, at, config).filter((e) => e.member));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('memoised membership steps (per-definition memo, no-change fast path) equal the reference steps', () => {
    fc.assert(
      fc.property(
        history,
        fc.array(definition, { maxLength: 4 }),
        fc.array(fc.record({ segmentId: fc.constantFrom('s-a', 'tier-mass', 'other'), version: fc.nat(3), since: fc.constant('2026-01-01T00:00:00.000Z'), reason: fc.constant('was') }), { maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 0, max: 24 * 200 }),
        (events, extra, initial, mergedAt, sweepHours) => {
          const definitions = [...BUILT_IN_SEGMENTS, ...extra];
          let fast: readonly CurrentMembership[] = initial;
          let slow: readonly CurrentMembership[] = initial;
          statesOf(events).forEach((state, i) => {
            const view = mergedAt[i] === true && i % 5 === 4 ? { ...state, mergedInto: 'C9' } : state;
            const own = evaluationTime(view);
            if (own === null) return; // the views skip a state with no time of its own
            // the step's own time, and a clock sweep later (time-only changes)
            for (const at of [own, new Date(Date.parse(own) + sweepHours * HOUR).toISOString()]) {
              const a = reevaluateMembership(fast, definitions, view, at, config);
              const b = referenceReevaluateMembership(slow, definitions, view, at, config);
              expect(a).toStrictEqual(b);
              fast = a.members;
              slow = b.members;
            }
          });
        },
      ),
      { numRuns: 80 },
    );
  });
});
