import { OpsError, OpsErrorCode } from '../ops.errors';
import { TERMINAL_STATES, type RebuildJob } from './rebuild-job';
import type { RebuildExecutor, RunOptions } from './rebuild-executor';
import type { RebuildJobsRepository } from './rebuild-jobs.repository';

export interface RebuildRequest {
  /** Empty: the whole projection, blue/green. Otherwise refold only these customers in place. */
  readonly customers: readonly string[];
  /** Build (or refold) and report the difference, change nothing. */
  readonly dryRun: boolean;
  readonly requestedBy: string;
}

/** Rebuild use cases; HTTP and the CLI call these (one call each). */
export class RebuildService {
  private readonly background = new Set<Promise<unknown>>();
  private readonly runningHere = new Set<string>();
  private resumer: NodeJS.Timeout | undefined;
  private firstTick: Promise<void> | undefined;

  constructor(
    private readonly jobs: RebuildJobsRepository,
    private readonly executor: RebuildExecutor,
  ) {}

  /**
   * A new job, or the projection's unfinished job if no process runs it any more (a crashed
   * rebuild: the caller resumes it). Refused while another process runs one.
   */
  async request(projection: string, request: RebuildRequest): Promise<{ readonly job: RebuildJob; readonly resumed: boolean }> {
    this.executor.definition(projection);
    const active = await this.jobs.active(projection);
    if (active) {
      if (await this.executor.isIdle(projection)) return { job: active, resumed: true };
      throw new OpsError(OpsErrorCode.RebuildInProgress, `a rebuild of ${projection} is already running (job ${active.id}); wait for it or cancel it`, {
        jobId: active.id,
      });
    }
    return { job: await this.jobs.create({ projection, ...request }), resumed: false };
  }

  /** Runs the job in this process until it ends (the CLI's foreground rebuild). */
  run(jobId: string, options: RunOptions = {}): Promise<RebuildJob> {
    return this.executor.run(jobId, options);
  }

  /** Runs the job in the background (HTTP: the job is returned at once, progress is polled). */
  runInBackground(jobId: string, onError: (e: unknown) => void): void {
    this.runningHere.add(jobId);
    const running: Promise<unknown> = this.executor
      .run(jobId)
      .catch(onError)
      .finally(() => {
        this.background.delete(running);
        this.runningHere.delete(jobId);
      });
    this.background.add(running);
  }

  async get(jobId: string): Promise<RebuildJob> {
    const job = await this.jobs.get(jobId);
    if (!job) throw new OpsError(OpsErrorCode.JobNotFound, `no rebuild job ${jobId}`);
    return job;
  }

  /**
   * Cancels the projection's active rebuild: the running process stops and drops the shadow;
   * if none runs it (crashed), this process cleans up. Too late once the swap has begun.
   */
  async cancel(projection: string, timeoutMs = 60_000): Promise<RebuildJob> {
    this.executor.definition(projection);
    const active = await this.jobs.active(projection);
    if (!active) throw new OpsError(OpsErrorCode.NothingToCancel, `no rebuild of ${projection} is running`);
    if (!(await this.jobs.requestCancel(active.id)))
      throw new OpsError(OpsErrorCode.NothingToCancel, `the rebuild of ${projection} (job ${active.id}) is ${active.state}: too late to cancel`, { jobId: active.id });
    if (await this.executor.isIdle(projection)) return this.executor.run(active.id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.get(active.id);
      if (TERMINAL_STATES.has(job.state) || Date.now() > deadline) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Resumes the rebuilds whose process died (F2): an active job nobody has updated for
   * `staleAfterMs` and whose projection lock no process holds is run here, in the background,
   * from the shadow's checkpoints (not from zero). Several processes may call this at once:
   * the advisory lock lets exactly one run each job; the others' attempts end quietly.
   * Returns the ids of the jobs this call took over.
   */
  async resumeOrphans(staleAfterMs: number, onError: (jobId: string, e: unknown) => void, onResumed: (job: RebuildJob) => void = () => undefined): Promise<string[]> {
    const taken: string[] = [];
    for (const job of await this.jobs.stale(staleAfterMs)) {
      if (this.runningHere.has(job.id)) continue;
      try {
        this.executor.definition(job.projection);
      } catch {
        continue; // a projection this process does not run
      }
      if (!(await this.executor.isIdle(job.projection))) continue;
      taken.push(job.id);
      onResumed(job);
      this.runInBackground(job.id, (e) => {
        if (e instanceof OpsError && e.code === OpsErrorCode.RebuildInProgress) return; // another process took it first
        onError(job.id, e);
      });
    }
    return taken;
  }

  /**
   * Looks for orphaned rebuilds now and every `intervalMs` (the platform calls this at start):
   * a rebuild survives the death of the process that ran it without anyone asking again.
   */
  startResumer(options: { intervalMs: number; staleAfterMs: number; onError: (jobId: string, e: unknown) => void; onResumed?: (job: RebuildJob) => void }): void {
    this.stopResumer();
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        await this.resumeOrphans(options.staleAfterMs, options.onError, options.onResumed);
      } catch (e) {
        options.onError('-', e);
      } finally {
        busy = false;
      }
    };
    this.resumer = setInterval(() => void tick(), options.intervalMs);
    this.resumer.unref();
    this.firstTick = tick();
  }

  stopResumer(): void {
    if (this.resumer) clearInterval(this.resumer);
    this.resumer = undefined;
  }

  /** Waits for background runs (shutdown). */
  async drain(): Promise<void> {
    this.stopResumer();
    await this.firstTick?.catch(() => undefined);
    await Promise.allSettled([...this.background]);
  }
}
