import type { AuditEntry } from '../persistence/audit-log.repository';
import { AuditGroupCommit, GroupCommit, type AuditSink, type GroupSink } from './audit-group-commit';

const entry = (n: number, client = 'svc'): AuditEntry => ({
  requestId: `r${n}`,
  client,
  tokenId: null,
  action: 'customer.view',
  customerId: `C${n}`,
  fields: ['profile'],
  piiShown: false,
  outcome: 'ok',
  detail: {},
});

/** A sink whose INSERTs the test completes by hand, to see when each write resolves. */
class ManualSink implements AuditSink {
  readonly batches: { entries: readonly AuditEntry[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  readonly singles: AuditEntry[] = [];
  failSingle: (e: AuditEntry) => Error | undefined = () => undefined;

  appendMany(entries: readonly AuditEntry[]): Promise<void> {
    return new Promise((resolve, reject) => this.batches.push({ entries, resolve, reject }));
  }
  append(e: AuditEntry): Promise<void> {
    this.singles.push(e);
    const err = this.failSingle(e);
    return err === undefined ? Promise.resolve() : Promise.reject(err);
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const settled = (p: Promise<unknown>): Promise<string> => {
  const state = p.then(() => 'resolved', () => 'rejected');
  return Promise.race([state, tick().then(() => 'pending')]);
};

describe('AuditGroupCommit', () => {
  it('writes every record of one tick in one INSERT and answers each only after it committed', async () => {
    const sink = new ManualSink();
    const g = new AuditGroupCommit(sink);
    const writes = [1, 2, 3].map((n) => g.write(entry(n)));
    await tick();
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]?.entries.map((e) => e.requestId)).toEqual(['r1', 'r2', 'r3']);
    expect(await settled(writes[0] as Promise<void>)).toBe('pending'); // not committed yet: not answered
    sink.batches[0]?.resolve();
    await expect(Promise.all(writes)).resolves.toBeDefined();
  });

  it('groups the records that arrive while earlier INSERTs are in flight', async () => {
    const sink = new ManualSink();
    const g = new AuditGroupCommit(sink, { maxInFlight: 1 });
    const first = g.write(entry(1));
    await tick();
    const later = [2, 3, 4].map((n) => g.write(entry(n)));
    await tick();
    expect(sink.batches).toHaveLength(1); // one in flight at most
    sink.batches[0]?.resolve();
    await first;
    await tick();
    expect(sink.batches).toHaveLength(2);
    expect(sink.batches[1]?.entries.map((e) => e.requestId)).toEqual(['r2', 'r3', 'r4']);
    expect(await settled(later[0] as Promise<void>)).toBe('pending');
    sink.batches[1]?.resolve();
    await Promise.all(later);
  });

  it('refuses every read of the group when its INSERT fails', async () => {
    const sink = new ManualSink();
    const g = new AuditGroupCommit(sink);
    const writes = [1, 2].map((n) => g.write(entry(n)));
    await tick();
    sink.batches[0]?.reject(Object.assign(new Error('audit disk full'), { code: 'P0001' }));
    for (const w of writes) await expect(w).rejects.toThrow('audit disk full');
    expect(sink.singles).toHaveLength(0);
  });

  it('isolates a record the database cannot store (data error): only its read is refused', async () => {
    const sink = new ManualSink();
    sink.failSingle = (e) => (e.client.includes('\u0000') ? Object.assign(new Error('invalid byte sequence'), { code: '22021' }) : undefined);
    const g = new AuditGroupCommit(sink);
    const good = g.write(entry(1));
    const bad = g.write(entry(2, 'evil\u0000'));
    const alsoGood = g.write(entry(3));
    await tick();
    sink.batches[0]?.reject(Object.assign(new Error('invalid byte sequence'), { code: '22021' }));
    await expect(good).resolves.toBeUndefined();
    await expect(alsoGood).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow('invalid byte sequence');
    expect(sink.singles.map((e) => e.requestId)).toEqual(['r1', 'r2', 'r3']);
  });

  it('splits a large group into INSERTs of at most maxBatch records', async () => {
    const sink = new ManualSink();
    const g = new AuditGroupCommit(sink, { maxBatch: 2, maxInFlight: 8 });
    const writes = [1, 2, 3, 4, 5].map((n) => g.write(entry(n)));
    await tick();
    expect(sink.batches.map((b) => b.entries.length)).toEqual([2, 2, 1]);
    for (const b of sink.batches) b.resolve();
    await Promise.all(writes);
  });
});

describe('GroupCommit (items with results: the grouped live reads)', () => {
  class ManualResults implements GroupSink<string, string> {
    readonly groups: { items: readonly string[]; resolve: (r: readonly string[]) => void; reject: (e: unknown) => void }[] = [];
    one(item: string): Promise<string> {
      return Promise.resolve(`one:${item}`);
    }
    many(items: readonly string[]): Promise<readonly string[]> {
      return new Promise((resolve, reject) => this.groups.push({ items, resolve, reject }));
    }
  }

  it('hands each caller its own result, only after the group committed', async () => {
    const sink = new ManualResults();
    const g = new GroupCommit(sink);
    const calls = ['a', 'b', 'c'].map((x) => g.submit(x));
    await tick();
    expect(sink.groups.map((x) => x.items)).toEqual([['a', 'b', 'c']]);
    expect(await settled(calls[0] as Promise<string>)).toBe('pending');
    sink.groups[0]?.resolve(['A', 'B', 'C']);
    await expect(Promise.all(calls)).resolves.toEqual(['A', 'B', 'C']);
  });

  it('refuses every caller of a group whose statement failed (no result to anyone)', async () => {
    const sink = new ManualResults();
    const g = new GroupCommit(sink);
    const calls = ['a', 'b'].map((x) => g.submit(x));
    await tick();
    sink.groups[0]?.reject(Object.assign(new Error('audit disk full'), { code: 'P0001' }));
    for (const c of calls) await expect(c).rejects.toThrow('audit disk full');
  });

  it('spreads what waits over the free slots in groups no smaller than minSpreadBatch', async () => {
    const sink = new ManualResults();
    const g = new GroupCommit(sink, { maxInFlight: 4, minSpreadBatch: 16 });
    const sizes = async (n: number): Promise<number[]> => {
      sink.groups.length = 0;
      const calls = Array.from({ length: n }, (_, i) => g.submit(`x${i}`));
      await tick();
      const got = sink.groups.map((x) => x.items.length);
      for (const x of sink.groups) x.resolve(x.items.map((i) => i.toUpperCase()));
      await expect(Promise.all(calls)).resolves.toEqual(Array.from({ length: n }, (_, i) => `X${i}`));
      return got;
    };
    expect(await sizes(8)).toEqual([8]);
    expect(await sizes(31)).toEqual([31]);
    expect(await sizes(32)).toEqual([16, 16]);
    expect(await sizes(40)).toEqual([20, 20]);
    expect(await sizes(100)).toEqual([25, 25, 25, 25]);
    // Without the option: one group (up to maxBatch), as before.
    const plain = new GroupCommit(sink, { maxInFlight: 4 });
    sink.groups.length = 0;
    const calls = Array.from({ length: 40 }, (_, i) => plain.submit(`y${i}`));
    await tick();
    expect(sink.groups.map((x) => x.items.length)).toEqual([40]);
    for (const x of sink.groups) x.resolve(x.items);
    await Promise.all(calls);
  });

  it('refuses every caller when the statement answered for a different number of items', async () => {
    const sink = new ManualResults();
    const g = new GroupCommit(sink);
    const calls = ['a', 'b'].map((x) => g.submit(x));
    await tick();
    sink.groups[0]?.resolve(['A']);
    for (const c of calls) await expect(c).rejects.toThrow(/1 results for 2 items/);
  });
});
