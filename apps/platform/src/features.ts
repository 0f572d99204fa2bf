import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@c360/config';
import { authErrorToProblem } from '@c360/auth';
import type { ProblemMapper } from '@c360/observability';
import { GatewayModule } from '../../gateway/src/index';
import { DirectIngestion, IngestorModule } from '../../ingestor/src/index';
import { OpsModule, opsErrorToProblem } from '../../projector/src/ops/index';
import { projectorOpsOptions } from '../../projector/src/process/projector-ops-options';
import { ProjectorModule } from '../../projector/src/projector.module';
import { QueryApiModule } from '../../query-api/src/index';
import { AuthProbeModule } from './auth-probe/auth-probe.module';
import type { PlatformResources } from './composition/platform-resources';
import { PlatformReadinessModule } from './composition/platform-readiness.module';
import type { PlatformSettings } from './composition/platform-settings';
import { PLATFORM_MIGRATIONS, type MigrationSet } from './database/platform-migrations';

/** What a feature module may need to configure itself. */
export interface PlatformContext {
  readonly config: AppConfig;
  /** DATABASE_URL, or the embedded server's URL. */
  readonly databaseUrl: string;
  /** The projector, derived-view and query-API settings, parsed once at start. */
  readonly settings: PlatformSettings;
  /** The shared protected event store and (Kafka mode) the derived-events publisher. */
  readonly resources: PlatformResources;
}

type FeatureModule = Type<unknown> | DynamicModule;

/**
 * Gateway + ingestor. With KAFKA_BROKERS: the gateway publishes to the events topic and the
 * ingestor consumes it (both create their topics). Without: the ingestor's DirectIngestion is
 * the gateway's intake, so a 202 means the event store committed it. The ingestor module is
 * created once and shared (a second forRoot would open a second pool and register its metrics twice).
 */
function intakeModules(ctx: PlatformContext): FeatureModule[] {
  const eventStoreSchema = ctx.settings.projector.eventStoreSchema;
  if (ctx.config.kafka.brokers) {
    return [IngestorModule.forRoot({ databaseUrl: ctx.databaseUrl, mode: 'kafka', eventStoreSchema }), GatewayModule.forRoot()];
  }
  const ingestor = IngestorModule.forRoot({ databaseUrl: ctx.databaseUrl, mode: 'direct', eventStoreSchema });
  return [ingestor, GatewayModule.forRoot({ intake: { imports: [ingestor], useExisting: DirectIngestion } })];
}

/**
 * The projector (customer-360 with segments and churn flags, the churn sweeper and, in Kafka
 * mode, the outbox relay of derived events) on the shared protected store, and its readiness.
 */
function projectorModules(ctx: PlatformContext): FeatureModule[] {
  const projector = ProjectorModule.forRoot({
    config: ctx.settings.projector,
    derived: ctx.settings.derived,
    eventStore: ctx.resources.eventStore,
    ...(ctx.resources.derivedPublisher ? { publisher: ctx.resources.derivedPublisher } : {}),
  });
  return [projector, PlatformReadinessModule.forRoot(projector)];
}

/**
 * EXTENSION POINT: the feature modules the all-in-one platform mounts, in order (an entry may
 * mount several). Modules can inject APP_CONFIG, PG_POOL, ReadinessRegistry, METRICS_REGISTRY, ProblemMappers.
 */
export const FEATURE_MODULES: ReadonlyArray<(ctx: PlatformContext) => FeatureModule | readonly FeatureModule[]> = [
  () => AuthProbeModule,
  intakeModules,
  projectorModules,
  // The same ops options as the standalone projector's (one place): on the shared protected store.
  (ctx) => OpsModule.forRoot(projectorOpsOptions(ctx.config, ctx.settings.projector, ctx.settings.derived, { eventStore: ctx.resources.eventStore })),
  (ctx) =>
    QueryApiModule.forRoot({
      databaseUrl: ctx.databaseUrl,
      config: ctx.settings.queryApi,
      eventStore: ctx.resources.eventStore,
      eventStoreSchema: ctx.settings.projector.eventStoreSchema,
      projection: { domain: ctx.settings.derived.domain, churn: ctx.settings.derived.churn },
    }),
];

/** EXTENSION POINT: migration sets run (in order) before the platform reports ready. */
export const MIGRATION_SETS: readonly MigrationSet[] = [PLATFORM_MIGRATIONS];

/**
 * EXTENSION POINT: mappers of coded errors to problem+json (first match wins). The gateway,
 * ingestor and query API register their own when they start.
 */
export const PROBLEM_MAPPERS: readonly ProblemMapper[] = [authErrorToProblem, opsErrorToProblem];
