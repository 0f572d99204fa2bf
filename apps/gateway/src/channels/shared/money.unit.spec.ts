import { instantMillis } from './instant';
import { decimalToMinorUnits, minorUnitExponent } from './money';

describe('decimalToMinorUnits', () => {
  it.each([
    ['1250.00', 'CNY', 125_000],
    ['1250.5', 'CNY', 125_050],
    ['0.01', 'EUR', 1],
    ['1500', 'JPY', 1500],
    ['1500.00', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('%s %s → %i minor units, exactly', (amount, currency, minor) => {
    expect(decimalToMinorUnits(amount, currency)).toEqual({ minor });
  });

  it.each([
    ['1500.5', 'JPY', 'too-precise'],
    ['0.001', 'CNY', 'too-precise'],
    ['90071992547409.92', 'USD', 'unsafe-integer'],
    ['1,250.00', 'CNY', 'invalid-amount'],
    ['-5.00', 'CNY', 'invalid-amount'],
    ['1e3', 'CNY', 'invalid-amount'],
    ['01.00', 'CNY', 'invalid-amount'],
    [' 1.00', 'CNY', 'invalid-amount'],
  ])('%s %s → %s', (amount, currency, code) => {
    expect(decimalToMinorUnits(amount, currency)).toMatchObject({ code });
  });

  it('knows the exponents that are not 2 and ignores prototype names', () => {
    expect(minorUnitExponent('JPY')).toBe(0);
    expect(minorUnitExponent('BHD')).toBe(3);
    expect(minorUnitExponent('CNY')).toBe(2);
    expect(minorUnitExponent('constructor')).toBe(2);
  });
});

describe('instantMillis', () => {
  it('agrees with Date.parse, offsets included', () => {
    for (const iso of ['2026-11-02T09:30:00Z', '2026-11-02T09:30:00.5+08:00', '2026-11-02T09:30-05:30', '2024-02-29T23:59:59.999-00:00']) {
      expect(instantMillis(iso)).toBe(Date.parse(iso));
    }
  });

  it('accepts the leap second that Date.parse refuses', () => {
    expect(Date.parse('2016-12-31T23:59:60Z')).toBeNaN();
    expect(instantMillis('2016-12-31T23:59:60Z')).toBe(Date.parse('2016-12-31T23:59:59.999Z'));
  });
});
