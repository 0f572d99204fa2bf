/**
 * I7 / F9: out-of-order commits. One append's transaction stays open while thousands of
 * later appends commit. A reader of the global order must wait for it, never move past it.
 * The same scenario runs against a deliberately naive `position > last` reader over a
 * bigserial column, to prove the scenario can see the skip.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import type { RecordedEvent } from '../../envelope';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

interface Seen {
  readonly eventId: string;
  readonly position: bigint;
}

/** What the scenario needs from a store: append, hold an append open, and poll the global order. */
interface OrderingSubject {
  append(streamId: string, eventId: string): Promise<void>;
  /** Runs an append in a transaction and leaves it open until `commit()`. */
  beginHeldAppend(streamId: string, eventId: string): Promise<{ commit(): Promise<void> }>;
  poll(after: bigint, limit: number): Promise<Seen[]>;
}

interface ScenarioResult {
  readonly expected: string[];
  readonly seen: Seen[];
  readonly heldEventId: string;
  /** Events the reader had returned while the held transaction was still open. */
  readonly seenWhileHeld: Seen[];
  readonly missing: string[];
  readonly duplicates: string[];
}

const OTHERS = 2000;
const CONCURRENCY = 8;

async function inParallel(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** A reader that checkpoints its last position and polls until a poll returns nothing. */
function reader(subject: OrderingSubject): { seen: Seen[]; drain(): Promise<void> } {
  const seen: Seen[] = [];
  let last = 0n;
  return {
    seen,
    async drain() {
      for (;;) {
        const page = await subject.poll(last, 200);
        if (page.length === 0) return;
        for (const e of page) {
          seen.push(e);
          last = e.position;
        }
      }
    },
  };
}

async function runOutOfOrderCommitScenario(subject: OrderingSubject): Promise<ScenarioResult> {
  const expected: string[] = [];
  const r = reader(subject);
  for (let i = 0; i < 10; i++) {
    const id = randomUUID();
    expected.push(id);
    await subject.append(`seed-${i % 3}`, id);
  }
  // (a transaction elsewhere on the server may hold the horizon back for a moment)
  await expectEventually(
    async () => {
      await r.drain();
      expect(r.seen).toHaveLength(10);
    },
    { timeoutMs: 30_000 },
  );

  const heldEventId = randomUUID();
  expected.push(heldEventId);
  const others = Array.from({ length: OTHERS }, () => randomUUID());
  expected.push(...others);
  const held = await subject.beginHeldAppend('held-stream', heldEventId);
  try {
    await inParallel(OTHERS, CONCURRENCY, (i) =>
      subject.append(`other-${i % 50}`, others[i] ?? ''),
    );
    await r.drain();
  } finally {
    await held.commit();
  }
  const seenWhileHeld = [...r.seen];
  // every later event must come through; whether the held one did is what is being judged
  await expectEventually(
    async () => {
      await r.drain();
      const ids = new Set(r.seen.map((s) => s.eventId));
      expect(others.filter((id) => !ids.has(id))).toEqual([]);
    },
    { timeoutMs: 30_000 },
  );

  const counts = new Map<string, number>();
  for (const s of r.seen) counts.set(s.eventId, (counts.get(s.eventId) ?? 0) + 1);
  return {
    expected,
    seen: r.seen,
    heldEventId,
    seenWhileHeld,
    missing: expected.filter((id) => !counts.has(id)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
  };
}

// jest's testTimeout is a global option, ignored inside `projects`: set it for this file
jest.setTimeout(60_000);

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: CONCURRENCY + 2 });
  pool = db.pool;
});

afterAll(async () => {
  await db?.drop();
});

function eventPayload(eventId: string): string {
  return JSON.stringify([
    { ord: 1, event_id: eventId, type: 'ThingHappened', version: 1, data: {}, metadata: {} },
  ]);
}

async function holdOpen(
  client: PoolClient,
  sql: string,
  values: unknown[],
): Promise<{ commit(): Promise<void> }> {
  await client.query('BEGIN');
  await client.query(sql, values);
  return {
    async commit() {
      try {
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
}

async function postgresSubject(): Promise<{ subject: OrderingSubject; store: PostgresEventStore }> {
  const schema = `ord_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(pool, schema);
  const store = new PostgresEventStore(pool, { schema, pageSize: 100, pollIntervalMs: 10 });
  const subject: OrderingSubject = {
    async append(streamId, eventId) {
      await store.appendToStream(streamId, [
        { eventId, type: 'ThingHappened', version: 1, data: {} },
      ]);
    },
    async beginHeldAppend(streamId, eventId) {
      // the adapter's own append function, inside a transaction we keep open
      return holdOpen(
        await pool.connect(),
        `SELECT * FROM ${schema}.append_events($1, 'any', $2::jsonb)`,
        [streamId, eventPayload(eventId)],
      );
    },
    async poll(after, limit) {
      const out: Seen[] = [];
      for await (const e of store.readAll({ after, maxCount: limit })) {
        out.push({ eventId: e.eventId, position: e.globalPosition });
      }
      return out;
    },
  };
  return { subject, store };
}

/** The classic bug: a bigserial position and a reader that checkpoints `position > last`. */
async function naiveSubject(): Promise<OrderingSubject> {
  const table = `naive_${randomBytes(4).toString('hex')}`;
  await pool.query(
    `CREATE TABLE ${table} (position bigserial PRIMARY KEY, event_id uuid UNIQUE NOT NULL, stream_id text NOT NULL)`,
  );
  return {
    async append(streamId, eventId) {
      await pool.query(`INSERT INTO ${table} (event_id, stream_id) VALUES ($1, $2)`, [
        eventId,
        streamId,
      ]);
    },
    async beginHeldAppend(streamId, eventId) {
      return holdOpen(
        await pool.connect(),
        `INSERT INTO ${table} (event_id, stream_id) VALUES ($1, $2)`,
        [eventId, streamId],
      );
    },
    async poll(after, limit) {
      const rows = await pool.query<{ position: string; event_id: string }>(
        `SELECT position, event_id FROM ${table} WHERE position > $1 ORDER BY position LIMIT $2`,
        [after.toString(), limit],
      );
      return rows.rows.map((r) => ({ eventId: r.event_id, position: BigInt(r.position) }));
    },
  };
}

describe('I7/F9 out-of-order commits', () => {
  it('the PostgreSQL reader waits for the open transaction and never skips it', async () => {
    const { subject, store } = await postgresSubject();
    // a live catch-up subscriber runs through the whole scenario as well
    const subscription = store.subscribeToAll();
    const delivered: RecordedEvent[] = [];
    const consuming = (async () => {
      for await (const e of subscription) delivered.push(e);
    })();
    let deliveredWhileHeld = -1;
    const wrapped: OrderingSubject = {
      ...subject,
      async beginHeldAppend(streamId, eventId) {
        const held = await subject.beginHeldAppend(streamId, eventId);
        return {
          async commit() {
            deliveredWhileHeld = delivered.length;
            await held.commit();
          },
        };
      },
    };
    try {
      const result = await runOutOfOrderCommitScenario(wrapped);

      expect(result.missing).toEqual([]);
      expect(result.duplicates).toEqual([]);
      expect(result.seen.map((s) => s.eventId)).toHaveLength(result.expected.length);
      // while the held transaction was open, the reader stopped at it: only the seed was readable
      expect(result.seenWhileHeld).toHaveLength(10);
      // and once it committed, the held event came first: its position is below all the others
      expect(result.seen[10]?.eventId).toBe(result.heldEventId);
      for (let i = 1; i < result.seen.length; i++) {
        expect(result.seen[i]?.position).toBeGreaterThan(result.seen[i - 1]?.position ?? 0n);
      }

      // the subscriber: nothing past the horizon while held, then everything exactly once, in order
      expect(deliveredWhileHeld).toBeLessThanOrEqual(10);
      await expectEventually(() => expect(delivered).toHaveLength(result.expected.length), {
        timeoutMs: 30_000,
      });
      expect(delivered.map((e) => e.eventId)).toEqual(result.seen.map((s) => s.eventId));
      expect(new Set(delivered.map((e) => e.eventId)).size).toBe(result.expected.length);
    } finally {
      await subscription.stop();
      await consuming;
    }
  });

  it('the same scenario catches the skip of a naive `position > last` reader', async () => {
    const result = await runOutOfOrderCommitScenario(await naiveSubject());
    // the naive reader ran past the open transaction's position, then never went back for it
    expect(result.seenWhileHeld.length).toBe(10 + OTHERS);
    expect(result.missing).toEqual([result.heldEventId]);
  });
});
