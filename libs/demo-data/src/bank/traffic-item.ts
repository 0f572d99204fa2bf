import type { CanonicalEvent } from '@c360/contracts';
import type { ChurnCode } from '@c360/customer-domain';
import type { BranchRecordWire, CallRecordWire, MobileBatchWire } from './native-wire';

/** Where an item is posted: core banking's canonical intake, or one channel's native intake. */
export type DemoEndpoint = 'events' | 'branch' | 'mobile' | 'call-centre';
export const DEMO_ENDPOINTS: readonly DemoEndpoint[] = ['events', 'branch', 'mobile', 'call-centre'];

export const DEMO_ENDPOINT_PATHS: { readonly [E in DemoEndpoint]: string } = {
  events: '/v1/events',
  branch: '/v1/channels/branch/events',
  mobile: '/v1/channels/mobile/events',
  'call-centre': '/v1/channels/call-centre/events',
};

/** The scope each endpoint needs; a demo token carries all four. */
export const DEMO_ENDPOINT_SCOPES: { readonly [E in DemoEndpoint]: string } = {
  events: 'events:write',
  branch: 'channel:branch:write',
  mobile: 'channel:mobile:write',
  'call-centre': 'channel:call-centre:write',
};
export const DEMO_SCOPES: readonly string[] = Object.values(DEMO_ENDPOINT_SCOPES);

interface ItemBase {
  /** Business time of the item (ms since epoch), for ordering within a customer. */
  readonly at: number;
  /** How many canonical events the gateway makes of it (rate, progress and summary count these). */
  readonly eventCount: number;
}

export interface CanonicalItem extends ItemBase {
  readonly endpoint: 'events';
  readonly body: CanonicalEvent;
  /**
   * Sent after the customer's channel traffic: an identity link that reaches the bank after the
   * customer already used the channel, so the ingestor must park those events and release them.
   */
  readonly late: boolean;
}
export interface BranchItem extends ItemBase {
  readonly endpoint: 'branch';
  readonly body: BranchRecordWire;
}
export interface MobileItem extends ItemBase {
  readonly endpoint: 'mobile';
  readonly body: MobileBatchWire;
}
export interface CallCentreItem extends ItemBase {
  readonly endpoint: 'call-centre';
  readonly body: CallRecordWire;
}
export type TrafficItem = CanonicalItem | BranchItem | MobileItem | CallCentreItem;

export type AgeBand = 'young' | 'middle' | 'senior';
export type Persona = 'digital-first' | 'hybrid' | 'branch-reliant' | 'call-centre' | 'business';

/** Ground truth about one generated customer (tests, the demo's summary; never sent). */
export interface DemoCustomer {
  readonly index: number;
  readonly customerNumber: string;
  readonly kind: 'individual' | 'business';
  readonly region: string;
  readonly branchCode: string;
  readonly ageBand: AgeBand | null;
  readonly persona: Persona;
  /** Assets under management at the end of the history, CNY fen (what tiers the customer). */
  readonly endValueMinor: number;
  readonly registeredAt: number;
  readonly salaried: boolean;
  readonly managerId: string | null;
  readonly mobileUserId: string | null;
  /** The mobile-user link reaches the bank after the first app events (exercises parking). */
  readonly lateMobileLink: boolean;
  readonly phone: string;
  readonly cardToken: string | null;
  /** The churn signals this customer was made to drift into; empty for a steady customer. */
  readonly drift: readonly ChurnCode[];
}

/** One customer's whole history: the customer first, items in business-time order. */
export interface CustomerTraffic {
  readonly customer: DemoCustomer;
  readonly items: readonly TrafficItem[];
}

/**
 * The order items reach the bank: core banking first (registration, products, balances, money),
 * then the branch, mobile and call-centre systems, then the late identity links. Within each
 * endpoint, business-time order. The sender keeps this order per customer; tests fold in it.
 */
export const inSendOrder = (items: readonly TrafficItem[]): TrafficItem[] => {
  const rank = (i: TrafficItem): number =>
    i.endpoint === 'events' ? (i.late ? 4 : 0) : i.endpoint === 'branch' ? 1 : i.endpoint === 'mobile' ? 2 : 3;
  return items
    .map((item, n) => ({ item, n, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.n - b.n)
    .map((x) => x.item);
};
