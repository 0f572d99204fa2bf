import type { Channel } from '@c360/contracts';

/**
 * A personal field as a client sees it: the value (clear, or masked without
 * `customers:read-pii`), `{ erased: true }` after crypto-shredding, `{ restricted: true }`
 * while an erasure waits for a legal retention to end, or null when unknown.
 */
export type PersonalFieldDto = string | { readonly erased: true } | { readonly restricted: true } | null;

/** How personal data appears in this response. */
export type Disclosure = 'clear' | 'masked' | 'restricted';

export interface ProfileDto {
  readonly customerNumber: string | null;
  readonly kind: 'individual' | 'business' | null;
  readonly fullName: PersonalFieldDto;
  readonly nationalId: PersonalFieldDto;
  readonly birthDate: PersonalFieldDto;
  readonly phone: PersonalFieldDto;
  readonly email: PersonalFieldDto;
  readonly address: PersonalFieldDto;
  readonly region: string | null;
  readonly branchCode: string | null;
  readonly registeredAt: string | null;
}

export interface IdentityDto {
  readonly scheme: string;
  readonly value: PersonalFieldDto;
  readonly linkedAt: string;
}

export interface ProductDto {
  readonly productId: string;
  readonly productType: string;
  readonly currency: string;
  readonly status: 'open' | 'closed';
  readonly openedAt: string | null;
  readonly closedAt: string | null;
  readonly closeReason: string | null;
  readonly balanceMinor: number;
  readonly balanceAsOf: string | null;
}

export interface TimelineEntryDto {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly channel: Channel | null;
  readonly summary: string;
}

export interface CustomerViewDto {
  readonly customerId: string;
  /** `live` (the read model), `asOf` (events that had occurred by `at`) or `knownAt` (events recorded by `at`). */
  readonly view: 'live' | 'asOf' | 'knownAt';
  /** The time windows (30/90 days, churn, segments, profitability) are evaluated at. */
  readonly at: string;
  readonly revision: number;
  readonly personalData: Disclosure;
  readonly erased: boolean;
  readonly restriction: { readonly until: string } | null;
  readonly mergedInto: string | null;
  readonly mergedFrom: readonly string[];
  readonly profile: ProfileDto;
  readonly identities: readonly IdentityDto[];
  readonly products: readonly ProductDto[];
  readonly relationshipBalanceMinor: Readonly<Record<string, number>>;
  readonly assetsMinor: Readonly<Record<string, number>>;
  readonly lendingMinor: Readonly<Record<string, number>>;
  readonly relationshipValueMinor: number;
  readonly interactions: {
    readonly last30Days: Readonly<Record<Channel, number>>;
    readonly last90Days: Readonly<Record<Channel, number>>;
    readonly lastByChannel: Readonly<Record<Channel, string | null>>;
  };
  readonly recentTimeline: readonly TimelineEntryDto[];
  readonly openComplaints: readonly {
    readonly complaintId: string;
    readonly category: string;
    readonly severity: string;
    readonly channel: Channel;
    readonly raisedAt: string;
  }[];
  readonly complaintsResolved: number;
  readonly satisfaction: {
    readonly nps: { readonly score: number; readonly at: string } | null;
    readonly csat: { readonly score: number; readonly at: string } | null;
  };
  readonly serviceQuality: {
    readonly windowDays: number;
    readonly branchVisits: number;
    readonly averageBranchWaitMinutes: number | null;
    readonly calls: number;
    readonly callsResolved: number;
    readonly callsAbandoned: number;
  };
  readonly relationshipManager: {
    readonly managerId: string;
    readonly previousManagerId: string | null;
    readonly since: string;
    readonly changedAt: string | null;
  } | null;
  readonly tier: string;
  readonly segments: readonly { readonly segmentId: string; readonly version: number; readonly reason: string }[];
  readonly churn: {
    readonly riskScore: number;
    readonly openFlags: readonly { readonly code: string; readonly reason: string; readonly since: string; readonly evidenceEventIds: readonly string[] }[];
  };
  readonly profitability: {
    readonly windowDays: number;
    readonly revenueMinor: number;
    readonly interestMarginMinor: number;
    readonly feesMinor: number;
    readonly interchangeMinor: number;
    readonly costToServeMinor: number;
    readonly marginMinor: number;
    readonly costByChannel: readonly { readonly channel: Channel; readonly interactions: number; readonly unitCostMinor: number; readonly costMinor: number }[];
  };
}

export interface TimelinePageDto {
  readonly customerId: string;
  readonly items: readonly TimelineEntryDto[];
  readonly nextCursor: string | null;
}

export interface LookupResultDto {
  readonly scheme: string;
  readonly customers: readonly { readonly customerId: string; readonly href: string }[];
}
