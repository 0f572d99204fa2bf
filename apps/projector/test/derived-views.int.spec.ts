import { randomUUID } from 'node:crypto';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType } from '@c360/contracts';
import {
  churnRiskScore,
  DIGITAL_FIRST_SEGMENT,
  evaluateChurn,
  evaluateSegments,
  evaluationTime,
  nextChurnChange,
  type Customer360State,
  type SegmentDefinition,
} from '@c360/customer-domain';
import type { JsonObject } from '@c360/event-store';
import type { MessagePublisher, OutgoingMessage } from '@c360/messaging';
import { InProcessBroker } from '@c360/messaging';
import {
  ChurnRulesService,
  ChurnSweeper,
  SegmentRulesService,
  ShadowRunsService,
  type DerivedStore,
} from '@c360/projections';
import { historyFromOps, seededOps, type HistoryAppend } from '@c360/projections/testing';
import { decodeDocument, TypeOrmDerivedStore } from '@c360/read-models';
import { expectEventually } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { OutboxRelay } from '../src/derived/outbox-relay';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 30 }, (_, i) => `C${String(i).padStart(4, '0')}`);
const SILENT = 'S0001';
const DAY = 86_400_000;
const SILENT_LAST = Date.UTC(2026, 5, 1, 9);

const event = (type: CanonicalEventType, at: number, data?: JsonObject): HistoryAppend['event'] => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data: data ?? (structuredClone(EXAMPLES_V1[type].data) as unknown as JsonObject),
  occurredAt: new Date(at),
});

/** A customer who used the app every few days, then went silent on SILENT_LAST. */
const silentCustomer = (): HistoryAppend[] => {
  const streamId = customerStreamId(SILENT);
  const registered = { ...(structuredClone(EXAMPLES_V1.CustomerRegistered.data) as unknown as JsonObject), customerNumber: SILENT, region: 'north' };
  return [
    { streamId, event: event('CustomerRegistered', SILENT_LAST - 20 * DAY, registered) },
    ...[15, 10, 5, 0].map((d) => ({ streamId, event: event('MobileSessionStarted', SILENT_LAST - d * DAY) })),
  ];
};

interface Row {
  customer_id: string;
  state: unknown;
  churn_risk_score: number;
}

describe('derived views: segment membership, churn flags, outbox, shadow runs (real PostgreSQL)', () => {
  let h: Harness;
  let projector: Projector;
  let store: DerivedStore;
  const derived = { ...parseDerivedConfig({}), sweepIntervalMs: 0 };
  const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> => (await h.db.pool.query<T>(sql, params)).rows;
  const customers = async (): Promise<Array<{ id: string; state: Customer360State; risk: number }>> =>
    (await q<Row>('SELECT customer_id, state, churn_risk_score FROM read_models.customer_360 ORDER BY customer_id')).map((r) => ({
      id: r.customer_id,
      state: decodeDocument<Customer360State>(r.state),
      risk: r.churn_risk_score,
    }));
  const activeSegments = async (): Promise<SegmentDefinition[]> =>
    (await q<{ definition: SegmentDefinition }>(`SELECT definition FROM read_models.segment_definitions WHERE status = 'active'`)).map(
      (r) => r.definition,
    );
  const members = async (segmentId?: string): Promise<string[]> =>
    (
      await q<{ k: string }>(
        `SELECT segment_id || '/' || customer_id AS k FROM read_models.segment_membership WHERE $1::text IS NULL OR segment_id = $1 ORDER BY 1`,
        [segmentId ?? null],
      )
    ).map((r) => r.k);
  const count = async (table: string): Promise<number> => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.${table}`))[0]?.n ?? -1;
  /** One sweep by a new sweeper (a process started afresh) with the clock at `at`. */
  const sweepAt = async (at: number, pageSize = 7): Promise<{ customers: number; changed: number }> => {
    const r = await new ChurnSweeper(store, { domain: derived.domain, churn: derived.churn, pageSize, clock: () => new Date(at) }).sweepOnce();
    if (r === null) throw new Error('another sweeper holds the lock');
    return r;
  };
  const startProjector = async (workerId: string): Promise<Projector> => {
    const p = new Projector({ config: h.config({ workerId, mode: 'single', batchSize: 41 }), derived });
    await p.start();
    return p;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.append([...historyFromOps(CUSTOMERS, seededOps(7, 600, CUSTOMERS.length)), ...silentCustomer()]);
    ({ projector, store } = await h.startCaughtUp({ workerId: 'derived-1', batchSize: 41 }, derived));
  });
  afterAll(async () => {
    await projector.stop();
    await h.close();
  });

  it('seeds the built-in segments at version 1, active', async () => {
    const rows = await q<{ id: string; version: number; status: string }>('SELECT id, version, status FROM read_models.segment_definitions ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual(
      ['branch-reliant', 'digital-first', 'growth', 'potential', 'tier-core', 'tier-important', 'tier-mass', 'tier-top', 'unprofitable'],
    );
    expect(rows.every((r) => r.version === 1 && r.status === 'active')).toBe(true);
  });

  it('membership and open flags equal the domain evaluation of every customer, and history ends in the current membership', async () => {
    const definitions = await activeSegments();
    const expectedMembers: string[] = [];
    const expectedFlags: string[] = [];
    for (const c of await customers()) {
      const at = evaluationTime(c.state);
      if (at === null || c.state.mergedInto !== null) continue;
      for (const e of evaluateSegments(definitions, c.state, at, derived.domain)) if (e.member) expectedMembers.push(`${e.segmentId}/${c.id}`);
      const flags = evaluateChurn(c.state, at, derived.churn, derived.domain);
      for (const f of flags) expectedFlags.push(`${c.id}/${f.code}`);
      expect({ id: c.id, risk: c.risk }).toEqual({ id: c.id, risk: churnRiskScore(flags, derived.churn.weights) });
    }
    expect(expectedMembers.length).toBeGreaterThan(CUSTOMERS.length); // every live customer has a tier, and more
    expect(await members()).toEqual([...expectedMembers].sort());
    const open = await q<{ k: string }>(`SELECT customer_id || '/' || code AS k FROM read_models.churn_flags WHERE status = 'open' ORDER BY 1`);
    expect(open.map((r) => r.k)).toEqual([...expectedFlags].sort());
    // The last history row of each (customer, segment) says whether it is a member now.
    const last = await q<{ k: string; change: string }>(
      `SELECT DISTINCT ON (customer_id, segment_id) segment_id || '/' || customer_id AS k, change
         FROM read_models.segment_membership_history ORDER BY customer_id, segment_id, at DESC, revision DESC, change DESC`,
    );
    expect(last.filter((r) => r.change === 'entered').map((r) => r.k).sort()).toEqual([...expectedMembers].sort());
    // Every history row and flag transition was announced in the outbox (after a merge, the
    // survivor's recomputed history may add to what was announced before, never remove).
    const flagEvents = (await q<{ n: number }>(`SELECT (count(*) + count(cleared_at))::int AS n FROM read_models.churn_flags`))[0]?.n ?? 0;
    const unannounced = await q(
      `SELECT 1 FROM read_models.segment_membership_history h WHERE NOT EXISTS (SELECT 1 FROM read_models.derived_outbox o
         WHERE o.key = h.customer_id AND o.payload->'data'->>'segmentId' = h.segment_id
           AND o.payload->>'type' = (CASE h.change WHEN 'entered' THEN 'SegmentEntered' ELSE 'SegmentLeft' END)
           AND o.payload->>'occurredAt' = to_char(h.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`,
    );
    expect(unannounced).toEqual([]);
    expect(await count('derived_outbox')).toBeGreaterThanOrEqual((await count('segment_membership_history')) + flagEvents);
  });

  it('I5: a redelivery from checkpoint zero leaves memberships, history, flags and the outbox untouched', async () => {
    const snapshot = async (): Promise<unknown[]> => [
      await q('SELECT * FROM read_models.segment_membership ORDER BY segment_id, customer_id'),
      await q('SELECT * FROM read_models.segment_membership_history ORDER BY customer_id, segment_id, cause, change'),
      await q('SELECT * FROM read_models.churn_flags ORDER BY flag_id'),
      await q('SELECT seq, event_id, payload, created_at FROM read_models.derived_outbox ORDER BY seq'),
    ];
    const before = await snapshot();
    await projector.stop();
    await h.db.pool.query('UPDATE read_models.projection_checkpoints SET position = 0');
    projector = await startProjector('derived-2');
    await h.caughtUpDigest();
    await expectEventually(() => expect(projector.status()[0]?.appliedEvents).toBeGreaterThan(600));
    expect(await snapshot()).toEqual(before);
    store = new TypeOrmDerivedStore(projector.dataSource);
  });

  it('I6: a rebuild into a shadow schema gives the same digest, derived tables included', async () => {
    const live = await h.caughtUpDigest();
    expect(live.segmentHistory).not.toBe('');
    expect(await h.rebuildDigest('rebuild_derived')).toEqual(live);
  });

  it('the sweeper flags a customer who went silent, with no new event, once, one sweeper at a time', async () => {
    const openOf = async (id: string): Promise<string[]> =>
      (await q<{ code: string }>(`SELECT code FROM read_models.churn_flags WHERE customer_id = $1 AND status = 'open' ORDER BY code`, [id])).map(
        (r) => r.code,
      );
    expect(await openOf(SILENT)).not.toContain('inactivity');
    const head = await h.eventStore.headPosition();
    const clock = (): Date => new Date(SILENT_LAST + 70 * DAY);
    const sweeper = new ChurnSweeper(store, { domain: derived.domain, churn: derived.churn, pageSize: 7, clock });
    // Another process sweeping: this one steps aside.
    expect(await store.exclusive('churn-sweeper', () => sweeper.sweepOnce())).toBeNull();
    const result = await sweeper.sweepOnce();
    expect(result?.changed).toBeGreaterThan(0);
    expect(await openOf(SILENT)).toContain('inactivity');
    const flag = (await q<{ reason: string; evidence_event_ids: string[]; raised_at: Date }>(
      `SELECT reason, evidence_event_ids, raised_at FROM read_models.churn_flags WHERE customer_id = $1 AND code = 'inactivity'`,
      [SILENT],
    ))[0];
    expect(flag?.reason).toMatch(/no interaction on usual channels \(mobile\) for 70 days/);
    expect(flag?.raised_at.toISOString()).toBe(clock().toISOString());
    expect((await q<{ n: number }>(`SELECT churn_risk_score AS n FROM read_models.customer_360 WHERE customer_id = $1`, [SILENT]))[0]?.n).toBeGreaterThan(0);
    const raisedEvents = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM read_models.derived_outbox WHERE key = $1 AND payload->>'type' = 'ChurnFlagRaised' AND payload->'data'->>'code' = 'inactivity'`,
      [SILENT],
    );
    expect(raisedEvents[0]?.n).toBe(1);
    expect(await h.eventStore.headPosition()).toBe(head); // nothing was sent
    // The same sweep again changes nothing and announces nothing twice.
    const outbox = await count('derived_outbox');
    expect((await sweeper.sweepOnce())?.changed).toBe(0);
    expect(await count('derived_outbox')).toBe(outbox);
  });

  it('the sweeper passes over a customer until its deadline, and takes it again when its row or the churn rules change', async () => {
    const t1 = SILENT_LAST + 70 * DAY; // the previous test swept everyone at t1
    const deadlines = async (): Promise<Map<string, Date | null>> =>
      new Map((await q<{ customer_id: string; due_at: Date | null }>(`SELECT customer_id, due_at FROM read_models.sweep_deadlines WHERE sweep = 'churn'`)).map((r) => [r.customer_id, r.due_at]));
    // Every customer was evaluated at t1 (by a sweeper since gone): none is due again yet.
    expect((await sweepAt(t1)).customers).toBe(0);
    const due = await deadlines();
    // SILENT's inactivity reason counts whole days: due again within a day, as nextChurnChange says
    const silent = (await customers()).find((c) => c.id === SILENT);
    expect(due.get(SILENT)?.toISOString()).toBe(nextChurnChange(silent!.state, new Date(t1).toISOString(), derived.churn));
    expect(due.get(SILENT)!.getTime()).toBeGreaterThan(t1);
    expect(due.get(SILENT)!.getTime()).toBeLessThan(t1 + DAY);


    // Two days on: whoever is due is evaluated, and SILENT's reason now counts 72 days.
    const t2 = t1 + 2 * DAY;
    const dueByT2 = [...due].filter(([, at]) => at !== null && at.getTime() <= t2).map(([id]) => id);
    expect(dueByT2).toContain(SILENT);
    expect((await sweepAt(t2)).customers).toBe(dueByT2.length);
    const reason = await q<{ reason: string }>(`SELECT reason FROM read_models.churn_flags WHERE customer_id = $1 AND code = 'inactivity' AND status = 'open'`, [SILENT]);
    expect(reason[0]?.reason).toMatch(/for 72 days/);

    // An hour later only those whose deadline has come are evaluated: the others are passed over.
    const t3 = t2 + 3_600_000;
    const atT2 = await deadlines();
    const dueByT3 = [...atT2].filter(([, at]) => at !== null && at.getTime() <= t3).map(([id]) => id);
    expect(dueByT3.length).toBeLessThan(atT2.size);
    expect((await sweepAt(t3)).customers).toBe(dueByT3.length);
    expect((await sweepAt(t3)).customers).toBe(0);

    // A customer whose row changed since (an event, a merge, a rebuild), or whose deadline was computed under other rules, is due at once.
    const [touched, otherRules] = [...atT2.keys()].filter((id) => !dueByT3.includes(id));
    await q(`UPDATE read_models.customer_360 SET updated_at = now() WHERE customer_id = $1`, [touched]);
    await q(`UPDATE read_models.sweep_deadlines SET rules = 'v0:other' WHERE sweep = 'churn' AND customer_id = $1`, [otherRules]);
    expect((await sweepAt(t3)).customers).toBe(2);
    expect((await sweepAt(t3)).customers).toBe(0);
  });

  it('shadow run of a segment version reports who would enter and leave and publishes nothing; activation applies exactly that without replay', async () => {
    const segments = new SegmentRulesService(store, { domain: derived.domain, pageSize: 9 });
    const shadows = new ShadowRunsService(store, { domain: derived.domain, churn: derived.churn, pageSize: 9 });
    const v2: SegmentDefinition = {
      ...DIGITAL_FIRST_SEGMENT,
      version: 2,
      description: 'At least 1 interaction in 90 days, half of them in the app.',
      rule: { all: [{ field: 'interactions90d', op: 'gte', value: 1 }, { field: 'digitalShare90d', op: 'gte', value: 0.5 }] },
    };
    await expect(segments.addVersion({ ...v2, rule: { field: 'nope', op: 'gt', value: 1 } })).rejects.toMatchObject({
      code: 'DERIVED_INVALID_DEFINITION',
    });
    expect((await segments.addVersion(v2)).status).toBe('shadow');
    // Who would enter / leave: the candidate against the current membership, from current state.
    const current = new Set(await members('digital-first'));
    const expected: string[] = [];
    for (const c of await customers()) {
      const at = evaluationTime(c.state);
      if (at === null) continue;
      const would = c.state.mergedInto === null && (evaluateSegments([v2], c.state, at, derived.domain)[0]?.member ?? false);
      const is = current.has(`digital-first/${c.id}`);
      if (would && !is) expected.push(`enter/${c.id}`);
      if (!would && is) expected.push(`leave/${c.id}`);
    }
    expect(expected.length).toBeGreaterThan(0);
    const outbox = await count('derived_outbox');
    const history = await count('segment_membership_history');
    const run = await shadows.runSegment('digital-first', 2);
    expect(run).toMatchObject({ status: 'done', kind: 'segment', target: 'digital-first', version: 2, customers: CUSTOMERS.length + 1 });
    expect(run.entering + run.leaving).toBe(expected.length);
    const reported: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await shadows.changes(run.runId, { after: cursor, limit: 2 });
      reported.push(...page.changes.map((c) => `${c.change}/${c.customerId}`));
      expect(page.changes.every((c) => c.reason.length > 0)).toBe(true);
      cursor = page.next;
    } while (cursor !== null);
    expect(reported.sort()).toEqual([...expected].sort());
    expect(await count('derived_outbox')).toBe(outbox); // a shadow run publishes nothing
    expect(await count('segment_membership_history')).toBe(history);
    expect(await members('digital-first')).toEqual([...current].sort());

    const applied = projector.status()[0]?.appliedEvents;
    const result = await segments.activate('digital-first', 2);
    expect(result.customers).toBe(CUSTOMERS.length + 1);
    expect(result.entered + result.left).toBe(expected.length);
    const rows = await q<{ k: string }>(
      `SELECT (CASE change WHEN 'entered' THEN 'enter' ELSE 'leave' END) || '/' || customer_id AS k
         FROM read_models.segment_membership_history WHERE cause = 'activate:digital-first@2' AND rule_version = 2`,
    );
    expect(rows.map((r) => r.k).sort()).toEqual([...expected].sort());
    const after = await q<{ k: string; v: number }>(
      `SELECT 'digital-first/' || customer_id AS k, rule_version AS v FROM read_models.segment_membership WHERE segment_id = 'digital-first' ORDER BY 1`,
    );
    const expectedAfter = [...current].filter((k) => !expected.includes(`leave/${k.split('/')[1] ?? ''}`));
    expectedAfter.push(...expected.filter((e) => e.startsWith('enter/')).map((e) => `digital-first/${e.slice(6)}`));
    expect(after.map((r) => r.k)).toEqual(expectedAfter.sort());
    expect(after.every((r) => r.v === 2)).toBe(true);
    expect(await count('derived_outbox')).toBe(outbox + expected.length);
    expect(projector.status()[0]?.appliedEvents).toBe(applied); // no replay
    const statuses = await q<{ version: number; status: string }>(
      `SELECT version, status FROM read_models.segment_definitions WHERE id = 'digital-first' ORDER BY version`,
    );
    expect(statuses).toEqual([{ version: 1, status: 'retired' }, { version: 2, status: 'active' }]);
    // Activating again changes nothing (history stays exactly once).
    expect(await segments.activate('digital-first', 2)).toMatchObject({ entered: 0, left: 0 });
  });

  it('a new scoped segment added active at run time has exactly the in-scope customers that match', async () => {
    const segments = new SegmentRulesService(store, { domain: derived.domain });
    const record = await segments.addVersion(
      { id: 'north-pilot', name: 'North pilot', description: 'Active customers in the north', scope: { regions: ['north'] }, rule: { field: 'interactions90d', op: 'gte', value: 1 } },
      'active',
    );
    expect(record).toMatchObject({ status: 'active', definition: { version: 1 } });
    const expected = (await customers())
      .filter((c) => {
        const at = evaluationTime(c.state);
        return at !== null && c.state.mergedInto === null && evaluateSegments([record.definition], c.state, at)[0]?.member === true;
      })
      .map((c) => `north-pilot/${c.id}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(await members('north-pilot')).toEqual(expected.sort());
  });

  it('a churn rule version in shadow is reported, not applied; activation applies it', async () => {
    const churnRules = new ChurnRulesService(store, { domain: derived.domain, churn: derived.churn });
    const shadows = new ShadowRunsService(store, { domain: derived.domain, churn: derived.churn });
    await expect(churnRules.addVersion({ inactivity: { days: 'soon' } })).rejects.toMatchObject({ code: 'DERIVED_INVALID_DEFINITION' });
    const v = await churnRules.addVersion({ inactivity: { days: 7, minInteractions: 1 } });
    expect(v).toMatchObject({ version: 2, status: 'shadow' });
    const flags = await count('churn_flags');
    const run = await shadows.runChurn(2);
    expect(run.status).toBe('done');
    expect(run.entering).toBeGreaterThan(0);
    const page = await shadows.changes(run.runId, { change: 'raise', limit: 1000 });
    expect(page.changes.every((c) => c.change === 'raise')).toBe(true);
    expect(await count('churn_flags')).toBe(flags);
    const result = await churnRules.activate(2);
    expect(result.changed).toBeGreaterThan(0);
    const raisedNow = await q<{ k: string }>(
      `SELECT customer_id || '/' || code AS k FROM read_models.churn_flags WHERE raised_cause = 'churn-rules@2' AND status = 'open'`,
    );
    const raises = page.changes.map((c) => `${c.customerId}/${c.subject}`);
    expect(raisedNow.map((r) => r.k).sort()).toEqual(raises.sort());
  });

  it('the outbox relay publishes each derived event once per id, and a re-send keeps the ids', async () => {
    const broker = new InProcessBroker();
    await broker.ensureTopics([{ name: derived.topic, partitions: 4 }]);
    const inner = broker.publisher();
    const published: string[] = [];
    const publisher: MessagePublisher = {
      isReady: () => inner.isReady(),
      close: () => inner.close(),
      async publish(topic: string, messages: readonly OutgoingMessage[]) {
        const receipts = await inner.publish(topic, messages);
        for (const m of messages) published.push((JSON.parse(String(m.value)) as { eventId: string }).eventId);
        return receipts;
      },
    };
    const relay = new OutboxRelay(store, publisher, { batchSize: 50 });
    const total = await count('derived_outbox');
    expect(await relay.relayOnce()).toBe(total);
    expect(new Set(published).size).toBe(total);
    expect(await relay.relayOnce()).toBe(0);
    const lag = await broker.groupLag('nobody', [derived.topic]);
    expect(lag.reduce((n, l) => n + Number(l.highWatermark), 0)).toBe(total);
    // A crash between the broker's ack and the commit: those rows go again, with the same ids.
    const again = await q<{ event_id: string }>(
      `UPDATE read_models.derived_outbox SET sent_at = NULL WHERE seq IN (SELECT seq FROM read_models.derived_outbox ORDER BY seq LIMIT 3) RETURNING event_id::text`,
    );
    published.length = 0;
    expect(await relay.relayOnce()).toBe(3);
    expect(published.sort()).toEqual(again.map((r) => r.event_id).sort());
    // The relay started by the projector drains new derived events by itself.
    await projector.stop();
    await q('UPDATE read_models.derived_outbox SET sent_at = NULL');
    projector = new Projector({ config: h.config({ workerId: 'derived-3', mode: 'single' }), derived: { ...derived, relayIntervalMs: 20 }, publisher });
    published.length = 0;
    await projector.start();
    await expectEventually(async () => expect(await count('derived_outbox')).toBe((await q<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.derived_outbox WHERE sent_at IS NOT NULL`))[0]?.n));
    expect(new Set(published).size).toBe(total);
  });
});
