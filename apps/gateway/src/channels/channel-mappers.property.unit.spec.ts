/**
 * Properties over generated native payloads of all three channels:
 *  1. every generated payload is accepted by its channel's validator (the generators are honest);
 *  2. it maps to canonical events that each pass validateCanonicalEvent unchanged;
 *  3. mapping is deterministic (same record → same events, same ids) and ids are unique per record.
 */
import { validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import fc from 'fast-check';
import { branchTransaction, branchVisit, callRecord, CURRENCIES, mobileBatch } from '../../test/native-payload.arbitraries';
import { CHANNEL_ADAPTERS } from './channel-adapters';
import { deterministicEventId } from './shared/deterministic-id';
import type { MapperContext } from './shared/mapper-context';

const ctx: MapperContext = { now: () => new Date(), newId: deterministicEventId };

const mapsToValidCanonicalEvents = (channel: keyof typeof CHANNEL_ADAPTERS) => (native: object) => {
  const wire: unknown = JSON.parse(JSON.stringify(native)); // as it arrives over HTTP
  const first = CHANNEL_ADAPTERS[channel].accept(wire, ctx);
  if (!first.ok) throw new Error(`generated ${channel} payload rejected: ${JSON.stringify(first.errors)}`);
  const events: CanonicalEvent[] = first.value;
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    expect(validateCanonicalEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
    expect(e.source.channel).toBe(channel);
  }
  // deterministic: a re-sent record maps to exactly the same events
  expect(CHANNEL_ADAPTERS[channel].accept(JSON.parse(JSON.stringify(native)), ctx)).toEqual(first);
  expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
};

describe('channel mappers (property)', () => {
  it('branch: any valid teller record maps deterministically to valid canonical events', () => {
    fc.assert(fc.property(fc.oneof(branchTransaction, branchVisit), mapsToValidCanonicalEvents('branch')), { numRuns: 120 });
  });

  it('mobile: any valid back-end batch maps deterministically to valid canonical events', () => {
    fc.assert(fc.property(mobileBatch, mapsToValidCanonicalEvents('mobile')), { numRuns: 80 });
  });

  it('call-centre: any valid CTI call record maps deterministically to valid canonical events', () => {
    fc.assert(fc.property(callRecord, mapsToValidCanonicalEvents('call-centre')), { numRuns: 120 });
  });

  it('branch: the amount in minor units is exactly the generated one', () => {
    fc.assert(
      fc.property(branchTransaction, (native) => {
        const r = CHANNEL_ADAPTERS.branch.accept(native, ctx);
        expect(r.ok).toBe(true);
        const minor = Number(BigInt(native.transaction.amount.replace('.', '').replace(/^0+(?=\d)/, '')) * 10n ** BigInt(decimalsMissing(native.transaction)));
        if (r.ok) expect(r.value[0]?.data).toMatchObject({ amountMinor: minor });
      }),
      { numRuns: 100 },
    );
  });
});

/** How many zeros were trimmed from the amount's decimals, relative to the currency exponent. */
function decimalsMissing(t: { amount: string; currency: string }): number {
  const exp = CURRENCIES.find(([c]) => c === t.currency)?.[1] ?? 2;
  const decimals = t.amount.includes('.') ? t.amount.split('.')[1]!.length : 0;
  return exp - decimals;
}
