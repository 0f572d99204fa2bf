/**
 * projections: customer-360 with its segment and churn views, over a skewed synthetic history
 * (default 1,000,000 events for 100,000 customers; the top 1% produce ~25% of events).
 *  - rebuild: a Projector (single mode, child process) from scratch over the whole history,
 *    events/s against a raw COPY of the same rows into a bare table (target 0.5);
 *  - live: the projector running while the same events are appended at full speed (bulk
 *    transactions of --live-chunk events), applied events/s against the same COPY (target 0.35);
 *  - peak RSS of the rebuilding projector (target ≤ 300 MB). With --events N only, the peak is
 *    printed against a bare child doing the same pg reads; with --compare 5000000 both sizes run
 *    and ratio = peak(1M)·1.25 / peak(5M) (target ≥ 1).
 * Options: --quick, --events N, --customers N, --live-events N, --compare N.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { migratePostgresEventStore } from '@c360/event-store';
import { createBenchDatabase, type BenchDatabase } from './bench-db';
import { appendFromBare, BARE_TABLE_COLUMNS, bareTableSql, writeHistoryCsv } from './bench-events';
import { note, report, timed, type Suite } from '../report';

const ROOT = path.resolve(__dirname, '..', '..');
/** Keep in step with the projector's command in docker-compose.yml. */
const PROJECTOR_NODE_FLAGS = ['--max-semi-space-size=16', '--max-old-space-size=160'];

interface ChildLine {
  readonly kind: string;
  readonly at?: number;
  readonly applied?: number;
  readonly seconds?: number;
  /** The projector process's CPU time (user + system) over the run. */
  readonly cpuSeconds?: number;
  readonly rssMb?: number;
  readonly message?: string;
}

/** Spawns the projector child; `onStarted` runs when it reports started. Resolves with its 'done' line. */
function runProjector(env: Record<string, string>, onStarted?: () => Promise<void>): Promise<ChildLine> {
  return new Promise((resolve, reject) => {
    // The projector's heap flags as deployed (docker-compose.yml's projector command), then
    // BENCH_CHILD_NODE_ARGS: extra node flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    const nodeArgs = [...PROJECTOR_NODE_FLAGS, ...(process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')];
    const child = spawn(process.execPath, [...nodeArgs, '-r', path.join(ROOT, 'scripts', 'register.cjs'), path.join(__dirname, 'projections-child.ts')], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let done: ChildLine | undefined;
    let failure: Error | undefined;
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line: ChildLine;
      try {
        line = JSON.parse(text) as ChildLine;
      } catch {
        // A library's log line (or the output of a BENCH_CHILD_NODE_ARGS flag, such as --trace-gc).
        if (process.env['BENCH_CHILD_STDOUT']) process.stderr.write(`${text}\n`);
        return;
      }
      if (line.kind === 'started' && onStarted) onStarted().catch((e: unknown) => {
        failure = e instanceof Error ? e : new Error(String(e));
        child.kill('SIGKILL');
      });
      if (line.kind === 'done') done = line;
      if (line.kind === 'failed') failure = new Error(`projector child: ${line.message ?? '?'}`);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (failure) reject(failure);
      else if (done && code === 0) resolve(done);
      else reject(new Error(`projector child exited ${code} without finishing`));
    });
  });
}

function rawReaderRss(url: string, expected: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register.cjs'), path.join(__dirname, 'event-store-raw-reader.ts'), url, String(expected)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`raw reader exited ${code}`));
      resolve((JSON.parse(out.trim().split('\n').pop() ?? '{}') as { rssMb: number }).rssMb);
    });
  });
}

const argValue = (args: readonly string[], name: string): number | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a positive integer`);
  return n;
};

interface SizeResult {
  readonly copyRate: number;
  readonly rebuildRate: number;
  readonly peakRssMb: number;
  readonly rawRssMb: number;
  readonly liveRate?: number;
}

const projectorEnv = (db: BenchDatabase, store: string, readModels: string, expected: number): Record<string, string> => ({
  DATABASE_URL: db.url,
  PROJECTOR_MODE: 'single',
  PROJECTOR_WORKER_ID: `bench-${readModels}`,
  EVENT_STORE_SCHEMA: store,
  READ_MODEL_SCHEMA: readModels,
  BENCH_EXPECTED: String(expected),
});

async function runSize(events: number, customers: number, liveEvents: number, liveChunk: number): Promise<SizeResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'c360-bench-proj-'));
  const db = await createBenchDatabase('c360_bench_proj');
  try {
    const file = path.join(dir, 'history.csv');
    const gen = await timed(() => writeHistoryCsv(file, { events, customers }));
    note(`generated ${events} events for ${customers} customers in ${gen.seconds.toFixed(1)} s ` +
      `(${((await stat(file)).size / 1e6).toFixed(0)} MB CSV; top 1% of customers: ${(gen.result.heavyShare * 100).toFixed(1)}% of events)`);

    // Baseline: a raw COPY of the same events into a bare table.
    await db.pool.query(bareTableSql('bare'));
    const copy = await timed(async () => {
      const client = await db.pool.connect();
      try {
        await pipeline(createReadStream(file), client.query(copyFrom(`COPY bare (${BARE_TABLE_COLUMNS}) FROM STDIN WITH (FORMAT csv)`)));
      } finally {
        client.release();
      }
    });
    const copyRate = events / copy.seconds;
    note(`raw COPY: ${copyRate.toFixed(0)} events/s (${copy.seconds.toFixed(1)} s)`);
    await db.pool.query('CREATE INDEX ON bare (ord)');
    await db.pool.query('ANALYZE bare');

    // The event store, loaded from the bare table (the store's own schema, untimed).
    await migratePostgresEventStore(db.pool, 'event_store');
    const load = await timed(async () => {
      for (let from = 1; from <= events; from += 100_000) await appendFromBare(db.pool, 'bare', 'event_store', from, Math.min(events, from + 99_999));
    });
    note(`event store loaded in ${load.seconds.toFixed(1)} s`);
    await db.pool.query('VACUUM ANALYZE event_store.events');

    // (a) rebuild from scratch, (c) its peak RSS.
    const rebuild = await runProjector({ ...projectorEnv(db, 'event_store', 'read_models', events), BENCH_PROGRESS: process.env['BENCH_PROGRESS'] ?? '' });
    const rebuildRate = (rebuild.applied ?? 0) / (rebuild.seconds ?? 1);
    const peakRssMb = rebuild.rssMb ?? 0;
    note(`rebuild: ${rebuild.applied} events in ${(rebuild.seconds ?? 0).toFixed(1)} s = ${rebuildRate.toFixed(0)} events/s; peak RSS ${peakRssMb.toFixed(0)} MB; ` +
      `projector CPU ${(rebuild.cpuSeconds ?? 0).toFixed(1)} s = ${(((rebuild.cpuSeconds ?? 0) * 1e6) / Math.max(1, rebuild.applied ?? 0)).toFixed(0)} µs/event`);
    const rawRssMb = await rawReaderRss(db.url, events);
    note(`bare child reading the same ${events} events with pg-cursor: peak RSS ${rawRssMb.toFixed(0)} MB`);
    await db.pool.query('DROP SCHEMA read_models CASCADE');

    // (b) live: an empty store, the projector caught up on it, then events appended at full speed.
    let liveRate: number | undefined;
    if (liveEvents > 0) {
      await migratePostgresEventStore(db.pool, 'event_store_live');
      let loadStart = 0;
      let loadEnd = 0;
      const live = await runProjector(projectorEnv(db, 'event_store_live', 'read_models_live', liveEvents), async () => {
        loadStart = Date.now();
        for (let from = 1; from <= liveEvents; from += liveChunk)
          await appendFromBare(db.pool, 'bare', 'event_store_live', from, Math.min(liveEvents, from + liveChunk - 1));
        loadEnd = Date.now();
      });
      const seconds = ((live.at ?? 0) - loadStart) / 1000;
      liveRate = liveEvents / seconds;
      note(`live: appended ${liveEvents} events in transactions of ${liveChunk} at ${(liveEvents / ((loadEnd - loadStart) / 1000)).toFixed(0)} events/s; ` +
        `projector applied them all ${((live.at ?? 0) - loadEnd) / 1000} s after the last append = ${liveRate.toFixed(0)} events/s; ` +
        `projector CPU ${(((live.cpuSeconds ?? 0) * 1e6) / Math.max(1, live.applied ?? 0)).toFixed(0)} µs/event`);
    }
    return { copyRate, rebuildRate, peakRssMb, rawRssMb, liveRate };
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const projectionsSuite: Suite = {
  async run(args) {
    const quick = args.includes('--quick');
    const events = argValue(args, '--events') ?? (quick ? 3_000 : 1_000_000);
    const customers = argValue(args, '--customers') ?? Math.max(1, Math.round(events / 10));
    const liveEvents = Math.min(events, argValue(args, '--live-events') ?? events);
    const liveChunk = argValue(args, '--live-chunk') ?? 1_000;
    const compare = argValue(args, '--compare');

    const r = await runSize(events, customers, liveEvents, liveChunk);
    report({ bench: 'projections.rebuild', value: r.rebuildRate, unit: 'events/s', baseline: r.copyRate, ratio: r.rebuildRate / r.copyRate, target: 0.5 });
    if (r.liveRate !== undefined)
      report({ bench: 'projections.live', value: r.liveRate, unit: 'events/s', baseline: r.copyRate, ratio: r.liveRate / r.copyRate, target: 0.35 });
    if (compare === undefined) {
      report({ bench: 'projections.peak-rss', value: r.peakRssMb, unit: 'MB', baseline: r.rawRssMb, ratio: r.rawRssMb / r.peakRssMb, target: 300 });
      note(`peak-rss: value is the projector's peak over ${events} events (target ≤ 300 MB); baseline a bare pg-cursor reader of the same events`);
      return;
    }
    // The long history: rebuild only (no live phase), same customers.
    const big = await runSize(compare, customers, 0, liveChunk);
    report({ bench: 'projections.peak-rss', value: r.peakRssMb, unit: 'MB', baseline: r.rawRssMb, ratio: r.rawRssMb / r.peakRssMb, target: 300 });
    report({ bench: 'projections.peak-rss-growth', value: big.peakRssMb, unit: 'MB', baseline: r.peakRssMb,
      ratio: (r.peakRssMb * 1.25) / big.peakRssMb, target: 1 });
    note(`peak-rss-growth: ${compare}-event peak against 1.25 × the ${events}-event peak (ratio ≥ 1 passes)`);
  },
};
