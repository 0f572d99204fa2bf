import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` with a client checked out of the pool for several statements (a transaction, a
 * session lock), and returns it afterwards.
 *
 * While checked out, a client has no error listener of the pool's: if its connection is lost
 * between two statements (the server restarts, the network is cut, an operator terminates the
 * backend), node-postgres emits `error` on it, and an `error` event nobody listens to crashes
 * the process. Here a listener holds the error for that time: the next statement on the client
 * fails instead (and `fn`'s caller sees that failure), and the client is discarded on release
 * rather than put back broken.
 */
export async function withPooledClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (e: Error): void => {
    lost = e;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}

/**
 * `withPooledClient` around one transaction: BEGIN, `fn`, COMMIT; ROLLBACK (best effort: the
 * connection may be what failed) and rethrow if `fn` or the commit fails.
 */
export function withPooledTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  return withPooledClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}
