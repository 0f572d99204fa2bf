import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ProjectionStatus } from '@c360/projections';
import { Projector, type ProjectorOptions } from './projector';

/** DI token of the running Projector. */
export const PROJECTOR = Symbol('PROJECTOR');
const PROJECTOR_OPTIONS = Symbol('PROJECTOR_OPTIONS');

/** Starts the projector with the application and stops it (finishing the batch in flight) on shutdown. */
@Injectable()
export class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(PROJECTOR) private readonly projector: Projector) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.projector.stop();
  }
}

/** Read side of the projector for ops endpoints (`GET /v1/ops/projections`). */
@Injectable()
export class ProjectionStatusService {
  constructor(@Inject(PROJECTOR) private readonly projector: Projector) {}

  list(): ProjectionStatus[] {
    return this.projector.status();
  }
}

/**
 * The projector as a Nest module: mounted by apps/projector's main.ts, or by the platform
 * (e.g. `(ctx) => ProjectorModule.forRoot({ config: parseProjectorConfig({ ...env, DATABASE_URL: ctx.databaseUrl }) })`).
 */
@Module({})
export class ProjectorModule {
  static forRoot(options: ProjectorOptions): DynamicModule {
    return {
      module: ProjectorModule,
      providers: [
        { provide: PROJECTOR_OPTIONS, useValue: options },
        { provide: PROJECTOR, useFactory: (o: ProjectorOptions) => new Projector(o), inject: [PROJECTOR_OPTIONS] },
        ProjectorLifecycle,
        ProjectionStatusService,
      ],
      exports: [PROJECTOR, ProjectionStatusService],
    };
  }
}
