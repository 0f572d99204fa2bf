import type { Channel, IdentityScheme, ProductType } from '@c360/contracts';
import type { PersonalValue } from '../events/domain-event';

/**
 * The customer-360 state: plain JSON (it is stored as a read-model document), bounded
 * whatever the length of the history. Lists that would grow with history are capped or
 * pruned; the limits are below.
 */

/** Days of daily activity kept, counted back from the newest event's day (inclusive). */
export const ACTIVITY_WINDOW_DAYS = 90;
export const TIMELINE_LIMIT = 50;
export const CLOSED_PRODUCTS_LIMIT = 20;
export const RECENT_CLOSURES_LIMIT = 20;
export const RECENT_TRANSFERS_LIMIT = 20;
export const SALARY_DATES_LIMIT = 6;
export const OPEN_COMPLAINTS_LIMIT = 50;

/** Product types whose balances are the customer's assets with the bank (AUM). */
export const ASSET_PRODUCT_TYPES: readonly ProductType[] = [
  'current',
  'savings',
  'time-deposit',
  'wealth',
  'insurance',
];

export interface Profile {
  readonly customerNumber: string | null;
  readonly kind: 'individual' | 'business' | null;
  readonly fullName: PersonalValue | null;
  readonly nationalId: PersonalValue | null;
  readonly birthDate: PersonalValue | null;
  readonly phone: PersonalValue | null;
  readonly email: PersonalValue | null;
  readonly address: PersonalValue | null;
  readonly region: string | null;
  readonly branchCode: string | null;
  readonly registeredAt: string | null;
}

export interface ChannelIdentity {
  readonly scheme: IdentityScheme;
  readonly value: string;
  readonly linkedAt: string;
}

export interface ProductHolding {
  readonly productId: string;
  readonly productType: ProductType;
  readonly currency: string;
  readonly status: 'open' | 'closed';
  readonly openedAt: string | null;
  readonly closedAt: string | null;
  readonly closeReason: string | null;
  /** Last reported balance, minor units (core banking is the source of truth for balances). */
  readonly balanceMinor: number;
  /** asOfDate of the report the balance came from; a late report for an older date loses. */
  readonly balanceAsOf: string | null;
}

/** One UTC day of activity. */
export interface DayActivity {
  readonly day: string;
  readonly interactions: Readonly<Record<Channel, number>>;
  readonly branchWaitMinutes: number;
  readonly callsResolved: number;
  readonly callsAbandoned: number;
  /** Fees the customer paid (bank revenue), by currency. */
  readonly feesMinor: Readonly<Record<string, number>>;
  /** Card spend (interchange base), by currency. */
  readonly cardSpendMinor: Readonly<Record<string, number>>;
  readonly salaryInMinor: Readonly<Record<string, number>>;
  /** Money sent out to other banks, by currency. */
  readonly outToOtherBanksMinor: Readonly<Record<string, number>>;
}

export interface LastInteraction {
  readonly at: string;
  readonly eventId: string;
}

/** End-of-day snapshot of balances, for growth and drain over 90 days. */
export interface BalancePoint {
  readonly day: string;
  /** Assets under management (deposits and investments), by currency. */
  readonly assetsMinor: Readonly<Record<string, number>>;
  readonly openProducts: number;
  readonly eventId: string;
}

export interface TimelineEntry {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly channel: Channel | null;
  /** Built from non-personal fields only, so the timeline never needs masking. */
  readonly summary: string;
}

export interface OpenComplaint {
  readonly complaintId: string;
  readonly category: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly channel: Channel;
  readonly raisedAt: string;
  readonly eventId: string;
}

export interface SurveyScore {
  readonly score: number;
  readonly at: string;
  readonly eventId: string;
}

export interface RelationshipManager {
  readonly managerId: string;
  readonly previousManagerId: string | null;
  readonly since: string;
  /** Set when the assignment replaced another manager (the churn signal), else null. */
  readonly changedAt: string | null;
  readonly eventId: string;
}

export interface SalaryHistory {
  readonly lastAt: string | null;
  readonly lastEventId: string | null;
  readonly lastAmountMinor: number;
  readonly currency: string | null;
  readonly count: number;
  /** Most recent credit times, oldest first (bounded). */
  readonly recentAt: readonly string[];
  /** Median gap between recent credits, in days; null until there are two credits. */
  readonly typicalIntervalDays: number | null;
}

export interface TransferOut {
  readonly eventId: string;
  readonly at: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly counterpartyBank: string;
}

export interface ProductClosure {
  readonly eventId: string;
  readonly at: string;
  readonly productId: string;
  readonly productType: ProductType;
  readonly reason: string;
}

/** Where the fold stands in each stream it has read (own stream, plus merged ones). */
export interface FoldPosition {
  /** Last revision applied from the customer's own stream; -1 before any. */
  readonly lastRevision: number;
  /** Last revision applied per stream id, merged streams included. */
  readonly byStream: Readonly<Record<string, number>>;
  readonly eventCount: number;
}

export interface Customer360State {
  readonly customerId: string;
  readonly profile: Profile;
  /** Currently linked identities, sorted by scheme then value. */
  readonly identities: readonly ChannelIdentity[];
  /** Every open product, and the most recently closed ones (bounded), sorted by productId. */
  readonly products: readonly ProductHolding[];
  /** Total relationship balance by currency: assets plus lending (reporting value: relationshipValue()). */
  readonly relationshipBalanceMinor: Readonly<Record<string, number>>;
  /** Deposits and investments (current, savings, time-deposit, wealth, insurance), by currency. */
  readonly assetsMinor: Readonly<Record<string, number>>;
  /** Amounts owed (credit-card, loan, mortgage), as positive numbers, by currency. */
  readonly lendingMinor: Readonly<Record<string, number>>;
  /** Daily buckets, ascending, within ACTIVITY_WINDOW_DAYS of `latestActivityDay`. */
  readonly activity: readonly DayActivity[];
  /** Newest event day seen (pruning reference); merge bookkeeping does not move it. */
  readonly latestActivityDay: string | null;
  readonly lastInteraction: Readonly<Record<Channel, LastInteraction | null>>;
  /** Balance snapshots, ascending; the window plus one anchor point before it. */
  readonly balanceHistory: readonly BalancePoint[];
  /** Newest first, bounded. */
  readonly timeline: readonly TimelineEntry[];
  /** Oldest first, bounded. */
  readonly openComplaints: readonly OpenComplaint[];
  readonly complaintsResolved: number;
  readonly latestNps: SurveyScore | null;
  readonly latestCsat: SurveyScore | null;
  readonly relationshipManager: RelationshipManager | null;
  readonly salary: SalaryHistory;
  /** Newest last, bounded; only transfers with a counterparty bank. */
  readonly transfersToOtherBanks: readonly TransferOut[];
  /** Newest last, bounded. */
  readonly productClosures: readonly ProductClosure[];
  /** Customers whose streams are folded into this one (this is the survivor). */
  readonly mergedFrom: readonly string[];
  /** Set on a merged-away customer: the survivor it now lives in. */
  readonly mergedInto: string | null;
  readonly position: FoldPosition;
}

export const emptyProfile = (): Profile => ({
  customerNumber: null,
  kind: null,
  fullName: null,
  nationalId: null,
  birthDate: null,
  phone: null,
  email: null,
  address: null,
  region: null,
  branchCode: null,
  registeredAt: null,
});

export const initialCustomer360 = (customerId: string): Customer360State => ({
  customerId,
  profile: emptyProfile(),
  identities: [],
  products: [],
  relationshipBalanceMinor: {},
  assetsMinor: {},
  lendingMinor: {},
  activity: [],
  latestActivityDay: null,
  lastInteraction: { branch: null, mobile: null, 'call-centre': null },
  balanceHistory: [],
  timeline: [],
  openComplaints: [],
  complaintsResolved: 0,
  latestNps: null,
  latestCsat: null,
  relationshipManager: null,
  salary: {
    lastAt: null,
    lastEventId: null,
    lastAmountMinor: 0,
    currency: null,
    count: 0,
    recentAt: [],
    typicalIntervalDays: null,
  },
  transfersToOtherBanks: [],
  productClosures: [],
  mergedFrom: [],
  mergedInto: null,
  position: { lastRevision: -1, byStream: {}, eventCount: 0 },
});

/** A customer "exists" at a point in time once any of its events has been applied. */
export const customerExists = (state: Customer360State): boolean => state.position.eventCount > 0;

/** The state without fold bookkeeping: what merge → unmerge must give back exactly. */
export const customerContent = (state: Customer360State): Omit<Customer360State, 'position'> => {
  const { position: _position, ...content } = state;
  return content;
};
