import { violation, type Violation } from '@c360/contracts';

/** ISO 4217 minor-unit exponents that are not 2. */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

export const minorUnitExponent = (currency: string): number =>
  Object.hasOwn(EXPONENTS, currency) ? (EXPONENTS[currency] ?? 2) : 2;

const DECIMAL = /^(0|[1-9][0-9]{0,17})(?:\.([0-9]{1,4}))?$/;

/** Syntax of a teller system's decimal amount: digits, optional point and up to 4 decimals, no sign. */
export const checkDecimalAmount = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a decimal string such as "1250.00"');
  if (!DECIMAL.test(value)) return violation('invalid-amount', 'must be a decimal string such as "1250.00", without sign or separators');
  return null;
};

/**
 * A decimal amount in major units ("1250.50") as integer minor units for its currency, exactly
 * (string arithmetic, no floating point). A violation when it has more decimals than the currency
 * has minor units, or exceeds the safe-integer range.
 */
export const decimalToMinorUnits = (amount: string, currency: string): { minor: number } | Violation => {
  const m = DECIMAL.exec(amount);
  if (!m) return violation('invalid-amount', 'must be a decimal string such as "1250.00", without sign or separators');
  const exponent = minorUnitExponent(currency);
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > exponent) return violation('too-precise', `has more decimals than the currency's ${exponent}`);
  const minor = BigInt(m[1]!) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return violation('unsafe-integer', 'is too large to represent exactly');
  return { minor: Number(minor) };
};
