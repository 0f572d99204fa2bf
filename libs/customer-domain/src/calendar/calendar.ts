/**
 * Time arithmetic on UTC days. Everything takes times as arguments: the domain never reads
 * the clock, so the same inputs always give the same answer.
 */

export const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds of a Date or ISO string; NaN stays NaN so callers can reject it. */
export const toMs = (t: Date | string | number): number =>
  typeof t === 'number' ? t : t instanceof Date ? t.getTime() : Date.parse(t);

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Canonical ISO form (UTC, milliseconds) so equal instants compare equal as strings, and
 * string order is time order. Already-canonical strings pass through (the hot path of the
 * fold). Throws a RangeError on an invalid time.
 */
export const toIso = (t: Date | string | number): string => {
  if (typeof t === 'string' && CANONICAL.test(t)) return t;
  return (t instanceof Date ? t : new Date(toMs(t))).toISOString();
};

/** toIso that answers null instead of throwing on an invalid time. */
export const toIsoOrNull = (t: Date | string | number): string | null => {
  const ms = toMs(t);
  return Number.isNaN(ms) ? null : toIso(t);
};

/** UTC calendar day, `YYYY-MM-DD`. */
export const isoDay = (t: Date | string | number): string => toIso(t).slice(0, 10);

/** Days since the epoch of a `YYYY-MM-DD` day (or of the day containing an instant). */
export const dayNumber = (day: string): number =>
  Math.floor(Date.parse(`${day.slice(0, 10)}T00:00:00.000Z`) / MS_PER_DAY);

export const dayFromNumber = (n: number): string =>
  new Date(n * MS_PER_DAY).toISOString().slice(0, 10);

export const addDays = (t: Date | string | number, days: number): string =>
  toIso(toMs(t) + days * MS_PER_DAY);

/** Whole and fractional days from `from` to `to`. */
export const daysBetween = (from: Date | string | number, to: Date | string | number): number =>
  (toMs(to) - toMs(from)) / MS_PER_DAY;
