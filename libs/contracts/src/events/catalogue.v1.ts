/**
 * The canonical event catalogue, v1 — frozen. Never edit a published shape: add a v2 file
 * and an upcaster. Plain TypeScript types; validation schemas live beside them.
 * Amounts are integers in minor units with an ISO 4217 currency. Times are ISO 8601 with a zone.
 */

export type Channel = 'branch' | 'mobile' | 'call-centre';
export const CHANNELS: readonly Channel[] = ['branch', 'mobile', 'call-centre'];

export type IdentityScheme = 'customer-number' | 'mobile-user' | 'phone' | 'card' | 'national-id';
export const IDENTITY_SCHEMES: readonly IdentityScheme[] = [
  'customer-number',
  'mobile-user',
  'phone',
  'card',
  'national-id',
];

export type ProductType =
  | 'current'
  | 'savings'
  | 'time-deposit'
  | 'credit-card'
  | 'loan'
  | 'mortgage'
  | 'wealth'
  | 'insurance';
export const PRODUCT_TYPES: readonly ProductType[] = [
  'current',
  'savings',
  'time-deposit',
  'credit-card',
  'loan',
  'mortgage',
  'wealth',
  'insurance',
];

export type MoneyKind =
  | 'deposit'
  | 'withdrawal'
  | 'salary'
  | 'transfer'
  | 'card-payment'
  | 'loan-repayment'
  | 'fee'
  | 'interest';
export const MONEY_KINDS: readonly MoneyKind[] = [
  'deposit',
  'withdrawal',
  'salary',
  'transfer',
  'card-payment',
  'loan-repayment',
  'fee',
  'interest',
];

export type CallOutcome = 'resolved' | 'transferred' | 'callback' | 'abandoned';
export const CALL_OUTCOMES: readonly CallOutcome[] = ['resolved', 'transferred', 'callback', 'abandoned'];

export interface CustomerRegisteredV1 {
  customerNumber: string;
  kind: 'individual' | 'business';
  fullName: string; // personal
  nationalId: string; // personal
  birthDate: string; // personal, YYYY-MM-DD
  phone: string; // personal, E.164
  email: string; // personal
  address: string; // personal
  region: string;
  branchCode: string;
}
export interface ContactDetailsChangedV1 {
  phone?: string; // personal
  email?: string; // personal
  address?: string; // personal
}
export interface ChannelIdentityLinkedV1 {
  scheme: IdentityScheme;
  value: string;
}
export type ChannelIdentityUnlinkedV1 = ChannelIdentityLinkedV1;
export interface CustomersMergedV1 {
  survivorId: string;
  mergedId: string;
  reason: string;
}
export type CustomersUnmergedV1 = CustomersMergedV1;
export interface RelationshipManagerAssignedV1 {
  managerId: string;
  previousManagerId: string | null;
}
export interface ProductOpenedV1 {
  productId: string;
  productType: ProductType;
  currency: string;
}
export interface ProductClosedV1 {
  productId: string;
  productType: ProductType;
  reason: string;
}
export interface BalanceReportedV1 {
  productId: string;
  balanceMinor: number;
  currency: string;
  asOfDate: string; // YYYY-MM-DD
}
export interface MoneyMovedV1 {
  productId: string;
  direction: 'in' | 'out';
  kind: MoneyKind;
  amountMinor: number;
  currency: string;
  counterpartyBank?: string | null;
}
export interface BranchVisitedV1 {
  branchCode: string;
  service: string;
  waitMinutes: number;
  tellerId: string;
}
export interface MobileSessionStartedV1 {
  deviceId: string;
  appVersion: string;
}
export interface MobileActionPerformedV1 {
  deviceId: string;
  action: string;
}
export interface CallHandledV1 {
  callId: string;
  reason: string;
  durationSec: number;
  outcome: CallOutcome;
  /** -1..1 from speech analytics; null when the call had no analytics. */
  sentiment: number | null;
  /** null for a call abandoned before an agent answered. */
  agentId: string | null;
}
export interface ComplaintRaisedV1 {
  complaintId: string;
  category: string;
  severity: 'low' | 'medium' | 'high';
  channel: Channel;
}
export interface ComplaintResolvedV1 {
  complaintId: string;
  resolution: string;
}
export interface SurveyAnsweredV1 {
  kind: 'nps' | 'csat';
  score: number; // nps 0..10, csat 1..5
}
export interface OfferPresentedV1 {
  offerId: string;
  product: string;
}
export interface OfferRespondedV1 {
  offerId: string;
  product: string;
  response: 'accepted' | 'declined';
}

/** type name → data shape, for every canonical v1 event. */
export interface CanonicalEventDataV1 {
  CustomerRegistered: CustomerRegisteredV1;
  ContactDetailsChanged: ContactDetailsChangedV1;
  ChannelIdentityLinked: ChannelIdentityLinkedV1;
  ChannelIdentityUnlinked: ChannelIdentityUnlinkedV1;
  CustomersMerged: CustomersMergedV1;
  CustomersUnmerged: CustomersUnmergedV1;
  RelationshipManagerAssigned: RelationshipManagerAssignedV1;
  ProductOpened: ProductOpenedV1;
  ProductClosed: ProductClosedV1;
  BalanceReported: BalanceReportedV1;
  MoneyMoved: MoneyMovedV1;
  BranchVisited: BranchVisitedV1;
  MobileSessionStarted: MobileSessionStartedV1;
  MobileActionPerformed: MobileActionPerformedV1;
  CallHandled: CallHandledV1;
  ComplaintRaised: ComplaintRaisedV1;
  ComplaintResolved: ComplaintResolvedV1;
  SurveyAnswered: SurveyAnsweredV1;
  OfferPresented: OfferPresentedV1;
  OfferResponded: OfferRespondedV1;
}

export type CanonicalEventType = keyof CanonicalEventDataV1;

/** Personal fields per type (encrypted at rest, erasable, masked on read). */
export const PERSONAL_FIELDS: { readonly [T in CanonicalEventType]: readonly (keyof CanonicalEventDataV1[T])[] } = {
  CustomerRegistered: ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'],
  ContactDetailsChanged: ['phone', 'email', 'address'],
  // the value may be a phone number or a national id: treat it as personal whatever the scheme
  ChannelIdentityLinked: ['value'],
  ChannelIdentityUnlinked: ['value'],
  CustomersMerged: [],
  CustomersUnmerged: [],
  RelationshipManagerAssigned: [],
  ProductOpened: [],
  ProductClosed: [],
  BalanceReported: [],
  MoneyMoved: [],
  BranchVisited: [],
  MobileSessionStarted: [],
  MobileActionPerformed: [],
  CallHandled: [],
  ComplaintRaised: [],
  ComplaintResolved: [],
  SurveyAnswered: [],
  OfferPresented: [],
  OfferResponded: [],
};

export interface EventSource {
  system: string;
  channel?: Channel;
}

export interface Identity {
  scheme: IdentityScheme;
  value: string;
}

/** The canonical envelope as it travels on Kafka and through the HTTP API. */
export type CanonicalEvent<T extends CanonicalEventType = CanonicalEventType> = {
  [K in T]: {
    eventId: string;
    type: K;
    version: number;
    occurredAt: string;
    source: EventSource;
    customerId?: string;
    identity?: Identity;
    data: CanonicalEventDataV1[K];
  };
}[T];
