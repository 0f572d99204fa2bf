import { randomUUID } from 'node:crypto';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType } from '@c360/contracts';
import {
  evaluateSegments,
  evaluationTime,
  nextMembershipChangeAt,
  timeSensitiveSegments,
  type Customer360State,
  type SegmentDefinition,
} from '@c360/customer-domain';
import type { JsonObject } from '@c360/event-store';
import type { DerivedStore } from '@c360/projections';
import { historyFromOps, seededOps, type HistoryAppend } from '@c360/projections/testing';
import { decodeDocument } from '@c360/read-models';
import { expectEventually } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { SEGMENT_SWEEPER_JOB, SegmentSweeper } from '../src/derived/segment-sweeper';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 20 }, (_, i) => `G${String(i).padStart(4, '0')}`);
const DAY = 86_400_000;
const LAST = Date.UTC(2026, 5, 1, 9); // after every synthetic event (those end by May)
const APP_USER = 'APP0001';
const BRANCH_USER = 'BRN0001';

const event = (type: CanonicalEventType, at: number, data?: JsonObject): HistoryAppend['event'] => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data: data ?? (structuredClone(EXAMPLES_V1[type].data) as unknown as JsonObject),
  occurredAt: new Date(at),
});

/** A customer who used only `type` on the given days before LAST, then went quiet. */
const quietCustomer = (id: string, type: CanonicalEventType, daysBefore: readonly number[]): HistoryAppend[] => {
  const streamId = customerStreamId(id);
  const registered = { ...(structuredClone(EXAMPLES_V1.CustomerRegistered.data) as unknown as JsonObject), customerNumber: id, region: 'north' };
  return [
    { streamId, event: event('CustomerRegistered', LAST - 30 * DAY, registered) },
    ...daysBefore.map((d) => ({ streamId, event: event(type, LAST - d * DAY) })),
  ];
};

describe('segment membership follows the clock (segment sweeper, real PostgreSQL)', () => {
  let h: Harness;
  let projector: Projector;
  let store: DerivedStore;
  const derived = { ...parseDerivedConfig({}), sweepIntervalMs: 0 };
  const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => (await h.db.pool.query<T>(sql, params)).rows;
  const segmentsOf = async (id: string): Promise<string[]> =>
    (await q<{ s: string }>('SELECT segment_id AS s FROM read_models.segment_membership WHERE customer_id = $1 ORDER BY 1', [id])).map((r) => r.s);
  const count = async (table: string): Promise<number> => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.${table}`))[0]?.n ?? -1;

  beforeAll(async () => {
    h = await createHarness();
    await h.append([
      ...historyFromOps(CUSTOMERS, seededOps(11, 300, CUSTOMERS.length)),
      // App sessions 15, 10, 5 and 0 days before LAST: digital-first until the 2nd leaves the 90-day window.
      ...quietCustomer(APP_USER, 'MobileSessionStarted', [15, 10, 5, 0]),
      ...quietCustomer(BRANCH_USER, 'BranchVisited', [12, 6, 0]),
    ]);
    ({ projector, store } = await h.startCaughtUp({ workerId: 'seg-sweep', batchSize: 33 }, derived));
  });
  afterAll(async () => {
    await projector.stop();
    await h.close();
  });

  it('a customer who goes quiet leaves digital-first once its window passes, without sending anything; recorded and published once', async () => {
    expect(await segmentsOf(APP_USER)).toContain('digital-first');
    expect(await segmentsOf(BRANCH_USER)).toContain('branch-reliant');
    const head = await h.eventStore.headPosition();
    const at = (days: number): (() => Date) => () => new Date(LAST + days * DAY);

    // 60 days on, four sessions are still inside 90 days: it stays (other customers' windows move).
    const early = new SegmentSweeper(store, { domain: derived.domain, pageSize: 4, clock: at(60) });
    expect((await early.sweepOnce())?.left).toBeGreaterThan(0);
    expect(await segmentsOf(APP_USER)).toContain('digital-first');
    expect(await segmentsOf(BRANCH_USER)).toContain('branch-reliant');
    const outboxOf = async (id: string): Promise<number> =>
      (await q<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.derived_outbox WHERE key = $1`, [id]))[0]?.n ?? -1;
    const appOutbox = await outboxOf(APP_USER);

    // 81 days on, only two sessions are inside 90 days (LAST-5 and LAST): it leaves.
    const clock = at(81);
    const sweeper = new SegmentSweeper(store, { domain: derived.domain, pageSize: 4, clock });
    expect(await store.exclusive(SEGMENT_SWEEPER_JOB, () => sweeper.sweepOnce())).toBeNull(); // another process sweeps: step aside
    // Who is due: each survivor's next change point after the day-60 sweep (or after its own
    // newest event, if later) has come by day 81; the others are passed over unread.
    const activeTimed = timeSensitiveSegments(
      (await q<{ definition: SegmentDefinition }>(`SELECT definition FROM read_models.segment_definitions WHERE status = 'active'`)).map((r) => r.definition),
    );
    const survivors = (await q<{ state: unknown }>('SELECT state FROM read_models.customer_360 WHERE merged_into IS NULL')).map((r) => decodeDocument<Customer360State>(r.state));
    const due = survivors.filter((state) => {
      const own = evaluationTime(state);
      if (own === null) return true; // never given a deadline: read on every sweep
      const from = Date.parse(own) >= at(60)().getTime() ? own : at(60)().toISOString();
      const next = nextMembershipChangeAt(state, activeTimed, from, derived.domain);
      return next !== null && Date.parse(next) <= clock().getTime();
    });
    const result = await sweeper.sweepOnce();
    expect(result?.customers).toBe(due.length);
    expect(result?.left).toBeGreaterThanOrEqual(2);
    expect(await segmentsOf(APP_USER)).not.toContain('digital-first');
    expect(await segmentsOf(BRANCH_USER)).not.toContain('branch-reliant');
    const cause = `segment-sweep@${clock().toISOString()}`;
    const history = await q<{ change: string; at: Date; rule_version: number; reason: string }>(
      `SELECT change, at, rule_version, reason FROM read_models.segment_membership_history WHERE customer_id = $1 AND segment_id = 'digital-first' AND cause = $2`,
      [APP_USER, cause],
    );
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ change: 'left', rule_version: 1 });
    expect(history[0]?.at.toISOString()).toBe(clock().toISOString());
    expect(history[0]?.reason).toMatch(/interactions90d=2 not ≥ 3/);
    const published = await q<{ occurred: string }>(
      `SELECT payload->>'occurredAt' AS occurred FROM read_models.derived_outbox
        WHERE key = $1 AND payload->>'type' = 'SegmentLeft' AND payload->'data'->>'segmentId' = 'digital-first'`,
      [APP_USER],
    );
    expect(published.map((p) => p.occurred)).toEqual([clock().toISOString()]);
    expect(await outboxOf(APP_USER)).toBe(appOutbox + 1);
    expect(await h.eventStore.headPosition()).toBe(head); // nothing was sent

    // Every survivor's time-windowed membership now equals the domain's evaluation at the clock.
    const definitions = timeSensitiveSegments(
      (await q<{ definition: SegmentDefinition }>(`SELECT definition FROM read_models.segment_definitions WHERE status = 'active'`)).map((r) => r.definition),
    );
    const ids = new Set(definitions.map((d) => d.id));
    const rows = await q<{ customer_id: string; state: unknown }>('SELECT customer_id, state FROM read_models.customer_360 WHERE merged_into IS NULL ORDER BY 1');
    const expected: string[] = [];
    for (const r of rows) {
      const state = decodeDocument<Customer360State>(r.state);
      if (evaluationTime(state) === null) continue;
      for (const e of evaluateSegments(definitions, state, clock().toISOString(), derived.domain)) if (e.member) expected.push(`${r.customer_id}/${e.segmentId}`);
    }
    const actual = (await q<{ k: string; s: string }>(`SELECT customer_id || '/' || segment_id AS k, segment_id AS s FROM read_models.segment_membership ORDER BY 1`))
      .filter((r) => ids.has(r.s))
      .map((r) => r.k);
    expect(actual).toEqual(expected.sort());

    // The same sweep again changes nothing and announces nothing twice; a fresh sweeper neither.
    const outbox = await count('derived_outbox');
    const rowsBefore = await count('segment_membership_history');
    expect(await sweeper.sweepOnce()).toMatchObject({ entered: 0, left: 0, evaluated: 0 });
    expect(await new SegmentSweeper(store, { domain: derived.domain, clock }).sweepOnce()).toMatchObject({ customers: 0, entered: 0, left: 0 });
    expect(await count('derived_outbox')).toBe(outbox);
    expect(await count('segment_membership_history')).toBe(rowsBefore);
  });

  it('the projector runs the segment sweeper by itself on its sweep interval', async () => {
    const QUIET = 'APP0002';
    await h.append(quietCustomer(QUIET, 'MobileSessionStarted', [3, 2, 1]));
    await h.caughtUpDigest();
    expect(await segmentsOf(QUIET)).toContain('digital-first');
    await projector.stop();
    projector = new Projector({
      config: h.config({ workerId: 'seg-sweep-2', mode: 'single' }),
      derived: { ...derived, sweepIntervalMs: 100 },
      clock: () => new Date(LAST + 200 * DAY),
    });
    await projector.start();
    // Generous: on a loaded 2-core machine the first timed sweep can wait behind start-up work.
    await expectEventually(
      async () => {
        const segments = await segmentsOf(QUIET);
        // The sweeper's last error is part of the message, so a timeout says why.
        expect({ segments, lastSweepError: projector.segmentSweeperError() }).toEqual({ segments: segments.filter((s) => s !== 'digital-first'), lastSweepError: null });
      },
      { timeoutMs: 60_000 },
    );
    const left = await q<{ cause: string }>(
      `SELECT cause FROM read_models.segment_membership_history WHERE customer_id = $1 AND segment_id = 'digital-first' AND change = 'left'`,
      [QUIET],
    );
    expect(left.map((r) => r.cause)).toEqual([`segment-sweep@${new Date(LAST + 200 * DAY).toISOString()}`]);
  });
});
