/** Human-friendly units for settings and CLI flags: durations ("30s", "15m", "1h", "7d") and sizes ("1mb"). */

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "500ms", "30s", "15m", "1h", "7d" (or a bare number of milliseconds); NaN when malformed. */
export function parseDurationMs(raw: string): number {
  const text = raw.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const m = DURATION.exec(text);
  if (!m?.[1] || !m[2]) return Number.NaN;
  const unit = DURATION_MS[m[2]];
  return unit === undefined ? Number.NaN : Number(m[1]) * unit;
}

const SIZE = /^(\d+)(b|kb|mb)?$/;
const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses "1048576", "512kb", "1mb"; NaN when malformed. */
export function parseSizeBytes(raw: string): number {
  const m = SIZE.exec(raw.trim().toLowerCase());
  if (!m?.[1]) return Number.NaN;
  return Number(m[1]) * (SIZE_BYTES[m[2] ?? 'b'] ?? Number.NaN);
}
