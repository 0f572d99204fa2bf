import { validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import { deterministicEventId } from '../shared/deterministic-id';
import type { MapperContext } from '../shared/mapper-context';
import { toCanonical } from './mobile.mapper';
import { MAX_MOBILE_EVENTS, MOBILE_EXAMPLE, validateMobilePayload } from './mobile.payload';

const ctx: MapperContext = { now: () => new Date('2030-01-01T00:00:00Z'), newId: deterministicEventId };
type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const map = (input: unknown): CanonicalEvent[] => {
  const v = validateMobilePayload(input);
  if (!v.ok) throw new Error(`native batch rejected: ${JSON.stringify(v.errors)}`);
  const events = toCanonical(v.value, ctx);
  for (const e of events) expect(validateCanonicalEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  return events;
};
const errorsOf = (input: unknown): { path: string; code: string }[] => {
  const v = validateMobilePayload(input);
  return v.ok ? [] : v.errors.map(({ path, code }) => ({ path, code }));
};
const withEvents = (events: unknown[], rest: Json = {}): Json => ({ ...clone(MOBILE_EXAMPLE), events, ...rest });
const ev = (i: number): Json => clone(MOBILE_EXAMPLE.events[i]) as unknown as Json;

describe('mobile channel: back-end event batches → canonical events', () => {
  it('maps the example batch to one canonical event per native event, in order, keyed by the mobile user', () => {
    const events = map(MOBILE_EXAMPLE);
    expect(events.map((e) => e.type)).toEqual(['MobileSessionStarted', 'MobileActionPerformed', 'OfferPresented', 'OfferResponded', 'SurveyAnswered']);
    for (const e of events) {
      expect(e.identity).toEqual({ scheme: 'mobile-user', value: 'mu-8f2c41' });
      expect(e.source).toEqual({ system: 'mobile-backend', channel: 'mobile' });
    }
    expect(events[0]).toEqual({
      eventId: deterministicEventId('mobile/mu-8f2c41/e-5b1d0c'),
      type: 'MobileSessionStarted',
      version: 1,
      occurredAt: '2026-11-02T20:15:03.120Z',
      source: { system: 'mobile-backend', channel: 'mobile' },
      identity: { scheme: 'mobile-user', value: 'mu-8f2c41' },
      data: { deviceId: 'dev-3c9e77a1', appVersion: '7.4.1' },
    });
    expect(events[1]?.data).toEqual({ deviceId: 'dev-3c9e77a1', action: 'transfer.submit' });
    expect(events[3]?.data).toEqual({ offerId: 'OF-2026-Q4-07', product: 'Platinum credit card', response: 'accepted' });
    expect(events[4]?.data).toEqual({ kind: 'csat', score: 5 });
  });

  it('uses the customer number when the back end knows it', () => {
    const [first] = map({ ...clone(MOBILE_EXAMPLE), cif: 'C000123' });
    expect(first?.customerId).toBe('C000123');
    expect(first).not.toHaveProperty('identity');
  });

  it('is idempotent across re-batching: ids depend on user and event id, not on the batch', () => {
    const all = map(MOBILE_EXAMPLE);
    const retried = map(withEvents([ev(3), ev(1)], { batchId: 'b-retry-1', sentAt: '2026-11-02T20:30:00Z' }));
    expect(retried).toEqual([all[3], all[1]]);
    const otherUser = map({ ...clone(MOBILE_EXAMPLE), userId: 'mu-000001' });
    expect(new Set([...all, ...otherUser].map((e) => e.eventId)).size).toBe(10);
  });

  it('accepts a batch of exactly the maximum size', () => {
    const many = Array.from({ length: MAX_MOBILE_EVENTS }, (_, i) => ({ ...ev(1), id: `e-${i}` }));
    expect(map(withEvents(many))).toHaveLength(MAX_MOBILE_EVENTS);
  });

  it.each<[string, unknown, string, string]>([
    ['no events', withEvents([]), '/events', 'empty'],
    ['events not an array', { ...clone(MOBILE_EXAMPLE), events: { 0: ev(0) } }, '/events', 'not-array'],
    ['too many events', withEvents(Array.from({ length: MAX_MOBILE_EVENTS + 1 }, (_, i) => ({ ...ev(1), id: `e-${i}` }))), '/events', 'too-many-items'],
    ['unknown event kind', withEvents([ev(0), { ...ev(1), kind: 'screen.view' }]), '/events/1/kind', 'not-allowed'],
    ['missing kind', withEvents([{ id: 'e-1', at: '2026-11-02T20:15:03Z' }]), '/events/0/kind', 'required'],
    ['null event', withEvents([null]), '/events/0', 'null-not-allowed'],
    ['unknown field in an event', withEvents([{ ...ev(0), lat: 31.2 }]), '/events/0/lat', 'unknown-field'],
    ['field of another kind', withEvents([{ ...ev(0), stars: 5 }]), '/events/0/stars', 'unknown-field'],
    ['duplicate event ids', withEvents([ev(0), { ...ev(1), id: 'e-5b1d0c' }]), '/events/1/id', 'duplicate-id'],
    ['6 stars', withEvents([{ ...ev(4), stars: 6 }]), '/events/0/stars', 'too-large'],
    ['fractional stars', withEvents([{ ...ev(4), stars: 4.5 }]), '/events/0/stars', 'not-integer'],
    ['zone-less event time', withEvents([{ ...ev(0), at: '2026-11-02T20:15:03' }]), '/events/0/at', 'missing-zone'],
    ['unknown platform', { ...clone(MOBILE_EXAMPLE), device: { ...clone(MOBILE_EXAMPLE.device), platform: 'symbian' } }, '/device/platform', 'not-allowed'],
    ['missing device', { ...clone(MOBILE_EXAMPLE), device: undefined }, '/device', 'required'],
    ['NUL in user id', { ...clone(MOBILE_EXAMPLE), userId: 'mu\u00008f' }, '/userId', 'nul-character'],
    ['prototype key in an event', JSON.parse(JSON.stringify(MOBILE_EXAMPLE).replace('"kind":"rating"', '"kind":"rating","__proto__":{"x":1}')), '/events/4/__proto__', 'forbidden-key'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(errorsOf(input)).toContainEqual({ path, code });
  });

  it('reports errors of several events at once', () => {
    expect(errorsOf(withEvents([{ ...ev(4), stars: 0 }, ev(1), { ...ev(2), offerId: '' }]))).toEqual([
      { path: '/events/0/stars', code: 'too-small' },
      { path: '/events/2/offerId', code: 'empty' },
    ]);
  });
});
