import { customerStreamId } from '@c360/contracts';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually } from '@c360/testing';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = ['L0001', 'L0002', 'L0003', 'L0004'];

describe('F15: a long transaction elsewhere', () => {
  let h: Harness;
  let projector: Projector;
  beforeAll(async () => {
    h = await createHarness();
    await h.append(historyFromOps(CUSTOMERS, seededOps(11, 100, CUSTOMERS.length)));
    projector = new Projector({
      config: h.config({ workerId: 'f15', batchLatencyMs: 5 }),
      derived: h.derived,
      timeouts: { lockTimeoutMs: 500 },
    });
    await projector.start();
    await h.caughtUpDigest();
  });
  afterAll(async () => {
    await projector.stop();
    await h.close();
  });

  const runner = () => {
    const r = projector.runner('customer-360');
    if (!r) throw new Error('no customer-360 runner');
    return r;
  };

  it('a session idle in transaction on a customer row: lag is reported while it lasts, and recovers within seconds after (I9)', async () => {
    const blocker = await h.db.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM read_models.customer_360 WHERE customer_id = $1 FOR UPDATE`, ['L0001']);
      // The session now sits idle in transaction, holding L0001's row.
      await h.eventStore.appendToStream(customerStreamId('L0001'), [
        { eventId: crypto.randomUUID(), type: 'BranchVisited', version: 1, data: { branchCode: 'B1', service: 'cash', waitMinutes: 3, tellerId: 'T1' } },
      ]);
      // Its row lock also holds an xid, hence the store's horizon: the event waits unseen by
      // the subscription, and the lag probe (past the horizon) reports it growing.
      await expectEventually(
        async () => {
          const lag = await runner().measureLag();
          expect(lag.events).toBe(1);
          expect(lag.seconds).toBeGreaterThan(1);
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(runner().status().lag.events).toBe(1);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    const ended = Date.now();
    await expectEventually(async () => expect((await runner().measureLag()).events).toBe(0), { timeoutMs: 10_000, intervalMs: 50 });
    expect(Date.now() - ended).toBeLessThan(10_000);
    await expectEventually(() => expect(runner().status().state).toBe('live'));
  });

  it('a session holding an xid (the store’s visibility horizon): the projection waits, then resumes after it ends', async () => {
    await h.caughtUpDigest();
    const blocker = await h.db.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()'); // takes an xid: events committed after it stay behind the horizon
      const before = runner().status().appliedEvents;
      await h.append(historyFromOps(CUSTOMERS, seededOps(12, 20, CUSTOMERS.length)));
      await expectEventually(async () => expect((await runner().measureLag()).events).toBeGreaterThan(20), { timeoutMs: 10_000 });
      expect(runner().status().appliedEvents).toBe(before); // held, not skipped past (I7)
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    expect(await h.rebuildDigest('rebuild_f15')).toEqual(await h.caughtUpDigest('read_models', 15_000));
  });
});
