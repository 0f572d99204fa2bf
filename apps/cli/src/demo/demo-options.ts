import { UsageError } from '../usage-error';

/** `c360 demo` flags as commander hands them over (strings, all optional). */
export interface RawDemoOptions {
  readonly customers?: string;
  readonly url?: string;
  readonly token?: string;
  readonly rate?: string;
  readonly seed?: string;
  readonly days?: string;
  readonly concurrency?: string;
  readonly churnShare?: string;
  readonly now?: string;
}

export interface DemoOptions {
  readonly customers: number;
  readonly url: string;
  readonly token: string | null;
  readonly ratePerSecond: number | undefined;
  readonly seed: number;
  readonly days: number;
  readonly concurrency: number;
  readonly churnShare: number;
  readonly now: Date;
}

const integer = (raw: string | undefined, flag: string, fallback: number, min: number, max: number, example: string): number => {
  if (raw === undefined) return fallback;
  const text = raw.replaceAll('_', '').replaceAll(',', '');
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${flag} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got "${raw}"), e.g. ${flag} ${example}.`);
  }
  return Number(text);
};

/** Checks `c360 demo` flags; every refusal says what to type instead. `defaultUrl` follows PORT. */
export function parseDemoOptions(raw: RawDemoOptions, defaults: { readonly url: string; readonly now: Date }): DemoOptions {
  const customers = integer(raw.customers, '--customers', 10_000, 1, 1_000_000, '10000');
  const seed = integer(raw.seed, '--seed', 1, 0, 2_147_483_647, '7');
  const days = integer(raw.days, '--days', 180, 100, 730, '180');
  const concurrency = integer(raw.concurrency, '--concurrency', 4, 1, 32, '4');
  let ratePerSecond: number | undefined;
  if (raw.rate !== undefined) {
    const rate = Number(raw.rate);
    if (!/^\d+(\.\d+)?$/.test(raw.rate) || !(rate > 0)) {
      throw new UsageError(`--rate must be a positive number of events per second (got "${raw.rate}"), e.g. --rate 500.`);
    }
    ratePerSecond = rate;
  }
  let churnShare = 0.06;
  if (raw.churnShare !== undefined) {
    churnShare = Number(raw.churnShare);
    if (!/^\d*\.?\d+$/.test(raw.churnShare) || !(churnShare >= 0 && churnShare <= 0.5)) {
      throw new UsageError(`--churn-share must be a fraction from 0 to 0.5 (got "${raw.churnShare}"), e.g. --churn-share 0.06.`);
    }
  }
  const url = raw.url ?? defaults.url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url must be the platform's base URL, e.g. --url http://127.0.0.1:3000 (got "${url}").`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url must start with http:// or https://, e.g. --url http://127.0.0.1:3000 (got "${url}").`);
  }
  if (raw.token !== undefined && !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(raw.token.trim())) {
    throw new UsageError('--token must be a bearer token (a JWT: three dot-separated parts), e.g. --token "$C360_TOKEN"; or leave it out to mint one from the data directory.');
  }
  let now = defaults.now;
  if (raw.now !== undefined) {
    now = new Date(raw.now);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw.now) || Number.isNaN(now.getTime())) {
      throw new UsageError(`--now must be an ISO date-time, e.g. --now 2026-11-28T10:00:00Z (got "${raw.now}").`);
    }
    if (now.getTime() > defaults.now.getTime() + 60_000) throw new UsageError('--now must not be in the future: the history ends at --now, and events happen in the past.');
  }
  return { customers, url: parsed.toString().replace(/\/$/, ''), token: raw.token?.trim() ?? null, ratePerSecond, seed, days, concurrency, churnShare, now };
}
