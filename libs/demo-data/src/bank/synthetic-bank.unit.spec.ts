import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validateCanonicalEvent } from '@c360/contracts';
import { DEFAULT_TIER_THRESHOLDS, valueConcentration, valueTier, type ValueTier } from '@c360/customer-domain';
import { createSyntheticBank } from './synthetic-bank';
import type { CustomerTraffic } from './traffic-item';

const NOW = new Date('2026-11-28T10:17:00Z');

describe('synthetic bank: determinism', () => {
  it('the same seed and now give the same customers, byte for byte, in any order of generation', () => {
    const a = createSyntheticBank({ customers: 500, seed: 7, now: NOW });
    const b = createSyntheticBank({ customers: 500, seed: 7, now: NOW });
    const fromStream = [...a.customers(100, 140)];
    const direct = [139, 100, 120].map((i) => b.customerTraffic(i));
    expect(JSON.stringify(direct[0])).toBe(JSON.stringify(fromStream[39]));
    expect(JSON.stringify(direct[1])).toBe(JSON.stringify(fromStream[0]));
    expect(JSON.stringify(direct[2])).toBe(JSON.stringify(fromStream[20]));
  });

  it('another seed is another bank; another now keeps the customers but changes every event id', () => {
    const base = createSyntheticBank({ customers: 50, seed: 7, now: NOW }).customerTraffic(3);
    const otherSeed = createSyntheticBank({ customers: 50, seed: 8, now: NOW }).customerTraffic(3);
    const later = createSyntheticBank({ customers: 50, seed: 7, now: new Date(NOW.getTime() + 3_600_000) }).customerTraffic(3);
    expect(otherSeed.customer.customerNumber).not.toBe(base.customer.customerNumber);
    expect(later.customer).toEqual({ ...base.customer, registeredAt: later.customer.registeredAt });
    const ids = (t: CustomerTraffic): string[] => t.items.flatMap((i) => (i.endpoint === 'events' ? [i.body.eventId] : []));
    const shared = ids(later).filter((id) => ids(base).includes(id));
    expect(shared).toEqual([]);
  });

  it('every event id of a run is unique and every event happens before now', () => {
    const bank = createSyntheticBank({ customers: 300, seed: 3, now: NOW });
    const seen = new Set<string>();
    let repeats = 0;
    let future = 0;
    for (const c of bank.customers()) {
      for (const item of c.items) {
        if (item.at >= NOW.getTime()) future += 1;
        if (item.endpoint !== 'events') continue;
        if (seen.has(item.body.eventId)) repeats += 1;
        seen.add(item.body.eventId);
        if (Date.parse(item.body.occurredAt) >= NOW.getTime()) future += 1;
      }
    }
    expect(seen.size).toBeGreaterThan(5_000);
    expect({ repeats, future }).toEqual({ repeats: 0, future: 0 });
  });
});

describe('synthetic bank: the book looks like a bank', () => {
  const N = 10_000;
  const values: number[] = [];
  const tiers: Record<ValueTier, number> = { top: 0, important: 0, core: 0, mass: 0 };
  let drifters = 0;
  let businesses = 0;
  let salaried = 0;
  let individuals = 0;
  const personaByAge: Record<string, Record<string, number>> = {};
  const kinds = new Map<string, number>();

  beforeAll(() => {
    for (const { customer, items } of createSyntheticBank({ customers: N, seed: 1, now: NOW }).customers()) {
      values.push(customer.endValueMinor);
      tiers[valueTier(customer.endValueMinor, DEFAULT_TIER_THRESHOLDS)] += 1;
      if (customer.drift.length > 0) drifters += 1;
      if (customer.kind === 'business') businesses += 1;
      else {
        individuals += 1;
        if (customer.salaried) salaried += 1;
        const band = customer.ageBand ?? 'none';
        personaByAge[band] ??= {};
        const row = personaByAge[band];
        row[customer.persona] = (row[customer.persona] ?? 0) + 1;
      }
      for (const i of items) kinds.set(i.endpoint, (kinds.get(i.endpoint) ?? 0) + i.eventCount);
    }
  });

  it('concentrates value: the top 20% of customers hold at least 75% of the balances', () => {
    expect(valueConcentration(values, 0.2)).toBeGreaterThanOrEqual(0.75);
  });

  it('splits near 1 / 9 / 30 / 60 % into top / important / core / mass under the default thresholds', () => {
    expect(tiers.top / N).toBeGreaterThanOrEqual(0.006);
    expect(tiers.top / N).toBeLessThanOrEqual(0.014);
    expect(Math.abs(tiers.important / N - 0.09)).toBeLessThanOrEqual(0.015);
    expect(Math.abs(tiers.core / N - 0.3)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(tiers.mass / N - 0.6)).toBeLessThanOrEqual(0.03);
  });

  it('has about the configured share of customers drifting toward churn (6%)', () => {
    expect(Math.abs(drifters / N - 0.06)).toBeLessThanOrEqual(0.01);
  });

  it('mixes individuals and businesses, salaried customers, and channel habits by age', () => {
    expect(businesses / N).toBeGreaterThan(0.03);
    expect(businesses / N).toBeLessThan(0.12);
    expect(salaried / individuals).toBeGreaterThan(0.6);
    const share = (band: string, persona: string): number => {
      const row = personaByAge[band] ?? {};
      return (row[persona] ?? 0) / Object.values(row).reduce((s, n) => s + n, 0);
    };
    expect(share('young', 'digital-first')).toBeGreaterThan(0.6);
    expect(share('senior', 'branch-reliant')).toBeGreaterThan(0.4);
    expect(share('senior', 'digital-first')).toBeLessThan(0.15);
    for (const endpoint of ['events', 'branch', 'mobile', 'call-centre']) expect(kinds.get(endpoint) ?? 0).toBeGreaterThan(N);
  });

  it('can be asked for another drift share', () => {
    let n = 0;
    for (const c of createSyntheticBank({ customers: 2_000, churnShare: 0.2, now: NOW }).customers()) if (c.customer.drift.length > 0) n += 1;
    expect(Math.abs(n / 2_000 - 0.2)).toBeLessThanOrEqual(0.03);
  });
});

describe('synthetic bank: canonical events and personal data', () => {
  it('every canonical event passes validateCanonicalEvent, and personal data is obviously synthetic', () => {
    for (const c of createSyntheticBank({ customers: 400, seed: 11, now: NOW }).customers()) {
      for (const item of c.items) {
        if (item.endpoint !== 'events') continue;
        const v = validateCanonicalEvent(item.body);
        if (!v.ok) throw new Error(`${item.body.type} of ${c.customer.customerNumber}: ${JSON.stringify(v.errors)}`);
        if (item.body.type === 'CustomerRegistered') {
          const d = item.body.data;
          expect(d.phone).toMatch(/^\+999\d{11}$/); // ITU-reserved country code: nobody's real number
          expect(d.email).toMatch(/@example\.com$/);
          expect(d.nationalId).toMatch(/^DEMO-/);
        }
      }
    }
  });
});

describe('synthetic bank: memory', () => {
  it('streams 100,000 customers in bounded memory', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 100 days (the minimum) keeps the run short; memory does not depend on the length of history.
    const bank = createSyntheticBank({ customers: 100_000, seed: 5, days: 100, now: NOW });
    let customers = 0;
    let events = 0;
    let baseline = 0;
    let peak = 0;
    for (const { items } of bank.customers()) {
      customers += 1;
      for (const i of items) events += i.eventCount;
      if (customers === 5_000) {
        gc();
        baseline = process.memoryUsage().heapUsed;
      }
      if (customers > 5_000 && customers % 19_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    }
    expect(customers).toBe(100_000);
    expect(events).toBeGreaterThan(2_000_000);
    // Millions of events went through; the heap held one customer at a time.
    expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
  });
});
