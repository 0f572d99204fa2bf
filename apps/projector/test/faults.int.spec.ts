import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually } from '@c360/testing';
import { createHarness, ProjectorChild, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 60 }, (_, i) => `K${String(i).padStart(4, '0')}`);
const history = (seed: number, ops: number) => historyFromOps(CUSTOMERS, seededOps(seed, ops, CUSTOMERS.length));

describe('projector faults (child processes on PostgreSQL)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const child = (workerId: string, extra: Record<string, string> = {}): ProjectorChild =>
    new ProjectorChild({
      DATABASE_URL: h.db.url,
      PROJECTOR_WORKER_ID: workerId,
      PROJECTOR_PARTITIONS: '16',
      PROJECTOR_LEASE_TTL_MS: '1500',
      PROJECTOR_BATCH_SIZE: '20',
      ...extra,
    });

  it('F2: SIGKILLed mid-batch again and again, then restarted — equals a from-scratch rebuild (I6)', async () => {
    await h.append(history(1, 1500));
    let appended = 1;
    for (let round = 0; round < 3; round++) {
      const worker = child(`w-${round}`);
      await worker.waitFor('committed', 3 + round * 2);
      await worker.kill('SIGKILL'); // batches of 20 follow each other: this lands inside one
      await h.append(history(100 + appended++, 150));
    }
    const last = child('w-last');
    try {
      const live = await h.caughtUpDigest('read_models', 45_000);
      expect(await h.rebuildDigest('rebuild_f2')).toEqual(live);
      expect(live.customers).toBe(CUSTOMERS.length);
    } finally {
      await last.kill('SIGTERM');
    }
  });

  it('F4: a zombie frozen past its lease resumes, and its late write is refused', async () => {
    await h.append(history(2, 300));
    const zombie = child('zombie');
    const heir = { worker: undefined as ProjectorChild | undefined };
    try {
      await h.caughtUpDigest();
      zombie.send('hold');
      await h.append(history(3, 100));
      await zombie.waitFor('holding');
      zombie.process.kill('SIGSTOP'); // frozen with a batch in hand, before its transaction
      heir.worker = child('heir');
      await expectEventually(
        () => expect(heir.worker?.lines.some((l) => l.kind === 'committed' && l.partitions === 16)).toBe(true),
        { timeoutMs: 30_000 },
      );
      await h.append(history(4, 100));
      const live = await h.caughtUpDigest();
      const rowsBefore = (await h.db.pool.query('SELECT customer_id, last_revision, state, tier, region, relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at::text FROM read_models.customer_360 ORDER BY 1')).rows;
      zombie.process.kill('SIGCONT');
      zombie.send('go');
      await zombie.waitFor('fenced');
      const committedBeforeFreeze = zombie.count('committed');
      // The refused batch changed nothing: the rows are still the heir's, equal to a rebuild.
      const rowsAfter = (await h.db.pool.query('SELECT customer_id, last_revision, state, tier, region, relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at::text FROM read_models.customer_360 ORDER BY 1')).rows;
      expect(rowsAfter).toEqual(rowsBefore);
      expect(await h.caughtUpDigest()).toEqual(live);
      expect(zombie.count('committed')).toBe(committedBeforeFreeze); // the held batch never committed
      expect(await h.rebuildDigest('rebuild_f4')).toEqual(live);
    } finally {
      await zombie.kill('SIGKILL');
      await heir.worker?.kill('SIGKILL');
    }
  });

  it('scale-out: two workers share the partitions, one is killed mid-run, the other takes over — equals the rebuild', async () => {
    await h.append(history(5, 200));
    const a = child('a');
    const b = child('b');
    try {
      // Both end up with a fair share (8 + 8 of 16) while events flow.
      const writing = h.append(history(6, 1200));
      await expectEventually(
        () => {
          expect(a.lines.some((l) => l.kind === 'committed' && l.partitions === 8)).toBe(true);
          expect(b.lines.some((l) => l.kind === 'committed' && l.partitions === 8)).toBe(true);
        },
        { timeoutMs: 30_000 },
      );
      await b.kill('SIGKILL');
      await writing;
      // Events after the kill, in every partition: the survivor must apply them for all 16 (had
      // b caught up before it died, the takeover alone would leave nothing to commit).
      await h.append(history(7, 200));
      await expectEventually(() => expect(a.lines.some((l) => l.kind === 'committed' && l.partitions === 16)).toBe(true), {
        timeoutMs: 30_000,
      });
      const live = await h.caughtUpDigest('read_models', 45_000);
      expect(await h.rebuildDigest('rebuild_scale')).toEqual(live);
    } finally {
      await a.kill('SIGKILL');
      await b.kill('SIGKILL');
    }
  });
});
