/**
 * event-store: append throughput (batches of 100 from 8 concurrent writers) against a raw COPY
 * of the same rows into a bare table; read-all throughput against a raw streaming SELECT of
 * that table; peak RSS of a process reading 1,000,000 events through readAll.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import Cursor from 'pg-cursor';
import { from as copyFrom } from 'pg-copy-streams';
import { migratePostgresEventStore, PostgresEventStore, type NewEvent } from '@c360/event-store';
import { createBenchDatabase } from './bench-db';
import { note, report, timed, type Suite } from '../report';

const WRITERS = 8;
const BATCH = 100;

function makeEvent(i: number): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'MoneyMoved',
    version: 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
    data: {
      productId: `A-${i % 977}`,
      direction: i % 3 === 0 ? 'out' : 'in',
      kind: 'transfer',
      amountMinor: (i * 7919) % 10_000_000,
      currency: 'CNY',
      counterpartyBank: i % 5 === 0 ? 'ICBC' : null,
    },
    metadata: { source: 'bench' },
  };
}

interface Batch {
  readonly streamId: string;
  readonly events: NewEvent[];
}

function makeBatches(total: number): Batch[] {
  const batches: Batch[] = [];
  for (let b = 0; b < total / BATCH; b++) {
    const events: NewEvent[] = [];
    for (let j = 0; j < BATCH; j++) events.push(makeEvent(b * BATCH + j));
    batches.push({ streamId: `customer-B${b % 5000}`, events });
  }
  return batches;
}

const csv = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function copyRows(batches: Batch[]): string[] {
  const revisions = new Map<string, number>();
  const rows: string[] = [];
  for (const b of batches) {
    let rev = revisions.get(b.streamId) ?? -1;
    for (const e of b.events) {
      rev += 1;
      rows.push(
        [e.eventId, b.streamId, rev, e.type, e.version, csv(JSON.stringify(e.data)), csv(JSON.stringify(e.metadata)),
          e.occurredAt?.toISOString()].join(',') + '\n',
      );
    }
    revisions.set(b.streamId, rev);
  }
  return rows;
}

function childRss(script: string, url: string, count: number): { rssMb: number; read: number } {
  const root = path.resolve(__dirname, '..', '..');
  const res = spawnSync(
    process.execPath,
    ['-r', path.join(root, 'scripts', 'register.cjs'), path.join(__dirname, script), url, String(count)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (res.status !== 0) throw new Error(`${script} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop() ?? '{}') as { rssMb: number; read: number };
}

export const eventStoreSuite: Suite = {
  async run(args) {
    const quick = args.includes('--quick');
    const total = quick ? 20_000 : 100_000;
    const rssEvents = quick ? 200_000 : 1_000_000;
    const db = await createBenchDatabase('c360_bench_es');
    try {
      await migratePostgresEventStore(db.pool);
      const store = new PostgresEventStore(db.pool, { pageSize: 1000 });
      await db.pool.query(`CREATE TABLE bare (event_id uuid, stream_id text, revision bigint, type text,
        version int, data jsonb, metadata jsonb, occurred_at timestamptz)`);

      // Baseline: one raw COPY of the same rows.
      const baselineBatches = makeBatches(total);
      const rows = copyRows(baselineBatches);
      const copy = await timed(async () => {
        const client = await db.pool.connect();
        try {
          await pipeline(Readable.from(rows), client.query(copyFrom('COPY bare FROM STDIN WITH (FORMAT csv)')));
        } finally {
          client.release();
        }
      });
      const copyRate = total / copy.seconds;

      // Ours: 8 concurrent writers, batches of 100, each batch one append to one stream.
      const batches = makeBatches(total);
      let next = 0;
      const append = await timed(async () => {
        await Promise.all(
          Array.from({ length: WRITERS }, async () => {
            for (let i = next++; i < batches.length; i = next++) {
              const b = batches[i]!;
              await store.appendToStream(b.streamId, b.events, { expectedRevision: 'any' });
            }
          }),
        );
      });
      const appendRate = total / append.seconds;
      note(`append: ${appendRate.toFixed(0)} events/s; raw COPY: ${copyRate.toFixed(0)} rows/s`);
      report({ bench: 'event-store.append', value: appendRate, unit: 'events/s', baseline: copyRate,
        ratio: appendRate / copyRate, target: 0.25 });

      // Read all: ours vs a raw streaming SELECT (cursor) of the bare table.
      const raw = await timed(async () => {
        const client = await db.pool.connect();
        let n = 0;
        try {
          const cursor = client.query(new Cursor('SELECT * FROM bare'));
          for (;;) {
            const page = await cursor.read(1000);
            if (page.length === 0) break;
            n += page.length;
          }
          await cursor.close();
        } finally {
          client.release();
        }
        return n;
      });
      const ours = await timed(async () => {
        let n = 0;
        for await (const _e of store.readAll()) n++;
        return n;
      });
      if (ours.result !== total || raw.result !== total) throw new Error(`read ${ours.result}/${raw.result} of ${total}`);
      const readRate = total / ours.seconds;
      const rawRate = total / raw.seconds;
      note(`read-all: ${readRate.toFixed(0)} events/s; raw SELECT: ${rawRate.toFixed(0)} rows/s`);
      report({ bench: 'event-store.read-all', value: readRate, unit: 'events/s', baseline: rawRate,
        ratio: readRate / rawRate, target: 0.5 });

      // Peak RSS reading a long history: fill to rssEvents, then read it all in a fresh process.
      const fill = rssEvents - total;
      const chunk = 100_000;
      for (let done = 0; done < fill; done += chunk) {
        const n = Math.min(chunk, fill - done);
        await db.pool.query(
          `INSERT INTO event_store.events (transaction_id, seq, event_id, stream_id, revision, type, version, data, metadata, occurred_at)
           SELECT pg_current_xact_id(), g, gen_random_uuid(), 'customer-F' || ($1::int + g), 0, 'MoneyMoved', 1,
                  jsonb_build_object('productId', 'A-' || g, 'direction', 'in', 'kind', 'deposit',
                    'amountMinor', g * 13, 'currency', 'CNY', 'counterpartyBank', null),
                  '{"source":"bench"}'::jsonb, now()
             FROM generate_series(1, $2::int) g`,
          [done, n],
        );
      }
      const ourRss = childRss('event-store-reader.ts', db.url, rssEvents);
      const rawRss = childRss('event-store-raw-reader.ts', db.url, rssEvents);
      note(`peak RSS reading ${ourRss.read} events: ${ourRss.rssMb.toFixed(0)} MB (raw cursor: ${rawRss.rssMb.toFixed(0)} MB)`);
      report({ bench: 'event-store.read-all-peak-rss', value: ourRss.rssMb, unit: 'MB', baseline: rawRss.rssMb,
        ratio: rawRss.rssMb / ourRss.rssMb, target: 200 });
      await store.close();
    } finally {
      await db.drop();
    }
  },
};
