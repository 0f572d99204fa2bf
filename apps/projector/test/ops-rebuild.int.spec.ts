import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually } from '@c360/testing';
import { createOps, OpsError, OpsErrorCode, type Ops } from '../src/ops/index';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { defaultProjection, Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const ROOT = resolve(__dirname, '../../..');
jest.setTimeout(300_000);

const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `R${String(i).padStart(4, '0')}`);
const history = (seed: number, ops: number) => historyFromOps(CUSTOMERS, seededOps(seed, ops, CUSTOMERS.length));

/** Runs the real CLI (`npx c360 …`) against the test database. */
function cli(args: string[], env: Record<string, string>): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: () => void; stdout: () => string } {
  const child = spawn(process.execPath, [resolve(ROOT, 'apps/cli/bin/c360.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.once('exit', (code) => r({ code, stdout, stderr })));
  return { done, kill: () => child.kill('SIGKILL'), stdout: () => stdout };
}

describe('operator rebuilds, status and verify (PostgreSQL)', () => {
  let h: Harness;
  let ops: Ops;
  let live: Projector | undefined;
  // KAFKA_BROKERS unset: these runs check the store ↔ read models half (ops-verify-kafka.int.spec.ts checks the Kafka half)
  const env = (): Record<string, string> => ({ DATABASE_URL: h.db.url, PROJECTOR_PARTITIONS: '16', PROJECTOR_BATCH_SIZE: '20', C360_NO_KAFKA: '1', KAFKA_BROKERS: '' });

  beforeEach(async () => {
    h = await createHarness();
    ops = await createOps({
      databaseUrl: h.db.url,
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [defaultProjection(parseDerivedConfig({}))],
      defaultPartitions: 16,
      batch: { maxSize: 200, maxLatencyMs: 5 },
    });
  });
  afterEach(async () => {
    await live?.stop();
    live = undefined;
    await ops.close();
    await h.close();
  });

  const startLive = async (): Promise<Projector> => {
    live = new Projector({ config: h.config({ workerId: 'live-1' }), derived: h.derived });
    await live.start();
    return live;
  };
  const schemas = async (prefix: string): Promise<string[]> =>
    (await h.db.pool.query<{ n: string }>(`SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE $1`, [`${prefix}%`])).rows.map((r) => r.n);

  it('F2/I6: a blue/green rebuild under live traffic — reads never see a missing or older row; after the swap live equals a from-scratch rebuild', async () => {
    await h.append(history(1, 1200));
    await startLive();
    await h.caughtUpDigest();
    let stop = false;
    let reads = 0;
    const violations: string[] = [];
    const seen = new Map<string, number>();
    // Live traffic: a paced writer (about 100 events/s: a generator's rate, not a wait for a result).
    const writer = (async () => {
      for (let seed = 50; !stop; seed++) {
        await h.append(history(seed, 5).filter((a) => a.event.type !== 'CustomerRegistered'));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const reader = (async () => {
      const client = h.db.createPool({ max: 1 });
      while (!stop) {
        const rows = (await client.query<{ id: string; rev: string }>(`SELECT customer_id AS id, last_revision::text AS rev FROM read_models.customer_360`)).rows;
        reads++;
        const now = new Map(rows.map((r) => [r.id, Number(r.rev)]));
        for (const [id, rev] of seen) {
          const current = now.get(id);
          if (current === undefined) violations.push(`read ${reads}: ${id} missing`);
          else if (current < rev) violations.push(`read ${reads}: ${id} went back from ${rev} to ${current}`);
        }
        for (const [id, rev] of now) seen.set(id, rev);
      }
    })();
    try {
      const { job } = await ops.rebuild.request('customer-360', { customers: [], dryRun: false, requestedBy: 'test' });
      const progress: number[] = [];
      const done = await ops.rebuild.run(job.id, { onProgress: (j) => progress.push(j.progress) });
      expect(done.state).toBe('done');
      expect(done.result?.swapped).toBe(true);
      expect(done.progress).toBeGreaterThan(1000);
      expect(progress.length).toBeGreaterThan(1); // progress was reported as it went
      expect(done.diff).not.toBeNull();
      // traffic continues after the swap: the live projector keeps working on the swapped-in tables
      const readsAtSwap = reads;
      await expectEventually(() => expect(reads).toBeGreaterThan(readsAtSwap + 5), { timeoutMs: 20_000 });
    } finally {
      stop = true;
      await Promise.all([writer, reader]);
    }
    expect(violations).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(seen.size).toBe(CUSTOMERS.length);
    await h.append(history(999, 50));
    const liveDigest = await h.caughtUpDigest('read_models', 45_000);
    expect(await h.rebuildDigest('fresh_after_swap')).toEqual(liveDigest);
    expect(await schemas('rebuild_customer_360')).toEqual([]);
    expect(await schemas('retired_customer_360')).toEqual([]);
    // status from the database: the live worker's snapshot and the checkpoints
    await expectEventually(async () => {
      const [status] = await ops.status.list();
      expect(status).toMatchObject({ name: 'customer-360', state: 'live', workers: 1, partitions: 16, rebuild: null });
      expect(status?.lag.events).toBe(0);
    }, { timeoutMs: 20_000 });
  });

  it('F2: kill -9 of the rebuilding CLI half-way; run again, it resumes from the shadow checkpoint (not from zero) and swaps', async () => {
    await h.append(history(2, 3000));
    await startLive();
    await h.caughtUpDigest('read_models', 60_000);
    const first = cli(['projections', 'rebuild', 'customer-360', '--json'], env());
    let total = 0;
    await expectEventually(
      async () => {
        const r = await h.db.pool.query<{ progress: string; total: string; state: string }>(`SELECT progress::text, total::text, state FROM c360_ops.rebuild_jobs`).catch(() => ({ rows: [] }));
        const row = r.rows[0];
        expect(row?.state).toBe('building');
        total = Number(row?.total ?? 0);
        expect(Number(row?.progress ?? 0)).toBeGreaterThan(total * 0.25);
      },
      { timeoutMs: 90_000, intervalMs: 20 },
    );
    first.kill();
    const killed = await first.done;
    expect(killed.code).toBeNull(); // SIGKILL
    const [before] = (await h.db.pool.query<{ state: string; progress: string }>(`SELECT state, progress::text AS progress FROM c360_ops.rebuild_jobs`)).rows;
    expect(before?.state).toBe('building');
    expect(Number(before?.progress)).toBeLessThan(total); // really half-way
    await h.append(history(3, 100));
    const second = cli(['projections', 'rebuild', 'customer-360', '--json'], env());
    const result = await second.done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/resuming job/);
    const last = result.stdout.trim().split('\n').map((l) => JSON.parse(l.startsWith('{') ? l : '{}') as { kind?: string; job?: { state: string; attempts: number; resumedFrom: number | null; appliedLastAttempt: number; progress: number } }).filter((l) => l.kind === 'job').pop();
    expect(last?.job).toMatchObject({ state: 'done', attempts: 2 });
    expect(last?.job?.resumedFrom).toBeGreaterThan(total * 0.2);
    expect(last?.job?.appliedLastAttempt).toBeLessThan((last?.job?.progress ?? 0) - total * 0.2); // did not fold from zero again
    const liveDigest = await h.caughtUpDigest('read_models', 45_000);
    expect(await h.rebuildDigest('fresh_after_resume')).toEqual(liveDigest);
  });

  it('cancel drops the shadow and leaves live untouched; only one rebuild per projection at a time', async () => {
    await h.append(history(4, 2500));
    await startLive();
    const before = await h.caughtUpDigest('read_models', 60_000);
    await live?.stop();
    live = undefined;
    const slow = await createOps({
      databaseUrl: h.db.url,
      readModelSchema: 'read_models',
      eventStoreSchema: 'event_store',
      definitions: [defaultProjection(parseDerivedConfig({}))],
      defaultPartitions: 16,
      batch: { maxSize: 2, maxLatencyMs: 0 },
    });
    try {
      const { job } = await slow.rebuild.request('customer-360', { customers: [], dryRun: false, requestedBy: 'test' });
      const running = slow.rebuild.run(job.id);
      await expectEventually(async () => expect((await ops.rebuild.get(job.id)).progress).toBeGreaterThan(10), { timeoutMs: 30_000, intervalMs: 20 });
      const second = ops.rebuild.request('customer-360', { customers: [], dryRun: false, requestedBy: 'other' });
      await expect(second).rejects.toBeInstanceOf(OpsError);
      await expect(second).rejects.toMatchObject({ code: OpsErrorCode.RebuildInProgress });
      // the table itself refuses a second active job (unique partial index)
      await expect(h.db.pool.query(`INSERT INTO c360_ops.rebuild_jobs (projection, kind, state, shadow_schema, retired_schema) VALUES ('customer-360', 'full', 'pending', 'x', 'y')`)).rejects.toThrow(/rebuild_jobs_one_active/);
      const cancelled = await ops.rebuild.cancel('customer-360');
      expect(cancelled.state).toBe('cancelled');
      expect((await running).state).toBe('cancelled');
      expect(cancelled.progress).toBeLessThan(2400);
    } finally {
      await slow.close();
    }
    expect(await schemas('rebuild_customer_360')).toEqual([]);
    expect(await h.caughtUpDigest()).toEqual(before);
    // a new rebuild is accepted once the last one is cancelled
    const { job } = await ops.rebuild.request('customer-360', { customers: [], dryRun: true, requestedBy: 'test' });
    const dry = await ops.rebuild.run(job.id);
    expect(dry).toMatchObject({ state: 'done', result: { dryRun: true, swapped: false } });
    expect(dry.diff?.differingCustomers).toBe(0);
    expect(await h.caughtUpDigest()).toEqual(before);
  });

  it('verify passes on a healthy system and names the customer whose row was tampered with or who misses a stored event; a scoped rebuild repairs them', async () => {
    await h.append(history(5, 600));
    await startLive();
    await h.caughtUpDigest();
    const healthy = await ops.verify.readModels({ deep: 'all' });
    expect(healthy.flatMap((r) => r.findings)).toEqual([]);
    expect(healthy[0]?.checkedCustomers).toBe(CUSTOMERS.length);
    await live?.stop();
    live = undefined;
    // tampering: a column changed behind the projection's back
    await h.db.pool.query(`UPDATE read_models.customer_360 SET tier = 'top', relationship_value_minor = 1 WHERE customer_id = 'R0003'`);
    // a stored event the projection never applied: appended, then the checkpoints moved past it
    await h.append(historyFromOps(['R0007'], seededOps(77, 6, 1)).filter((a) => !['CustomerRegistered', 'CustomersMerged', 'CustomersUnmerged'].includes(a.event.type)).slice(0, 2));
    await h.db.pool.query(`UPDATE read_models.projection_checkpoints SET position = $1::numeric`, [(await ops.stats.latest()).toString()]);
    const report = await ops.verify.readModels({ deep: 'all' });
    const named = report.flatMap((r) => r.findings).map((f) => `${f.customerId}:${f.problem}`);
    expect(named).toEqual(expect.arrayContaining(['R0003:row-differs']));
    expect(named.some((n) => n.startsWith('R0007:behind') || n.startsWith('R0007:count-mismatch'))).toBe(true);
    // the CLI says the same and exits 1
    const run = await cli(['verify', '--deep', 'all'], env()).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/DISAGREES customer-360 customer R0003: row-differs/);
    expect(run.stdout).toMatch(/DISAGREES customer-360 customer R0007/);
    // a scoped rebuild (dry run first) repairs exactly those customers in place
    const { job: dry } = await ops.rebuild.request('customer-360', { customers: ['R0003', 'R0007'], dryRun: true, requestedBy: 'test' });
    const preview = await ops.rebuild.run(dry.id);
    expect(preview.result?.customers?.map((c) => c.customerId)).toEqual(['R0003', 'R0007']);
    expect(preview.result?.customers?.[0]?.changedColumns).toEqual(expect.arrayContaining(['tier', 'relationship_value_minor']));
    expect((await ops.verify.readModels({ deep: 0 })).flatMap((r) => r.findings).length).toBeGreaterThan(0); // dry run changed nothing
    const { job: fix } = await ops.rebuild.request('customer-360', { customers: ['R0003', 'R0007'], dryRun: false, requestedBy: 'test' });
    expect((await ops.rebuild.run(fix.id)).state).toBe('done');
    expect((await ops.verify.readModels({ deep: 'all' })).flatMap((r) => r.findings)).toEqual([]);
    const ok = await cli(['verify'], env()).done;
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/verify: OK/);
  });

  it('CLI: argument errors exit 2 with the fix; status prints the table from the database', async () => {
    const cases: Array<[string[], string]> = [
      [['projections', 'rebuild', 'customer-360', '--cancel', '--dry-run'], '--cancel takes no other option'],
      [['projections', 'rebuild', 'customer-360', '--customers', 'A,,B'], '--customers needs a comma-separated list'],
      [['projections', 'rebuild', 'no-such-projection'], 'unknown projection no-such-projection; known: customer-360'],
      [['verify', '--deep', 'lots'], '--deep must be "all" or a number'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, env()).done;
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(message);
    }
    const noDb = await cli(['projections', 'status'], { DATABASE_URL: '' }).done;
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('DATABASE_URL is not set');
    await h.append(history(6, 100));
    await startLive();
    await h.caughtUpDigest();
    await expectEventually(async () => {
      const r = await cli(['projections', 'status'], env()).done;
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^PROJECTION\s+STATE\s+WORKERS\s+POSITION\s+LAG EVENTS\s+LAG S\s+RATE\/S\s+REBUILD\s+LAST ERROR/);
      expect(r.stdout).toMatch(/customer-360\s+live\s+1\s+\d+\s+0\s/);
    }, { timeoutMs: 60_000, intervalMs: 500 });
  });
});
