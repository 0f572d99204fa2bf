import { expectedCustomer360, historyFromOps, seededOps } from '@c360/projections/testing';
import { decodeDocument } from '@c360/read-models';
import type { Customer360State } from '@c360/customer-domain';
import { expectEventually } from '@c360/testing';
import { Test } from '@nestjs/testing';
import { Projector } from '../src/projector';
import { PROJECTOR, ProjectionStatusService, ProjectorModule } from '../src/projector.module';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `C${String(i).padStart(4, '0')}`);

describe('projector on PostgreSQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    await h.append(historyFromOps(CUSTOMERS, seededOps(42, 800, CUSTOMERS.length)));
  });
  afterAll(async () => {
    await h.close();
  });

  it('projects every customer equal to the domain fold, and the rebuild into a shadow schema gives the same digest (I6)', async () => {
    const projector = new Projector({ config: h.config({ workerId: 'w1', batchSize: 37 }), derived: h.derived });
    await projector.start();
    try {
      const live = await h.caughtUpDigest();
      const rows = (await h.db.pool.query<{ customer_id: string; last_revision: string; state: unknown; tier: string }>(
        'SELECT customer_id, last_revision, state, tier FROM read_models.customer_360 ORDER BY customer_id',
      )).rows;
      const oracle = await expectedCustomer360(h.eventStore, {}, h.lastAppended());
      expect(rows.map((r) => r.customer_id)).toEqual([...oracle.keys()]);
      for (const row of rows) {
        const expected = oracle.get(row.customer_id);
        expect(decodeDocument<Customer360State>(row.state)).toEqual(expected?.state);
        expect(Number(row.last_revision)).toBe(expected?.lastRevision);
        expect(row.tier).toBe(expected?.tier);
      }
      const lookup = await h.db.pool.query<{ customer_id: string }>(
        `SELECT customer_id FROM read_models.customer_identity WHERE scheme = 'mobile-user' ORDER BY 1`,
      );
      const owners = [...oracle.values()].filter((r) => r.mergedInto === null && r.state.identities.some((i) => i.scheme === 'mobile-user'));
      expect(new Set(lookup.rows.map((r) => r.customer_id))).toEqual(new Set(owners.map((r) => r.customerId)));
      expect(await h.rebuildDigest('rebuild_a')).toEqual(live);
      expect(projector.status()[0]).toMatchObject({ name: 'customer-360', state: 'live', partitions: expect.any(Array) as unknown[] });
    } finally {
      await projector.stop();
    }
  });

  it('is exactly-once under redelivery: checkpoints reset to zero, replayed, no row even rewritten (I5)', async () => {
    const before = (await h.db.pool.query('SELECT * FROM read_models.customer_360 ORDER BY customer_id')).rows;
    await h.db.pool.query('UPDATE read_models.projection_checkpoints SET position = 0');
    const projector = new Projector({ config: h.config({ workerId: 'w2', batchSize: 50 }), derived: h.derived });
    await projector.start();
    try {
      await h.caughtUpDigest();
      await expectEventually(() => expect(projector.status()[0]?.appliedEvents).toBeGreaterThan(0));
      const after = (await h.db.pool.query('SELECT * FROM read_models.customer_360 ORDER BY customer_id')).rows;
      expect(after).toEqual(before); // updated_at included: nothing was written
    } finally {
      await projector.stop();
    }
  });

  it('mounts as a Nest module that starts with the app, reports status and stops cleanly', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ProjectorModule.forRoot({ config: h.config({ workerId: 'nest', readModelSchema: 'nest_rm' }) })],
    }).compile();
    const app = await moduleRef.init();
    try {
      const status = app.get(ProjectionStatusService);
      await expectEventually(() => expect(status.list()[0]?.state).toBe('live'), { timeoutMs: 30_000 });
      expect(app.get<Projector>(PROJECTOR).status()[0]?.partitions).toHaveLength(16);
      expect(await h.caughtUpDigest('nest_rm')).toEqual(await h.caughtUpDigest());
    } finally {
      await app.close();
    }
  });
});
