/** The API's response shapes the console reads (see the OpenAPI document at /docs). */

export type PersonalField =
  string | { readonly erased: true } | { readonly restricted: true } | null;

export interface WhoAmI {
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
}

export interface Product {
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

export interface TimelineEntry {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly channel: string | null;
  readonly summary: string;
}

export interface CustomerView {
  readonly customerId: string;
  readonly view: string;
  readonly at: string;
  readonly revision: number;
  readonly personalData: 'clear' | 'masked' | 'restricted';
  readonly erased: boolean;
  readonly restriction: { readonly until: string } | null;
  readonly mergedInto: string | null;
  readonly mergedFrom: readonly string[];
  readonly profile: {
    readonly customerNumber: string | null;
    readonly kind: string | null;
    readonly fullName: PersonalField;
    readonly nationalId: PersonalField;
    readonly birthDate: PersonalField;
    readonly phone: PersonalField;
    readonly email: PersonalField;
    readonly address: PersonalField;
    readonly region: string | null;
    readonly branchCode: string | null;
    readonly registeredAt: string | null;
  };
  readonly identities: readonly {
    readonly scheme: string;
    readonly value: PersonalField;
    readonly linkedAt: string;
  }[];
  readonly products: readonly Product[];
  readonly relationshipBalanceMinor: Readonly<Record<string, number>>;
  readonly relationshipValueMinor: number;
  readonly interactions: {
    readonly last30Days: Readonly<Record<string, number>>;
    readonly last90Days: Readonly<Record<string, number>>;
    readonly lastByChannel: Readonly<Record<string, string | null>>;
  };
  readonly relationshipManager: {
    readonly managerId: string;
    readonly previousManagerId: string | null;
    readonly since: string;
  } | null;
  readonly tier: string;
  readonly segments: readonly {
    readonly segmentId: string;
    readonly version: number;
    readonly reason: string;
  }[];
  readonly churn: {
    readonly riskScore: number;
    readonly openFlags: readonly {
      readonly code: string;
      readonly reason: string;
      readonly since: string;
      readonly evidenceEventIds: readonly string[];
    }[];
  };
  readonly openComplaints: readonly {
    readonly complaintId: string;
    readonly category: string;
    readonly severity: string;
    readonly channel: string;
    readonly raisedAt: string;
  }[];
  readonly profitability: {
    readonly windowDays: number;
    readonly revenueMinor: number;
    readonly costToServeMinor: number;
    readonly marginMinor: number;
  };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface TimelinePage extends Page<TimelineEntry> {
  readonly customerId: string;
}

export interface LookupResult {
  readonly scheme: string;
  readonly customers: readonly { readonly customerId: string; readonly href: string }[];
}

export interface Segment {
  readonly segmentId: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly members: number;
}

export interface SegmentMember {
  readonly customerId: string;
  readonly since: string;
  readonly ruleVersion: number;
  readonly reason: string;
  readonly tier: string | null;
  readonly region: string | null;
}

export interface ChurnFlag {
  readonly flagId: string;
  readonly customerId: string;
  readonly code: string;
  readonly status: string;
  readonly reason: string;
  readonly since: string;
  readonly raisedAt: string;
  readonly riskScore: number | null;
  readonly tier: string | null;
  readonly region: string | null;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly state: string;
  readonly workers: number;
  readonly partitions: number;
  readonly position: string | null;
  readonly head: string | null;
  readonly lag: { readonly events: number; readonly capped: boolean; readonly seconds: number };
  readonly ratePerSecond: number;
  readonly lastError: {
    readonly message: string;
    readonly code: string | null;
    readonly kind: string;
    readonly at: string;
  } | null;
  readonly rebuild: {
    readonly jobId: string;
    readonly state: string;
    readonly progress: number;
    readonly total: number;
  } | null;
}

export type RebuildState =
  'pending' | 'building' | 'swapping' | 'swapped' | 'done' | 'cancelling' | 'cancelled' | 'failed';

export interface RebuildJob {
  readonly id: string;
  readonly projection: string;
  readonly kind: 'full' | 'customers';
  readonly state: RebuildState;
  readonly progress: number;
  readonly total: number;
  readonly ratePerSecond: number;
  readonly etaSeconds: number | null;
  readonly attempts: number;
  readonly diff: {
    readonly counts: readonly {
      readonly table: string;
      readonly live: number;
      readonly shadow: number;
    }[];
    readonly differingCustomers: number;
  } | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface DeadLetter {
  readonly id: string;
  readonly status: string;
  readonly reason: { readonly code: string; readonly detail: string };
  readonly eventId: string | null;
  readonly blocksCustomer: string | null;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly sizeBytes: number;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export interface ParkedSubject {
  readonly subject: string;
  readonly reason: string;
  readonly count: number;
  readonly oldestParkedAt: string;
}

export interface RedriveResult {
  readonly id: string;
  readonly status: 'redriven' | 'discarded';
  readonly appended: number;
  readonly parked: number;
}

export interface ValueConcentration {
  readonly customers: number;
  readonly totalValueMinor: number;
  readonly top20Share: number;
  readonly curve: readonly { readonly x: number; readonly y: number }[];
}
