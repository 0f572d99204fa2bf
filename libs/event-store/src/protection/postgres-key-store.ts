import type { Pool, PoolClient } from 'pg';
import { runSqlMigrations, type SqlMigration } from '../adapters/postgres/sql-migrations';
import { EventStoreError, EventStoreErrorCode } from '../errors';
import type { EraseOutcome, ErasureRecord, KeyStore, WrappedDataKey } from './key-store.port';
import { withPooledTransaction } from '../adapters/postgres/pooled-client';

/** Migration tracking table of the key store (its own, apart from the event store's). */
export const KEY_STORE_MIGRATIONS_TABLE = 'event_store_protection_migrations';

export const KEY_STORE_MIGRATIONS: readonly SqlMigration[] = [
  {
    id: '001-subject-keys',
    sql: `
      CREATE TABLE event_store_subject_keys (
        subject_id    text PRIMARY KEY,
        key_id        uuid NOT NULL UNIQUE,
        master_key_id text NOT NULL,
        wrapped_key   bytea NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_store_subject_keys_master ON event_store_subject_keys (master_key_id);
      -- The fact of an erasure: who (subject id), when, why. No personal values.
      CREATE TABLE event_store_subject_erasures (
        subject_id text PRIMARY KEY,
        erased_at  timestamptz NOT NULL,
        reason     text NOT NULL
      );`,
  },
];

interface KeyRow {
  subject_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_key: Buffer;
  created_at: Date;
}

interface ErasureRow {
  subject_id: string;
  erased_at: Date;
  reason: string;
}

const toKey = (r: KeyRow): WrappedDataKey => ({
  subjectId: r.subject_id,
  keyId: r.key_id,
  masterKeyId: r.master_key_id,
  wrappedKey: r.wrapped_key,
  createdAt: r.created_at,
});

const toErasure = (r: ErasureRow): ErasureRecord => ({
  subjectId: r.subject_id,
  erasedAt: r.erased_at,
  reason: r.reason,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_COLUMNS = 'subject_id, key_id::text AS key_id, master_key_id, wrapped_key, created_at';

/**
 * KeyStore on PostgreSQL: one row per subject holding its wrapped data key, and a table of
 * erasure facts. Key creation and erasure of one subject are serialised by a
 * transaction-scoped advisory lock, so a key can never be created for a subject being erased.
 *
 * Erasing deletes the key row; PostgreSQL keeps the dead tuple until vacuum, so `erase`
 * vacuums the key table afterwards (best effort) — the wrapped key is useless without the
 * master key anyway, but then it is gone from the live heap too.
 */
export class PostgresKeyStore implements KeyStore {
  constructor(
    private readonly pool: Pool,
    private readonly ownsPool = false,
  ) {}

  /** Creates the tables (idempotent; safe from several processes at once). */
  async migrate(): Promise<string[]> {
    return runSqlMigrations(this.pool, KEY_STORE_MIGRATIONS_TABLE, KEY_STORE_MIGRATIONS);
  }

  async findBySubject(subjectId: string): Promise<WrappedDataKey | null> {
    const r = await this.pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE subject_id = $1`, [
      subjectId,
    ]);
    return r.rows[0] ? toKey(r.rows[0]) : null;
  }

  async findByKeyId(keyId: string): Promise<WrappedDataKey | null> {
    if (!UUID.test(keyId)) return null;
    const r = await this.pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE key_id = $1`, [
      keyId,
    ]);
    return r.rows[0] ? toKey(r.rows[0]) : null;
  }

  async insertIfAbsent(key: WrappedDataKey): Promise<WrappedDataKey> {
    return this.inSubjectLock(key.subjectId, async (client) => {
      const erased = await client.query('SELECT 1 FROM event_store_subject_erasures WHERE subject_id = $1', [
        key.subjectId,
      ]);
      if (erased.rowCount) {
        throw new EventStoreError(EventStoreErrorCode.SubjectErased, 'The data subject has been erased', {
          subjectId: key.subjectId,
        });
      }
      await client.query(
        `INSERT INTO event_store_subject_keys (subject_id, key_id, master_key_id, wrapped_key, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (subject_id) DO NOTHING`,
        [key.subjectId, key.keyId, key.masterKeyId, key.wrappedKey, key.createdAt],
      );
      const r = await client.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE subject_id = $1`,
        [key.subjectId],
      );
      const row = r.rows[0];
      if (!row) throw new Error('key store: key row vanished inside its own lock');
      return toKey(row);
    });
  }

  async findBySubjects(subjectIds: readonly string[]): Promise<Map<string, WrappedDataKey>> {
    if (subjectIds.length === 0) return new Map();
    const r = await this.pool.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE subject_id = ANY($1::text[])`, [
      [...subjectIds],
    ]);
    return new Map(r.rows.map((row) => [row.subject_id, toKey(row)]));
  }

  /** One transaction: every subject's lock (in a fixed order: no deadlock), the erasure check, the inserts. */
  async insertManyIfAbsent(keys: readonly WrappedDataKey[]): Promise<Map<string, WrappedDataKey>> {
    if (keys.length === 0) return new Map();
    const sorted = [...keys].sort((a, b) => (a.subjectId < b.subjectId ? -1 : a.subjectId > b.subjectId ? 1 : 0));
    const ids = sorted.map((k) => k.subjectId);
    const rows = await withPooledTransaction(this.pool, async (client) => {
      await client.query(
        `SELECT count(pg_advisory_xact_lock(hashtext('c360-subject-key:' || s.id))) FROM (SELECT id FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n) ORDER BY n) s`,
        [ids],
      );
      const erased = await client.query<{ subject_id: string }>('SELECT subject_id FROM event_store_subject_erasures WHERE subject_id = ANY($1::text[]) LIMIT 1', [ids]);
      const first = erased.rows[0];
      if (first) {
        throw new EventStoreError(EventStoreErrorCode.SubjectErased, 'The data subject has been erased', { subjectId: first.subject_id });
      }
      await client.query(
        `INSERT INTO event_store_subject_keys (subject_id, key_id, master_key_id, wrapped_key, created_at)
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bytea[], $5::timestamptz[])
         ON CONFLICT (subject_id) DO NOTHING`,
        [ids, sorted.map((k) => k.keyId), sorted.map((k) => k.masterKeyId), sorted.map((k) => k.wrappedKey), sorted.map((k) => k.createdAt)],
      );
      return (await client.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE subject_id = ANY($1::text[])`, [ids])).rows;
    });
    const out = new Map(rows.map((row) => [row.subject_id, toKey(row)]));
    if (out.size !== new Set(ids).size) throw new Error('key store: key rows vanished inside their own locks');
    return out;
  }

  async erase(subjectId: string, reason: string, at: Date): Promise<EraseOutcome> {
    const outcome = await this.inSubjectLock(subjectId, async (client) => {
      const deleted = await client.query<{ key_id: string }>(
        'DELETE FROM event_store_subject_keys WHERE subject_id = $1 RETURNING key_id::text AS key_id',
        [subjectId],
      );
      await client.query(
        `INSERT INTO event_store_subject_erasures (subject_id, erased_at, reason) VALUES ($1, $2, $3)
         ON CONFLICT (subject_id) DO NOTHING`,
        [subjectId, at, reason],
      );
      const r = await client.query<ErasureRow>(
        'SELECT subject_id, erased_at, reason FROM event_store_subject_erasures WHERE subject_id = $1',
        [subjectId],
      );
      const row = r.rows[0];
      if (!row) throw new Error('key store: erasure row vanished inside its own lock');
      return { record: toErasure(row), destroyedKeyIds: deleted.rows.map((d) => d.key_id) };
    });
    if (outcome.destroyedKeyIds.length > 0) {
      // Best effort: drop the dead tuple holding the wrapped key from the heap now.
      await this.pool.query('VACUUM event_store_subject_keys').catch(() => undefined);
    }
    return outcome;
  }

  async findErasure(subjectId: string): Promise<ErasureRecord | null> {
    const r = await this.pool.query<ErasureRow>(
      'SELECT subject_id, erased_at, reason FROM event_store_subject_erasures WHERE subject_id = $1',
      [subjectId],
    );
    return r.rows[0] ? toErasure(r.rows[0]) : null;
  }

  async findWrappedByOtherThan(masterKeyId: string, limit: number): Promise<WrappedDataKey[]> {
    const r = await this.pool.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM event_store_subject_keys WHERE master_key_id <> $1 ORDER BY key_id LIMIT $2`,
      [masterKeyId, limit],
    );
    return r.rows.map(toKey);
  }

  async rewrap(keyId: string, fromMasterKeyId: string, toMasterKeyId: string, wrappedKey: Buffer): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE event_store_subject_keys SET master_key_id = $3, wrapped_key = $4
       WHERE key_id = $1 AND master_key_id = $2`,
      [keyId, fromMasterKeyId, toMasterKeyId, wrappedKey],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private async inSubjectLock<T>(subjectId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withPooledTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('c360-subject-key:' || $1))", [subjectId]);
      return work(client);
    });
  }
}
