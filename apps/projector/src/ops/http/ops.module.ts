import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createOps, type Ops, type OpsOptions } from '../ops-context';
import { OpsController } from './ops.controller';
import { OPS, OPS_MODULE_OPTIONS } from './ops.tokens';

export interface OpsModuleOptions extends OpsOptions {
  /**
   * Take over rebuilds whose process died (F2), at start and every `intervalMs`; mark replays
   * whose process died as failed. Default on: every 5 s, orphaned after 10 s without progress.
   */
  readonly resumeOrphans?: false | { readonly intervalMs: number; readonly staleAfterMs: number };
}

@Injectable()
class OpsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Ops');
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @Inject(OPS) private readonly ops: Ops,
    @Inject(OPS_MODULE_OPTIONS) private readonly options: OpsModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    const resume = this.options.resumeOrphans ?? { intervalMs: 5_000, staleAfterMs: 10_000 };
    if (resume === false) return;
    this.ops.rebuild.startResumer({
      ...resume,
      onResumed: (job) => this.logger.log(`resuming rebuild job ${job.id} of ${job.projection} (${job.state}, ${job.progress}/${job.total}): the process that ran it stopped`),
      onError: (jobId, e) => this.logger.error(`rebuild job ${jobId} failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    const sweep = (): void => {
      void this.ops.replay.failOrphans().then(
        (ids) => ids.forEach((id) => this.logger.warn(`replay job ${id} interrupted: the process running it stopped`)),
        () => undefined,
      );
    };
    sweep();
    this.sweeper = setInterval(sweep, resume.intervalMs);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.ops.close();
  }
}

/**
 * The operator endpoints: GET /v1/ops/projections (ops:read), POST|DELETE
 * /v1/ops/projections/{name}/rebuild (ops:replay), GET /v1/ops/jobs/{id} (ops:read), POST
 * /v1/ops/replay (ops:replay), GET /v1/ops/replay/{id} (ops:read). Needs the platform's global
 * AuthGuard; register `opsErrorToProblem` in PROBLEM_MAPPERS. Resumes orphaned rebuilds.
 */
@Module({})
export class OpsModule {
  static forRoot(options: OpsModuleOptions): DynamicModule {
    return {
      module: OpsModule,
      controllers: [OpsController],
      providers: [{ provide: OPS_MODULE_OPTIONS, useValue: options }, { provide: OPS, useFactory: () => createOps(options) }, OpsLifecycle],
      exports: [OPS],
    };
  }
}
