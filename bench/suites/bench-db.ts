import { Pool } from 'pg';
import { randomBytes } from 'node:crypto';

/** A throwaway database for one benchmark run on the local server (or BENCH_DATABASE_URL's). */
export interface BenchDatabase {
  readonly url: string;
  readonly pool: Pool;
  drop(): Promise<void>;
}

export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const server = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Pool({ connectionString: server.toString(), max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: 12 });
  // Idle clients are terminated by the final DROP … WITH (FORCE); that is expected.
  pool.on('error', () => undefined);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
