import { validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import { deterministicEventId } from '../shared/deterministic-id';
import type { MapperContext } from '../shared/mapper-context';
import { toCanonical } from './call-centre.mapper';
import { CALL_CENTRE_EXAMPLE, validateCallCentrePayload } from './call-centre.payload';

const ctx: MapperContext = { now: () => new Date('2030-01-01T00:00:00Z'), newId: deterministicEventId };
type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const call = (patch: Json): Json => ({ ...clone(CALL_CENTRE_EXAMPLE), ...patch });

const map = (input: unknown): CanonicalEvent[] => {
  const v = validateCallCentrePayload(input);
  if (!v.ok) throw new Error(`native call record rejected: ${JSON.stringify(v.errors)}`);
  const events = toCanonical(v.value, ctx);
  for (const e of events) expect(validateCanonicalEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  return events;
};
const errorsOf = (input: unknown): { path: string; code: string }[] => {
  const v = validateCallCentrePayload(input);
  return v.ok ? [] : v.errors.map(({ path, code }) => ({ path, code }));
};

const abandoned = (): Json => {
  const c = call({ disposition: { code: 'ABANDONED', reasonCode: 'queue-timeout' }, endedAt: '2026-11-04T11:03:08+08:00' });
  for (const k of ['agentId', 'answeredAt', 'sentiment', 'complaint', 'survey']) delete c[k];
  return c;
};

describe('call-centre channel: CTI call records → canonical events', () => {
  it('maps the example to CallHandled, ComplaintRaised, ComplaintResolved and SurveyAnswered, keyed by the caller number', () => {
    const events = map(CALL_CENTRE_EXAMPLE);
    expect(events.map((e) => e.type)).toEqual(['CallHandled', 'ComplaintRaised', 'ComplaintResolved', 'SurveyAnswered']);
    expect(events[0]).toEqual({
      eventId: deterministicEventId('call-centre/CALL-20261104-000917/CallHandled'),
      type: 'CallHandled',
      version: 1,
      occurredAt: '2026-11-04T11:07:30+08:00',
      source: { system: 'call-centre-cti', channel: 'call-centre' },
      identity: { scheme: 'phone', value: '+8613800000000' },
      data: { callId: 'CALL-20261104-000917', reason: 'card-blocked', durationSec: 412, outcome: 'resolved', sentiment: -0.35, agentId: 'AG-311' },
    });
    expect(events[1]?.data).toEqual({ complaintId: 'CMP-2026-0042', category: 'fees', severity: 'medium', channel: 'call-centre' });
    expect(events[2]?.data).toEqual({ complaintId: 'CMP-2026-0042', resolution: 'Annual fee refunded as a goodwill gesture.' });
    expect(events[3]).toMatchObject({ occurredAt: '2026-11-04T11:08:05+08:00', data: { kind: 'nps', score: 9 } });
  });

  it('prefers the verified customer number to the caller number', () => {
    const events = map(call({ customerCif: 'C000123' }));
    for (const e of events) {
      expect(e.customerId).toBe('C000123');
      expect(e).not.toHaveProperty('identity');
    }
  });

  it('maps a call abandoned in the queue, with no agent and no analytics', () => {
    const [handled, ...rest] = map(abandoned());
    expect(rest).toEqual([]);
    expect(handled?.data).toEqual({
      callId: 'CALL-20261104-000917',
      reason: 'queue-timeout',
      durationSec: 150,
      outcome: 'abandoned',
      sentiment: null,
      agentId: null,
    });
  });

  it.each([
    ['TRANSFERRED', 'transferred'],
    ['CALLBACK_SCHEDULED', 'callback'],
  ])('disposition %s → outcome %s', (code, outcome) => {
    expect(map(call({ disposition: { code, reasonCode: 'mortgage-enquiry' } }))[0]?.data).toMatchObject({ outcome });
  });

  it('an unresolved complaint raises without resolving; a CSAT survey keeps its kind', () => {
    const types = map(call({ complaint: { ticketId: 'CMP-1', category: 'service 😠', severity: 'high' }, survey: { type: 'csat', score: 1, answeredAt: '2026-11-04T11:08:05+08:00' } }));
    expect(types.map((e) => e.type)).toEqual(['CallHandled', 'ComplaintRaised', 'SurveyAnswered']);
    expect(types[1]?.data).toMatchObject({ category: 'service 😠' });
    expect(types[2]?.data).toEqual({ kind: 'csat', score: 1 });
  });

  it('counts duration in whole seconds (floored) across offsets; a leap second counts as :59.999', () => {
    const events = map(call({ startedAt: '2016-12-31T23:59:00Z', answeredAt: '2017-01-01T07:59:10+08:00', endedAt: '2016-12-31T23:59:60Z', survey: undefined }));
    expect(events[0]?.data).toMatchObject({ durationSec: 59 });
  });

  it('is idempotent: the same call record gives the same events; another call id gives other ids', () => {
    const a = map(CALL_CENTRE_EXAMPLE);
    expect(map(clone(CALL_CENTRE_EXAMPLE))).toEqual(a);
    const b = map(call({ callId: 'CALL-20261104-000918' }));
    expect(new Set([...a, ...b].map((e) => e.eventId)).size).toBe(8);
  });

  it.each<[string, unknown, string, string]>([
    ['withheld number and no CIF', call({ ani: undefined }), '/customerCif', 'subject-missing'],
    ['national-format ANI', call({ ani: '013800000000' }), '/ani', 'invalid-phone'],
    ['ended before started', call({ endedAt: '2026-11-04T11:00:37+08:00' }), '/endedAt', 'time-order'],
    ['answered after ended', call({ answeredAt: '2026-11-04T11:07:31+08:00' }), '/answeredAt', 'time-order'],
    ['call over a day', call({ endedAt: '2026-11-05T11:00:39+08:00' }), '/endedAt', 'too-large'],
    ['answered call without agent', call({ agentId: undefined }), '/agentId', 'required'],
    ['resolved call never answered', call({ answeredAt: undefined }), '/answeredAt', 'required'],
    ['unknown disposition', call({ disposition: { code: 'HUNG_UP', reasonCode: 'x' } }), '/disposition/code', 'not-allowed'],
    ['sentiment below -1', call({ sentiment: { score: -1.5, model: 'sa-2.3' } }), '/sentiment/score', 'too-small'],
    ['sentiment as a string', call({ sentiment: { score: '-0.3', model: 'sa-2.3' } }), '/sentiment/score', 'not-number'],
    ['NPS 11', call({ survey: { type: 'nps', score: 11, answeredAt: '2026-11-04T11:08:05+08:00' } }), '/survey/score', 'too-large'],
    ['CSAT 0', call({ survey: { type: 'csat', score: 0, answeredAt: '2026-11-04T11:08:05+08:00' } }), '/survey/score', 'too-small'],
    ['unknown severity', call({ complaint: { ticketId: 'CMP-1', category: 'fees', severity: 'critical' } }), '/complaint/severity', 'not-allowed'],
    ['unknown field deep inside', call({ complaint: { ticketId: 'CMP-1', category: 'fees', severity: 'low', resolvedOnCall: { resolution: 'ok', by: 'x' } } }), '/complaint/resolvedOnCall/by', 'unknown-field'],
    ['agent notes (not part of the contract)', call({ notes: 'customer said ...' }), '/notes', 'unknown-field'],
    ['NUL in a resolution', call({ complaint: { ticketId: 'CMP-1', category: 'fees', severity: 'low', resolvedOnCall: { resolution: 'ok\u0000' } } }), '/complaint/resolvedOnCall/resolution', 'nul-character'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(errorsOf(input)).toContainEqual({ path, code });
  });
});
