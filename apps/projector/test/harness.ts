import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { migratePostgresEventStore, PostgresEventStore } from '@c360/event-store';
import { appendHistory, type HistoryAppend } from '@c360/projections/testing';
import { readModelDigest, TypeOrmDerivedStore, type ReadModelDigest } from '@c360/read-models';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import { parseDerivedConfig, type DerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { parseProjectorConfig, type ProjectorConfig } from '../src/projector-config';

const ROOT = resolve(__dirname, '../../..');

/**
 * The clock-driven sweeps (churn inactivity, time-windowed segments) are off in the harness's
 * projectors and children unless a test turns them on: these tests compare a live schema with a
 * rebuild digested moments later, and a sweep run in one of them only (the first comes a
 * minute after start, so only on a slow run) would differ by what the clock, not the events,
 * caused. The sweeps have their own tests (segment-sweeper, derived-trace, churn sweep).
 */
const SWEEPS_OFF = '0';

export interface Harness {
  readonly db: TestDatabase;
  readonly eventStore: PostgresEventStore;
  config(overrides?: Partial<ProjectorConfig>): ProjectorConfig;
  /** Derived-view settings for a test's projectors: the defaults with the clock sweeps off (SWEEPS_OFF). */
  readonly derived: DerivedConfig;
  /** Appends (one event per append) and remembers the last position for the catch-up checks. */
  append(appends: readonly HistoryAppend[]): Promise<void>;
  /** The position of the last event appended through `append`. */
  lastAppended(): bigint;
  /** Rebuilds customer-360 from scratch into `schema` (one in-process worker) and digests it. */
  rebuildDigest(schema: string): Promise<ReadModelDigest>;
  /** Digest of a live schema, once every partition's checkpoint has reached the head. */
  caughtUpDigest(schema?: string, timeoutMs?: number): Promise<ReadModelDigest>;
  /**
   * A single-mode projector started on `read_models` and caught up with what was appended, and
   * the derived store on its data source (tests that drive the sweepers by hand). Stop it.
   */
  startCaughtUp(overrides: Partial<ProjectorConfig>, derived?: DerivedConfig): Promise<{ projector: Projector; store: TypeOrmDerivedStore }>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const db = await createTestDatabase({ prefix: 'c360_projector' });
  await migratePostgresEventStore(db.pool);
  const eventStore = new PostgresEventStore(db.pool, { pollIntervalMs: 20 });
  let lastAppended = 0n;
  const derived = parseDerivedConfig({ CHURN_SWEEP_INTERVAL_MS: SWEEPS_OFF });
  const config = (overrides: Partial<ProjectorConfig> = {}): ProjectorConfig => ({
    ...parseProjectorConfig({ DATABASE_URL: db.url, PROJECTOR_WORKER_ID: 'test', PROJECTOR_PARTITIONS: '16' }),
    ...overrides,
  });
  // The store's head stops at the server-wide xmin horizon, which other sessions on a shared
  // server hold back: wait for the last appended position instead (the horizon passes it later).
  const waitCaughtUp = async (schema: string, timeoutMs: number): Promise<void> => {
    const visible = await eventStore.headPosition();
    const head = (visible > lastAppended ? visible : lastAppended).toString();
    await expectEventually(
      async () => {
        // Rows must exist too: before the projector has registered (or migrated), nothing is "behind".
        const rows = (await db.pool.query<{ behind: number; total: number }>(
          `SELECT count(*) FILTER (WHERE position < $1::numeric)::int AS behind, count(*)::int AS total
             FROM ${schema}.projection_checkpoints`,
          [head],
        ).catch(() => ({ rows: [{ behind: -1, total: 0 }] }))).rows;
        expect(rows[0]?.total).toBeGreaterThan(0);
        expect(rows[0]?.behind).toBe(0);
      },
      { timeoutMs, intervalMs: 100 },
    );
  };
  return {
    db,
    eventStore,
    config,
    derived,
    lastAppended: () => lastAppended,
    async append(appends) {
      const last = await appendHistory(eventStore, appends);
      if (last > lastAppended) lastAppended = last;
    },
    async rebuildDigest(schema) {
      const projector = new Projector({
        config: config({ readModelSchema: schema, mode: 'single', workerId: `rebuild-${schema}` }),
        derived,
      });
      await projector.start();
      try {
        await waitCaughtUp(schema, 60_000);
        return await readModelDigest(projector.dataSource, schema);
      } finally {
        await projector.stop();
      }
    },
    async caughtUpDigest(schema = 'read_models', timeoutMs = 30_000) {
      await waitCaughtUp(schema, timeoutMs);
      const projector = new Projector({ config: config({ readModelSchema: schema }) });
      await projector.dataSource.initialize();
      try {
        return await readModelDigest(projector.dataSource, schema);
      } finally {
        await projector.dataSource.destroy();
      }
    },
    async startCaughtUp(overrides, derivedConfig = derived) {
      const projector = new Projector({ config: config({ mode: 'single', ...overrides }), derived: derivedConfig });
      await projector.start();
      await waitCaughtUp('read_models', 30_000);
      return { projector, store: new TypeOrmDerivedStore(projector.dataSource) };
    },
    async close() {
      await eventStore.close();
      await db.drop();
    },
  };
}

/** A line the child prints: a runner event, or its status. */
export type ChildLine = { readonly kind: string; readonly [key: string]: unknown };

/** A projector in a child process (fault tests: SIGKILL, SIGSTOP/SIGCONT). */
export class ProjectorChild {
  readonly lines: ChildLine[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.process = spawn(process.execPath, ['-r', resolve(ROOT, 'scripts/register.cjs'), resolve(__dirname, 'projector-child.ts')], {
      cwd: ROOT,
      env: { ...process.env, CHURN_SWEEP_INTERVAL_MS: SWEEPS_OFF, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = new Promise((r) => this.process.once('exit', (code) => r(code)));
    const stdout = this.process.stdout;
    if (stdout)
      createInterface({ input: stdout }).on('line', (line) => {
        try {
          this.lines.push(JSON.parse(line) as ChildLine);
        } catch {
          // not ours (a library's log line)
        }
      });
  }

  count(kind: string): number {
    return this.lines.filter((l) => l.kind === kind).length;
  }

  send(command: string): void {
    this.process.stdin?.write(`${command}\n`);
  }

  async waitFor(kind: string, atLeast = 1, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => expect(this.count(kind)).toBeGreaterThanOrEqual(atLeast), { timeoutMs, intervalMs: 20 });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    await this.exited;
  }
}
