import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
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
  REQUEST_ID_HEADER,
} from '@c360/observability';
import { QueryApiModule, type QueryApiModuleOptions } from './query-api.module';

@Module({})
class AuthProblemsModule implements OnModuleInit {
  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}
  onModuleInit(): void {
    this.mappers.register(authErrorToProblem);
  }
}

/** The query API as its own process: runtime skeleton (logs, metrics, health, problems, auth) + QueryApiModule. */
@Module({})
export class QueryApiAppModule {
  static forRoot(config: AppConfig, options: QueryApiModuleOptions): DynamicModule {
    return {
      module: QueryApiAppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, MetricsModule, HealthModule, ProblemModule, AuthProblemsModule, AuthModule, QueryApiModule.forRoot(options)],
    };
  }
}

export interface QueryApiAppOptions {
  /** Serve Swagger UI at /docs (needs @fastify/static); the JSON document at /docs-json is always served. */
  readonly swaggerUi?: boolean;
}

/**
 * Builds (does not start) the standalone query API: body limit, request timeout, security
 * headers, @fastify/rate-limit (the per-client limiter the query API's guard uses), request ids,
 * HTTP metrics and the OpenAPI document. `main.ts` and the tests call it.
 */
export async function createQueryApiApp(config: AppConfig, module: QueryApiModuleOptions, options: QueryApiAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    genReqId: assignRequestId,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(QueryApiAppModule.forRoot(config, module), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], scriptSrc: ["'self'"] } },
  });
  // Not global: the query API's ClientRateLimitGuard applies it per verified client.
  await app.register(rateLimit, { global: false });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  registerHttpMetrics(fastify, app.get<Registry>(METRICS_REGISTRY));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('c360 query API')
      .setDescription('Customer 360, timeline, lookup, segments, churn flags, erasure and the audit log. Errors are RFC 9457 application/problem+json.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerUiEnabled: options.swaggerUi ?? true });
  return app;
}
