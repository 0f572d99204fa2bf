import { randomUUID } from 'node:crypto';
import { expectEventually } from '@c360/testing';
import { InMemoryEventStore } from '../adapters/in-memory/in-memory-event-store';
import type { JsonObject, NewEvent, RecordedEvent } from '../envelope';
import { EventStoreErrorCode, isEventStoreError } from '../errors';
import { EventTypeRegistry } from '../serialization/event-type-registry';
import { isErased } from './erased';
import { generateDataKey } from './field-cipher';
import { InMemoryKeyStore } from './in-memory-key-store';
import { MasterKeyring } from './master-keys';
import { ProtectedEventStore, type ProtectedEventStoreOptions } from './protected-event-store';

const registry = new EventTypeRegistry([
  {
    type: 'CustomerRegistered',
    currentVersion: 2,
    // v1 had `name`; v2 has `fullName` and `initials` — computed from the personal value,
    // which works because the protector decrypts before it upcasts.
    upcasters: {
      1: (data: JsonObject): JsonObject => {
        const { name, ...rest } = data;
        if (isErased(name)) return { ...rest, fullName: name, initials: name };
        const full = typeof name === 'string' ? name : '';
        return { ...rest, fullName: full, initials: full.split(' ').map((w) => w[0] ?? '').join('') };
      },
    },
    personalFields: ['name', 'fullName', 'initials', 'phone', 'address'],
  },
  { type: 'ContactDetailsChanged', currentVersion: 1, personalFields: ['phone', 'address'] },
  { type: 'MoneyMoved', currentVersion: 1 },
  { type: 'Note', currentVersion: 1 },
]);

const ring = (spec: Record<string, Buffer>, active: string): MasterKeyring =>
  MasterKeyring.fromConfig({
    activeKeyId: active,
    keys: Object.fromEntries(Object.entries(spec).map(([id, k]) => [id, k.toString('base64')])),
  });

const k1 = generateDataKey();
const k2 = generateDataKey();

function setup(overrides: Partial<ProtectedEventStoreOptions> = {}) {
  const inner = new InMemoryEventStore(); // no registry: the protector checks and upcasts
  const keyStore = new InMemoryKeyStore();
  const store = new ProtectedEventStore(inner, { registry, keyStore, masterKeys: ring({ k1 }, 'k1'), ...overrides });
  return { inner, keyStore, store };
}

const registered = (extra: JsonObject = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'CustomerRegistered',
  version: 2,
  data: { fullName: 'Ada Canary', initials: 'AC', phone: '+4400000001', address: { street: '1 Canary Lane' }, region: 'north', ...extra },
});
const money = (amountMinor: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'MoneyMoved',
  version: 1,
  data: { amountMinor, currency: 'CNY' },
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return isEventStoreError(e) ? e.code : 'not-coded';
  }
}

describe('ProtectedEventStore (crypto-shredding) on the in-memory store', () => {
  it('stores personal fields encrypted and reads them back decrypted; other fields stay plain', async () => {
    const { inner, store } = setup();
    const e = registered();
    await store.appendToStream('customer-C1', [e, money(100)]);
    const raw = await collect(inner.readStream('customer-C1'));
    const rawText = JSON.stringify(raw.map((r) => r.data));
    expect(rawText).not.toContain('Ada Canary');
    expect(rawText).not.toContain('+4400000001');
    expect(rawText).not.toContain('Canary Lane');
    expect(raw[0]?.data['region']).toBe('north');
    const [read, m] = await collect(store.readStream('customer-C1'));
    expect(read?.data).toEqual(e.data);
    expect(m?.data).toEqual({ amountMinor: 100, currency: 'CNY' });
  });

  it('after erasure: personal fields read as erased, the rest intact, the history replays — on every read path', async () => {
    const { store } = setup();
    await store.appendToStream('customer-C2', [registered(), money(100), money(-30)]);
    await store.appendToStream('customer-C2', [
      { eventId: randomUUID(), type: 'ContactDetailsChanged', version: 1, data: { phone: '+4400000002', channel: 'app' } },
    ]);
    const record = await store.eraseSubject('C2', 'customer request (GDPR art. 17)');
    expect(record).toMatchObject({ subjectId: 'C2', reason: 'customer request (GDPR art. 17)' });

    const events = await collect(store.readStream('customer-C2'));
    expect(events).toHaveLength(4);
    const [reg, , , changed] = events;
    expect(reg?.data).toEqual({
      fullName: { erased: true },
      initials: { erased: true },
      phone: { erased: true },
      address: { erased: true },
      region: 'north',
    });
    expect(changed?.data).toEqual({ phone: { erased: true }, channel: 'app' });
    // replay: a fold over the whole history still runs
    const balance = events.reduce((sum, ev) => sum + (typeof ev.data['amountMinor'] === 'number' ? ev.data['amountMinor'] : 0), 0);
    expect(balance).toBe(70);
    const all = await collect(store.readAll({ filter: { streamPrefixes: ['customer-C2'] } }));
    expect(all.map((a) => a.data)).toEqual(events.map((a) => a.data));

    const sub = store.subscribeToAll({ filter: { streamPrefixes: ['customer-C2'] } });
    const seen: RecordedEvent[] = [];
    for await (const ev of sub) {
      seen.push(ev);
      if (seen.length === 4) break;
    }
    await sub.stop();
    expect(isErased(seen[0]?.data['fullName'])).toBe(true);
  });

  it('refuses new personal data for an erased subject; non-personal events still append; erasure is idempotent', async () => {
    const { store } = setup();
    await store.appendToStream('customer-C3', [registered()]);
    const first = await store.eraseSubject('C3', 'request');
    expect(await codeOf(store.appendToStream('customer-C3', [registered()]))).toBe(EventStoreErrorCode.SubjectErased);
    await expect(store.appendToStream('customer-C3', [money(5)])).resolves.toMatchObject({ written: 1 });
    expect(await store.eraseSubject('C3', 'again')).toEqual(first);
    expect(await store.subjectErasure('C3')).toEqual(first);
    // a subject erased before it ever had data is refused too
    await store.eraseSubject('C9', 'request');
    expect(await codeOf(store.appendToStream('customer-C9', [registered()]))).toBe(EventStoreErrorCode.SubjectErased);
  });

  it('keeps appends idempotent: the same event again writes nothing (deterministic ciphertext)', async () => {
    const { store } = setup();
    const e = registered();
    await expect(store.appendToStream('customer-C4', [e])).resolves.toMatchObject({ written: 1 });
    await expect(store.appendToStream('customer-C4', [e])).resolves.toMatchObject({ written: 0 });
    expect(await codeOf(store.appendToStream('customer-C4', [{ ...e, data: { ...e.data, phone: '+4499' } }]))).toBe(
      EventStoreErrorCode.EventIdConflict,
    );
  });

  it('refuses personal data on a stream without a data subject, and reserved ciphertext in plain fields', async () => {
    const { store } = setup();
    expect(await codeOf(store.appendToStream('batch-1', [registered()]))).toBe(EventStoreErrorCode.InvalidEvent);
    const forged: NewEvent = { eventId: randomUUID(), type: 'Note', version: 1, data: { text: 'c360e1.forged' } };
    expect(await codeOf(store.appendToStream('customer-C5', [forged]))).toBe(EventStoreErrorCode.InvalidEvent);
    // and guards like any store
    expect(await codeOf(store.appendToStream('customer-C5', []))).toBe(EventStoreErrorCode.EmptyBatch);
    expect(await codeOf(store.appendToStream('customer-C5', [{ ...money(1), type: 'Nope' }]))).toBe(
      EventStoreErrorCode.UnknownEventType,
    );
  });

  it('a subject resolver can be supplied', async () => {
    const { inner, store } = setup({ subjectOf: (s) => /^party:(.+)$/.exec(s)?.[1] ?? null });
    await store.appendToStream('party:P1', [registered()]);
    await store.eraseSubject('P1', 'request');
    const [e] = await collect(store.readStream('party:P1'));
    expect(isErased(e?.data['phone'])).toBe(true);
    expect(JSON.stringify((await collect(inner.readStream('party:P1'))).map((r) => r.data))).not.toContain('Canary');
  });

  it('upcasts after decrypting: a v1 event computes v2 fields from its personal value', async () => {
    const { store } = setup();
    await store.appendToStream('customer-C6', [
      { eventId: randomUUID(), type: 'CustomerRegistered', version: 1, data: { name: 'Grace Brewster Hopper', region: 'east' } },
    ]);
    const [e] = await collect(store.readStream('customer-C6'));
    expect(e).toMatchObject({ version: 2, data: { fullName: 'Grace Brewster Hopper', initials: 'GBH', region: 'east' } });
    await store.eraseSubject('C6', 'request');
    const [after] = await collect(store.readStream('customer-C6'));
    expect(after?.data).toEqual({ fullName: { erased: true }, initials: { erased: true }, region: 'east' });
  });

  it('fails loudly (coded, without the value) when a ciphertext is copied into another event', async () => {
    const { inner, store } = setup();
    await store.appendToStream('customer-C7', [registered()]);
    const [raw] = await collect(inner.readStream('customer-C7'));
    const stolen = raw?.data['phone'];
    await inner.appendToStream('customer-C7', [
      { eventId: randomUUID(), type: 'ContactDetailsChanged', version: 1, data: { phone: stolen ?? null } },
    ]);
    const err = await collect(store.readStream('customer-C7')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEventStoreError(err, EventStoreErrorCode.InvalidEvent)).toBe(true);
    expect(String((err as Error).message)).not.toContain('+4400000001');
  });

  it('sees an erasure made by another process: at once on a cache miss, after expiry on a hit', async () => {
    const inner = new InMemoryEventStore();
    const keyStore = new InMemoryKeyStore(); // shared, as a database would be
    const options = { registry, keyStore, masterKeys: ring({ k1 }, 'k1') };
    const a = new ProtectedEventStore(inner, options);
    const b = new ProtectedEventStore(inner, { ...options, keyCache: { ttlMs: 50 } });
    const c = new ProtectedEventStore(inner, options);
    await a.appendToStream('customer-C8', [registered()]);
    const [before] = await collect(b.readStream('customer-C8')); // b caches the key
    expect(before?.data['fullName']).toBe('Ada Canary');
    await a.eraseSubject('C8', 'request');
    const [fromA] = await collect(a.readStream('customer-C8'));
    expect(isErased(fromA?.data['fullName'])).toBe(true);
    const [fromC] = await collect(c.readStream('customer-C8')); // c never cached it
    expect(isErased(fromC?.data['fullName'])).toBe(true);
    await expectEventually(async () => {
      const [fromB] = await collect(b.readStream('customer-C8'));
      expect(isErased(fromB?.data['fullName'])).toBe(true);
    });
  });

  it('rotates master keys: old wraps still open, re-wrapping moves them to the active key', async () => {
    const inner = new InMemoryEventStore();
    const keyStore = new InMemoryKeyStore();
    const old = new ProtectedEventStore(inner, { registry, keyStore, masterKeys: ring({ k1 }, 'k1') });
    await old.appendToStream('customer-R1', [registered()]);
    const rotated = new ProtectedEventStore(inner, { registry, keyStore, masterKeys: ring({ k1, k2 }, 'k2') });
    await rotated.appendToStream('customer-R2', [registered()]); // new subject: wrapped by k2
    expect((await keyStore.findBySubject('customer-R2'.slice(9)))?.masterKeyId).toBe('k2');
    expect((await collect(rotated.readStream('customer-R1')))[0]?.data['fullName']).toBe('Ada Canary');
    expect(await rotated.rewrapDataKeys()).toBe(1);
    expect((await keyStore.findBySubject('R1'))?.masterKeyId).toBe('k2');
    const onlyNew = new ProtectedEventStore(inner, { registry, keyStore, masterKeys: ring({ k2 }, 'k2') });
    expect((await collect(onlyNew.readStream('customer-R1')))[0]?.data['fullName']).toBe('Ada Canary');
  });
});
