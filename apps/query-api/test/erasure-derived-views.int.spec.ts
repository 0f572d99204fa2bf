import { randomBytes } from 'node:crypto';
import { FACT_NAMES } from '@c360/customer-domain';
import { PERSONAL_FIELDS } from '@c360/contracts';
import { expectEventually } from '@c360/testing';
import { createQueryApiHarness, registration, type QueryApiHarness } from './query-api-harness';

/**
 * The erasure re-fold rewrites customer_360 only; the derived views (segment membership and its
 * history, churn flags, the derived-events outbox, the customer clock) are not re-folded. That is
 * safe because they cannot hold personal values: segment rules compare CustomerFacts, none of
 * which is a personal field, and churn reasons are built from counts, amounts, dates, product
 * types, complaint ids, bank and manager ids — never from the profile. This test proves it on
 * real rows: a customer with canary values in every personal field who is in segments and has
 * open churn flags; no derived row of it holds a canary, before or after the erasure.
 */
let h: QueryApiHarness;
beforeAll(async () => {
  h = await createQueryApiHarness();
});
afterAll(async () => {
  await h?.close();
});

const DERIVED_TABLES = ['segment_membership', 'segment_membership_history', 'churn_flags', 'derived_outbox', 'customer_clock'] as const;

async function derivedRowsOf(customerId: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of DERIVED_TABLES) {
    const { rows } = await h.db.pool.query<{ row: string }>(`SELECT t::text AS row FROM read_models.${table} t WHERE t::text LIKE '%' || $1 || '%'`, [customerId]);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

describe('erasure and the derived views', () => {
  it('no segment fact is a personal field (the rules cannot see personal data)', () => {
    const personal = new Set(Object.values(PERSONAL_FIELDS as Record<string, readonly string[]>).flat());
    expect(personal.size).toBeGreaterThan(0);
    for (const fact of FACT_NAMES) expect(personal.has(fact)).toBe(false);
  });

  it('a customer in segments and with churn flags: its derived rows hold no personal value, before or after erasure', async () => {
    const tag = randomBytes(5).toString('hex');
    const id = `C${tag}`;
    const seed = registration(tag);
    const data = seed[0]?.data as Record<string, string>;
    const canaries = ['fullName', 'nationalId', 'phone', 'email', 'address'].map((k) => data[k] as string);
    const recent = (daysAgo: number): Date => new Date(Date.now() - daysAgo * 86_400_000);
    const last = await h.append(id, [
      { ...seed[0]!, occurredAt: recent(200) },
      { type: 'ProductOpened', data: { productId: `S-${tag}`, productType: 'savings', currency: 'CNY' }, occurredAt: recent(150) },
      { type: 'BalanceReported', data: { productId: `S-${tag}`, balanceMinor: 90_000_000, currency: 'CNY', asOfDate: recent(100).toISOString().slice(0, 10) }, occurredAt: recent(100) },
      { type: 'ComplaintRaised', data: { complaintId: `CMP-${tag}`, category: 'fees', severity: 'high', channel: 'call-centre' }, occurredAt: recent(20) },
      { type: 'SurveyAnswered', data: { kind: 'nps', score: 1 }, occurredAt: recent(2) },
    ]);
    await h.caughtUp(last);

    let before: Record<string, string[]> = {};
    await expectEventually(
      async () => {
        before = await derivedRowsOf(id);
        expect(before['churn_flags']?.length).toBeGreaterThan(0);
        expect((before['segment_membership']?.length ?? 0) + (before['segment_membership_history']?.length ?? 0)).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // The reasons are there (the rows say why), and none names a personal value.
    expect(before['churn_flags']?.join('\n')).toMatch(/NPS|SLA/);
    for (const rows of Object.values(before)) for (const row of rows) for (const c of canaries) expect(row).not.toContain(c);

    const eraser = await h.token('privacy-office', ['customers:erase']);
    expect((await h.post(`/v1/customers/${id}:erase`, eraser, { reason: 'GDPR art. 17 request 9' })).status).toBe(200);
    const after = await derivedRowsOf(id);
    expect(after['churn_flags']?.length).toBeGreaterThan(0); // the derived facts stay (they are not personal)
    for (const rows of Object.values(after)) for (const row of rows) for (const c of canaries) expect(row).not.toContain(c);
    const dump = await h.dump();
    for (const c of canaries) expect(dump).not.toContain(c);
  });
});
