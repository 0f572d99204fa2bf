import { randomUUID } from 'node:crypto';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType } from '@c360/contracts';
import { foldAsOf, foldCustomer, foldKnownAt, type Customer360State, type DomainEvent } from '@c360/customer-domain';
import type { JsonObject } from '@c360/event-store';
import { historyFromOps, seededOps, type HistoryAppend } from '@c360/projections/testing';
import { decodeDocument } from '@c360/read-models';
import { expectEventually } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { createHarness, ProjectorChild, type Harness } from './harness';

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 2, 1, 9);
const derived = { ...parseDerivedConfig({}), sweepIntervalMs: 0 };

const event = (type: CanonicalEventType, at: number, data?: JsonObject): HistoryAppend['event'] => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data: data ?? (structuredClone(EXAMPLES_V1[type].data) as unknown as JsonObject),
  occurredAt: new Date(at),
});

const registered = (id: string): JsonObject => ({
  ...(structuredClone(EXAMPLES_V1.CustomerRegistered.data) as unknown as JsonObject),
  customerNumber: id,
  region: 'south',
});

describe('F11 out-of-order arrival (real PostgreSQL, live projector)', () => {
  let h: Harness;
  let projector: Projector;
  const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => (await h.db.pool.query<T>(sql, params)).rows;
  const stream = async (id: string): Promise<DomainEvent[]> => {
    const out: DomainEvent[] = [];
    for await (const e of h.eventStore.readStream(customerStreamId(id))) out.push(e);
    return out;
  };
  const row = async (id: string): Promise<Customer360State> =>
    decodeDocument<Customer360State>((await q<{ state: unknown }>('SELECT state FROM read_models.customer_360 WHERE customer_id = $1', [id]))[0]?.state);

  beforeAll(async () => {
    h = await createHarness();
    projector = new Projector({ config: h.config({ workerId: 'f11', mode: 'single', batchSize: 3 }), derived });
    await projector.start();
  });
  afterAll(async () => {
    await projector.stop();
    await h.close();
  });

  it('late and swapped events applied incrementally equal the fold in stream order; asOf follows business time, knownAt recording time', async () => {
    const LATE = 'F11LATE';
    const SWAP = 'F11SWAP';
    const others = Array.from({ length: 8 }, (_, i) => `F11N${i}`);
    // First: registrations and in-order activity, projected live.
    await h.append([
      { streamId: customerStreamId(LATE), event: event('CustomerRegistered', BASE, registered(LATE)) },
      { streamId: customerStreamId(SWAP), event: event('CustomerRegistered', BASE, registered(SWAP)) },
      ...[1, 2, 3].map((d) => ({ streamId: customerStreamId(LATE), event: event('MobileSessionStarted', BASE + (60 + d) * DAY) })),
      ...historyFromOps(others, seededOps(21, 150, others.length)),
    ]);
    await h.caughtUpDigest();
    const beforeLate = new Date();
    await new Promise((r) => setTimeout(r, 20));
    // Then, while the projector is live: an event that occurred 40 days before the newest one
    // (recorded now), a balance and a product for it, and a pair whose business times are
    // swapped against their stream order (the later-dated event is appended first).
    await h.append([
      { streamId: customerStreamId(LATE), event: event('BranchVisited', BASE + 20 * DAY) },
      { streamId: customerStreamId(LATE), event: event('ProductOpened', BASE + 21 * DAY) },
      {
        streamId: customerStreamId(LATE),
        event: event('BalanceReported', BASE + 22 * DAY, { productId: 'A-77', balanceMinor: 9_000_000, currency: 'CNY', asOfDate: '2026-03-23' }),
      },
      { streamId: customerStreamId(SWAP), event: event('BranchVisited', BASE + 30 * DAY) },
      { streamId: customerStreamId(SWAP), event: event('MobileSessionStarted', BASE + 10 * DAY) },
      { streamId: customerStreamId(SWAP), event: event('CallHandled', BASE + 20 * DAY) },
      ...historyFromOps(others, seededOps(22, 80, others.length)).slice(others.length),
    ]);
    const live = await h.caughtUpDigest();

    for (const id of [LATE, SWAP, ...others]) {
      const events = await stream(id);
      const state = await row(id);
      if (state.mergedInto === null && state.mergedFrom.length === 0) expect(state).toEqual(foldCustomer(id, events)); // stream order
      expect(state.position.lastRevision).toBe(events.length - 1);
    }
    const late = await row(LATE);
    expect(late.lastInteraction.branch?.at).toBe(new Date(BASE + 20 * DAY).toISOString());
    expect(late.timeline[0]?.occurredAt).toBe(new Date(BASE + 63 * DAY).toISOString()); // newest business time first
    const lateEvents = await stream(LATE);
    // asOf (business time): 25 days in, the late visit had occurred; 15 days in it had not.
    expect(foldAsOf(LATE, lateEvents, new Date(BASE + 25 * DAY)).lastInteraction.branch?.at).toBe(new Date(BASE + 20 * DAY).toISOString());
    expect(foldAsOf(LATE, lateEvents, new Date(BASE + 15 * DAY)).lastInteraction.branch).toBeNull();
    // knownAt (recording time): before the late events were recorded, the bank knew none of them.
    const known = foldKnownAt(LATE, lateEvents, beforeLate);
    expect(known.lastInteraction.branch).toBeNull();
    expect(known.products).toEqual([]);
    expect(known).toEqual(foldCustomer(LATE, lateEvents.slice(0, 4)));
    // Swapped: the fold keeps stream order for the state, business time for windows and "last" fields.
    const swap = await row(SWAP);
    expect(swap.lastInteraction.mobile?.at).toBe(new Date(BASE + 10 * DAY).toISOString());
    expect(swap.lastInteraction.branch?.at).toBe(new Date(BASE + 30 * DAY).toISOString());
    expect(swap.timeline.map((t) => t.occurredAt)).toEqual([...swap.timeline.map((t) => t.occurredAt)].sort().reverse());
    expect(foldAsOf(SWAP, await stream(SWAP), new Date(BASE + 15 * DAY)).lastInteraction).toMatchObject({ mobile: { at: new Date(BASE + 10 * DAY).toISOString() }, branch: null });
    // All three read models equal a from-scratch rebuild (which reads the same stream order).
    expect(await h.rebuildDigest('rebuild_f11')).toEqual(live);
  });
});

describe('F12 rebalance storm: projector workers joining and leaving every couple of seconds under load', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** An in-process worker sharing partitions through leases (starts in about a second, unlike a child process). */
  class Worker {
    committed = 0;
    readonly projector: Projector;
    constructor(
      harness: Harness,
      readonly id: string,
    ) {
      this.projector = new Projector({
        config: harness.config({ workerId: id, mode: 'leases', leaseTtlMs: 1_500, batchSize: 15, poolMax: 3 }),
        derived,
        hooks: { onEvent: (e) => void (e.kind === 'committed' && this.committed++) },
      });
    }
  }

  it('ends equal to the rebuild, and no customer revision ever goes backwards', async () => {
    const customers = Array.from({ length: 50 }, (_, i) => `F12C${String(i).padStart(3, '0')}`);
    const history = (seed: number, n: number, first = false): HistoryAppend[] => {
      const all = historyFromOps(customers, seededOps(seed, n, customers.length));
      return first ? all : all.slice(customers.length);
    };
    await h.append(history(31, 200, true));
    // One worker in a child process, to die abruptly (SIGKILL) mid-storm; it compiles on start, so it comes up first.
    const victim = new ProjectorChild({
      DATABASE_URL: h.db.url,
      PROJECTOR_WORKER_ID: 'storm-child',
      PROJECTOR_PARTITIONS: '16',
      PROJECTOR_LEASE_TTL_MS: '1500',
      PROJECTOR_BATCH_SIZE: '15',
    });
    const running: Worker[] = [];
    const all: Worker[] = [];
    const join = async (id: string): Promise<void> => {
      const w = new Worker(h, id);
      running.push(w);
      all.push(w);
      await w.projector.start();
    };
    // Watch every customer's revision while the storm runs.
    const seen = new Map<string, number>();
    const regressions: string[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const rows = await h.db.pool
          .query<{ customer_id: string; last_revision: string }>('SELECT customer_id, last_revision FROM read_models.customer_360')
          .then((r) => r.rows, () => []);
        for (const r of rows) {
          const rev = Number(r.last_revision);
          const before = seen.get(r.customer_id);
          if (before !== undefined && rev < before) regressions.push(`${r.customer_id}: ${before} -> ${rev}`);
          seen.set(r.customer_id, Math.max(rev, before ?? rev));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    let appending = true;
    let writer: Promise<void> = Promise.resolve();
    try {
      await victim.waitFor('started', 1, 90_000);
      await join('storm-0');
      writer = (async () => {
        for (let i = 0; appending && i < 60; i++) {
          await h.append(history(400 + i, 30));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      // The storm: every ~2 s a worker joins and (from the third round) one leaves, keeping 2–4
      // running; halfway, the child process is SIGKILLed (its leases expire and are taken over).
      for (let round = 1; round <= 8; round++) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await join(`storm-${round}`);
        if (round === 4) await victim.kill('SIGKILL');
        if (running.length > 3 || (round >= 3 && round % 2 === 1)) await running.shift()?.projector.stop();
      }
      appending = false;
      await writer;
      const live = await h.caughtUpDigest('read_models', 60_000);
      watching = false;
      await watch;
      expect(victim.count('committed')).toBeGreaterThan(0);
      expect(all.filter((w) => w.committed > 0).length).toBeGreaterThanOrEqual(4); // the partitions really moved around
      expect(regressions).toEqual([]);
      expect(seen.size).toBe(customers.length);
      expect(live.customers).toBe(customers.length);
      // The survivors take every partition over, on live leases (a worker that left in the last
      // round released its partitions moments ago: they are picked up on the next rebalance).
      await expectEventually(
        async () => {
          const leases = await h.db.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM read_models.projection_leases WHERE owner IS NOT NULL AND expires_at > now()`,
          );
          expect(leases.rows[0]?.n).toBe(16);
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      for (const w of running.splice(0)) await w.projector.stop();
      expect(await h.rebuildDigest('rebuild_f12')).toEqual(live);
    } finally {
      appending = false;
      watching = false;
      await writer.catch(() => undefined);
      await watch.catch(() => undefined);
      await victim.kill('SIGKILL');
      for (const w of running) await w.projector.stop().catch(() => undefined);
    }
  }, 240_000);
});
