/**
 * Synthetic canonical history for the projection, ingest and query benches: one
 * CustomerRegistered per customer, then activity skewed so that the most active 1% of
 * customers produce about a quarter of all events. Deterministic for a seed (event ids aside).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Pool } from 'pg';
import type { JsonObject } from '@c360/event-store';

export interface BenchEvent {
  /** 1-based position in the generated global order. */
  readonly ord: number;
  readonly eventId: string;
  readonly customerId: string;
  /** 0-based revision in the customer's stream. */
  readonly revision: number;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly occurredAt: Date;
}

export interface HistoryShape {
  readonly events: number;
  readonly customers: number;
  readonly seed?: number;
}

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

export const customerIdOf = (i: number): string => `B${String(i).padStart(7, '0')}`;

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['east', 'north', 'south', 'central', 'west'] as const;
const SOURCES: Record<string, JsonObject> = {
  core: { source: { system: 'core-banking' }, subject: 'customerId' },
  branch: { source: { system: 'branch-teller', channel: 'branch' }, subject: 'customerId' },
  mobile: { source: { system: 'mobile-backend', channel: 'mobile' }, subject: 'customerId' },
  call: { source: { system: 'call-centre-cti', channel: 'call-centre' }, subject: 'customerId' },
};

function registered(i: number, r: () => number): { type: string; data: JsonObject; metadata: JsonObject } {
  const id = customerIdOf(i);
  return {
    type: 'CustomerRegistered',
    data: {
      customerNumber: id,
      kind: r() < 0.1 ? 'business' : 'individual',
      fullName: `Bench Person ${i}`,
      nationalId: `X${String(i).padStart(16, '0')}`,
      birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `+86138${String(i).padStart(8, '0')}`,
      email: `person${i}@example.com`,
      address: `${i} Example Road, Example City`,
      region: REGIONS[i % REGIONS.length] ?? 'east',
      branchCode: `BR-${String(i % 40).padStart(4, '0')}`,
    },
    metadata: SOURCES['branch'] ?? {},
  };
}

function activity(i: number, r: () => number): { type: string; data: JsonObject; metadata: JsonObject } {
  const x = r();
  const productId = `A-${i}`;
  if (x < 0.35) {
    const kinds = ['deposit', 'withdrawal', 'salary', 'transfer', 'card-payment', 'fee', 'interest'] as const;
    const kind = kinds[Math.floor(r() * kinds.length)] ?? 'deposit';
    const out = kind === 'withdrawal' || kind === 'card-payment' || kind === 'fee' || (kind === 'transfer' && r() < 0.5);
    return {
      type: 'MoneyMoved',
      data: { productId, direction: out ? 'out' : 'in', kind, amountMinor: 100 + Math.floor(r() * 5_000_000), currency: 'CNY',
        counterpartyBank: kind === 'transfer' && r() < 0.3 ? 'ICBC' : null },
      metadata: SOURCES['core'] ?? {},
    };
  }
  if (x < 0.5)
    return { type: 'BalanceReported', data: { productId, balanceMinor: Math.floor(r() * 50_000_000), currency: 'CNY', asOfDate: '2026-03-31' },
      metadata: SOURCES['core'] ?? {} };
  if (x < 0.6)
    return { type: 'BranchVisited', data: { branchCode: `BR-${String(i % 40).padStart(4, '0')}`, service: 'cash-deposit',
      waitMinutes: Math.floor(r() * 40), tellerId: `T-${i % 300}` }, metadata: SOURCES['branch'] ?? {} };
  if (x < 0.8)
    return { type: 'MobileSessionStarted', data: { deviceId: `dev-${i}`, appVersion: '7.4.1' }, metadata: SOURCES['mobile'] ?? {} };
  if (x < 0.88)
    return { type: 'MobileActionPerformed', data: { deviceId: `dev-${i}`, action: 'transfer.submit' }, metadata: SOURCES['mobile'] ?? {} };
  if (x < 0.95) {
    const outcomes = ['resolved', 'transferred', 'callback', 'abandoned'] as const;
    return { type: 'CallHandled', data: { callId: `CALL-${Math.floor(r() * 1e9)}`, reason: 'card-blocked', durationSec: Math.floor(r() * 900),
      outcome: outcomes[Math.floor(r() * 4)] ?? 'resolved', sentiment: Math.round((r() * 2 - 1) * 100) / 100, agentId: `AG-${i % 200}` },
      metadata: SOURCES['call'] ?? {} };
  }
  if (x < 0.98) {
    const nps = r() < 0.5;
    return { type: 'SurveyAnswered', data: { kind: nps ? 'nps' : 'csat', score: nps ? Math.floor(r() * 11) : 1 + Math.floor(r() * 5) },
      metadata: SOURCES['mobile'] ?? {} };
  }
  if (x < 0.99)
    return { type: 'ComplaintRaised', data: { complaintId: `CMP-${Math.floor(r() * 1e9)}`, category: 'fees', severity: 'medium', channel: 'call-centre' },
      metadata: SOURCES['call'] ?? {} };
  return { type: 'ProductOpened', data: { productId: `S-${i}-${Math.floor(r() * 1000)}`, productType: 'savings', currency: 'CNY' },
    metadata: SOURCES['core'] ?? {} };
}

/**
 * The history in global (business-time) order: all registrations first (days 0–10), then
 * activity (days 10–180). Customers 0 … 1%-1 are the heavy ones.
 */
export function* generateHistory(shape: HistoryShape): Generator<BenchEvent> {
  const { events, customers } = shape;
  if (events < customers) throw new RangeError('need at least one event per customer');
  const r = rng(shape.seed ?? 42);
  const heavy = Math.max(1, Math.ceil(customers / 100));
  const activityTotal = events - customers;
  const heavyActivity = Math.max(0, Math.round(events * 0.25) - heavy);
  const pHeavy = activityTotal === 0 ? 0 : Math.min(1, heavyActivity / activityTotal);
  const revisions = new Int32Array(customers);
  let ord = 0;
  for (let i = 0; i < customers; i++) {
    const e = registered(i, r);
    ord += 1;
    yield { ord, eventId: randomUUID(), customerId: customerIdOf(i), revision: 0, ...e,
      occurredAt: new Date(START + Math.floor((i / customers) * 10 * DAY)) };
  }
  const light = customers - heavy;
  for (let k = 0; k < activityTotal; k++) {
    const i = r() < pHeavy || light === 0 ? Math.floor(r() * heavy) : heavy + Math.floor(r() * light);
    revisions[i] = (revisions[i] ?? 0) + 1;
    const e = activity(i, r);
    ord += 1;
    yield { ord, eventId: randomUUID(), customerId: customerIdOf(i), revision: revisions[i] ?? 0, ...e,
      occurredAt: new Date(START + 10 * DAY + Math.floor((k / activityTotal) * 170 * DAY)) };
  }
}

const csv = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** Columns of BARE_TABLE_COLUMNS, one CSV line. */
export const csvLine = (e: BenchEvent): string =>
  `${e.ord},${e.eventId},customer-${e.customerId},${e.revision},${e.type},1,${csv(JSON.stringify(e.data))},${csv(JSON.stringify(e.metadata))},${e.occurredAt.toISOString()}\n`;

export const BARE_TABLE_COLUMNS = 'ord, event_id, stream_id, revision, type, version, data, metadata, occurred_at';
export const bareTableSql = (table: string): string =>
  `CREATE TABLE ${table} (ord bigint, event_id uuid, stream_id text, revision bigint, type text, version int,
     data jsonb, metadata jsonb, occurred_at timestamptz)`;

/** Writes the history as CSV (what COPY reads); returns the share of events from the top 1%. */
export async function writeHistoryCsv(file: string, shape: HistoryShape): Promise<{ heavyShare: number }> {
  const out = createWriteStream(file);
  const heavyIds = Math.max(1, Math.ceil(shape.customers / 100));
  let heavyEvents = 0;
  let chunk: string[] = [];
  for (const e of generateHistory(shape)) {
    if (Number(e.customerId.slice(1)) < heavyIds) heavyEvents++;
    chunk.push(csvLine(e));
    if (chunk.length === 5000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.join(''));
  await once(out, 'finish');
  return { heavyShare: heavyEvents / shape.events };
}

/**
 * Moves rows [from, to] (by ord) of a bare table into the PostgreSQL event store in one
 * transaction, honouring its schema: transaction_id is this transaction's xid8, seq the
 * 1-based index in it, and the streams table carries each stream's last revision.
 */
export async function appendFromBare(pool: Pool, bare: string, schema: string, from: number, to: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${schema}.events (transaction_id, seq, event_id, stream_id, revision, type, version, data, metadata, occurred_at)
       SELECT pg_current_xact_id(), (ord - $1::bigint + 1)::int, event_id, stream_id, revision, type, version, data, metadata, occurred_at
         FROM ${bare} WHERE ord BETWEEN $1 AND $2 ORDER BY ord`,
      [from, to],
    );
    await client.query(
      `INSERT INTO ${schema}.streams (stream_id, revision)
       SELECT stream_id, max(revision) FROM ${bare} WHERE ord BETWEEN $1 AND $2 GROUP BY stream_id
       ON CONFLICT (stream_id) DO UPDATE SET revision = GREATEST(${schema}.streams.revision, EXCLUDED.revision)`,
      [from, to],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
