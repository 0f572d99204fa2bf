/** Time helpers for the generator: plain epoch milliseconds, UTC days, Beijing local hours. */
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Branches, call centre and app users keep Beijing time (UTC+8, no daylight saving). */
const LOCAL_OFFSET = 8 * HOUR;

export const startOfUtcDay = (ms: number): number => Math.floor(ms / DAY) * DAY;

/** The UTC instant of `hour` (may be fractional) Beijing time on the local day containing `ms`. */
export const atLocalHour = (ms: number, hour: number): number => {
  const localDayStart = Math.floor((ms + LOCAL_OFFSET) / DAY) * DAY - LOCAL_OFFSET;
  return localDayStart + Math.round(hour * 3600) * 1000; // whole seconds
};

/** 0 = Sunday, in Beijing time. */
export const localWeekday = (ms: number): number => new Date(ms + LOCAL_OFFSET).getUTCDay();

export const isoUtc = (ms: number): string => new Date(ms).toISOString();

/** ISO 8601 with the +08:00 offset, the way branch and CTI systems stamp their records. */
export const isoLocal = (ms: number): string => `${new Date(ms + LOCAL_OFFSET).toISOString().slice(0, 19)}+08:00`;

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Last day of each UTC month strictly between `from` and `to` (month-end balance statements). */
export const monthEnds = (from: number, to: number): number[] => {
  const out: number[] = [];
  const d = new Date(from);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  for (;;) {
    const lastDay = Date.UTC(y, m + 1, 0);
    if (lastDay >= to) break;
    if (lastDay > from) out.push(lastDay);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return out;
};

/** The given day of the month (clamped to the month's length) for every month in [from, to). */
export const monthlyOn = (dayOfMonth: number, from: number, to: number): number[] => {
  const out: number[] = [];
  const d = new Date(from);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth() - 1;
  for (;;) {
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const t = Date.UTC(y, m, Math.min(dayOfMonth, last));
    if (t >= to) break;
    if (t >= from) out.push(t);
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return out;
};
