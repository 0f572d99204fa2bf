import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { expectEventually } from '@c360/testing';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const ROOT = resolve(__dirname, '../../..');
jest.setTimeout(480_000);

const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `O${String(i).padStart(4, '0')}`);
const history = (seed: number, ops: number) => historyFromOps(CUSTOMERS, seededOps(seed, ops, CUSTOMERS.length));

interface JobRow {
  id: string;
  state: string;
  progress: string;
  total: string;
  attempts: number;
  resumed_from: string | null;
  applied_last_attempt: string;
}

/**
 * F2 without an operator: the process running a rebuild is killed (-9) half-way and never comes
 * back; the next process that mounts the ops module (the platform does) takes the orphaned job
 * over at start — from the shadow's saved checkpoints, not from zero — and swaps it in (I6).
 */
describe('orphaned rebuilds are resumed by the next process that starts (PostgreSQL)', () => {
  let h: Harness;
  let live: Projector | undefined;
  const children: Array<{ kill: (s: NodeJS.Signals) => void; exited: Promise<unknown> }> = [];

  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await c.exited;
    }
    await live?.stop();
    live = undefined;
    await h.close();
  });

  const start = (
    args: string[],
    extraEnv: Record<string, string> = {},
  ): { lines: Array<Record<string, unknown>>; kill: (s: NodeJS.Signals) => void; exited: Promise<number | null> } => {
    const child = spawn(process.execPath, ['-r', resolve(ROOT, 'scripts/register.cjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: h.db.url, PROJECTOR_PARTITIONS: '16', PROJECTOR_BATCH_SIZE: '20', KAFKA_BROKERS: '', LOG_LEVEL: 'silent', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        lines.push({ text: l });
      }
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const handle = { lines, kill: (s: NodeJS.Signals) => void child.kill(s), exited };
    children.push(handle);
    return handle;
  };
  const job = async (): Promise<JobRow | undefined> =>
    (
      await h.db.pool
        .query<JobRow>(`SELECT id::text AS id, state, progress::text AS progress, total::text AS total, attempts, resumed_from::text AS resumed_from, applied_last_attempt::text AS applied_last_attempt FROM c360_ops.rebuild_jobs`)
        .catch(() => ({ rows: [] as JobRow[] }))
    ).rows[0];

  it.each([
    ['in global order (bulk catch-up off)', { PROJECTOR_BULK_MIN_EVENTS: '0' }],
    ['in bulk, stream by stream (its progress row resumed)', { PROJECTOR_BULK_MIN_EVENTS: '1', PROJECTOR_BULK_CHUNK_EVENTS: '30' }],
  ])('F2/I6: kill -9 of the rebuilding process half-way (%s); a new process takes the job over at start, resumes from the saved progress and swaps; live equals a from-scratch rebuild', async (_mode, bulkEnv) => {
    await h.append(history(21, 3000));
    live = new Projector({ config: h.config({ workerId: 'live-1' }), derived: h.derived });
    await live.start();
    await h.caughtUpDigest('read_models', 60_000);

    const first = start([resolve(ROOT, 'apps/cli/src/main.ts'), 'projections', 'rebuild', 'customer-360', '--json'], bulkEnv);
    let total = 0;
    await expectEventually(
      async () => {
        const row = await job();
        expect(row?.state).toBe('building');
        total = Number(row?.total ?? 0);
        expect(Number(row?.progress ?? 0)).toBeGreaterThan(total * 0.25);
        if (bulkEnv.PROJECTOR_BULK_MIN_EVENTS === '1') {
          // The job's progress is written every 250 ms: it can lag a bulk pass that has already
          // finished (and deleted its progress row). Kill only while the pass is still running.
          const schema = (await h.db.pool.query<{ s: string }>(`SELECT shadow_schema AS s FROM c360_ops.rebuild_jobs`)).rows[0]?.s ?? '';
          const open = await h.db.pool
            .query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.projection_bulk_progress WHERE after_stream IS NOT NULL`)
            .then((r) => r.rows[0]?.n ?? 0, () => 0);
          expect(open).toBe(1);
        }
      },
      { timeoutMs: 180_000, intervalMs: 20 },
    );
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const orphan = await job();
    expect(orphan?.state).toBe('building');
    expect(Number(orphan?.progress)).toBeLessThan(total); // really half-way
    // The shadow's checkpoints, or its bulk pass's progress row, say how far the dead process got.
    const shadow = (await h.db.pool.query<{ s: string }>(`SELECT shadow_schema AS s FROM c360_ops.rebuild_jobs`)).rows[0]?.s ?? '';
    const passes = (await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${shadow}.projection_bulk_progress WHERE after_stream IS NOT NULL`)).rows[0]?.n;
    expect(passes).toBe(bulkEnv.PROJECTOR_BULK_MIN_EVENTS === '1' ? 1 : 0);
    // Nobody asks again: the job stays as it was while no process runs it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await job())?.attempts).toBe(1);

    // Live traffic continues; then a new process starts (the platform would mount the same module).
    await h.append(history(22, 100));
    const second = start([resolve(ROOT, 'apps/projector/test/ops-resume-child.ts')], bulkEnv);
    await expectEventually(() => expect(second.lines).toContainEqual({ kind: 'resumed', jobId: orphan?.id }), { timeoutMs: 120_000, intervalMs: 100 });
    await expectEventually(async () => expect((await job())?.state).toBe('done'), { timeoutMs: 240_000, intervalMs: 200 });
    const done = await job();
    expect(done?.attempts).toBe(2);
    expect(Number(done?.resumed_from)).toBeGreaterThan(total * 0.2);
    expect(Number(done?.applied_last_attempt)).toBeLessThan(Number(done?.progress) - total * 0.2); // not from zero
    expect(second.lines.filter((l) => l['kind'] === 'error')).toEqual([]);
    const liveDigest = await h.caughtUpDigest('read_models', 60_000);
    expect(await h.rebuildDigest('fresh_after_orphan_resume')).toEqual(liveDigest);
    const leftovers = await h.db.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_customer_360%' OR nspname LIKE 'retired_customer_360%'`);
    expect(leftovers.rows).toEqual([]);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
