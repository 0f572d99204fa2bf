import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { runSqlMigrations } from '@c360/event-store';
import { ReadinessRegistry } from '@c360/observability';
import { PG_POOL } from './database.tokens';
import type { MigrationSet } from './platform-migrations';

export const MIGRATION_SETS = Symbol('MIGRATION_SETS');

/**
 * Runs the migrations before the app listens, reports the database to readiness, and closes
 * the pool last (after HTTP has drained: onApplicationShutdown runs after the server closed).
 */
@Injectable()
export class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private migrated = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(MIGRATION_SETS) private readonly sets: readonly MigrationSet[],
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.readiness.register({ name: 'database', check: () => this.ping() });
    this.readiness.register({ name: 'migrations', check: async () => ({ up: this.migrated, details: { sets: this.sets.length } }) });
    for (const set of this.sets) {
      const applied = await runSqlMigrations(this.pool, set.trackingTable, set.migrations);
      if (applied.length > 0) this.logger.log(`migrations ${set.name}: applied ${applied.join(', ')}`);
    }
    this.migrated = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  private async ping(): Promise<{ up: boolean; details: Record<string, number> }> {
    const started = Date.now();
    await this.pool.query('SELECT 1');
    return { up: true, details: { latencyMs: Date.now() - started } };
  }
}
