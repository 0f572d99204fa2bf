import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { AuthModule } from '@c360/auth';
import { ConfigModule } from '@c360/config';
import { HealthModule, LoggingModule, MetricsModule, ProblemMappers, ProblemModule } from '@c360/observability';
import { DatabaseModule } from './database/database.module';
import { FEATURE_MODULES, MIGRATION_SETS, PROBLEM_MAPPERS, type PlatformContext } from './features';

/** Registers the feature modules' error mappers with the HTTP problem filter. */
@Module({})
class ProblemMappingModule implements OnModuleInit {
  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}
  onModuleInit(): void {
    for (const mapper of PROBLEM_MAPPERS) this.mappers.register(mapper);
  }
}

/** The all-in-one application: runtime skeleton (config, logs, metrics, health, auth, errors, database) + features. */
@Module({})
export class PlatformModule {
  static forRoot(ctx: PlatformContext): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(ctx.config),
        LoggingModule,
        MetricsModule,
        HealthModule,
        ProblemModule,
        ProblemMappingModule,
        AuthModule,
        DatabaseModule.forRoot(ctx.config, ctx.databaseUrl, MIGRATION_SETS),
        ...FEATURE_MODULES.flatMap((feature) => feature(ctx)),
      ],
    };
  }
}
