/**
 * Time arithmetic on UTC days. Everything takes times as arguments: the domain never reads
 * the clock, so the same inputs always give the same answer.
 */

export const MS_PER_DAY = 86_400_000;

/**
 * Memo tables for parsing and the day conversions: the fold and the derived views ask for the
 * same few hundred instants and days over and over (every rule and window at every step).
 * Bounded: cleared when full, so a long run over many years of history cannot grow them
 * without limit. A hit returns exactly what the computation would (they are pure).
 */
const MEMO_LIMIT = 50_000;
const msMemo = new Map<string, number>();

/**
 * Epoch milliseconds of a Date or ISO string; NaN stays NaN so callers can reject it. Strings
 * go through the memo (a hit costs a tenth of Date.parse).
 */
export const toMs = (t: Date | string | number): number => {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  if (t.length > 40) return Date.parse(t); // no ISO instant is this long: not worth keeping
  let ms = msMemo.get(t);
  if (ms === undefined) {
    ms = Date.parse(t);
    if (msMemo.size >= MEMO_LIMIT) msMemo.clear();
    msMemo.set(t, ms);
  }
  return ms;
};

/** toIso's last conversion (see there). */
const lastIso = { ms: Number.NaN, iso: '' };

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Canonical ISO form (UTC, milliseconds) so equal instants compare equal as strings, and
 * string order is time order. Already-canonical strings pass through (the hot path of the
 * fold). Throws a RangeError on an invalid time.
 */
export const toIso = (t: Date | string | number): string => {
  if (typeof t === 'string' && CANONICAL.test(t)) return t;
  const ms = toMs(t);
  // The read side evaluates every rule and window of a view at the same instant: the last
  // conversion is kept (one entry; the answer is a pure function of the instant).
  if (ms === lastIso.ms) return lastIso.iso;
  const iso = (t instanceof Date ? t : new Date(ms)).toISOString(); // RangeError on an invalid time
  lastIso.ms = ms;
  lastIso.iso = iso;
  return iso;
};

/** toIso that answers null instead of throwing on an invalid time. */
export const toIsoOrNull = (t: Date | string | number): string | null => {
  const ms = toMs(t);
  return Number.isNaN(ms) ? null : toIso(t);
};

/** UTC calendar day, `YYYY-MM-DD` (through the day memo below: no Date formatting per call). */
export const isoDay = (t: Date | string | number): string => {
  if (typeof t === 'string' && CANONICAL.test(t)) return t.slice(0, 10);
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return toIso(t); // throws the RangeError of an invalid time
  return dayFromNumber(Math.floor(ms / MS_PER_DAY));
};

const dayNumbers = new Map<string, number>();
const dayStrings = new Map<number, string>();

/** Days since the epoch of a `YYYY-MM-DD` day (or of the day containing an instant). */
export const dayNumber = (day: string): number => {
  const key = day.length <= 10 ? day : day.slice(0, 10);
  let n = dayNumbers.get(key);
  if (n === undefined) {
    n = Math.floor(Date.parse(`${key}T00:00:00.000Z`) / MS_PER_DAY);
    if (dayNumbers.size >= MEMO_LIMIT) dayNumbers.clear();
    dayNumbers.set(key, n);
  }
  return n;
};

export const dayFromNumber = (n: number): string => {
  let day = dayStrings.get(n);
  if (day === undefined) {
    day = new Date(n * MS_PER_DAY).toISOString().slice(0, 10); // throws on an invalid day
    if (dayStrings.size >= MEMO_LIMIT) dayStrings.clear();
    dayStrings.set(n, day);
  }
  return day;
};

export const addDays = (t: Date | string | number, days: number): string =>
  toIso(toMs(t) + days * MS_PER_DAY);

/** Whole and fractional days from `from` to `to`. */
export const daysBetween = (from: Date | string | number, to: Date | string | number): number =>
  (toMs(to) - toMs(from)) / MS_PER_DAY;
