/**
 * Fault: a subscriber process killed with SIGKILL mid-stream and restarted resumes from its
 * checkpoint (committed with its read-model write) with no gap and no duplicate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../../../..');
const CHILD = path.join(__dirname, 'fixtures', 'checkpointing-subscriber.ts');

let db: TestDatabase;
let store: PostgresEventStore;
let schema: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  schema = `fault_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(db.pool, schema);
  store = new PostgresEventStore(db.pool, { schema });
  // no unique constraint on event_id: a duplicate must be countable, not refused
  await db.pool.query(`CREATE TABLE fault_read_model (
    id bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL, revision bigint NOT NULL, position numeric NOT NULL)`);
  await db.pool.query(
    'CREATE TABLE fault_checkpoint (name text PRIMARY KEY, position numeric NOT NULL)',
  );
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await db?.drop();
});

function startSubscriber(): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'scripts', 'register.cjs'), CHILD, db.url, schema, 'fault'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[subscriber] ${d.toString()}`));
  children.push(child);
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
}

async function readModelCount(): Promise<number> {
  const r = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM fault_read_model');
  return Number(r.rows[0]?.n ?? 0);
}

async function appendBatches(batches: number, size: number): Promise<number> {
  for (let b = 0; b < batches; b++) {
    await store.appendToStream(
      `customer-${b % 17}`,
      Array.from({ length: size }, (_, i) => ({
        eventId: randomUUID(),
        type: 'ThingHappened',
        version: 1,
        data: { b, i },
      })),
    );
  }
  return batches * size;
}

describe('fault: subscriber killed with SIGKILL mid-stream', () => {
  it('resumes from its checkpoint with no gap and no duplicate', async () => {
    let total = await appendBatches(40, 100);

    const first = startSubscriber();
    await expectEventually(async () => expect(await readModelCount()).toBeGreaterThanOrEqual(300), {
      timeoutMs: 60_000,
    });
    await kill9(first);
    const atFirstKill = await readModelCount();
    expect(atFirstKill).toBeLessThan(total); // it really died mid-stream

    total += await appendBatches(10, 100); // history grows while it is down

    const second = startSubscriber();
    await expectEventually(
      async () => expect(await readModelCount()).toBeGreaterThan(atFirstKill + 300),
      {
        timeoutMs: 60_000,
      },
    );
    // and once more while live appends are arriving
    const live = appendBatches(10, 50);
    await kill9(second);
    total += await live;

    const third = startSubscriber();
    await expectEventually(
      async () => expect(await readModelCount()).toBeGreaterThanOrEqual(total),
      { timeoutMs: 60_000 },
    );
    await kill9(third);

    const rows = await db.pool.query<{ event_id: string; position: string }>(
      'SELECT event_id::text AS event_id, position::text AS position FROM fault_read_model ORDER BY id',
    );
    const expected: string[] = [];
    for await (const e of store.readAll()) expected.push(e.eventId);
    expect(expected).toHaveLength(total);
    // exactly the store's global order: nothing missing, nothing twice, nothing reordered
    expect(rows.rows.map((r) => r.event_id)).toEqual(expected);
    const checkpoint = await db.pool.query<{ position: string }>(
      'SELECT position::text AS position FROM fault_checkpoint',
    );
    expect(checkpoint.rows[0]?.position).toBe(rows.rows[rows.rows.length - 1]?.position);
  });
});
