import { EXAMPLES_V1 } from '@c360/contracts';
import type { JsonObject } from '@c360/event-store';
import { createReadModelDataSource, readModelDigest, type ReadModelDigest } from '@c360/read-models';
import { expectEventually } from '@c360/testing';
import { createQueryApiHarness, registration, type QueryApiHarness } from '../../query-api/test/query-api-harness';
import { createOps, type Ops } from '../src/ops/index';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { defaultProjection } from '../src/projector';

jest.setTimeout(480_000);

const CUSTOMERS = Array.from({ length: 20 }, (_, i) => `L${String(i).padStart(4, '0')}`);
const moneyMoved = (n: number): { type: 'MoneyMoved'; data: JsonObject } => ({
  type: 'MoneyMoved',
  data: { ...(EXAMPLES_V1.MoneyMoved.data as unknown as JsonObject), amountMinor: 1_000 + n, direction: n % 2 === 0 ? 'in' : 'out' },
});

/**
 * Issue 6's "rebuild under live traffic", end to end through the query API: while events keep
 * arriving and a reader keeps fetching 360 views over HTTP, a blue/green rebuild runs and swaps;
 * no read ever fails or sees a customer go back (revision ≥ the last one seen), and after the
 * swap the live model equals a from-scratch rebuild (I6).
 */
describe('blue/green rebuild under live traffic, read through GET /v1/customers/{id}', () => {
  let q: QueryApiHarness;
  let ops: Ops;

  beforeAll(async () => {
    q = await createQueryApiHarness();
    ops = await createOps({
      databaseUrl: q.db.url,
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [defaultProjection(parseDerivedConfig({}))],
      eventStore: q.store,
      defaultPartitions: 8,
      batch: { maxSize: 20, maxLatencyMs: 5 },
    });
  });
  afterAll(async () => {
    await ops?.close();
    await q?.close();
  });

  const digest = async (schema: string): Promise<ReadModelDigest> => {
    const ds = createReadModelDataSource({ url: q.db.url, schema, poolMax: 2, applicationName: 'digest' });
    await ds.initialize();
    try {
      return await readModelDigest(ds, schema);
    } finally {
      await ds.destroy();
    }
  };

  it('F2/I6: reads never fail or go back during the rebuild; after the swap live equals a from-scratch rebuild', async () => {
    let last = 0n;
    for (const [i, c] of CUSTOMERS.entries()) last = await q.append(c, [...registration(`${i}`), ...Array.from({ length: 40 }, (_, n) => moneyMoved(n))]);
    await q.caughtUp(last);
    const token = await q.token('ops-live', ['customers:read']);
    let stop = false;
    let reads = 0;
    let writes = 0;
    const violations: string[] = [];
    const seen = new Map<string, number>();
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const c = CUSTOMERS[n % CUSTOMERS.length] ?? 'L0000';
        last = await q.append(c, [moneyMoved(1000 + n)]);
        writes++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const reader = (async () => {
      for (let n = 0; !stop; n++) {
        const c = CUSTOMERS[(n * 7) % CUSTOMERS.length] ?? 'L0000';
        const r = await q.get(`/v1/customers/${c}`, token);
        reads++;
        if (r.status !== 200) {
          violations.push(`read ${reads}: ${c} answered ${r.status}`);
          continue;
        }
        const revision = (r.json as { revision: number }).revision;
        const before = seen.get(c) ?? -1;
        if (revision < before) violations.push(`read ${reads}: ${c} went back from revision ${before} to ${revision}`);
        seen.set(c, Math.max(before, revision));
      }
    })();
    try {
      await expectEventually(() => expect(reads).toBeGreaterThan(5), { timeoutMs: 30_000 });
      const readsAtStart = reads;
      const { job } = await ops.rebuild.request('customer-360', { customers: [], dryRun: false, requestedBy: 'test' });
      const done = await ops.rebuild.run(job.id);
      expect(reads).toBeGreaterThan(readsAtStart); // views were read while the shadow was built and swapped
      expect(done).toMatchObject({ state: 'done', result: { swapped: true } });
      const readsAtSwap = reads;
      const writesAtSwap = writes;
      // traffic and reads go on after the swap, on the swapped-in tables
      await expectEventually(() => {
        expect(reads).toBeGreaterThan(readsAtSwap + 20);
        expect(writes).toBeGreaterThan(writesAtSwap + 5);
      }, { timeoutMs: 60_000 });
    } finally {
      stop = true;
      await Promise.all([writer, reader]);
    }
    expect(violations).toEqual([]);
    expect(seen.size).toBe(CUSTOMERS.length);
    await q.caughtUp(last);
    const live = await digest('read_models');
    await q.rebuild('fresh_after_live_swap');
    expect(await digest('fresh_after_live_swap')).toEqual(live);
  });
});
