import { waitForEventStoreSchema, type SchemaProbe } from './event-store-schema';

/** A database whose event store table appears after `missingChecks` checks; the clock moves only when the wait sleeps. */
function fakeDatabase(missingChecks: number): { db: SchemaProbe; checked: string[] } {
  const checked: string[] = [];
  const db: SchemaProbe = {
    query: async <R>(_sql: string, values?: unknown[]): Promise<{ rows: R[] }> => {
      checked.push(String(values?.[0]));
      return { rows: [{ found: checked.length > missingChecks }] as R[] };
    },
  };
  return { db, checked };
}

describe('waiting for the event store schema', () => {
  let clock: number;
  const slept: number[] = [];
  const sleep = async (ms: number): Promise<void> => {
    slept.push(ms);
    clock += ms;
  };
  beforeEach(() => {
    clock = 0;
    slept.length = 0;
  });

  it('returns at once, silently, when the schema is there', async () => {
    const { db, checked } = fakeDatabase(0);
    const lines: string[] = [];
    expect(await waitForEventStoreSchema(db, 'event_store', { log: (m) => lines.push(m), sleep, now: () => clock })).toBe(0);
    expect(checked).toEqual(['event_store.events']);
    expect(lines).toEqual([]);
  });

  it('polls with growing delays capped at the maximum, says what it waits for at once and then at most every logEveryMs, and when it found it', async () => {
    const { db, checked } = fakeDatabase(20);
    const lines: string[] = [];
    const waited = await waitForEventStoreSchema(db, 'es_custom', { log: (m) => lines.push(m), sleep, now: () => clock, backoff: { initialMs: 100, maxMs: 1_000 }, logEveryMs: 5_000 });
    expect(checked).toHaveLength(21);
    expect(new Set(checked)).toEqual(new Set(['es_custom.events']));
    expect(slept).toHaveLength(20);
    // Full jitter: each delay within [ceiling/2, ceiling], the ceiling doubling from 100 ms to 1 s.
    slept.forEach((ms, i) => {
      const ceiling = Math.min(1_000, 100 * 2 ** i);
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
    expect(waited).toBe(slept.reduce((a, b) => a + b, 0));
    const waiting = lines.filter((l) => l.startsWith('waiting for'));
    expect(waiting[0]).toMatch(/^waiting for the event store schema "es_custom" \(table es_custom\.events does not exist yet; the ingestor creates it when it starts\): waited 0 s, next check in \d+ ms$/);
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    expect(waiting.length).toBeLessThanOrEqual(1 + Math.ceil(waited / 5_000));
    expect(lines.at(-1)).toMatch(/^event store schema "es_custom" found after \d+ s: starting the projections$/);
  });

  it('does not retry other failures (PostgreSQL unreachable, authentication): they are thrown', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const db: SchemaProbe = { query: () => Promise.reject(refused) };
    await expect(waitForEventStoreSchema(db, 'event_store', { log: () => undefined, sleep, now: () => clock })).rejects.toBe(refused);
    expect(slept).toEqual([]);
  });

  it('stops waiting when aborted, with the abort reason, during a real sleep', async () => {
    const { db, checked } = fakeDatabase(Number.POSITIVE_INFINITY);
    const abort = new AbortController();
    const stopped = new Error('SIGTERM');
    const waiting = waitForEventStoreSchema(db, 'event_store', { log: () => abort.abort(stopped), signal: abort.signal, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    await expect(waiting).rejects.toBe(stopped);
    expect(checked).toHaveLength(1);
  });
});
