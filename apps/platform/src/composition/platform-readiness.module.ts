import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@c360/observability';
import { projectionsReadiness } from '../../../projector/src/process/projector-readiness';
import type { Projector } from '../../../projector/src/projector';
import { PROJECTOR } from '../../../projector/src/projector.module';

/**
 * Readiness of the mounted parts that do not report it themselves: the projector, with the
 * standalone projector's indicator (every projection's runner started, none failed or stopped).
 * The gateway (intake), ingestor (Kafka consumer) and the database register their own indicators.
 */
@Injectable()
class ProjectorReadiness implements OnModuleInit {
  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register(projectionsReadiness(() => this.projector.status()));
  }
}

@Module({})
export class PlatformReadinessModule {
  /** `projectorModule` is the very module object mounted (a second forRoot would start a second projector). */
  static forRoot(projectorModule: DynamicModule): DynamicModule {
    return { module: PlatformReadinessModule, imports: [projectorModule], providers: [ProjectorReadiness] };
  }
}
