/**
 * Milliseconds since the epoch of an already-validated ISO 8601 date-time with zone. Parsed by hand
 * because `Date.parse` refuses the leap second (`:60`) that RFC 3339 — and our schemas — allow;
 * a leap second counts as :59.999.
 */
export const instantMillis = (iso: string): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(iso);
  if (!m) throw new RangeError('not a validated ISO 8601 date-time with zone');
  const n = (i: number): number => Number(m[i] ?? '0');
  const second = n(6);
  const ms = second === 60 ? 999 : Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), Math.min(second, 59), ms);
  const offsetMinutes = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
  return utc - offsetMinutes * 60_000;
};
