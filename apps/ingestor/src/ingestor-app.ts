import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AuthModule, authErrorToProblem } from '@c360/auth';
import { ConfigModule, type AppConfig } from '@c360/config';
import { assignRequestId, HealthModule, LoggingModule, MetricsModule, ProblemMappers, ProblemModule } from '@c360/observability';
import { IngestorModule, type IngestorModuleOptions } from './ingestor.module';

@Module({})
class AuthProblemsModule implements OnModuleInit {
  constructor(@Inject(ProblemMappers) private readonly mappers: ProblemMappers) {}
  onModuleInit(): void {
    this.mappers.register(authErrorToProblem);
  }
}

/** The ingestor as its own process: consumer + /health, /metrics and the dead-letter ops endpoint. */
@Module({})
export class IngestorAppModule {
  static forRoot(config: AppConfig, options: IngestorModuleOptions): DynamicModule {
    return {
      module: IngestorAppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule, MetricsModule, HealthModule, ProblemModule, AuthProblemsModule, AuthModule, IngestorModule.forRoot(options)],
    };
  }
}

export async function createIngestorApp(config: AppConfig, options: IngestorModuleOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes, genReqId: assignRequestId, logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(IngestorAppModule.forRoot(config, options), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  return app;
}
