import { randomUUID } from 'node:crypto';
import { customerStreamId, EXAMPLES_V1, type CanonicalEventType } from '@c360/contracts';
import type { JsonObject } from '@c360/event-store';
import { ChurnSweeper, type DerivedStore } from '@c360/projections';
import type { HistoryAppend } from '@c360/projections/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const DAY = 86_400_000;
const D0 = Date.UTC(2026, 2, 2, 12);
const DRAINED = 'D0001';

const event = (type: CanonicalEventType, at: number, data: JsonObject): HistoryAppend['event'] => ({
  eventId: randomUUID(),
  type,
  version: 1,
  data,
  occurredAt: new Date(at),
});

/**
 * A customer the bank only hears about from core banking: registered, then two end-of-day
 * balances. No channel interaction, no complaint, no salary: nothing but the balance drain
 * window can move its flags, and that one only with the clock.
 */
const drainedCustomer = (): HistoryAppend[] => {
  const streamId = customerStreamId(DRAINED);
  const registered = { ...(structuredClone(EXAMPLES_V1.CustomerRegistered.data) as unknown as JsonObject), customerNumber: DRAINED, region: 'east' };
  const balance = (at: number, balanceMinor: number): HistoryAppend => ({
    streamId,
    event: event('BalanceReported', at, { productId: 'SAV-1', balanceMinor, currency: 'CNY', asOfDate: new Date(at).toISOString().slice(0, 10) }),
  });
  return [
    { streamId, event: event('CustomerRegistered', D0 - DAY, registered) },
    balance(D0, 50_000_000),
    balance(D0 + 60 * DAY, 5_000_000), // 90% gone, but the 90-day window does not reach back to D0 yet
  ];
};

describe('churn sweeper: flags only the clock can raise (real PostgreSQL)', () => {
  let h: Harness;
  let projector: Projector;
  let store: DerivedStore;
  const derived = { ...parseDerivedConfig({}), sweepIntervalMs: 0 };
  const openFlags = async (): Promise<string[]> =>
    (
      await h.db.pool.query<{ code: string }>(`SELECT code FROM read_models.churn_flags WHERE customer_id = $1 AND status = 'open' ORDER BY code`, [DRAINED])
    ).rows.map((r) => r.code);
  const sweepAt = async (at: number): Promise<{ customers: number; changed: number }> => {
    const r = await new ChurnSweeper(store, { domain: derived.domain, churn: derived.churn, clock: () => new Date(at) }).sweepOnce();
    if (r === null) throw new Error('another sweeper holds the lock');
    return r;
  };

  beforeAll(async () => {
    h = await createHarness();
    await h.append(drainedCustomer());
    ({ projector, store } = await h.startCaughtUp({ workerId: 'clock-only' }, derived));
  });
  afterAll(async () => {
    await projector.stop();
    await h.close();
  });

  it('a balance drain that the moving window reveals is raised by the sweep after that day, for a customer with no interaction at all', async () => {
    expect(await openFlags()).toEqual([]);
    // 70 days on: the window starts 20 days after D0, so there is no baseline yet.
    expect(await sweepAt(D0 + 70 * DAY)).toMatchObject({ customers: 1, changed: 0 });
    expect(await openFlags()).toEqual([]);
    // Not due again before the window reaches D0 (the customer is passed over, not re-read).
    expect(await sweepAt(D0 + 89 * DAY)).toMatchObject({ customers: 0 });
    // 91 days on: the balance of D0 is the baseline, 90% of it is gone.
    expect(await sweepAt(D0 + 91 * DAY)).toMatchObject({ customers: 1, changed: 1 });
    expect(await openFlags()).toEqual(['balance-drain']);
  });
});
