import { randomBytes } from 'node:crypto';
import { expectEventually } from '@c360/testing';
import { createQueryApiHarness, registration, type QueryApiHarness } from './query-api-harness';

// Masking, audit and erasure end to end on real PostgreSQL: a customer seeded with unique
// canary values through the protected event store and the projector; read masked and clear;
// erased through the API; then read, time-travelled, rebuilt, and the whole database dumped
// and searched for every canary in plain text.

let h: QueryApiHarness;
beforeAll(async () => {
  h = await createQueryApiHarness();
});
afterAll(async () => {
  await h?.close();
});

interface View {
  customerId: string;
  personalData: string;
  erased: boolean;
  profile: Record<string, unknown>;
  identities: Array<{ scheme: string; value: unknown }>;
  products: unknown[];
}

describe('masking, audit and erasure on PostgreSQL', () => {
  it('masks without customers:read-pii, shows with it, audits both, erases for good', async () => {
    const tag = randomBytes(5).toString('hex');
    const id = `C${tag}`;
    const phone = `+8613800${tag.replace(/[a-f]/g, '1').slice(0, 6)}`;
    const canaries = [`Canaryname${tag}`, `canary.${tag}@example.test`, `${tag} Canary Street`, phone, `11010119900307${tag.slice(0, 4)}`];
    const last = await h.append(id, [
      ...registration(tag, { phone }),
      { type: 'ChannelIdentityLinked', data: { scheme: 'phone', value: phone }, occurredAt: new Date('2026-01-10T09:05:00Z') },
      { type: 'ChannelIdentityLinked', data: { scheme: 'mobile-user', value: `mu-${tag}` }, occurredAt: new Date('2026-01-10T09:06:00Z') },
      { type: 'ProductOpened', data: { productId: `S-${tag}`, productType: 'savings', currency: 'CNY' }, occurredAt: new Date('2026-01-11T09:00:00Z') },
      { type: 'BalanceReported', data: { productId: `S-${tag}`, balanceMinor: 5_000_000, currency: 'CNY', asOfDate: '2026-01-12' }, occurredAt: new Date('2026-01-12T23:00:00Z') },
    ]);
    await h.caughtUp(last);

    const reader = await h.token('rm-desktop', ['customers:read']);
    const piiReader = await h.token('complaints', ['customers:read', 'customers:read-pii']);
    const eraser = await h.token('privacy-office', ['customers:erase']);
    const ops = await h.token('operator', ['ops:read']);

    // Masked for a reader without the PII scope: no canary anywhere in the body.
    const masked = await h.get(`/v1/customers/${id}`, reader);
    expect(masked.status).toBe(200);
    const mv = masked.json as View;
    expect(mv.personalData).toBe('masked');
    expect(mv.profile['fullName']).toBe('C** Z**');
    expect(mv.profile['email']).toBe('c***@example.test');
    expect(mv.profile['phone']).toMatch(/^\+861\*+\d{4}$/);
    expect(mv.identities.find((i) => i.scheme === 'phone')?.value).toMatch(/\*/);
    expect(mv.identities.find((i) => i.scheme === 'mobile-user')?.value).toBe(`mu-${tag}`);
    for (const c of canaries) expect(masked.body).not.toContain(c);
    expect(masked.headers['etag']).toMatch(/^W\/"/);
    expect(masked.headers['x-content-type-options']).toBe('nosniff');

    // ETag: the same representation answers 304.
    const again = await h.get(`/v1/customers/${id}`, reader, { 'if-none-match': String(masked.headers['etag']) });
    expect(again.status).toBe(304);

    // Clear for a PII reader.
    const clear = await h.get(`/v1/customers/${id}`, piiReader);
    expect(clear.status).toBe(200);
    expect((clear.json as View).profile['fullName']).toBe(`Canaryname${tag} Zhang`);
    expect(clear.headers['etag']).not.toBe(masked.headers['etag']);

    // Lookup by a personal identity, literal colon route.
    const found = await h.get(`/v1/customers:lookup?channel=phone&id=${encodeURIComponent(phone)}`, reader);
    expect(found.status).toBe(200);
    expect(found.json).toEqual({ scheme: 'phone', customers: [{ customerId: id, href: `/v1/customers/${id}` }] });

    // Audit: every read recorded with pii shown yes/no, and no personal value in it.
    const audit = await h.get(`/v1/ops/audit?customerId=${id}`, ops);
    expect(audit.status).toBe(200);
    const records = (audit.json as { items: Array<{ client: string; action: string; piiShown: boolean; outcome: string; requestId: string | null }> }).items;
    expect(records.filter((r) => r.action === 'customer.view').map((r) => [r.client, r.piiShown])).toEqual(
      expect.arrayContaining([
        ['rm-desktop', false],
        ['complaints', true],
      ]),
    );
    expect(records.find((r) => r.action === 'customer.lookup')).toMatchObject({ client: 'rm-desktop', outcome: 'ok' });
    expect(records.every((r) => typeof r.requestId === 'string')).toBe(true);
    for (const c of canaries) expect(audit.body).not.toContain(c);

    // A reader cannot erase: 403, and the attempt is audited.
    const refused = await h.post(`/v1/customers/${id}:erase`, reader, { reason: 'test' });
    expect(refused.status).toBe(403);
    const denied = await h.get(`/v1/ops/audit?customerId=${id}&outcome=denied`, ops);
    expect((denied.json as { items: Array<{ client: string }> }).items).toEqual([expect.objectContaining({ client: 'rm-desktop', action: 'denied:POST /v1/customers/:id(^[^:/]+)::erase' })]);

    // Erase.
    const erased = await h.post(`/v1/customers/${id}:erase`, eraser, { reason: 'GDPR art. 17 request 118' });
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ customerId: id, outcome: 'erased' });

    // Read models show erased at once, to every reader.
    const after = await h.get(`/v1/customers/${id}`, piiReader);
    expect(after.status).toBe(200);
    const av = after.json as View;
    expect(av.erased).toBe(true);
    for (const f of ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address']) expect(av.profile[f]).toEqual({ erased: true });
    expect(av.identities.find((i) => i.scheme === 'phone')?.value).toEqual({ erased: true });
    expect(av.products).toHaveLength(1); // the rest of the history is intact
    for (const c of canaries) expect(after.body).not.toContain(c);
    // The phone identity no longer resolves (its value is gone from the lookup table).
    const gone = await h.get(`/v1/customers:lookup?channel=phone&id=${encodeURIComponent(phone)}`, reader);
    expect(gone.status).toBe(404);

    // Time travel folds the stream: still erased.
    const past = await h.get(`/v1/customers/${id}?asOf=2026-01-11T00:00:00Z`, piiReader);
    expect(past.status).toBe(200);
    expect((past.json as View).profile['fullName']).toEqual({ erased: true });
    const known = await h.get(`/v1/customers/${id}?knownAt=${encodeURIComponent(new Date().toISOString())}`, piiReader);
    expect((known.json as View).profile['email']).toEqual({ erased: true });
    for (const c of canaries) expect(past.body + known.body).not.toContain(c);

    // A rebuild from scratch keeps it erased.
    await h.rebuild('rebuild_erasure');
    const { rows } = await h.db.pool.query<{ state: string }>(`SELECT state::text AS state FROM rebuild_erasure.customer_360 WHERE customer_id = $1`, [id]);
    expect(rows[0]?.state).toContain('"erased": true');

    // The audit keeps the fact of erasure.
    const trail = await h.get(`/v1/ops/audit?customerId=${id}&action=customer.erase`, ops);
    expect((trail.json as { items: Array<{ outcome: string; client: string }> }).items.map((r) => r.outcome)).toEqual(['erased', 'requested']);

    // Nothing of the canaries anywhere in the database, in plain text.
    const dump = await h.dump();
    expect(dump).toContain(`S-${tag}`); // the search does see data
    for (const c of canaries) expect(dump).not.toContain(c);
  });

  it('a new event after erasure does not bring values back (projector keeps the erased state)', async () => {
    const tag = randomBytes(5).toString('hex');
    const id = `C${tag}`;
    const last = await h.append(id, registration(tag));
    await h.caughtUp(last);
    const eraser = await h.token('privacy-office', ['customers:erase']);
    expect((await h.post(`/v1/customers/${id}:erase`, eraser, { reason: 'customer request' })).status).toBe(200);
    const next = await h.append(id, [{ type: 'BranchVisited', data: { branchCode: 'SH001', service: 'deposit', waitMinutes: 4, tellerId: 'T1' } }]);
    await h.caughtUp(next);
    const reader = await h.token('rm', ['customers:read', 'customers:read-pii']);
    await expectEventually(async () => {
      const v = (await h.get(`/v1/customers/${id}`, reader)).json as View & { interactions: { last90Days: Record<string, number> } };
      expect(v.interactions.last90Days['branch']).toBe(1);
      expect(v.profile['fullName']).toEqual({ erased: true });
    });
  });
});
