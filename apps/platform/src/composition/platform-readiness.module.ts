import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '@c360/observability';
import type { Projector } from '../../../projector/src/projector';
import { PROJECTOR } from '../../../projector/src/projector.module';

/** States in which a projection is not doing its job (a catching-up projection is fine: it is working). */
const DOWN_STATES: ReadonlySet<string> = new Set(['stopped', 'failed']);

/**
 * Readiness of the mounted parts that do not report it themselves: the projector (every
 * projection running, none failed). The gateway (intake), ingestor (Kafka consumer) and the
 * database register their own indicators.
 */
@Injectable()
class ProjectorReadiness implements OnModuleInit {
  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'projector',
      check: async () => {
        const status = this.projector.status();
        const states = Object.fromEntries(status.map((s) => [s.name, s.state]));
        return { up: status.length > 0 && status.every((s) => !DOWN_STATES.has(s.state)), details: states };
      },
    });
  }
}

@Module({})
export class PlatformReadinessModule {
  /** `projectorModule` is the very module object mounted (a second forRoot would start a second projector). */
  static forRoot(projectorModule: DynamicModule): DynamicModule {
    return { module: PlatformReadinessModule, imports: [projectorModule], providers: [ProjectorReadiness] };
  }
}
