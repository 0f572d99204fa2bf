import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@c360/config';
import { authErrorToProblem } from '@c360/auth';
import type { ProblemMapper } from '@c360/observability';
import { AuthProbeModule } from './auth-probe/auth-probe.module';
import { PLATFORM_MIGRATIONS, type MigrationSet } from './database/platform-migrations';

/** What a feature module may need to configure itself. */
export interface PlatformContext {
  readonly config: AppConfig;
  /** DATABASE_URL, or the embedded server's URL. */
  readonly databaseUrl: string;
}

/**
 * EXTENSION POINT: the feature modules the all-in-one platform mounts, in order. Gateway,
 * ingestor, projector and query-api add one line each here, e.g.
 *   (ctx) => GatewayModule.forRoot({ kafkaBrokers: ctx.config.kafka.brokers }),
 * Modules can inject APP_CONFIG, PG_POOL, ReadinessRegistry, METRICS_REGISTRY, ProblemMappers.
 */
export const FEATURE_MODULES: ReadonlyArray<(ctx: PlatformContext) => Type<unknown> | DynamicModule> = [
  () => AuthProbeModule,
];

/** EXTENSION POINT: migration sets run (in order) before the platform reports ready. */
export const MIGRATION_SETS: readonly MigrationSet[] = [PLATFORM_MIGRATIONS];

/** EXTENSION POINT: each module's mapper of its coded errors to problem+json (first match wins). */
export const PROBLEM_MAPPERS: readonly ProblemMapper[] = [authErrorToProblem];
