import { ensureLocalSigningKey, TokenIssuer } from '@c360/auth';
import type { AppConfig } from '@c360/config';
import { createSyntheticBank, DEMO_SCOPES, sendDemoTraffic, type CustomerTraffic, type DemoProgress, type DemoSummary } from '@c360/demo-data';
import type { DemoOptions } from './demo-options';

/** Where the demo writes: progress (stderr in the CLI) and the summary (stdout). */
export interface DemoOutput {
  readonly progress: (line: string, final: boolean) => void;
  readonly summary: (text: string) => void;
}

export interface DemoRunResult {
  readonly summary: DemoSummary;
  /** Everything sent was accepted. */
  readonly ok: boolean;
}

/** A token carrying exactly the four intake scopes, signed with the configured (local) key. */
export async function mintDemoToken(config: AppConfig): Promise<string> {
  await ensureLocalSigningKey(config);
  const ttlSeconds = Math.min(config.jwt.maxTtlSeconds, 12 * 3600); // long enough for 100,000 customers
  return TokenIssuer.forConfig(config).mintToken({ subject: 'c360-demo', scopes: [...DEMO_SCOPES], ttlSeconds });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const duration = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

export const progressLine = (p: DemoProgress): string =>
  `demo: ${fmt(p.customersDone)}/${fmt(p.customersTotal)} customers · ${fmt(p.eventsSent)} events sent, ${fmt(p.eventsAccepted)} accepted · ${fmt(p.eventsPerSecond)} events/s · ETA ${p.etaSeconds === null ? '…' : duration(p.etaSeconds)}${p.retries > 0 ? ` · ${fmt(p.retries)} retries` : ''}`;

/**
 * Generates the synthetic bank and streams it through the platform's intake endpoints.
 * Used by `c360 demo` and meant for `npm start -- --demo` (the platform passes its own URL and config).
 */
export async function runDemo(options: DemoOptions, config: AppConfig, out: DemoOutput, signal?: AbortSignal): Promise<DemoRunResult> {
  const token = options.token ?? (await mintDemoToken(config));
  const bank = createSyntheticBank({ customers: options.customers, seed: options.seed, days: options.days, churnShare: options.churnShare, now: options.now });
  // Tally what went out as it streams (nothing is kept but counts and a few ids to try).
  const tally: { drifting: number; top: { id: string; value: number } | null; drifter: string | null; lateBinder: string | null } = {
    drifting: 0,
    top: null,
    drifter: null,
    lateBinder: null,
  };
  function* observed(): Generator<CustomerTraffic> {
    for (const c of bank.customers()) {
      if (c.customer.drift.length > 0) {
        tally.drifting += 1;
        tally.drifter ??= c.customer.customerNumber;
      }
      if (tally.top === null || c.customer.endValueMinor > tally.top.value) tally.top = { id: c.customer.customerNumber, value: c.customer.endValueMinor };
      if (c.customer.lateMobileLink) tally.lateBinder ??= c.customer.customerNumber;
      yield c;
    }
  }
  out.progress(`demo: ${fmt(options.customers)} synthetic customers (seed ${options.seed}, ${options.days} days to ${bank.options.now.toISOString()}) → ${options.url}`, true);
  const summary = await sendDemoTraffic(observed(), options.customers, {
    baseUrl: options.url,
    token,
    concurrency: options.concurrency,
    ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
    limits: { maxBytes: Math.floor(config.http.bodyLimitBytes * 0.9) },
    onProgress: (p) => out.progress(progressLine(p), false),
    ...(signal ? { signal } : {}),
  });
  out.progress(progressLine({ customersDone: summary.customers, customersTotal: options.customers, eventsSent: summary.sent, eventsAccepted: summary.accepted, eventsPerSecond: summary.elapsedMs > 0 ? (summary.sent * 1000) / summary.elapsedMs : 0, etaSeconds: 0, elapsedMs: summary.elapsedMs, retries: summary.retries }), true);
  const rejected = Object.values(summary.rejected).reduce((s, n) => s + n, 0);
  const failed = Object.values(summary.failed).reduce((s, n) => s + n, 0);
  const byCode = (m: Readonly<Record<string, number>>): string =>
    Object.keys(m).length === 0 ? '0' : Object.entries(m).sort((a, b) => b[1] - a[1]).map(([code, n]) => `${fmt(n)} ${code}`).join(', ');
  const endpoints = Object.entries(summary.byEndpoint).map(([e, c]) => `${e === 'events' ? 'core banking' : e} ${fmt(c.accepted)}/${fmt(c.sent)}`).join(' · ');
  const { top, drifter, lateBinder, drifting } = tally;
  const lines = [
    `c360 demo ${summary.interrupted ? 'interrupted' : 'done'} in ${duration(summary.elapsedMs / 1000)}`,
    `  customers  ${fmt(summary.customers)} of ${fmt(options.customers)} (${fmt(drifting)} drifting toward churn)`,
    `  sent       ${fmt(summary.sent)} events in ${fmt(summary.requests)} requests (${fmt(summary.retries)} retries)`,
    `  accepted   ${fmt(summary.accepted)}`,
    `  rejected   ${byCode(summary.rejected)}`,
    ...(failed > 0 ? [`  failed     ${byCode(summary.failed)} (gave up after retries; running the demo again with the same --seed and --now re-sends the same event ids)`] : []),
    `  endpoints  ${endpoints}`,
    '  try        (with a token: npx c360 token --scopes customers:read,churn:read,segments:read)',
    ...(top !== null ? [`             curl -H "Authorization: Bearer $TOKEN" ${options.url}/v1/customers/${top.id}   # the most valuable customer`] : []),
    ...(drifter !== null ? [`             curl -H "Authorization: Bearer $TOKEN" ${options.url}/v1/customers/${drifter}   # drifting toward churn`] : []),
    ...(lateBinder !== null ? [`             curl -H "Authorization: Bearer $TOKEN" ${options.url}/v1/customers/${lateBinder}/timeline   # app used before it was linked`] : []),
    `             curl -H "Authorization: Bearer $TOKEN" "${options.url}/v1/churn-flags?status=open"`,
  ];
  out.summary(`${lines.join('\n')}\n`);
  return { summary, ok: rejected === 0 && failed === 0 && !summary.interrupted && summary.accepted >= summary.sent };
}
