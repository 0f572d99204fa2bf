import { randomBytes } from 'node:crypto';
import { Pool, type PoolConfig } from 'pg';

export interface TestDatabase {
  /** Connection URL of the new database. */
  readonly url: string;
  readonly name: string;
  /** A pool on the new database (ended by `drop()`). */
  readonly pool: Pool;
  /** Another pool on the same database, e.g. for a second "process". Ended by `drop()`. */
  createPool(config?: Omit<PoolConfig, 'connectionString'>): Pool;
  /** Ends the pools, terminates every other connection to the database, drops it. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Size of the returned pool. Default 10. */
  readonly poolMax?: number;
  /** Name prefix, to tell databases apart in pg_stat_activity. Default `c360_test`. */
  readonly prefix?: string;
}

/**
 * The server's admin URL: TEST_DATABASE_URL if set, else the usual PG* variables, else the
 * local trust-auth server at 127.0.0.1:5432 as user postgres.
 */
export function testServerUrl(): URL {
  const fromEnv = process.env['TEST_DATABASE_URL'];
  if (fromEnv) return new URL(fromEnv);
  const url = new URL('postgres://localhost');
  url.hostname = process.env['PGHOST'] ?? '127.0.0.1';
  url.port = process.env['PGPORT'] ?? '5432';
  url.username = process.env['PGUSER'] ?? 'postgres';
  const password = process.env['PGPASSWORD'];
  if (password) url.password = password;
  url.pathname = `/${process.env['PGDATABASE'] ?? 'postgres'}`;
  return url;
}

/**
 * Creates a uniquely named database (per worker and call) on the test server. Tests own it
 * alone, so they may create schemas and hold transactions freely; `drop()` removes it.
 */
export async function createTestDatabase(
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const prefix = options.prefix ?? 'c360_test';
  if (!/^[a-z_][a-z0-9_]{0,30}$/.test(prefix))
    throw new Error(`invalid database name prefix: ${prefix}`);
  const worker = process.env['JEST_WORKER_ID'] ?? '0';
  const name = `${prefix}_w${worker}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const adminUrl = testServerUrl();
  const admin = new Pool({ connectionString: adminUrl.toString(), max: 1 });
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const dbUrl = new URL(adminUrl.toString());
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  const pools: Pool[] = [];
  const createPool = (config: Omit<PoolConfig, 'connectionString'> = {}): Pool => {
    const pool = new Pool({ max: 10, ...config, connectionString: url });
    // An idle client losing its connection (e.g. terminated by drop) must not crash the test run.
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  const pool = createPool({ max: options.poolMax ?? 10 });
  let dropped = false;
  return {
    url,
    name,
    pool,
    createPool,
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      const cleanup = new Pool({ connectionString: adminUrl.toString(), max: 1 });
      try {
        // FORCE terminates sessions still connected (e.g. a killed child's leftovers).
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
