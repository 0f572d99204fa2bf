import { randomBytes } from 'node:crypto';
import * as fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CanonicalEvent } from '@c360/contracts';
import { toEventMessage } from '../../gateway/src/intake/event-message';
import { canonical, moneyMoved } from './fixtures';
import { createFaultEnv, startFaultIngestor, storedRows, type FaultEnv } from './fault-harness';
import { produceRaw } from './pipeline-harness';

/**
 * A property over the whole ingestion path (real topic, real consumer, real store): any
 * interleaving of customer events, events under a channel identity, identity links, undecodable
 * garbage and invalid customer events, written to the topic as the gateway writes them, ends as
 * the model says — every event that should be stored is stored once, in its customer's stream,
 * in send order per sending subject (an identity's events after its link); events of an
 * identity never linked, and a customer's events behind its dead letter, are parked; garbage and
 * invalid events are dead-lettered; stored + parked + dead-lettered = everything sent (I8).
 */

type Op =
  | { readonly kind: 'event'; readonly customer: number }
  | { readonly kind: 'identity-event'; readonly identity: number }
  | { readonly kind: 'link'; readonly identity: number }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'invalid'; readonly customer: number };

/** Customers 0–1 can be linked to; 2–3 never are, and only they receive invalid events. Identity j links to customer j % 2. */
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('event' as const), customer: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('identity-event' as const), identity: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('link' as const), identity: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), customer: fc.integer({ min: 2, max: 3 }) }) },
);

interface Expected {
  /** stream → ids that must be stored there, per sending subject in send order. */
  readonly bySubject: Map<string, { stream: string; ids: string[] }>;
  readonly stored: Set<string>;
  readonly parked: Set<string>;
  /** For each identity subject: the id of the first link event (its events come after it). */
  readonly firstLink: Map<string, string>;
  readonly deadLetters: number;
  readonly messages: { key: string; value: Buffer | string }[];
}

function model(ops: readonly Op[], tag: string): Expected {
  const customer = (i: number): string => `P${tag}C${i}`;
  const identity = (j: number): string => `pu-${tag}-${j}`;
  const linked = new Set(ops.filter((o) => o.kind === 'link').map((o) => (o as { identity: number }).identity));
  const blocked = new Set<number>();
  const bySubject = new Map<string, { stream: string; ids: string[] }>();
  const stored = new Set<string>();
  const parked = new Set<string>();
  const firstLink = new Map<string, string>();
  const messages: { key: string; value: Buffer | string }[] = [];
  let deadLetters = 0;
  let amount = 0;
  const keep = (subject: string, stream: string, id: string): void => {
    const entry = bySubject.get(subject) ?? { stream, ids: [] };
    entry.ids.push(id);
    bySubject.set(subject, entry);
    stored.add(id);
  };
  const send = (event: Record<string, unknown>): void => {
    const m = toEventMessage(event as unknown as CanonicalEvent);
    messages.push({ key: typeof m.key === 'string' ? m.key : Buffer.from(m.key).toString(), value: m.value as string });
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'event': {
        const e = moneyMoved(customer(op.customer), ++amount);
        send(e);
        if (blocked.has(op.customer)) parked.add(e['eventId'] as string);
        else keep(`customer:${op.customer}`, `customer-${customer(op.customer)}`, e['eventId'] as string);
        break;
      }
      case 'identity-event': {
        const e = canonical('MoneyMoved', { identity: { scheme: 'mobile-user', value: identity(op.identity) }, data: { amountMinor: ++amount } });
        send(e);
        if (linked.has(op.identity)) keep(`identity:${op.identity}`, `customer-${customer(op.identity % 2)}`, e['eventId'] as string);
        else parked.add(e['eventId'] as string);
        break;
      }
      case 'link': {
        const c = op.identity % 2;
        const e = canonical('ChannelIdentityLinked', { customerId: customer(c), data: { scheme: 'mobile-user', value: identity(op.identity) } });
        send(e);
        keep(`customer:${c}`, `customer-${customer(c)}`, e['eventId'] as string);
        if (!firstLink.has(`identity:${op.identity}`)) firstLink.set(`identity:${op.identity}`, e['eventId'] as string);
        break;
      }
      case 'garbage':
        messages.push({ key: `garbage-${tag}`, value: Buffer.concat([Buffer.from([0xff, 0x00]), randomBytes(8)]) });
        deadLetters++;
        break;
      case 'invalid': {
        const e = moneyMoved(customer(op.customer), ++amount);
        send({ ...e, data: { ...(e['data'] as Record<string, unknown>), currency: 'yuan' } });
        deadLetters++;
        blocked.add(op.customer);
        break;
      }
    }
  }
  return { bySubject, stored, parked, firstLink, deadLetters, messages };
}

describe('ingestion property: random interleavings end as the model says', () => {
  let p: FaultEnv;
  let ingestor: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    p = await createFaultEnv('prop', { partitions: 3 });
    ingestor = await startFaultIngestor(p);
  }, 180_000);

  afterAll(async () => {
    await ingestor?.app.close().catch(() => undefined);
    await p?.cleanup();
  }, 60_000);

  const count = async (sql: string, ids: readonly string[]): Promise<number> =>
    ((await p.db.pool.query(sql, [ids])).rows[0] as { n: number }).n;

  it('stores each valid event once, in order per subject; parks and dead-letters the rest', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const tag = randomBytes(4).toString('hex');
        const x = model(ops, tag);
        const dlBefore = ((await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters')).rows[0] as { n: number }).n;
        await produceRaw(p.topic, x.messages);
        const streams = [...new Set([...x.bySubject.values()].map((s) => s.stream))];
        const allIds = [...x.stored, ...x.parked];

        // Settled: every expected event stored or parked, every dead letter written (bounded wait).
        const deadline = Date.now() + 60_000;
        for (;;) {
          const storedN = await count('SELECT count(*)::int AS n FROM event_store.events WHERE event_id::text = ANY($1)', [...x.stored]).catch(() => -1);
          const parkedN = await count('SELECT count(*)::int AS n FROM ingestor.parked_events WHERE event_id::text = ANY($1)', [...x.parked]).catch(() => -1);
          const dl = ((await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters').catch(() => ({ rows: [{ n: -1 }] }))).rows[0] as { n: number }).n - dlBefore;
          if (storedN === x.stored.size && parkedN === x.parked.size && dl >= x.deadLetters) break;
          if (Date.now() > deadline) throw new Error(`not settled: stored ${storedN}/${x.stored.size}, parked ${parkedN}/${x.parked.size}, dead letters ${dl}/${x.deadLetters}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        const rows = (await storedRows(p.db.pool)).filter((r) => streams.includes(r.streamId));
        // Exactly the expected events in this run's streams (nothing parked or invalid got in), each once.
        expect(rows.map((r) => r.eventId).sort()).toEqual([...x.stored].sort());
        // Revisions contiguous per stream.
        const position = new Map<string, number>();
        const next = new Map<string, number>();
        for (const r of rows) {
          expect(r.revision).toBe(next.get(r.streamId) ?? 0);
          next.set(r.streamId, r.revision + 1);
          position.set(r.eventId, r.revision);
        }
        // Per sending subject: right stream, send order; an identity's events after its first link.
        const streamOf = new Map(rows.map((r) => [r.eventId, r.streamId]));
        for (const [subject, { stream, ids }] of x.bySubject) {
          for (const id of ids) expect(streamOf.get(id)).toBe(stream);
          const revs = ids.map((id) => position.get(id)!);
          expect(revs).toEqual([...revs].sort((a, b) => a - b));
          const link = x.firstLink.get(subject);
          if (link) for (const r of revs) expect(r).toBeGreaterThan(position.get(link)!);
        }
        // Nothing of this run is both stored and parked; dead letters are exactly the poison.
        expect(await count('SELECT count(*)::int AS n FROM ingestor.parked_events WHERE event_id::text = ANY($1)', [...x.stored])).toBe(0);
        const dlAfter = ((await p.db.pool.query('SELECT count(*)::int AS n FROM ingestor.dead_letters')).rows[0] as { n: number }).n;
        expect(dlAfter - dlBefore).toBe(x.deadLetters);
        // I8: stored + parked + dead-lettered = everything sent.
        expect(x.stored.size + x.parked.size + x.deadLetters).toBe(x.messages.length);
        expect(allIds.length + x.deadLetters).toBe(ops.length);
      }),
      { numRuns: 12, endOnFailure: true },
    );
  }, 400_000);
});
