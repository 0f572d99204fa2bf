import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { withPooledClient, withPooledTransaction } from './pooled-client';

// A connection lost while a client is checked out between statements: the process survives (no
// unhandled `error` event), the next statement fails, and the pool hands out a working client.
let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase({ prefix: 'c360_pooled_client' });
  pool = new Pool({ connectionString: db.url, max: 1 });
  pool.on('error', () => undefined);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const terminate = async (pid: number): Promise<void> => {
  await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
};

describe('withPooledClient', () => {
  it('survives the connection being killed between two statements, and discards that client', async () => {
    const unhandled: unknown[] = [];
    const onUncaught = (e: unknown): void => void unhandled.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      let pid = 0;
      const outcome = await withPooledClient(pool, async (client) => {
        await client.query('BEGIN');
        pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid ?? 0;
        await terminate(pid);
        // The server has closed the session: give the socket's end time to arrive (no query in flight).
        await new Promise((r) => setTimeout(r, 300));
        return client.query('SELECT 1').then(
          () => 'answered',
          (e: unknown) => `failed: ${(e as Error).message}`,
        );
      }).catch((e: unknown) => `threw: ${(e as Error).message}`);
      expect(outcome).toMatch(/^failed: /);
      expect(unhandled).toEqual([]);
      // The pool (max 1) gives out a fresh, working client: the broken one was not put back.
      const again = await withPooledClient(pool, async (client) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
      expect(again).not.toBe(pid);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('returns what fn returns and releases the client for the next caller', async () => {
    await expect(withPooledClient(pool, async (c) => (await c.query<{ n: number }>('SELECT 41 + 1 AS n')).rows[0]?.n)).resolves.toBe(42);
    await expect(withPooledClient(pool, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(pool.query('SELECT 1')).resolves.toBeDefined();
  });
});

describe('withPooledTransaction', () => {
  it('commits what fn wrote when it resolves, rolls all of it back when it throws, and hands the client back either way', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS tx_probe (n int)');
    expect(await withPooledTransaction(pool, async (c) => (await c.query('INSERT INTO tx_probe VALUES (1), (2)')).rowCount)).toBe(2);
    await expect(
      withPooledTransaction(pool, async (c) => {
        await c.query('INSERT INTO tx_probe VALUES (3)');
        throw new Error('refused half-way');
      }),
    ).rejects.toThrow('refused half-way');
    // max 1 connection: this would wait for ever if a client had not been returned
    expect((await pool.query<{ n: number }>('SELECT n FROM tx_probe ORDER BY n')).rows.map((r) => r.n)).toEqual([1, 2]);
  });
});
