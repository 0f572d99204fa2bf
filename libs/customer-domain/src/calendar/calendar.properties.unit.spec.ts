import fc from 'fast-check';
import { dayNumber, isoDay, toIso } from './calendar';

/** The plain definitions the memoised conversions must always agree with. */
const referenceIso = (t: Date | string | number): string => (t instanceof Date ? t : new Date(typeof t === 'number' ? t : Date.parse(t))).toISOString();
const referenceDay = (t: Date | string | number): string => referenceIso(t).slice(0, 10);

// Instants from 1900 to 2200 (and a few around the epoch, where negative milliseconds floor the other way).
const instant = fc.oneof(fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 }), fc.integer({ min: -172_800_000, max: 172_800_000 }));
const asInput = (ms: number, form: number): Date | string | number =>
  form === 0 ? ms : form === 1 ? new Date(ms) : form === 2 ? new Date(ms).toISOString() : new Date(ms).toISOString().replace('Z', '+00:00');

describe('calendar conversions (memoised) agree with the plain definitions', () => {
  it('toIso and isoDay of any instant, in any input form, in any order of calls', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(instant, fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 30 }), (calls) => {
        for (const [ms, form] of calls) {
          const t = asInput(ms, form);
          expect(toIso(t)).toBe(referenceIso(t));
          expect(isoDay(t)).toBe(referenceDay(t));
          // The same instant again (the one-entry memo) and its day number round trip.
          expect(toIso(asInput(ms, (form + 1) % 4))).toBe(referenceIso(ms));
          expect(dayNumber(isoDay(t))).toBe(Math.floor(ms / 86_400_000));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('an invalid time still throws a RangeError, also right after a valid one', () => {
    expect(toIso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(() => toIso('not a time')).toThrow(RangeError);
    expect(() => isoDay('not a time')).toThrow(RangeError);
    expect(() => isoDay(Number.NaN)).toThrow(RangeError);
    expect(() => isoDay(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => toIso(8.64e15 + 1)).toThrow(RangeError);
  });

  it('day boundaries: the last millisecond of a day and the first of the next', () => {
    const midnight = Date.UTC(2026, 10, 29);
    expect(isoDay(midnight - 1)).toBe('2026-11-28');
    expect(isoDay(midnight)).toBe('2026-11-29');
    expect(isoDay(-1)).toBe('1969-12-31');
    expect(isoDay('2026-11-29T23:59:59.999Z')).toBe('2026-11-29');
    expect(isoDay('2026-11-29T23:59:59.999-01:00')).toBe('2026-11-30');
  });
});
