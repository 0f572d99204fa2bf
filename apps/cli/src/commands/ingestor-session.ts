import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, type AppConfig } from '@c360/config';
import { HealthModule, MetricsModule, ProblemModule } from '@c360/observability';
import { DeadLetterOps, IngestorModule } from '../../../ingestor/src/index';
import { UsageError } from '../usage-error';

@Module({})
class DeadLetterCliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: DeadLetterCliModule,
      // Direct mode: no consumer and no Kafka; re-driven events are appended straight to the store
      // through the ingestor's own rules (ordering, parking, crypto-shredding).
      imports: [ConfigModule.forRoot(config), MetricsModule, HealthModule, ProblemModule, IngestorModule.forRoot({ databaseUrl, mode: 'direct', poolMax: 2 })],
    };
  }
}

/**
 * The ingestor's DeadLetterOps on the platform's database, in a Nest application context (no
 * HTTP server). Safe beside running ingestors: re-drive and release take the same per-customer
 * locks in PostgreSQL that the ingestors take.
 */
export async function withDeadLetterOps<T>(config: AppConfig, work: (ops: DeadLetterOps) => Promise<T>): Promise<T> {
  const databaseUrl = config.database.url;
  if (!databaseUrl)
    throw new UsageError("DATABASE_URL is not set: point it at the platform's database, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/c360 npx c360 dead-letters list");
  const app = await NestFactory.createApplicationContext(DeadLetterCliModule.forRoot(config, databaseUrl), { logger: false, abortOnError: false });
  try {
    return await work(app.get(DeadLetterOps));
  } finally {
    await app.close();
  }
}
