import fc from 'fast-check';
import { CHANNELS, customerStreamId } from '@c360/contracts';
import type { DomainEvent } from '../events/domain-event';
import { foldCustomer } from './customer-360.fold';
import { foldAsOf, foldKnownAt } from '../time-travel/time-travel';

/**
 * Random histories from a small pool of ids (products, complaints, identities), so what
 * the state legitimately holds (open products, linked identities) stays small while the
 * history grows: any growth with history length is a leak.
 */
const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const eventBody = fc.oneof(
  fc.record({
    type: fc.constant('BranchVisited'),
    data: fc.record({
      branchCode: fc.constantFrom('B1', 'B2'),
      service: fc.constant('cash'),
      waitMinutes: fc.nat(60),
      tellerId: fc.constant('T'),
    }),
  }),
  fc.record({
    type: fc.constant('MobileSessionStarted'),
    data: fc.record({ deviceId: fc.constant('d'), appVersion: fc.constant('1') }),
  }),
  fc.record({
    type: fc.constant('MobileActionPerformed'),
    data: fc.record({ deviceId: fc.constant('d'), action: fc.constantFrom('pay', 'view') }),
  }),
  fc.record({
    type: fc.constant('CallHandled'),
    data: fc.record({
      callId: fc.constant('c'),
      reason: fc.constant('r'),
      durationSec: fc.nat(900),
      outcome: fc.constantFrom('resolved', 'transferred', 'callback', 'abandoned'),
      sentiment: fc.constant(0),
      agentId: fc.constant('a'),
    }),
  }),
  fc.record({
    type: fc.constant('ProductOpened'),
    data: fc.record({
      productId: fc.constantFrom('P1', 'P2', 'P3'),
      productType: fc.constantFrom('current', 'savings', 'loan', 'credit-card'),
      currency: fc.constantFrom('CNY', 'USD'),
    }),
  }),
  fc.record({
    type: fc.constant('ProductClosed'),
    data: fc.record({
      productId: fc.constantFrom('P1', 'P2', 'P3'),
      productType: fc.constant('current'),
      reason: fc.constant('r'),
    }),
  }),
  fc.record({
    type: fc.constant('BalanceReported'),
    data: fc.record({
      productId: fc.constantFrom('P1', 'P2', 'P3'),
      balanceMinor: fc.integer({ min: -1_000_000, max: 100_000_000 }),
      currency: fc.constant('CNY'),
      asOfDate: fc.constantFrom('2026-01-01', '2026-06-01', '2027-01-01'),
    }),
  }),
  fc.record({
    type: fc.constant('MoneyMoved'),
    data: fc.record({
      productId: fc.constant('P1'),
      direction: fc.constantFrom('in', 'out'),
      kind: fc.constantFrom('salary', 'fee', 'card-payment', 'transfer', 'deposit'),
      amountMinor: fc.nat(10_000_000),
      currency: fc.constant('CNY'),
      counterpartyBank: fc.constantFrom(null, 'ICBC'),
    }),
  }),
  fc.record({
    type: fc.constant('ComplaintRaised'),
    data: fc.record({
      complaintId: fc.constantFrom('K1', 'K2'),
      category: fc.constant('fees'),
      severity: fc.constantFrom('low', 'medium', 'high'),
      channel: fc.constantFrom(...CHANNELS),
    }),
  }),
  fc.record({
    type: fc.constant('ComplaintResolved'),
    data: fc.record({ complaintId: fc.constantFrom('K1', 'K2'), resolution: fc.constant('ok') }),
  }),
  fc.record({
    type: fc.constant('SurveyAnswered'),
    data: fc.record({ kind: fc.constantFrom('nps', 'csat'), score: fc.nat(10) }),
  }),
  fc.record({
    type: fc.constant('ChannelIdentityLinked'),
    data: fc.record({ scheme: fc.constant('phone'), value: fc.constantFrom('+861', '+862') }),
  }),
  fc.record({
    type: fc.constant('ChannelIdentityUnlinked'),
    data: fc.record({ scheme: fc.constant('phone'), value: fc.constantFrom('+861', '+862') }),
  }),
  fc.record({
    type: fc.constant('RelationshipManagerAssigned'),
    data: fc.record({
      managerId: fc.constantFrom('RM1', 'RM2'),
      previousManagerId: fc.constant(null),
    }),
  }),
  fc.record({
    type: fc.constant('OfferPresented'),
    data: fc.record({ offerId: fc.constant('o'), product: fc.constant('card') }),
  }),
);

/** Each step: a body, hours since the previous event (≥ 0), and a recording delay. */
const step = fc.record({
  body: eventBody,
  gapHours: fc.nat(24 * 20),
  lateHours: fc.nat(24 * 40),
  backHours: fc.nat(24 * 60),
});

const toEvents = (
  steps: readonly {
    body: { type: string; data: unknown };
    gapHours: number;
    lateHours: number;
    backHours: number;
  }[],
  monotonic: boolean,
): DomainEvent[] => {
  let t = START;
  return steps.map((s, i) => {
    t += s.gapHours * HOUR;
    // Non-monotonic histories: some events occurred earlier than the previous one.
    const occurred = monotonic || i % 3 !== 0 ? t : t - s.backHours * HOUR;
    return {
      eventId: `e${i}`,
      type: s.body.type,
      version: 1,
      data: s.body.data,
      streamId: customerStreamId('C1'),
      revision: i,
      occurredAt: new Date(occurred).toISOString(),
      recordedAt: new Date(t + s.lateHours * HOUR).toISOString(),
    };
  });
};

describe('customer-360 fold properties', () => {
  it('is deterministic: the same events in the same order give the same state', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.boolean(), (steps, mono) => {
        const events = toEvents(steps, mono);
        const a = foldCustomer('C1', events);
        const b = foldCustomer(
          'C1',
          events.map((e) => ({ ...e })),
        );
        expect(b).toEqual(a);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 100 },
    );
  });

  it('applies each revision once: redelivered events leave the state unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (steps, picks) => {
          const events = toEvents(steps, false);
          const redelivered: DomainEvent[] = [];
          events.forEach((e, i) => {
            redelivered.push(e);
            for (const p of picks)
              if (p % events.length === i) redelivered.push(events[p % (i + 1)]!);
          });
          expect(foldCustomer('C1', redelivered)).toEqual(foldCustomer('C1', events));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stays bounded whatever the length of the history', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1500, maxLength: 3000 }),
        fc.boolean(),
        (steps, mono) => {
          const s = foldCustomer('C1', toEvents(steps, mono));
          expect(s.activity.length).toBeLessThanOrEqual(90);
          expect(s.balanceHistory.length).toBeLessThanOrEqual(92);
          expect(s.timeline.length).toBeLessThanOrEqual(50);
          expect(s.products.length).toBeLessThanOrEqual(3);
          // Whole state: a generous fixed ceiling, far below what 3,000 events would take.
          expect(JSON.stringify(s).length).toBeLessThan(120_000);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('keeps the 50 newest timeline entries, newest first, whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const events = toEvents(steps, false);
        const key = (e: DomainEvent) => [
          new Date(e.occurredAt).toISOString(),
          new Date(e.recordedAt).toISOString(),
          e.eventId,
        ];
        const expected = events
          .filter((e) => e.type !== 'BalanceReported')
          .sort((a, b) => {
            const [ka, kb] = [key(a), key(b)];
            for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! > kb[i]! ? -1 : 1;
            return 0;
          })
          .slice(0, 50)
          .map((e) => e.eventId);
        expect(foldCustomer('C1', events).timeline.map((e) => e.eventId)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('foldAsOf at the last occurrence equals the full fold when occurredAt is monotonic', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
        const events = toEvents(steps, true);
        const last = events[events.length - 1]!.occurredAt;
        expect(foldAsOf('C1', events, last)).toEqual(foldCustomer('C1', events));
      }),
      { numRuns: 100 },
    );
  });

  it('foldKnownAt never sees an event recorded later; foldAsOf never one that occurred later', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), fc.nat(24 * 400), (steps, h) => {
        const events = toEvents(steps, false);
        const t = new Date(START + h * HOUR).toISOString();
        const known = foldKnownAt('C1', events, t);
        const asOf = foldAsOf('C1', events, t);
        const ids = (xs: readonly { eventId: string }[]) => xs.map((x) => x.eventId);
        for (const id of ids(known.timeline)) {
          expect(
            Date.parse(events.find((e) => e.eventId === id)!.recordedAt as string),
          ).toBeLessThanOrEqual(Date.parse(t));
        }
        for (const id of ids(asOf.timeline)) {
          expect(
            Date.parse(events.find((e) => e.eventId === id)!.occurredAt as string),
          ).toBeLessThanOrEqual(Date.parse(t));
        }
      }),
      { numRuns: 100 },
    );
  });
});
