import { randomBytes } from 'node:crypto';
import { expectEventually } from '@c360/testing';
import { createQueryApiHarness, registration, type QueryApiHarness, type SeedEvent } from './query-api-harness';

/**
 * Segments and churn flags over real read models: customers folded by the real projector
 * (with its derived views), then listed through the API — members paged across pages,
 * churn flags filtered by risk score, tier and region and paged.
 */
let h: QueryApiHarness;
let segmentsToken: string;
let churnToken: string;
const tag = randomBytes(4).toString('hex');
const recent = (daysAgo: number): Date => new Date(Date.now() - daysAgo * 86_400_000);

interface Group {
  readonly ids: string[];
  readonly region: string;
  readonly balanceMinor: number;
  readonly complaint: boolean;
}
// top (≥ 600M CNY), important (≥ 50M), mass (nothing held); NPS detractors all, some with a
// complaint past its SLA as well (a higher risk score).
const groups: Record<'topEast' | 'massEast' | 'importantWest', Group> = {
  topEast: { ids: [1, 2, 3].map((n) => `T${tag}${n}`), region: 'east', balanceMinor: 700_000_000, complaint: true },
  massEast: { ids: [1, 2].map((n) => `M${tag}${n}`), region: 'east', balanceMinor: 0, complaint: false },
  importantWest: { ids: [1, 2].map((n) => `I${tag}${n}`), region: 'west', balanceMinor: 90_000_000, complaint: true },
};
const all = Object.values(groups).flatMap((g) => g.ids);

beforeAll(async () => {
  h = await createQueryApiHarness();
  let last = 0n;
  for (const g of Object.values(groups)) {
    for (const id of g.ids) {
      const reg = registration(id.toLowerCase())[0] as SeedEvent;
      const events: SeedEvent[] = [{ ...reg, data: { ...reg.data, customerNumber: id, region: g.region }, occurredAt: recent(200) }];
      if (g.balanceMinor > 0) {
        events.push({ type: 'ProductOpened', data: { productId: `S-${id}`, productType: 'savings', currency: 'CNY' }, occurredAt: recent(150) });
        events.push({ type: 'BalanceReported', data: { productId: `S-${id}`, balanceMinor: g.balanceMinor, currency: 'CNY', asOfDate: recent(1).toISOString().slice(0, 10) }, occurredAt: recent(1) });
      }
      if (g.complaint) events.push({ type: 'ComplaintRaised', data: { complaintId: `CMP-${id}`, category: 'fees', severity: 'high', channel: 'call-centre' }, occurredAt: recent(20) });
      events.push({ type: 'SurveyAnswered', data: { kind: 'nps', score: 2 }, occurredAt: recent(3) });
      last = await h.append(id, events);
    }
  }
  await h.caughtUp(last);
  segmentsToken = await h.token('marketing', ['segments:read']);
  churnToken = await h.token('retention-desk', ['churn:read']);
  // The derived views are written with the customer-360 batch; wait until every customer has its flags.
  await expectEventually(
    async () => {
      const { rows } = await h.db.pool.query<{ n: number }>(`SELECT count(DISTINCT customer_id)::int AS n FROM read_models.churn_flags WHERE customer_id = ANY($1) AND status = 'open'`, [all]);
      expect(rows[0]?.n).toBe(all.length);
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
});
afterAll(async () => {
  await h?.close();
});

interface Flag {
  flagId: string;
  customerId: string;
  code: string;
  riskScore: number | null;
  tier: string | null;
  region: string | null;
  raisedAt: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

async function allPages<T>(path: string, token: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await h.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    expect(res.status).toBe(200);
    const page = res.json as Page<T>;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 100) throw new Error('paging does not end');
  } while (cursor !== null);
  return { items, pages };
}

const customersOf = (flags: readonly Flag[]): string[] => [...new Set(flags.map((f) => f.customerId))].sort();

describe('churn flags', () => {
  it('pages through every open flag once, newest first, with each customer’s tier, region and score', async () => {
    const { items, pages } = await allPages<Flag>('/v1/churn-flags?status=open', churnToken, 2);
    const ours = items.filter((f) => all.includes(f.customerId));
    expect(pages).toBeGreaterThan(3);
    expect(new Set(items.map((f) => f.flagId)).size).toBe(items.length); // no flag twice across pages
    expect(customersOf(ours)).toEqual([...all].sort());
    const times = items.map((f) => Date.parse(f.raisedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const f of ours.filter((x) => groups.topEast.ids.includes(x.customerId))) expect(f).toMatchObject({ tier: 'top', region: 'east' });
    for (const f of ours.filter((x) => groups.massEast.ids.includes(x.customerId))) expect(f).toMatchObject({ tier: 'mass', region: 'east' });
    for (const f of ours.filter((x) => groups.importantWest.ids.includes(x.customerId))) expect(f).toMatchObject({ tier: 'important', region: 'west' });
    expect(ours.some((f) => f.code === 'nps-detractor')).toBe(true);
    expect(ours.some((f) => f.code === 'complaint-sla-breached')).toBe(true);
  });

  it('filters by minimum risk score, tier and region (and their combination)', async () => {
    const scores = (await allPages<Flag>('/v1/churn-flags', churnToken, 50)).items.filter((f) => all.includes(f.customerId));
    const scoreOf = new Map(scores.map((f) => [f.customerId, f.riskScore ?? 0]));
    // A complaint past its SLA on top of the detractor raises the score above the detractor alone.
    const detractorOnly = Math.max(...groups.massEast.ids.map((id) => scoreOf.get(id) ?? 0));
    const withComplaint = Math.min(...[...groups.topEast.ids, ...groups.importantWest.ids].map((id) => scoreOf.get(id) ?? 0));
    expect(withComplaint).toBeGreaterThan(detractorOnly);

    const high = (await allPages<Flag>(`/v1/churn-flags?minScore=${detractorOnly + 1}`, churnToken, 3)).items;
    expect(customersOf(high.filter((f) => all.includes(f.customerId)))).toEqual([...groups.topEast.ids, ...groups.importantWest.ids].sort());
    for (const f of high) expect(f.riskScore).toBeGreaterThan(detractorOnly);

    const top = (await allPages<Flag>('/v1/churn-flags?tier=top', churnToken, 3)).items;
    expect(customersOf(top)).toEqual([...groups.topEast.ids].sort());
    const west = (await allPages<Flag>('/v1/churn-flags?region=west', churnToken, 3)).items;
    expect(customersOf(west)).toEqual([...groups.importantWest.ids].sort());
    const massEast = (await allPages<Flag>('/v1/churn-flags?tier=mass&region=east', churnToken, 3)).items;
    expect(customersOf(massEast)).toEqual([...groups.massEast.ids].sort());
    expect((await allPages<Flag>('/v1/churn-flags?tier=top&region=west', churnToken, 3)).items).toEqual([]);
  });

  it('refuses bad filters and foreign cursors with 400 problem+json', async () => {
    for (const q of ['minScore=101', 'minScore=abc', 'tier=gold', 'status=maybe', 'cursor=not-a-cursor']) {
      const res = await h.get(`/v1/churn-flags?${q}`, churnToken);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});

describe('segment members', () => {
  it('pages through a segment’s members in id order, each once, matching the membership table', async () => {
    const listed = await h.get('/v1/segments', segmentsToken);
    expect(listed.status).toBe(200);
    const segments = listed.json as Array<{ segmentId: string; members: number }>;
    const biggest = [...segments].sort((a, b) => b.members - a.members)[0];
    expect(biggest?.members).toBeGreaterThanOrEqual(3);
    const segmentId = biggest!.segmentId;
    const { rows } = await h.db.pool.query<{ customer_id: string }>(`SELECT customer_id FROM read_models.segment_membership WHERE segment_id = $1 ORDER BY customer_id`, [segmentId]);
    expect(rows.length).toBe(biggest!.members);

    const { items, pages } = await allPages<{ customerId: string; reason: string; tier: string | null }>(`/v1/segments/${segmentId}/members`, segmentsToken, 2);
    expect(pages).toBe(Math.ceil(rows.length / 2)); // the last page says there is no next one
    expect(items.map((m) => m.customerId)).toEqual(rows.map((r) => r.customer_id));
    for (const m of items) expect(m.reason.length).toBeGreaterThan(0);

    // A cursor of one segment is not accepted by another.
    const first = (await h.get(`/v1/segments/${segmentId}/members?limit=1`, segmentsToken)).json as Page<unknown>;
    const other = segments.find((s) => s.segmentId !== segmentId);
    expect(first.nextCursor).not.toBeNull();
    expect(other).toBeDefined();
    const res = await h.get(`/v1/segments/${other!.segmentId}/members?cursor=${encodeURIComponent(first.nextCursor!)}`, segmentsToken);
    expect(res.status).toBe(400);
  });
});
