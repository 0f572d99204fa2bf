import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { describeEventStoreContract } from '../../testing';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

// The port's behaviour suite on PostgreSQL: one database for the file, a fresh schema per test.
// jest's testTimeout is a global option, ignored inside `projects`: set it for this file
jest.setTimeout(60_000);

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 6 });
});

afterAll(async () => {
  await db?.drop();
});

describeEventStoreContract('PostgreSQL', async ({ registry, limits }) => {
  const schema = `es_${randomBytes(5).toString('hex')}`;
  await migratePostgresEventStore(db.pool, schema);
  // a small page so that paging paths run in the suite, a short poll to keep it quick
  const store = new PostgresEventStore(db.pool, {
    schema,
    registry,
    limits,
    pageSize: 50,
    pollIntervalMs: 20,
  });
  return {
    store,
    async teardown() {
      await store.close();
      await db.pool.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
});
