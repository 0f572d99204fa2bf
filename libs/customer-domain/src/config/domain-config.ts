import type { Channel, ProductType } from '@c360/contracts';

/**
 * Every number the domain rules use, in one typed object with defaults. The projection
 * services load it once (libs/config) and pass it in; nothing here reads the environment.
 */

/** How balances in several currencies become one value. */
export interface ValuationConfig {
  /** ISO 4217 code values are reported in. */
  readonly reportingCurrency: string;
  /**
   * Reporting-currency units per one unit of the key currency. Minor units are assumed to
   * have the same exponent (true for the CNY/USD/EUR/HKD set); currencies without a rate
   * are left out of the value and listed as unvalued.
   */
  readonly fxRates: Readonly<Record<string, number>>;
  /**
   * Weight of lending balances (what the customer owes) in the relationship value. 0 by
   * default: tiers go by assets under management, as Chinese banks' tiering usually does.
   */
  readonly lendingWeight: number;
}

/** Minimum relationship value (reporting minor units) for each tier; below `core` is mass. */
export interface TierThresholds {
  readonly top: number;
  readonly important: number;
  readonly core: number;
}

/** Revenue estimate against cost-to-serve, over a trailing window. */
export interface ProfitabilityConfig {
  /** Annual net interest margin / fee yield on the balance, by product type. */
  readonly annualMarginRate: Readonly<Record<ProductType, number>>;
  /** Share of card spend the bank keeps as interchange. */
  readonly cardInterchangeRate: number;
  /** Cost of one interaction in reporting minor units (a branch visit ≫ a call ≫ an app session). */
  readonly channelUnitCostMinor: Readonly<Record<Channel, number>>;
  /** Window for revenue and cost, in days (≤ 90: that is what the 360 state keeps). */
  readonly windowDays: number;
}

export interface DomainConfig {
  readonly valuation: ValuationConfig;
  readonly tiers: TierThresholds;
  readonly profitability: ProfitabilityConfig;
}

export const DEFAULT_VALUATION: ValuationConfig = {
  reportingCurrency: 'CNY',
  fxRates: { CNY: 1 },
  lendingWeight: 0,
};

/**
 * CNY minor units (fen). Chosen so a lognormal balance distribution with median ≈ CNY 28,000
 * and σ = 2.3 (heavy-tailed like retail deposits) splits ≈ 1% / 9% / 30% / 60%: the 99th
 * percentile is ≈ CNY 5.9m (the usual CNY 6m private-banking line), the 90th ≈ CNY 530k,
 * the 60th ≈ CNY 50k. Calibrate against the bank's own book with deriveTierThresholds.
 */
export const DEFAULT_TIER_THRESHOLDS: TierThresholds = {
  top: 600_000_000,
  important: 50_000_000,
  core: 5_000_000,
};

export const DEFAULT_PROFITABILITY: ProfitabilityConfig = {
  annualMarginRate: {
    current: 0.02,
    savings: 0.015,
    'time-deposit': 0.01,
    'credit-card': 0.08,
    loan: 0.025,
    mortgage: 0.012,
    wealth: 0.008,
    insurance: 0.01,
  },
  cardInterchangeRate: 0.0045,
  // CNY 25 per teller visit, CNY 8 per handled call, CNY 0.50 per app session: the order of
  // magnitude industry studies give for branch vs contact centre vs digital.
  channelUnitCostMinor: { branch: 2_500, 'call-centre': 800, mobile: 50 },
  windowDays: 90,
};

export const DEFAULT_DOMAIN_CONFIG: DomainConfig = {
  valuation: DEFAULT_VALUATION,
  tiers: DEFAULT_TIER_THRESHOLDS,
  profitability: DEFAULT_PROFITABILITY,
};

/** Partial overrides on top of the defaults (one level deep per section). */
export interface DomainConfigOverrides {
  readonly valuation?: Partial<ValuationConfig>;
  readonly tiers?: Partial<TierThresholds>;
  readonly profitability?: Partial<ProfitabilityConfig>;
}

export const resolveDomainConfig = (overrides: DomainConfigOverrides = {}): DomainConfig => ({
  valuation: { ...DEFAULT_VALUATION, ...overrides.valuation },
  tiers: { ...DEFAULT_TIER_THRESHOLDS, ...overrides.tiers },
  profitability: { ...DEFAULT_PROFITABILITY, ...overrides.profitability },
});
