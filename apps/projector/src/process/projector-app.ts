import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Inject, Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { AuthModule, authErrorToProblem } from '@c360/auth';
import { ConfigModule, type AppConfig } from '@c360/config';
import {
  assignRequestId,
  HealthModule,
  LoggingModule,
  METRICS_REGISTRY,
  MetricsModule,
  ProblemMappers,
  ProblemModule,
  registerHttpMetrics,
  ReadinessRegistry,
  REQUEST_ID_HEADER,
} from '@c360/observability';
import { OPS, OpsModule, opsErrorToProblem, type Ops, type OpsModuleOptions } from '../ops/index';
import type { Projector, ProjectorOptions } from '../projector';
import { PROJECTOR, ProjectorModule } from '../projector.module';
import { registerProjectionMetrics } from './projection-metrics';
import { databaseReadiness, projectionsReadiness } from './projector-readiness';

export interface ProjectorAppOptions {
  readonly projector: ProjectorOptions;
  readonly ops: OpsModuleOptions;
}

@Module({})
class ProjectorProblemsModule implements OnModuleInit {
  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}
  onModuleInit(): void {
    this.mappers.register(authErrorToProblem);
    this.mappers.register(opsErrorToProblem);
  }
}

/** Readiness (runners started, database answers) and the projection metrics of this process. */
@Injectable()
class ProjectorObservability implements OnModuleInit {
  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(OPS) private readonly ops: Ops,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const status = (): ReturnType<Projector['status']> => this.projector.status();
    this.readiness.register(projectionsReadiness(status));
    // The ops pool: small and idle, so a busy runner pool does not make the probe time out.
    this.readiness.register(databaseReadiness(this.ops.pool));
    registerProjectionMetrics(this.registry, status);
  }
}

/**
 * The projector as its own process: the runners (ProjectorModule), the operator endpoints
 * (OpsModule: /v1/ops/projections, rebuild and replay jobs; takes over orphaned rebuilds), and
 * the runtime skeleton every app has (pino logs with trace context, /metrics, /health, problem+json, auth).
 */
@Module({})
export class ProjectorAppModule {
  static forRoot(config: AppConfig, options: ProjectorAppOptions): DynamicModule {
    return {
      module: ProjectorAppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        HealthModule,
        ProblemModule,
        ProjectorProblemsModule,
        AuthModule,
        ProjectorModule.forRoot(options.projector),
        OpsModule.forRoot(options.ops),
      ],
      providers: [ProjectorObservability],
    };
  }
}

/** Rejections raised by the rate limiter before Nest sees the request, shaped for the problem mapper. */
class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'rate_limited';
}

/**
 * Builds (does not start) the standalone projector: body limit, request timeout, security
 * headers, per-client rate limit (probes and scrapes exempt), request ids and HTTP metrics.
 * `main.ts` and the tests call it; `listen` starts the runners (application bootstrap) first.
 */
export async function createProjectorApp(config: AppConfig, options: ProjectorAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    genReqId: assignRequestId,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorAppModule.forRoot(config, options), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  // Logged from here on at once, not at listen: main.ts may wait (for the event store schema) in between.
  app.flushLogs();
  // No enableShutdownHooks: main.ts owns the signals (drain, close, then the event store), like the platform.
  await app.register(helmet);
  await app.register(rateLimit, {
    max: config.http.rateLimit.max,
    timeWindow: config.http.rateLimit.windowMs,
    allowList: (request) => /^\/(health\/|metrics)/.test(request.url),
    errorResponseBuilder: (_request, context) => new RateLimitedError(`Too many requests; retry after ${Math.ceil(context.ttl / 1000)} s.`),
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  registerHttpMetrics(fastify, app.get<Registry>(METRICS_REGISTRY));
  return app;
}
