/** Display helpers: pure functions (unit-tested in test/console). */

/** Minor units (cents) as a grouped amount with two decimals, e.g. 1234567 → "12,345.67". */
export function formatMinor(minor: number, currency?: string): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minor));
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${units}.${cents}${currency ? ` ${currency}` : ''}`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seconds as "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** An ISO time as "2026-11-02 09:30" (UTC, what the bank's systems record). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)}`;
}

/** Progress as a whole percentage (0-100), 100 only when done. */
export function percent(progress: number, total: number): number {
  if (total <= 0) return progress > 0 ? 100 : 0;
  return Math.max(0, Math.min(100, Math.floor((progress / total) * 100)));
}

/** Orders churn flags by risk, highest first; ties by newest raised. */
export function byRisk<T extends { riskScore: number | null; raisedAt: string }>(
  flags: readonly T[],
): T[] {
  return [...flags].sort(
    (a, b) => (b.riskScore ?? -1) - (a.riskScore ?? -1) || b.raisedAt.localeCompare(a.raisedAt),
  );
}

/** Keeps a time series bounded: appends and drops the oldest beyond `max`. */
export function appendSample<T>(series: readonly T[], sample: T, max = 300): T[] {
  const next = [...series, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}
