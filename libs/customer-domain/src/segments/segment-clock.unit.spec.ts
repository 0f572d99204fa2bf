import fc from 'fast-check';
import { MS_PER_DAY, toIso, toMs } from '../calendar/calendar';
import { foldCustomer } from '../customer-360/customer-360.fold';
import { evaluationTime } from '../derived/evaluation-time';
import { day, registration, streamOf, type StreamBuilder } from '../testing/event-builder';
import {
  BRANCH_RELIANT_SEGMENT,
  BUILT_IN_SEGMENTS,
  DIGITAL_FIRST_SEGMENT,
  GROWTH_SEGMENT,
  POTENTIAL_SEGMENT,
  TIER_SEGMENTS,
  UNPROFITABLE_SEGMENT,
} from './built-in-segments';
import {
  isTimeSensitiveSegment,
  membershipMayChange,
  nextMembershipChangeAt,
  ruleFacts,
  segmentClocks,
  timeSensitiveSegments,
} from './segment-clock';
import { evaluateSegments, type SegmentDefinition } from './segment-membership';

const customer = (build: (b: StreamBuilder) => void) => {
  const b = streamOf('C1');
  b.add('CustomerRegistered', registration(), day(0));
  build(b);
  return foldCustomer('C1', b.events);
};

const mobile = { deviceId: 'dev-1', appVersion: '7.4.1' };
const branch = { branchCode: 'BR-0042', service: 'cash-deposit', waitMinutes: 5, tellerId: 'T-1' };

const members = (defs: readonly SegmentDefinition[], state: ReturnType<typeof customer>, at: string): string[] =>
  evaluateSegments(defs, state, at)
    .filter((e) => e.member)
    .map((e) => e.segmentId);

describe('segment clock: which segments move with time alone', () => {
  it('classifies the built-in segments: windows and 90-day balances are time-sensitive, tiers are not', () => {
    expect(TIER_SEGMENTS.some(isTimeSensitiveSegment)).toBe(false);
    expect(segmentClocks(DIGITAL_FIRST_SEGMENT)).toEqual(['window']);
    expect(segmentClocks(BRANCH_RELIANT_SEGMENT)).toEqual(['window']);
    expect(segmentClocks(GROWTH_SEGMENT)).toEqual(['balance-90d']);
    expect(segmentClocks(POTENTIAL_SEGMENT)).toEqual(['window']); // tier and products do not move with time
    expect(segmentClocks(UNPROFITABLE_SEGMENT)).toEqual(['window']);
    expect(timeSensitiveSegments(BUILT_IN_SEGMENTS).map((s) => s.id).sort()).toEqual(
      ['branch-reliant', 'digital-first', 'growth', 'potential', 'unprofitable'],
    );
  });

  it('reads the facts of nested rules and of references, and sees age facts', () => {
    expect(ruleFacts({ not: { any: [{ field: 'tier', op: 'eq', value: 'top' }, { field: 'assetsValue', op: 'lt', ref: 'monthlyIncome90d', factor: 3 }] } }).sort()).toEqual(
      ['assetsValue', 'monthlyIncome90d', 'tier'],
    );
    const quietDays: SegmentDefinition = { id: 'quiet', version: 1, name: 'Quiet', description: '', rule: { field: 'daysSinceLastInteraction', op: 'gte', value: 45 } };
    expect(segmentClocks(quietDays)).toEqual(['age']);
    const scopedTier: SegmentDefinition = { ...TIER_SEGMENTS[0]!, id: 'north-top', scope: { regions: ['north'] } };
    expect(isTimeSensitiveSegment(scopedTier)).toBe(false);
  });
});

describe('segment clock: when can a customer’s membership next change', () => {
  // App sessions on days 0, 5 and 10: digital-first (3 in 90 days, all in the app) until
  // day 0's bucket leaves the 90-day window, at the start of day 90.
  const quiet = customer((b) => {
    for (const d of [0, 5, 10]) b.add('MobileSessionStarted', mobile, day(d));
  });

  it('a customer who goes quiet leaves digital-first exactly when its window passes, and the clock finds that moment', () => {
    const at = evaluationTime(quiet) ?? '';
    expect(members([DIGITAL_FIRST_SEGMENT], quiet, at)).toEqual(['digital-first']);
    expect(members([DIGITAL_FIRST_SEGMENT], quiet, day(89, 23))).toEqual(['digital-first']);
    expect(members([DIGITAL_FIRST_SEGMENT], quiet, day(90, 0))).toEqual([]);
    // Walk the change points: membership stays until the one at day 90, 00:00.
    let cursor = at;
    let firstChange: string | null = null;
    for (let i = 0; i < 20 && firstChange === null; i++) {
      const next = nextMembershipChangeAt(quiet, [DIGITAL_FIRST_SEGMENT], cursor);
      expect(next).not.toBeNull();
      if (members([DIGITAL_FIRST_SEGMENT], quiet, next ?? '').length === 0) firstChange = next;
      cursor = next ?? cursor;
    }
    expect(firstChange).toBe(day(90, 0));
    expect(membershipMayChange(quiet, [DIGITAL_FIRST_SEGMENT], at, day(29, 23))).toBe(false); // nothing before day 30
    expect(membershipMayChange(quiet, [DIGITAL_FIRST_SEGMENT], at, day(30, 0))).toBe(true);
  });

  it('answers null when nothing can move any more: every bucket out of every window, or only tiers', () => {
    expect(nextMembershipChangeAt(quiet, [DIGITAL_FIRST_SEGMENT], day(100))).toBeNull();
    expect(nextMembershipChangeAt(quiet, TIER_SEGMENTS, evaluationTime(quiet) ?? '')).toBeNull();
    expect(nextMembershipChangeAt(quiet, [], day(11))).toBeNull();
  });

  it('an age fact changes on every anniversary of the last interaction, forever', () => {
    const quietDays: SegmentDefinition = { id: 'quiet', version: 1, name: 'Quiet', description: '', rule: { field: 'daysSinceLastInteraction', op: 'gte', value: 45 } };
    expect(nextMembershipChangeAt(quiet, [quietDays], day(10, 9))).toBe(day(11, 9));
    expect(nextMembershipChangeAt(quiet, [quietDays], day(500, 12))).toBe(day(501, 9));
    expect(members([quietDays], quiet, day(55, 8))).toEqual([]);
    expect(members([quietDays], quiet, day(55, 9))).toEqual(['quiet']);
  });

  it('a merged-away customer never changes with the clock', () => {
    const merged = customer((b) => {
      b.add('MobileSessionStarted', mobile, day(1));
      b.add('CustomersMerged', { survivorId: 'C0', mergedId: 'C1', reason: 'duplicate' }, day(2));
    });
    expect(merged.mergedInto).toBe('C0');
    expect(nextMembershipChangeAt(merged, [DIGITAL_FIRST_SEGMENT], day(2))).toBeNull();
  });

  it('property: between `after` and the next change point, no time-sensitive membership differs from its value at `after`', () => {
    const kinds = ['mobile', 'branch', 'balance', 'product'] as const;
    const item = fc.record({ kind: fc.constantFrom(...kinds), day: fc.integer({ min: 0, max: 200 }), amount: fc.nat(50_000_000) });
    const segments = [...timeSensitiveSegments(BUILT_IN_SEGMENTS), {
      id: 'quiet', version: 1, name: 'Quiet', description: '', rule: { field: 'daysSinceLastInteraction', op: 'gte', value: 20 },
    } as SegmentDefinition];
    fc.assert(
      fc.property(fc.array(item, { maxLength: 25 }), fc.nat(400 * 24), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), (items, offsetHours, probes) => {
        const state = customer((b) => {
          b.add('ProductOpened', { productId: 'A1', productType: 'savings', currency: 'CNY' }, day(0));
          for (const it of [...items].sort((x, y) => x.day - y.day)) {
            if (it.kind === 'mobile') b.add('MobileSessionStarted', mobile, day(it.day));
            else if (it.kind === 'branch') b.add('BranchVisited', branch, day(it.day));
            else if (it.kind === 'balance')
              b.add('BalanceReported', { productId: 'A1', balanceMinor: it.amount, currency: 'CNY', asOfDate: day(it.day).slice(0, 10) }, day(it.day));
            else b.add('ProductOpened', { productId: `P${it.day}`, productType: 'current', currency: 'CNY' }, day(it.day));
          }
        });
        const after = toIso(toMs(evaluationTime(state) ?? day(0)) + offsetHours * 3_600_000);
        const next = nextMembershipChangeAt(state, segments, after);
        const base = JSON.stringify(evaluateSegments(segments, state, after));
        const end = next === null ? toMs(after) + 400 * MS_PER_DAY : toMs(next);
        for (const p of [...probes, 0.999_999_999]) {
          const t = toIso(Math.max(toMs(after), Math.min(end - 1, toMs(after) + p * (end - toMs(after)))));
          expect(JSON.stringify(evaluateSegments(segments, state, t))).toBe(base);
        }
      }),
      { numRuns: 200 },
    );
  });
});
