import helmet from '@fastify/helmet';
import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { AuthModule, authErrorToProblem } from '@c360/auth';
import { ConfigModule, type AppConfig } from '@c360/config';
import { assignRequestId, HealthModule, LoggingModule, METRICS_REGISTRY, MetricsModule, ProblemMappers, ProblemModule, registerHttpMetrics } from '@c360/observability';
import { GatewayModule } from './gateway.module';
import { registerJsonBodyParser } from './http/json-body-parser';

@Module({})
class AuthProblemsModule implements OnModuleInit {
  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}
  onModuleInit(): void {
    this.mappers.register(authErrorToProblem);
  }
}

/** The gateway as its own process: runtime skeleton + GatewayModule (Kafka intake). */
@Module({})
export class GatewayAppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GatewayAppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, MetricsModule, HealthModule, ProblemModule, AuthProblemsModule, AuthModule, GatewayModule.forRoot()],
    };
  }
}

/** Builds (does not start) the gateway application; `main.ts` and the tests call it. */
export interface GatewayAppOptions {
  /** Serve Swagger UI at /docs (needs @fastify/static); the JSON document at /docs-json is always served. */
  readonly swaggerUi?: boolean;
}

export async function createGatewayApp(config: AppConfig, options: GatewayAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Fastify refuses a larger Content-Length up front and stops reading a chunked body at the
    // limit: an oversized body is never buffered whole.
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    genReqId: assignRequestId,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayAppModule.forRoot(config), adapter, { bufferLogs: true, abortOnError: false, bodyParser: false });
  registerJsonBodyParser(app, config.http.bodyLimitBytes);
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  await app.register(helmet, { contentSecurityPolicy: false });
  registerHttpMetrics(app.getHttpAdapter().getInstance(), app.get<Registry>(METRICS_REGISTRY));
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('c360 gateway')
      .setDescription('Channel and canonical event intake. Errors are RFC 9457 application/problem+json.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerUiEnabled: options.swaggerUi ?? true });
  return app;
}
