import type { SqlMigration } from '@c360/event-store';

/** A named, ordered set of migrations with its own tracking table. */
export interface MigrationSet {
  readonly name: string;
  readonly trackingTable: string;
  readonly migrations: readonly SqlMigration[];
}

/** The platform's own bookkeeping: which build created this database and when. */
export const PLATFORM_MIGRATIONS: MigrationSet = {
  name: 'platform',
  trackingTable: 'c360_platform_migrations',
  migrations: [
    {
      id: '0001-platform-info',
      sql: `CREATE TABLE IF NOT EXISTS c360_platform_info (
              key text PRIMARY KEY,
              value text NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO c360_platform_info (key, value) VALUES ('created_by', 'c360 platform')
            ON CONFLICT (key) DO NOTHING;`,
    },
  ],
};
