import { resolveMasterKeys } from '@c360/config';
import { encodePostgresPosition, MasterKeyring } from '@c360/event-store';
import { readModelDigest, type ReadModelDigest } from '@c360/read-models';
import { expectEventually } from '@c360/testing';
import type { Pool } from 'pg';
import { parseDerivedConfig } from '../../projector/src/derived/derived-config';
import { Projector } from '../../projector/src/projector';
import { parseProjectorConfig } from '../../projector/src/projector-config';
import type { FaultEnv } from './fault-harness';

/**
 * The read side of a fault test's pipeline: projectors on the fault env's database that decrypt
 * what its ingestor wrote (the dev master keys of its data dir), and the I5/I6 checks after.
 */

/** No clock-driven sweeps: the read models are then exactly what the events make, live or rebuilt. */
const DERIVED = parseDerivedConfig({ CHURN_SWEEP_INTERVAL_MS: '0' });

async function masterKeysOf(p: FaultEnv): Promise<MasterKeyring> {
  const keys = await resolveMasterKeys(p.config);
  const active = keys[0];
  if (!active) throw new Error('no master key');
  return MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
}

/** A projector in this process (leases mode unless `env` says otherwise), started. */
export async function startFaultProjector(p: FaultEnv, workerId: string, env: Record<string, string> = {}): Promise<Projector> {
  const projector = new Projector({
    config: parseProjectorConfig({ DATABASE_URL: p.db.url, PROJECTOR_WORKER_ID: workerId, PROJECTOR_PARTITIONS: '8', DATABASE_POOL_MAX: '4', ...env }),
    masterKeys: await masterKeysOf(p),
    derived: DERIVED,
  });
  await projector.start();
  return projector;
}

/** Every checkpoint of `schema` at or past the last stored event (call once the store holds everything). */
export async function waitProjectedToHead(pool: Pool, schema: string, timeoutMs: number): Promise<void> {
  const last = (
    await pool.query<{ transaction_id: string; seq: number }>('SELECT transaction_id::text, seq FROM event_store.events ORDER BY transaction_id DESC, seq DESC LIMIT 1')
  ).rows[0];
  const head = last ? encodePostgresPosition(last.transaction_id, last.seq).toString() : '0';
  await expectEventually(
    async () => {
      const r = await pool
        .query<{ behind: number; total: number }>(
          `SELECT count(*) FILTER (WHERE position < $1::numeric)::int AS behind, count(*)::int AS total FROM ${schema}.projection_checkpoints`,
          [head],
        )
        .catch(() => ({ rows: [{ behind: -1, total: 0 }] }));
      expect(r.rows[0]).toEqual({ behind: 0, total: expect.any(Number) as number });
      expect(r.rows[0]?.total).toBeGreaterThan(0);
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/**
 * I5 and I6 once the live projector has caught up with the store: each customer row records
 * its stream's last revision, and a from-scratch rebuild into a shadow schema gives the same
 * digest. Returns the live digest.
 */
export async function expectLiveEqualsRebuild(p: FaultEnv, live: Projector, rebuildSchema: string, timeoutMs = 60_000): Promise<ReadModelDigest> {
  const pool = p.db.pool;
  await waitProjectedToHead(pool, 'read_models', timeoutMs);
  const revisions = await pool.query<{ stream_id: string; last: string; row: string | null }>(
    `SELECT e.stream_id, max(e.revision)::text AS last, c.last_revision::text AS row
       FROM event_store.events e
       LEFT JOIN read_models.customer_360 c ON e.stream_id = 'customer-' || c.customer_id
      GROUP BY e.stream_id, c.last_revision
     HAVING c.last_revision IS DISTINCT FROM max(e.revision)`,
  );
  expect({ streamsWhoseRowIsNotAtTheLastRevision: revisions.rows }).toEqual({ streamsWhoseRowIsNotAtTheLastRevision: [] });
  const liveDigest = await readModelDigest(live.dataSource, 'read_models');
  const rebuild = await startFaultProjector(p, `rebuild-${rebuildSchema}`, { READ_MODEL_SCHEMA: rebuildSchema, PROJECTOR_MODE: 'single' });
  try {
    await waitProjectedToHead(pool, rebuildSchema, timeoutMs);
    expect(await readModelDigest(rebuild.dataSource, rebuildSchema)).toEqual(liveDigest);
  } finally {
    await rebuild.stop();
  }
  return liveDigest;
}
