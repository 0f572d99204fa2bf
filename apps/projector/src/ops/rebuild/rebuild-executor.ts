import { withPooledClient, type EventStore } from '@c360/event-store';
import { allPartitions, ProjectionRunner, StaticPartitionAssigner, type BulkCatchUpOptions, type ProjectionDefinition } from '@c360/projections';
import {
  copyReferenceTables,
  createReadModelDataSource,
  diffReadModels,
  dropSchema,
  lowestCheckpoint,
  migrateReadModels,
  partitionCountOf,
  partitionsBehind,
  projectionTableSet,
  readCheckpoints,
  refoldCustomers,
  swapShadowIn,
  TypeOrmProjectionStore,
  type Checkpoints,
  type ReadModelRepositories,
  type ShadowPlan,
} from '@c360/read-models';
import type { Pool } from 'pg';
import type { EventStoreStats } from '../event-store-stats';
import { OpsError, OpsErrorCode } from '../ops.errors';
import type { RebuildJob } from './rebuild-job';
import type { RebuildJobsRepository } from './rebuild-jobs.repository';
import { ProgressMeter } from './progress-meter';

export interface RebuildExecutorOptions {
  readonly databaseUrl: string;
  /** Ops connections (jobs, checkpoints, the swap); at least 4. */
  readonly pool: Pool;
  readonly readModelSchema: string;
  readonly eventStore: EventStore;
  readonly stats: EventStoreStats;
  readonly jobs: RebuildJobsRepository;
  readonly definitions: readonly ProjectionDefinition<ReadModelRepositories>[];
  /** Partition count when the projection never ran live. */
  readonly defaultPartitions: number;
  readonly batch: { readonly maxSize: number; readonly maxLatencyMs: number };
  /** Bulk catch-up of the shadow (stream by stream; the projector's settings). Default: off. */
  readonly bulk?: BulkCatchUpOptions;
  /** How often progress is written and cancellation looked for. Default 250 ms. */
  readonly tickMs?: number;
  readonly swapLockTimeoutMs?: number;
}

export interface RunOptions {
  readonly onProgress?: (job: RebuildJob) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const lockKey = (projection: string): string => `c360_rebuild:${projection}`;

/**
 * Runs one rebuild job to its end (docs/adr/003-blue-green-projection-rebuilds.md). The
 * executing process holds a session advisory lock on the projection for the whole run, so
 * exactly one process executes a job; a process killed mid-run loses the lock with its
 * connection and any process can resume the job — from the shadow's checkpoints, which commit
 * with the shadow's rows, never from zero.
 */
export class RebuildExecutor {
  constructor(private readonly options: RebuildExecutorOptions) {}

  definition(projection: string): ProjectionDefinition<ReadModelRepositories> {
    const d = this.options.definitions.find((x) => x.name === projection);
    if (!d) throw new OpsError(OpsErrorCode.UnknownProjection, `unknown projection ${projection}; known: ${this.options.definitions.map((x) => x.name).join(', ')}`);
    return d;
  }

  /** True when no process executes a rebuild of the projection right now. */
  async isIdle(projection: string): Promise<boolean> {
    return withPooledClient(this.options.pool, async (client) => {
      const r = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [lockKey(projection)]);
      if (r.rows[0]?.ok === true) await client.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockKey(projection)]);
      return r.rows[0]?.ok === true;
    });
  }

  async run(jobId: string, runOptions: RunOptions = {}): Promise<RebuildJob> {
    const { pool, jobs } = this.options;
    const initial = await jobs.get(jobId);
    if (!initial) throw new OpsError(OpsErrorCode.JobNotFound, `no rebuild job ${jobId}`);
    await withPooledClient(pool, async (lock) => {
      const got = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [lockKey(initial.projection)]);
      if (got.rows[0]?.ok !== true)
        throw new OpsError(OpsErrorCode.RebuildInProgress, `job ${jobId} (${initial.projection}) is being run by another process`, { jobId });
      try {
        await this.execute(jobId, runOptions);
      } catch (e) {
        if (e instanceof OpsError) throw e;
        await jobs.finish(jobId, 'failed', { error: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
        throw e;
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext($1))`, [lockKey(initial.projection)]).catch(() => undefined);
      }
    });
    const done = await jobs.get(jobId);
    if (!done) throw new OpsError(OpsErrorCode.JobNotFound, `no rebuild job ${jobId}`);
    return done;
  }

  private plan(job: RebuildJob): ShadowPlan {
    const tables = projectionTableSet(job.projection);
    if (!tables) throw new OpsError(OpsErrorCode.UnknownProjection, `no table set for projection ${job.projection}`);
    return { projection: job.projection, live: this.options.readModelSchema, shadow: job.shadowSchema, retired: job.retiredSchema, tables };
  }

  private async execute(jobId: string, runOptions: RunOptions): Promise<void> {
    const { jobs } = this.options;
    let job = await jobs.get(jobId);
    if (!job) return;
    switch (job.state) {
      case 'done':
      case 'cancelled':
      case 'failed':
        return;
      case 'cancelling':
        return this.cancelled(job);
      case 'swapped':
        return this.cleanUpAfterSwap(job);
      case 'pending':
      case 'building':
      case 'swapping':
        break;
    }
    if (job.kind === 'customers') return this.refoldScoped(job);
    if (job.state === 'pending') {
      await this.prepareShadow(job);
      job = (await jobs.get(jobId)) ?? job;
    }
    await this.buildAndSwap(job, runOptions);
  }

  private async cancelled(job: RebuildJob): Promise<void> {
    await dropSchema(this.options.pool, job.shadowSchema);
    await this.options.jobs.finish(job.id, 'cancelled');
  }

  private async cleanUpAfterSwap(job: RebuildJob): Promise<void> {
    await dropSchema(this.options.pool, job.retiredSchema);
    await dropSchema(this.options.pool, job.shadowSchema);
    await this.options.jobs.finish(job.id, 'done', { result: { swapped: true } });
  }

  private async refoldScoped(job: RebuildJob): Promise<void> {
    const { jobs, databaseUrl, readModelSchema, eventStore } = this.options;
    await jobs.setState(job.id, 'building');
    await jobs.beginAttempt(job.id, null);
    const ds = createReadModelDataSource({ url: databaseUrl, schema: readModelSchema, poolMax: 2, applicationName: 'c360-rebuild-scoped' });
    await ds.initialize();
    try {
      const customers = await refoldCustomers(ds, {
        schema: readModelSchema,
        definition: this.definition(job.projection),
        tables: this.plan(job).tables,
        customers: job.customers,
        streams: { readStream: (id) => eventStore.readStream(id) },
        dryRun: job.dryRun,
      });
      const events = customers.reduce((n, c) => n + c.events, 0);
      await jobs.progress(job.id, { progress: events, total: events, rate: 0, etaSeconds: 0, applied: events });
      await jobs.finish(job.id, 'done', { result: { customers, dryRun: job.dryRun } });
    } finally {
      await ds.destroy();
    }
  }

  /** Creates the shadow schema (every read-model table, empty) and copies the reference data. */
  private async prepareShadow(job: RebuildJob): Promise<void> {
    const { pool, databaseUrl } = this.options;
    const plan = this.plan(job);
    // Both schemas: the live one may never have been migrated (a projection built before any projector ran).
    for (const schema of [this.options.readModelSchema, job.shadowSchema]) {
      const ds = createReadModelDataSource({ url: databaseUrl, schema, poolMax: 2, applicationName: 'c360-rebuild-prepare' });
      try {
        await migrateReadModels(ds);
      } finally {
        if (ds.isInitialized) await ds.destroy();
      }
    }
    await copyReferenceTables(pool, plan);
    await this.options.jobs.setState(job.id, 'building');
  }

  private async buildAndSwap(job: RebuildJob, runOptions: RunOptions): Promise<void> {
    const { pool, jobs, stats, databaseUrl } = this.options;
    const plan = this.plan(job);
    const definition = this.definition(job.projection);
    const partitions = (await partitionCountOf(pool, plan.live, job.projection)) ?? this.options.defaultPartitions;
    const ds = createReadModelDataSource({ url: databaseUrl, schema: job.shadowSchema, poolMax: 4, applicationName: `c360-rebuild-${job.id.slice(0, 8)}` });
    await migrateReadModels(ds); // idempotent; a resumed job finds its tables and checkpoints
    let applied = 0;
    const shadowStore = new TypeOrmProjectionStore(ds, { schema: job.shadowSchema });
    const runner = new ProjectionRunner<ReadModelRepositories>({
      definition,
      eventStore: this.options.eventStore,
      store: shadowStore,
      bulk: this.options.bulk,
      // Counts from the table (the port's probe would read, and decrypt, events to count them).
      lagProbe: {
        sample: async (after, eventTypes, cap) => ({
          head: await stats.latest(),
          events: await stats.count(eventTypes, after, undefined, cap + 1),
          oldestRecordedAt: await stats.oldestAfter(eventTypes, after),
        }),
      },
      assigner: new StaticPartitionAssigner(allPartitions(partitions)),
      workerId: `rebuild-${job.id.slice(0, 8)}`,
      partitionCount: partitions,
      batch: this.options.batch,
      idleCheckpointEveryMs: 100,
      lagIntervalMs: 3_600_000,
      hooks: {
        onEvent: (e) => {
          if (e.kind === 'committed') applied += e.events;
        },
      },
    });
    try {
      const resumeAt = lowestCheckpoint(await readCheckpoints(pool, plan.shadow, job.projection));
      // What an earlier attempt applied: up to its checkpoints, or, for a bulk pass (checkpoints
      // still at 0), the events of the streams it finished.
      const pass = resumeAt === 0n ? await shadowStore.loadBulkProgress(job.projection) : null;
      const base =
        resumeAt > 0n
          ? await stats.count(definition.eventTypes, 0n, resumeAt)
          : pass?.afterStream
            ? await stats.countThroughStream(definition.eventTypes, pass.upTo, pass.afterStream)
            : 0;
      await jobs.beginAttempt(job.id, base > 0 ? base : null);
      if (job.state === 'swapping') await jobs.setState(job.id, 'building'); // a swap that never committed
      await runner.start();
      const meter = new ProgressMeter();
      // Checkpoints at 0 while a bulk pass runs: what remains is everything not yet applied.
      const remainingAfter = async (low: bigint): Promise<number> =>
        low === 0n ? Math.max(0, (await stats.count(definition.eventTypes, 0n)) - (base + applied)) : stats.count(definition.eventTypes, low);
      let remaining = await remainingAfter(resumeAt);
      let countedAt = Date.now();
      for (;;) {
        await sleep(this.options.tickMs ?? 250);
        const current = await jobs.get(job.id);
        if (current?.state === 'cancelling') {
          await runner.stop();
          await ds.destroy();
          return this.cancelled(job);
        }
        const st = runner.status();
        if (st.state === 'failed') throw new Error(`shadow fold failed: ${st.lastError?.message ?? 'unknown error'}`);
        const shadow = await readCheckpoints(pool, plan.shadow, job.projection);
        const live = await readCheckpoints(pool, plan.live, job.projection);
        if (Date.now() - countedAt > 1_000) {
          remaining = await remainingAfter(lowestCheckpoint(shadow));
          countedAt = Date.now();
        }
        const progress = base + applied;
        meter.sample(progress);
        const total = Math.max(progress + remaining, progress);
        const rate = meter.ratePerSecond();
        await jobs.progress(job.id, { progress, total, rate, etaSeconds: rate > 0 ? Math.max(0, (total - progress) / rate) : null, applied });
        const now = await jobs.get(job.id);
        if (now) runOptions.onProgress?.(now);
        const headCaughtUp = live.size > 0 || (st.state === 'live' && lowestCheckpoint(shadow) >= (await stats.latest()));
        if (st.state === 'live' && partitionsBehind(shadow, live).length === 0 && headCaughtUp) break;
      }
      await jobs.setDiff(job.id, await diffReadModels(pool, plan));
      if (job.dryRun) {
        await runner.stop();
        await ds.destroy();
        await dropSchema(pool, plan.shadow);
        await jobs.finish(job.id, 'done', { result: { dryRun: true, swapped: false } });
        return;
      }
      await jobs.setState(job.id, 'swapping');
      await this.swap(job, plan, runner);
      await runner.stop();
      await ds.destroy();
      const final = await jobs.get(job.id);
      if (final) runOptions.onProgress?.(final);
      await this.cleanUpAfterSwap(job);
    } finally {
      await runner.stop().catch(() => undefined);
      if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    }
  }

  /** Tries the swap until it commits: the shadow must settle at or past the frozen live checkpoints. */
  private async swap(job: RebuildJob, plan: ShadowPlan, runner: ProjectionRunner<ReadModelRepositories>): Promise<void> {
    const { pool, jobs } = this.options;
    for (let attempt = 1; attempt <= 50; attempt++) {
      const settleShadow = async (live: Checkpoints, liveAhead: () => Promise<boolean>): Promise<Checkpoints | null> => {
        const deadline = Date.now() + 3_000;
        while (partitionsBehind(await readCheckpoints(pool, plan.shadow, job.projection), live).length > 0 || (await liveAhead())) {
          if (Date.now() > deadline) return null;
          await sleep(10);
        }
        await runner.pause(); // finishes the batch in flight; the shadow only moves forward
        return readCheckpoints(pool, plan.shadow, job.projection);
      };
      try {
        const outcome = await swapShadowIn(pool, plan, {
          lockTimeoutMs: this.options.swapLockTimeoutMs ?? 3_000,
          settleShadow,
          inTransaction: (client) => jobs.setState(job.id, 'swapped', client),
        });
        if (outcome.swapped) return;
      } catch (e) {
        // 55P03 lock_not_available (a long reader held the tables), 40P01 deadlock: try again
        const code = (e as { code?: unknown }).code;
        if (code !== '55P03' && code !== '40P01') throw e;
      }
      runner.resume();
      await sleep(Math.min(1_000, 50 * attempt));
    }
    throw new Error(`could not swap ${job.projection}: the shadow did not settle past the live copy in 50 attempts`);
  }
}
