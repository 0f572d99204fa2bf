/**
 * The channels' native payloads as the demo sends them over HTTP. These mirror the shapes the
 * gateway documents (apps/gateway/src/channels/*\/*.payload.ts and the OpenAPI document); a lib
 * must not import an app, so they are restated here as plain wire types, and a test in apps/cli
 * runs every generated payload through the gateway's own validators and mappers.
 */

/** A teller-system journal record: a posted counter transaction or a closed queue ticket. */
export type BranchRecordWire = BranchTransactionWire | BranchVisitWire;

export interface BranchCustomerRefWire {
  readonly cif?: string;
  readonly cardToken?: string;
}

interface BranchRecordBaseWire {
  readonly recordId: string;
  readonly branchCode: string;
  readonly tellerId: string;
  readonly workstationId?: string;
  readonly customer: BranchCustomerRefWire;
}

export type TellerTransactionCodeWire = 'CASH_DEPOSIT' | 'CASH_WITHDRAWAL' | 'TRANSFER_IN' | 'TRANSFER_OUT' | 'LOAN_REPAYMENT' | 'FEE';
export type CounterServiceCodeWire = 'CASH' | 'ACCOUNT_OPENING' | 'CARD_SERVICES' | 'LOANS' | 'WEALTH_ADVICE' | 'ENQUIRY';

export interface BranchTransactionWire extends BranchRecordBaseWire {
  readonly recordType: 'transaction';
  readonly postedAt: string;
  readonly transaction: {
    readonly code: TellerTransactionCodeWire;
    readonly accountNumber: string;
    /** Major units as a decimal string, e.g. "1250.00". */
    readonly amount: string;
    readonly currency: string;
    readonly counterpartyBic?: string;
  };
}

export interface BranchVisitWire extends BranchRecordBaseWire {
  readonly recordType: 'visit';
  readonly ticket: {
    readonly number: string;
    readonly serviceCode: CounterServiceCodeWire;
    readonly issuedAt: string;
    readonly calledAt: string;
    readonly closedAt: string;
  };
  readonly feedback?: { readonly rating: number; readonly answeredAt: string };
}

/** A mobile back end's activity batch for one app user and device (at most 100 events). */
export interface MobileBatchWire {
  readonly batchId: string;
  readonly userId: string;
  readonly cif?: string;
  readonly device: {
    readonly id: string;
    readonly platform: 'ios' | 'android' | 'harmonyos';
    readonly appVersion: string;
    readonly osVersion?: string;
  };
  readonly sentAt: string;
  readonly events: readonly MobileEventWire[];
}

export type MobileEventWire =
  | { readonly id: string; readonly at: string; readonly kind: 'session.start'; readonly sessionId: string }
  | { readonly id: string; readonly at: string; readonly kind: 'action'; readonly sessionId: string; readonly action: string; readonly screen?: string }
  | { readonly id: string; readonly at: string; readonly kind: 'offer.impression'; readonly offerId: string; readonly product: string }
  | {
      readonly id: string;
      readonly at: string;
      readonly kind: 'offer.response';
      readonly offerId: string;
      readonly product: string;
      readonly response: 'accepted' | 'declined';
    }
  | { readonly id: string; readonly at: string; readonly kind: 'rating'; readonly stars: number };

export type DispositionCodeWire = 'RESOLVED' | 'TRANSFERRED' | 'CALLBACK_SCHEDULED' | 'ABANDONED';

/** A CTI call detail record at wrap-up. */
export interface CallRecordWire {
  readonly callId: string;
  readonly direction: 'inbound' | 'outbound';
  readonly ani?: string;
  readonly customerCif?: string;
  readonly queue: string;
  readonly agentId?: string;
  readonly startedAt: string;
  readonly answeredAt?: string;
  readonly endedAt: string;
  readonly disposition: { readonly code: DispositionCodeWire; readonly reasonCode: string };
  readonly sentiment?: { readonly score: number; readonly model: string };
  readonly complaint?: {
    readonly ticketId: string;
    readonly category: string;
    readonly severity: 'low' | 'medium' | 'high';
    readonly resolvedOnCall?: { readonly resolution: string };
  };
  readonly survey?: { readonly type: 'nps' | 'csat'; readonly score: number; readonly answeredAt: string };
}
