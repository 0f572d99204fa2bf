import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

/** How pg_ctl stops the server: `fast` is a clean stop, `immediate` a crash. */
export type PostgresStopMode = 'fast' | 'immediate';

/**
 * A PostgreSQL server of the test's own (Debian's binaries, own data directory and port), for
 * fault tests that crash or restart the database: the shared server on 5432 is never touched.
 */
export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  /** Admin URL (trust auth, user postgres, database postgres). */
  readonly url: string;
  /** A URL for a database on this server. */
  urlFor(database: string): string;
  /** A crash as `pg_ctlcluster … stop -m immediate` makes it: no checkpoint, recovery at next start. */
  crash(): Promise<void>;
  /**
   * Stops it in `mode`: `fast` is the clean stop (`pg_ctlcluster … stop -m fast`, the default of
   * a service restart): sessions are terminated with 57P01, a shutdown checkpoint is written, no
   * recovery at the next start; `immediate` is crash().
   */
  stop(mode: PostgresStopMode): Promise<void>;
  /** Starts it again on the same data directory and port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops it (fast) and deletes its data. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  const v = versions[0];
  if (!v) throw new Error('no pg_ctl under /usr/lib/postgresql/*/bin');
  return join(root, v, 'bin');
}

/** Runs a PostgreSQL tool as the `postgres` OS user when we are root (initdb refuses root). */
function runPg(tool: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const bin = join(binDir(), tool);
  const asRoot = userInfo().uid === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
  return new Promise((ok, fail) => {
    execFile(cmd, argv, { timeout: timeoutMs, cwd: '/' }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${tool} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else ok(stdout);
    });
  });
}

async function waitAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const base = mkdtempSync(join(tmpdir(), 'c360-pg-'));
  chmodSync(base, 0o755);
  const dataDir = join(base, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { execFileSync } = await import('node:child_process');
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(base, uid, gid);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await runPg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=60 -c shared_buffers=32MB`;
  const start = async (): Promise<void> => {
    await runPg('pg_ctl', ['-D', dataDir, '-o', options, '-l', join(base, 'postgres.log'), '-w', '-t', '60', 'start']);
    await waitAccepting(url, 30_000);
  };
  const stop = async (mode: PostgresStopMode): Promise<void> => {
    await runPg('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']);
  };
  await start();
  return {
    port,
    dataDir,
    url,
    urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    crash: () => stop('immediate'),
    stop,
    start,
    destroy: async () => {
      await runPg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
