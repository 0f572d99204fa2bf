import type { ValueTier } from '../tiers/value-tiers';

export type ChurnCode =
  | 'inactivity'
  | 'balance-drain'
  | 'salary-stopped'
  | 'large-transfer-out'
  | 'complaint-sla-breached'
  | 'product-closures'
  | 'nps-detractor'
  | 'manager-changed';

export const CHURN_CODES: readonly ChurnCode[] = [
  'inactivity',
  'balance-drain',
  'salary-stopped',
  'large-transfer-out',
  'complaint-sla-breached',
  'product-closures',
  'nps-detractor',
  'manager-changed',
];

/** Thresholds of every churn rule. Money is reporting minor units (CNY fen by default). */
export interface ChurnConfig {
  readonly inactivity: {
    /** Days without an interaction on any of the customer's usual channels. */
    readonly days: number;
    /** Interactions the customer must have had (kept window) before "usual" means anything. */
    readonly minInteractions: number;
    /** A channel is usual when it carries at least this share of the customer's interactions. */
    readonly usualChannelMinShare: number;
  };
  readonly balanceDrain: {
    readonly windowDays: number;
    /** Flag when assets fell by more than this percentage over the window. */
    readonly dropPct: number;
    /** Ignore small balances: the baseline must be at least this. */
    readonly minBaselineMinor: number;
  };
  readonly salaryStopped: {
    /** Credits needed before a rhythm is trusted. */
    readonly minCredits: number;
    /** Flag when the gap since the last credit exceeds typical interval × this. */
    readonly missedIntervalFactor: number;
  };
  readonly largeTransferOut: {
    readonly windowDays: number;
    /** One transfer to another bank at least this big is large. */
    readonly minAmountMinor: number;
    /** Or the window's transfers took at least this share of the assets held before them. */
    readonly minShareOfAssets: number;
  };
  /** Complaint SLA by severity, in hours. */
  readonly complaintSlaHours: Readonly<Record<'low' | 'medium' | 'high', number>>;
  readonly productClosures: { readonly windowDays: number; readonly minClosures: number };
  /** NPS 0–6 is a detractor; older answers no longer count. */
  readonly npsDetractor: { readonly maxScore: number; readonly maxAgeDays: number };
  /** The seed: a company moves banks when its key contact changes — for these tiers. */
  readonly managerChanged: { readonly windowDays: number; readonly tiers: readonly ValueTier[] };
  /** Each open flag's weight in the risk score (0..1, combined as independent risks). */
  readonly weights: Readonly<Record<ChurnCode, number>>;
}

export const DEFAULT_CHURN_CONFIG: ChurnConfig = {
  inactivity: { days: 60, minInteractions: 3, usualChannelMinShare: 0.2 },
  balanceDrain: { windowDays: 90, dropPct: 50, minBaselineMinor: 1_000_000 },
  // Monthly salary: flagged after 45 days without one.
  salaryStopped: { minCredits: 3, missedIntervalFactor: 1.5 },
  largeTransferOut: { windowDays: 30, minAmountMinor: 10_000_000, minShareOfAssets: 0.5 },
  complaintSlaHours: { high: 48, medium: 120, low: 240 },
  productClosures: { windowDays: 90, minClosures: 1 },
  npsDetractor: { maxScore: 6, maxAgeDays: 180 },
  managerChanged: { windowDays: 90, tiers: ['top', 'important'] },
  // Money leaving (drain, salary, transfers) predicts attrition best; sentiment less so.
  weights: {
    inactivity: 0.3,
    'balance-drain': 0.45,
    'salary-stopped': 0.4,
    'large-transfer-out': 0.35,
    'complaint-sla-breached': 0.25,
    'product-closures': 0.2,
    'nps-detractor': 0.15,
    'manager-changed': 0.3,
  },
};

/** Overrides per rule section on top of the defaults. */
export type ChurnConfigOverrides = { readonly [K in keyof ChurnConfig]?: Partial<ChurnConfig[K]> };

export const resolveChurnConfig = (overrides: ChurnConfigOverrides = {}): ChurnConfig => {
  const d = DEFAULT_CHURN_CONFIG;
  return {
    inactivity: { ...d.inactivity, ...overrides.inactivity },
    balanceDrain: { ...d.balanceDrain, ...overrides.balanceDrain },
    salaryStopped: { ...d.salaryStopped, ...overrides.salaryStopped },
    largeTransferOut: { ...d.largeTransferOut, ...overrides.largeTransferOut },
    complaintSlaHours: { ...d.complaintSlaHours, ...overrides.complaintSlaHours },
    productClosures: { ...d.productClosures, ...overrides.productClosures },
    npsDetractor: { ...d.npsDetractor, ...overrides.npsDetractor },
    managerChanged: { ...d.managerChanged, ...overrides.managerChanged },
    weights: { ...d.weights, ...overrides.weights },
  };
};
