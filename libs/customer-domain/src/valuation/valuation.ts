import { DEFAULT_VALUATION, type ValuationConfig } from '../config/domain-config';
import type { Customer360State } from '../customer-360/customer-360.state';

export interface ReportingValue {
  /** Reporting-currency minor units, rounded to a whole unit. */
  readonly valueMinor: number;
  /** Currencies that had an amount but no fx rate (left out of the value). */
  readonly unvaluedCurrencies: readonly string[];
}

/** Converts per-currency minor amounts into the reporting currency. */
export const toReportingMinor = (
  amounts: Readonly<Record<string, number>>,
  valuation: ValuationConfig = DEFAULT_VALUATION,
): ReportingValue => {
  let value = 0;
  const unvalued: string[] = [];
  for (const currency of Object.keys(amounts).sort()) {
    const amount = amounts[currency] ?? 0;
    const rate = currency === valuation.reportingCurrency ? 1 : valuation.fxRates[currency];
    if (rate === undefined) {
      if (amount !== 0) unvalued.push(currency);
      continue;
    }
    value += amount * rate;
  }
  return { valueMinor: Math.round(value), unvaluedCurrencies: unvalued };
};

/**
 * The relationship value that tiers the customer: assets under management plus
 * `lendingWeight` × lending, in reporting minor units.
 */
export const relationshipValue = (
  state: Customer360State,
  valuation: ValuationConfig = DEFAULT_VALUATION,
): number =>
  toReportingMinor(state.assetsMinor, valuation).valueMinor +
  Math.round(valuation.lendingWeight * toReportingMinor(state.lendingMinor, valuation).valueMinor);
