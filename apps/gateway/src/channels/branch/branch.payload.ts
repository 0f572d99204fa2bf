/**
 * The branch channel's NATIVE payload: one record from a teller system's journal, as a core
 * teller platform emits it. Two record types:
 *  - `transaction`: a posted counter transaction (cash deposit, withdrawal, transfer, ...), with
 *    the teller journal number, the account, and the amount as a decimal string in major units;
 *  - `visit`: a queue ticket closed at the counter, with the ticket's issue / call / close times
 *    from the queue-management system and, optionally, the counter-top keypad rating (1–5).
 * The customer is identified by CIF when the teller looked them up, else by the card token read
 * at the PIN pad (never the card number).
 */
import {
  CardTokenField,
  CurrencyField,
  DateTimeField,
  Field,
  guardJson,
  IdentifierField,
  IntegerField,
  NestedField,
  OneOfField,
  type FieldError,
  type Validated,
} from '@c360/contracts';
import { checkDecimalAmount, decimalToMinorUnits } from '../shared/money';
import { instantMillis } from '../shared/instant';
import { validateVariant, type NativeValidationOptions } from '../shared/native-validation';

export const TELLER_TRANSACTION_CODES = [
  'CASH_DEPOSIT',
  'CASH_WITHDRAWAL',
  'TRANSFER_IN',
  'TRANSFER_OUT',
  'LOAN_REPAYMENT',
  'FEE',
] as const;
export type TellerTransactionCode = (typeof TELLER_TRANSACTION_CODES)[number];

export const COUNTER_SERVICE_CODES = ['CASH', 'ACCOUNT_OPENING', 'CARD_SERVICES', 'LOANS', 'WEALTH_ADVICE', 'ENQUIRY'] as const;
export type CounterServiceCode = (typeof COUNTER_SERVICE_CODES)[number];

export class BranchCustomerRef {
  /** Customer number in core banking, when the teller looked the customer up. */
  @IdentifierField({ optional: true, maxLength: 32 }) cif?: string;
  /** Token of the card read at the PIN pad (issued by the card vault), never the card number. */
  @CardTokenField({ optional: true }) cardToken?: string;

  static refine(v: Readonly<BranchCustomerRef>): FieldError[] {
    if (v.cif === undefined && v.cardToken === undefined) {
      return [{ path: '/cif', code: 'subject-missing', message: 'give cif or cardToken' }];
    }
    if (v.cif !== undefined && v.cardToken !== undefined) {
      return [{ path: '/cardToken', code: 'subject-ambiguous', message: 'give cif or cardToken, not both' }];
    }
    return [];
  }
}

export class TellerTransaction {
  @OneOfField(TELLER_TRANSACTION_CODES) code!: TellerTransactionCode;
  /** Account (product) number the transaction posted to. */
  @IdentifierField() accountNumber!: string;
  /** Major units as a decimal string, e.g. "1250.00"; never a float. */
  @Field(checkDecimalAmount) amount!: string;
  @CurrencyField() currency!: string;
  /** BIC of the other bank, for transfers. */
  @IdentifierField({ optional: true, maxLength: 11 }) counterpartyBic?: string;

  static refine(v: Readonly<TellerTransaction>): FieldError[] {
    const converted = decimalToMinorUnits(v.amount, v.currency);
    if ('code' in converted) return [{ path: '/amount', code: converted.code, message: converted.message }];
    if (converted.minor === 0) return [{ path: '/amount', code: 'too-small', message: 'must be greater than zero' }];
    return [];
  }
}

export class QueueTicket {
  /** Ticket number as printed, e.g. "A042". */
  @IdentifierField({ maxLength: 16 }) number!: string;
  @OneOfField(COUNTER_SERVICE_CODES) serviceCode!: CounterServiceCode;
  @DateTimeField() issuedAt!: string;
  @DateTimeField() calledAt!: string;
  @DateTimeField() closedAt!: string;
}

export class CounterFeedback {
  /** Keypad rating, 1 (poor) to 5 (excellent). */
  @IntegerField({ min: 1, max: 5 }) rating!: number;
  @DateTimeField() answeredAt!: string;
}

abstract class BranchRecordBase {
  /** Teller journal number (transactions) or ticket record id (visits); unique within the branch. */
  @IdentifierField() recordId!: string;
  @IdentifierField({ maxLength: 32 }) branchCode!: string;
  @IdentifierField() tellerId!: string;
  @IdentifierField({ optional: true }) workstationId?: string;
  @NestedField(() => BranchCustomerRef) customer!: BranchCustomerRef;
}

export class BranchTransactionRecord extends BranchRecordBase {
  @OneOfField(['transaction']) recordType!: 'transaction';
  @DateTimeField() postedAt!: string;
  @NestedField(() => TellerTransaction) transaction!: TellerTransaction;
}

export class BranchVisitRecord extends BranchRecordBase {
  @OneOfField(['visit']) recordType!: 'visit';
  @NestedField(() => QueueTicket) ticket!: QueueTicket;
  @NestedField(() => CounterFeedback, { optional: true }) feedback?: CounterFeedback;

  static refine(v: Readonly<BranchVisitRecord>): FieldError[] {
    const issued = instantMillis(v.ticket.issuedAt);
    const called = instantMillis(v.ticket.calledAt);
    const closed = instantMillis(v.ticket.closedAt);
    const errors: FieldError[] = [];
    if (called < issued) errors.push({ path: '/ticket/calledAt', code: 'time-order', message: 'must not be before issuedAt' });
    else if (called - issued > 24 * 3_600_000) errors.push({ path: '/ticket/calledAt', code: 'too-large', message: 'wait must be under 24 hours' });
    if (closed < called) errors.push({ path: '/ticket/closedAt', code: 'time-order', message: 'must not be before calledAt' });
    return errors;
  }
}

export type BranchRecord = BranchTransactionRecord | BranchVisitRecord;

/** Validates one native branch record (guard, variant by `recordType`, whitelist, cross-field rules). */
export const validateBranchPayload = (input: unknown, options: NativeValidationOptions = {}): Validated<BranchRecord> => {
  const guardErrors = guardJson(input);
  if (guardErrors.length > 0) return { ok: false, errors: guardErrors };
  return validateVariant<BranchRecord>(input, 'recordType', { transaction: BranchTransactionRecord, visit: BranchVisitRecord }, '', options);
};

/** Examples, for the OpenAPI document and the tests. */
export const BRANCH_TRANSACTION_EXAMPLE: BranchTransactionRecord = {
  recordType: 'transaction',
  recordId: 'TJ-20261102-000187',
  branchCode: 'BR-0042',
  tellerId: 'T-1187',
  workstationId: 'WS-03',
  postedAt: '2026-11-02T09:58:12+08:00',
  customer: { cif: 'C000123' },
  transaction: { code: 'CASH_DEPOSIT', accountNumber: 'A-77', amount: '5000.00', currency: 'CNY' },
};

export const BRANCH_VISIT_EXAMPLE: BranchVisitRecord = {
  recordType: 'visit',
  recordId: 'QT-20261102-A042',
  branchCode: 'BR-0042',
  tellerId: 'T-1187',
  customer: { cardToken: 'tok_4f9a2b7c1d' },
  ticket: {
    number: 'A042',
    serviceCode: 'CASH',
    issuedAt: '2026-11-02T09:40:05+08:00',
    calledAt: '2026-11-02T09:52:40+08:00',
    closedAt: '2026-11-02T10:01:10+08:00',
  },
  feedback: { rating: 4, answeredAt: '2026-11-02T10:01:30+08:00' },
};

export const BRANCH_EXAMPLES = { transaction: BRANCH_TRANSACTION_EXAMPLE, visit: BRANCH_VISIT_EXAMPLE } as const;
