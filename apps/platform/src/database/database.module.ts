import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { Pool } from 'pg';
import type { AppConfig } from '@c360/config';
import { DatabaseLifecycle, MIGRATION_SETS } from './database-lifecycle';
import { DATABASE_URL, PG_POOL } from './database.tokens';
import type { MigrationSet } from './platform-migrations';

/** The shared pool and migrations for the all-in-one platform. */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig, url: string, migrations: readonly MigrationSet[]): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        { provide: DATABASE_URL, useValue: url },
        { provide: MIGRATION_SETS, useValue: migrations },
        {
          provide: PG_POOL,
          useFactory: (): Pool => {
            const pool = new Pool({
              connectionString: url,
              max: config.database.poolMax,
              connectionTimeoutMillis: 5_000,
              application_name: 'c360-platform',
            });
            // An idle client losing its server (PostgreSQL restart) must not crash the process;
            // readiness reports it and the pool reconnects on the next query.
            const logger = new Logger('Database');
            pool.on('error', (e) => logger.warn(`idle connection lost (${(e as { code?: string }).code ?? e.name})`));
            return pool;
          },
        },
        DatabaseLifecycle,
      ],
      exports: [PG_POOL, DATABASE_URL],
    };
  }
}
