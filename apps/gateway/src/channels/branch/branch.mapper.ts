import type { CanonicalEvent, Identity, MoneyKind } from '@c360/contracts';
import { instantMillis } from '../shared/instant';
import type { MapperContext } from '../shared/mapper-context';
import { decimalToMinorUnits } from '../shared/money';
import type {
  BranchCustomerRef,
  BranchRecord,
  BranchTransactionRecord,
  BranchVisitRecord,
  CounterServiceCode,
  TellerTransactionCode,
} from './branch.payload';

export const BRANCH_SOURCE = { system: 'branch-teller', channel: 'branch' } as const;

const MONEY: { readonly [C in TellerTransactionCode]: { direction: 'in' | 'out'; kind: MoneyKind } } = {
  CASH_DEPOSIT: { direction: 'in', kind: 'deposit' },
  CASH_WITHDRAWAL: { direction: 'out', kind: 'withdrawal' },
  TRANSFER_IN: { direction: 'in', kind: 'transfer' },
  TRANSFER_OUT: { direction: 'out', kind: 'transfer' },
  LOAN_REPAYMENT: { direction: 'out', kind: 'loan-repayment' },
  FEE: { direction: 'out', kind: 'fee' },
};

const SERVICE: { readonly [C in CounterServiceCode]: string } = {
  CASH: 'cash',
  ACCOUNT_OPENING: 'account-opening',
  CARD_SERVICES: 'card-services',
  LOANS: 'loans',
  WEALTH_ADVICE: 'wealth-advice',
  ENQUIRY: 'enquiry',
};

const subject = (c: BranchCustomerRef): { customerId: string } | { identity: Identity } =>
  c.cif !== undefined ? { customerId: c.cif } : { identity: { scheme: 'card', value: c.cardToken ?? '' } };

/** Stable name of one event of one record: channel, branch, record id, role. */
const idName = (r: BranchRecord, role: string): string => `branch/${r.branchCode}/${r.recordId}/${role}`;

const fromTransaction = (r: BranchTransactionRecord, ctx: MapperContext): CanonicalEvent[] => {
  const t = r.transaction;
  const amount = decimalToMinorUnits(t.amount, t.currency);
  if ('code' in amount) throw new RangeError('branch transaction amount was not validated'); // validateBranchPayload refuses these
  const { direction, kind } = MONEY[t.code];
  return [
    {
      eventId: ctx.newId(idName(r, 'MoneyMoved')),
      type: 'MoneyMoved',
      version: 1,
      occurredAt: r.postedAt,
      source: BRANCH_SOURCE,
      ...subject(r.customer),
      data: {
        productId: t.accountNumber,
        direction,
        kind,
        amountMinor: amount.minor,
        currency: t.currency,
        counterpartyBank: t.counterpartyBic ?? null,
      },
    },
  ];
};

const fromVisit = (r: BranchVisitRecord, ctx: MapperContext): CanonicalEvent[] => {
  const waitMinutes = Math.floor((instantMillis(r.ticket.calledAt) - instantMillis(r.ticket.issuedAt)) / 60_000);
  const events: CanonicalEvent[] = [
    {
      eventId: ctx.newId(idName(r, 'BranchVisited')),
      type: 'BranchVisited',
      version: 1,
      occurredAt: r.ticket.calledAt,
      source: BRANCH_SOURCE,
      ...subject(r.customer),
      data: { branchCode: r.branchCode, service: SERVICE[r.ticket.serviceCode], waitMinutes, tellerId: r.tellerId },
    },
  ];
  if (r.feedback) {
    events.push({
      eventId: ctx.newId(idName(r, 'SurveyAnswered')),
      type: 'SurveyAnswered',
      version: 1,
      occurredAt: r.feedback.answeredAt,
      source: BRANCH_SOURCE,
      ...subject(r.customer),
      data: { kind: 'csat', score: r.feedback.rating },
    });
  }
  return events;
};

/**
 * Maps one validated teller record onto canonical events. Pure and deterministic: the same record
 * always gives the same events with the same ids. A transaction → MoneyMoved; a visit →
 * BranchVisited (wait = called − issued, whole minutes) and, with keypad feedback, SurveyAnswered (CSAT).
 */
export const toCanonical = (native: BranchRecord, ctx: MapperContext): CanonicalEvent[] => {
  switch (native.recordType) {
    case 'transaction':
      return fromTransaction(native, ctx);
    case 'visit':
      return fromVisit(native, ctx);
  }
};
