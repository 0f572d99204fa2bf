import { validateCanonicalEvent, type CanonicalEvent } from '@c360/contracts';
import { deterministicEventId } from '../shared/deterministic-id';
import type { MapperContext } from '../shared/mapper-context';
import { toCanonical } from './branch.mapper';
import { BRANCH_TRANSACTION_EXAMPLE, BRANCH_VISIT_EXAMPLE, validateBranchPayload, type BranchRecord } from './branch.payload';

const ctx: MapperContext = { now: () => new Date('2030-01-01T00:00:00Z'), newId: deterministicEventId };
type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Validates like the gateway will, maps, and checks every event against the canonical catalogue. */
const map = (input: unknown): CanonicalEvent[] => {
  const v = validateBranchPayload(input);
  if (!v.ok) throw new Error(`native record rejected: ${JSON.stringify(v.errors)}`);
  const events = toCanonical(v.value, ctx);
  for (const e of events) expect(validateCanonicalEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  return events;
};
const errorsOf = (input: unknown): { path: string; code: string }[] => {
  const v = validateBranchPayload(input);
  return v.ok ? [] : v.errors.map(({ path, code }) => ({ path, code }));
};
const tx = (patch: Json): Json => ({ ...clone(BRANCH_TRANSACTION_EXAMPLE), transaction: { ...clone(BRANCH_TRANSACTION_EXAMPLE.transaction), ...patch } });
const visit = (ticket: Json, rest: Json = {}): Json => ({ ...clone(BRANCH_VISIT_EXAMPLE), ticket: { ...clone(BRANCH_VISIT_EXAMPLE.ticket), ...ticket }, ...rest });

describe('branch channel: teller records → canonical events', () => {
  it('maps the transaction example to one MoneyMoved, amount in minor units', () => {
    expect(map(BRANCH_TRANSACTION_EXAMPLE)).toEqual([
      {
        eventId: deterministicEventId('branch/BR-0042/TJ-20261102-000187/MoneyMoved'),
        type: 'MoneyMoved',
        version: 1,
        occurredAt: '2026-11-02T09:58:12+08:00',
        source: { system: 'branch-teller', channel: 'branch' },
        customerId: 'C000123',
        data: { productId: 'A-77', direction: 'in', kind: 'deposit', amountMinor: 500_000, currency: 'CNY', counterpartyBank: null },
      },
    ]);
  });

  it('maps the visit example to BranchVisited (whole minutes waited) and a CSAT answer, identified by card token', () => {
    const [visited, survey, ...rest] = map(BRANCH_VISIT_EXAMPLE);
    expect(rest).toEqual([]);
    expect(visited).toMatchObject({
      type: 'BranchVisited',
      occurredAt: '2026-11-02T09:52:40+08:00',
      identity: { scheme: 'card', value: 'tok_4f9a2b7c1d' },
      data: { branchCode: 'BR-0042', service: 'cash', waitMinutes: 12, tellerId: 'T-1187' },
    });
    expect(visited).not.toHaveProperty('customerId');
    expect(survey).toMatchObject({ type: 'SurveyAnswered', occurredAt: '2026-11-02T10:01:30+08:00', data: { kind: 'csat', score: 4 } });
  });

  it.each([
    ['CASH_DEPOSIT', 'in', 'deposit'],
    ['CASH_WITHDRAWAL', 'out', 'withdrawal'],
    ['TRANSFER_IN', 'in', 'transfer'],
    ['TRANSFER_OUT', 'out', 'transfer'],
    ['LOAN_REPAYMENT', 'out', 'loan-repayment'],
    ['FEE', 'out', 'fee'],
  ])('teller code %s → %s / %s', (code, direction, kind) => {
    expect(map(tx({ code }))[0]?.data).toMatchObject({ direction, kind });
  });

  it('converts amounts by the currency exponent and carries the counterparty BIC', () => {
    expect(map(tx({ amount: '1500', currency: 'JPY' }))[0]?.data).toMatchObject({ amountMinor: 1500, currency: 'JPY' });
    expect(map(tx({ amount: '1.234', currency: 'KWD' }))[0]?.data).toMatchObject({ amountMinor: 1234 });
    expect(map(tx({ code: 'TRANSFER_OUT', counterpartyBic: 'ICBKCNBJ' }))[0]?.data).toMatchObject({ counterpartyBank: 'ICBKCNBJ' });
  });

  it('a visit without feedback gives BranchVisited only; a zero wait is 0 minutes; offsets are compared as instants', () => {
    const events = map(visit({ issuedAt: '2026-11-02T01:40:05Z', calledAt: '2026-11-02T09:40:05+08:00' }, { feedback: undefined }));
    expect(events.map((e) => e.type)).toEqual(['BranchVisited']);
    expect(events[0]?.data).toMatchObject({ waitMinutes: 0 });
    expect(map(visit({ calledAt: '2026-11-02T09:41:04+08:00' }))[0]?.data).toMatchObject({ waitMinutes: 0 });
    expect(map(visit({ calledAt: '2026-11-02T09:41:05+08:00' }))[0]?.data).toMatchObject({ waitMinutes: 1 });
  });

  it('is idempotent: the same record gives the same ids; another record or branch gives others', () => {
    const a = map(BRANCH_VISIT_EXAMPLE);
    expect(map(clone(BRANCH_VISIT_EXAMPLE))).toEqual(a);
    const other = map({ ...clone(BRANCH_VISIT_EXAMPLE), recordId: 'QT-20261102-A043' });
    const otherBranch = map({ ...clone(BRANCH_VISIT_EXAMPLE), branchCode: 'BR-0043' });
    const ids = new Set([...a, ...other, ...otherBranch].map((e) => e.eventId));
    expect(ids.size).toBe(6);
  });

  it.each<[string, unknown, string, string]>([
    ['no recordType', { ...clone(BRANCH_TRANSACTION_EXAMPLE), recordType: undefined }, '/recordType', 'required'],
    ['unknown recordType', { ...clone(BRANCH_TRANSACTION_EXAMPLE), recordType: 'refund' }, '/recordType', 'not-allowed'],
    ['array body', [BRANCH_TRANSACTION_EXAMPLE], '', 'not-object'],
    ['unknown field', { ...clone(BRANCH_TRANSACTION_EXAMPLE), terminal: 'x' }, '/terminal', 'unknown-field'],
    ['unknown nested field', tx({ narrative: 'cash in' }), '/transaction/narrative', 'unknown-field'],
    ['visit field on a transaction', { ...clone(BRANCH_TRANSACTION_EXAMPLE), ticket: {} }, '/ticket', 'unknown-field'],
    ['amount as a number', tx({ amount: 5000 }), '/transaction/amount', 'not-string'],
    ['amount with a separator', tx({ amount: '5,000.00' }), '/transaction/amount', 'invalid-amount'],
    ['negative amount', tx({ amount: '-5.00' }), '/transaction/amount', 'invalid-amount'],
    ['zero amount', tx({ amount: '0.00' }), '/transaction/amount', 'too-small'],
    ['sub-yen amount', tx({ amount: '10.5', currency: 'JPY' }), '/transaction/amount', 'too-precise'],
    ['amount beyond 2^53 minor units', tx({ amount: '99999999999999999' }), '/transaction/amount', 'unsafe-integer'],
    ['unknown teller code', tx({ code: 'CHEQUE' }), '/transaction/code', 'not-allowed'],
    ['no customer', { ...clone(BRANCH_TRANSACTION_EXAMPLE), customer: {} }, '/customer/cif', 'subject-missing'],
    ['both cif and card token', { ...clone(BRANCH_TRANSACTION_EXAMPLE), customer: { cif: 'C1', cardToken: 'tok_1' } }, '/customer/cardToken', 'subject-ambiguous'],
    ['card number instead of a token', { ...clone(BRANCH_VISIT_EXAMPLE), customer: { cardToken: '4111111111111111' } }, '/customer/cardToken', 'card-number-not-allowed'],
    ['zone-less post time', { ...clone(BRANCH_TRANSACTION_EXAMPLE), postedAt: '2026-11-02T09:58:12' }, '/postedAt', 'missing-zone'],
    ['called before issued', visit({ calledAt: '2026-11-02T09:40:04+08:00' }), '/ticket/calledAt', 'time-order'],
    ['closed before called', visit({ closedAt: '2026-11-02T09:52:39+08:00' }), '/ticket/closedAt', 'time-order'],
    ['wait over a day', visit({ calledAt: '2026-11-03T09:41:00+08:00', closedAt: '2026-11-03T09:50:00+08:00' }), '/ticket/calledAt', 'too-large'],
    ['keypad rating 6', visit({}, { feedback: { rating: 6, answeredAt: '2026-11-02T10:01:30+08:00' } }), '/feedback/rating', 'too-large'],
    ['bidi override in teller id', { ...clone(BRANCH_VISIT_EXAMPLE), tellerId: 'T-\u202e7811' }, '/tellerId', 'bidi-control'],
  ])('rejects %s', (_name, input, path, code) => {
    expect(errorsOf(input)).toContainEqual({ path, code });
  });

  it('maps a native record typed directly (no validation needed for trusted callers in tests)', () => {
    const record: BranchRecord = BRANCH_TRANSACTION_EXAMPLE;
    expect(toCanonical(record, ctx)).toHaveLength(1);
  });
});
