/**
 * fast-check generators of valid native payloads of the three channels (as their systems send
 * them), shared by the channel property tests.
 */
import { checkFreeText } from '@c360/contracts';
import fc from 'fast-check';
import { COUNTER_SERVICE_CODES, TELLER_TRANSACTION_CODES } from '../src/channels/branch/branch.payload';
import { DISPOSITION_CODES } from '../src/channels/call-centre/call-centre.payload';
import { MOBILE_PLATFORMS } from '../src/channels/mobile/mobile.payload';

export const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,15}$/);
export const cif = fc.stringMatching(/^C[0-9]{6,10}$/);
export const cardToken = fc.stringMatching(/^tok_[a-z0-9]{8,24}$/);
export const e164 = fc.stringMatching(/^\+[1-9][0-9]{7,13}$/);
export const freeText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => checkFreeText(s, { maxLength: 100 }) === null);
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2035, 0, 1);
export const offsetMinutes = fc.integer({ min: -48, max: 56 }).map((q) => q * 15);

/** An instant rendered in a zone, e.g. 2026-11-02T09:30:00.000+08:00 or …Z. */
export const render = (ms: number, offset: number): string => {
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, -1);
  if (offset === 0) return `${local}Z`;
  const a = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
};
export const at = (ms: number): fc.Arbitrary<string> => offsetMinutes.map((o) => render(ms, o));
export const instantMs = fc.integer({ min: MIN_MS, max: MAX_MS });

export const CURRENCIES: readonly [string, number][] = [['CNY', 2], ['JPY', 0], ['KWD', 3], ['USD', 2], ['EUR', 2]];
export const money = fc.record({ cur: fc.constantFrom(...CURRENCIES), minor: fc.integer({ min: 1, max: 1e13 }), trailingZeros: fc.boolean() }).map(({ cur: [currency, exp], minor, trailingZeros }) => {
  const digits = String(minor).padStart(exp + 1, '0');
  let amount = exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  if (!trailingZeros && exp > 0) amount = amount.replace(/0+$/, '').replace(/\.$/, '');
  return { currency, amount, minor };
});

export const customerRef = fc.oneof(cif.map((c) => ({ cif: c })), cardToken.map((t) => ({ cardToken: t })));
export const branchBase = fc.record({ recordId: id, branchCode: id, tellerId: id, customer: customerRef });

export const branchTransaction = fc
  .tuple(branchBase, fc.constantFrom(...TELLER_TRANSACTION_CODES), id, money, fc.option(fc.stringMatching(/^[A-Z]{6}[A-Z0-9]{2}$/), { nil: undefined }), instantMs.chain(at))
  .map(([base, code, accountNumber, m, bic, postedAt]) => ({
    ...base,
    recordType: 'transaction',
    postedAt,
    transaction: { code, accountNumber, amount: m.amount, currency: m.currency, ...(bic ? { counterpartyBic: bic } : {}) },
  }));

export const branchVisit = fc
  .record({
    base: branchBase,
    service: fc.constantFrom(...COUNTER_SERVICE_CODES),
    issued: instantMs,
    waitMs: fc.integer({ min: 0, max: 600 * 60_000 }),
    serveMs: fc.integer({ min: 0, max: 3 * 3_600_000 }),
    rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  })
  .chain(({ base, service, issued, waitMs, serveMs, rating }) =>
    fc.tuple(at(issued), at(issued + waitMs), at(issued + waitMs + serveMs), at(issued + waitMs + serveMs + 30_000)).map(([i, c, cl, ans]) => ({
      ...base,
      recordType: 'visit',
      ticket: { number: 'A042', serviceCode: service, issuedAt: i, calledAt: c, closedAt: cl },
      ...(rating !== undefined ? { feedback: { rating, answeredAt: ans } } : {}),
    })),
  );

export const mobileEvent = fc.oneof(
  fc.record({ kind: fc.constant('session.start'), sessionId: id }),
  fc.record({ kind: fc.constant('action'), sessionId: id, action: id }, { requiredKeys: ['kind', 'sessionId', 'action'] }),
  fc.record({ kind: fc.constant('offer.impression'), offerId: id, product: freeText }),
  fc.record({ kind: fc.constant('offer.response'), offerId: id, product: freeText, response: fc.constantFrom('accepted', 'declined') }),
  fc.record({ kind: fc.constant('rating'), stars: fc.integer({ min: 1, max: 5 }) }),
);
export const mobileBatch = fc
  .record({
    batchId: id,
    userId: id,
    cif: fc.option(cif, { nil: undefined }),
    device: fc.record({ id, platform: fc.constantFrom(...MOBILE_PLATFORMS), appVersion: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,3}$/) }),
    sentAt: instantMs.chain(at),
    events: fc.uniqueArray(fc.tuple(id, instantMs.chain(at), mobileEvent), { minLength: 1, maxLength: 20, selector: ([eid]) => eid }),
  })
  .map(({ cif: c, events, ...rest }) => ({
    ...rest,
    ...(c !== undefined ? { cif: c } : {}),
    events: events.map(([eid, when, e]) => ({ id: eid, at: when, ...e })),
  }));

export const callRecord = fc
  .record({
    callId: id,
    direction: fc.constantFrom('inbound', 'outbound'),
    subject: fc.oneof(e164.map((ani) => ({ ani })), cif.map((customerCif) => ({ customerCif })), fc.tuple(e164, cif).map(([ani, customerCif]) => ({ ani, customerCif }))),
    queue: id,
    agentId: id,
    code: fc.constantFrom(...DISPOSITION_CODES),
    reasonCode: id,
    started: instantMs,
    ringMs: fc.integer({ min: 0, max: 600_000 }),
    talkMs: fc.integer({ min: 0, max: 7_200_000 }),
    sentiment: fc.option(fc.double({ min: -1, max: 1, noNaN: true }).filter((s) => !Object.is(s, -0)), { nil: undefined }),
    complaint: fc.option(fc.record({ ticketId: id, category: freeText, severity: fc.constantFrom('low', 'medium', 'high'), resolution: fc.option(freeText, { nil: undefined }) }), { nil: undefined }),
    survey: fc.option(fc.oneof(fc.record({ type: fc.constant('nps'), score: fc.integer({ min: 0, max: 10 }) }), fc.record({ type: fc.constant('csat'), score: fc.integer({ min: 1, max: 5 }) })), { nil: undefined }),
  })
  .chain((r) =>
    fc.tuple(at(r.started), at(r.started + r.ringMs), at(r.started + r.ringMs + r.talkMs), at(r.started + r.ringMs + r.talkMs + 20_000)).map(([s, a, e, ans]) => {
      const abandoned = r.code === 'ABANDONED';
      return {
        callId: r.callId,
        direction: r.direction,
        ...r.subject,
        queue: r.queue,
        ...(abandoned ? {} : { agentId: r.agentId, answeredAt: a }),
        startedAt: s,
        endedAt: e,
        disposition: { code: r.code, reasonCode: r.reasonCode },
        ...(r.sentiment !== undefined ? { sentiment: { score: r.sentiment, model: 'sa-2.3' } } : {}),
        ...(r.complaint
          ? {
              complaint: {
                ticketId: r.complaint.ticketId,
                category: r.complaint.category,
                severity: r.complaint.severity,
                ...(r.complaint.resolution !== undefined ? { resolvedOnCall: { resolution: r.complaint.resolution } } : {}),
              },
            }
          : {}),
        ...(r.survey ? { survey: { ...r.survey, answeredAt: ans } } : {}),
      };
    }),
  );
