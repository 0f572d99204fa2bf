import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import { migratePostgresEventStore, PostgresEventStore } from '../adapters/postgres';
import type { JsonObject, NewEvent, RecordedEvent } from '../envelope';
import { EventStoreErrorCode, isEventStoreError } from '../errors';
import { EventTypeRegistry } from '../serialization/event-type-registry';
import { isErased } from './erased';
import { generateDataKey } from './field-cipher';
import { MasterKeyring } from './master-keys';
import { PostgresKeyStore } from './postgres-key-store';
import { ProtectedEventStore } from './protected-event-store';

// Crypto-shredding end to end on the real PostgreSQL event store and key store: seed a
// customer with unique canary values, erase, read and replay, then search the whole
// database (pg_dump --data-only) for every canary in plain text.
const run = promisify(execFile);

const registry = new EventTypeRegistry([
  {
    type: 'CustomerRegistered',
    currentVersion: 1,
    personalFields: ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'],
  },
  { type: 'ContactDetailsChanged', currentVersion: 1, personalFields: ['phone', 'email', 'address'] },
  { type: 'MoneyMoved', currentVersion: 1 },
]);

const masterKeys = MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: generateDataKey().toString('base64') } });

let db: TestDatabase;
let keyStore: PostgresKeyStore;

const protectedStore = (): ProtectedEventStore =>
  new ProtectedEventStore(new PostgresEventStore(db.pool, { pollIntervalMs: 20 }), { registry, keyStore, masterKeys });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function dumpDatabase(): Promise<string> {
  const { stdout } = await run('pg_dump', ['--data-only', '--no-owner', `--dbname=${db.url}`], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 4 });
  await migratePostgresEventStore(db.pool);
  keyStore = new PostgresKeyStore(db.pool);
  await keyStore.migrate();
  await keyStore.migrate(); // idempotent
});

afterAll(async () => {
  await db?.drop();
});

describe('crypto-shredding on PostgreSQL', () => {
  it('erases a customer: reads and replays intact, and no canary is left in plain text anywhere in the database', async () => {
    const tag = randomBytes(6).toString('hex');
    const canary = {
      fullName: `CanaryName${tag}`,
      nationalId: `CanaryNid${tag}`,
      birthDate: `1970-01-${tag}`,
      phone: `+44CanaryPhone${tag}`,
      email: `canary.${tag}@example.test`,
      street: `CanaryStreet${tag}`,
      newPhone: `+44CanaryNewPhone${tag}`,
    };
    const region = `RegionVisible${tag}`; // not personal: must stay, and proves the search sees data
    const customerId = `C${tag}`;
    const stream = `customer-${customerId}`;
    const registeredEvent: NewEvent = {
      eventId: randomUUID(),
      type: 'CustomerRegistered',
      version: 1,
      data: {
        customerNumber: customerId,
        kind: 'individual',
        fullName: canary.fullName,
        nationalId: canary.nationalId,
        birthDate: canary.birthDate,
        phone: canary.phone,
        email: canary.email,
        address: { street: canary.street, city: 'Town' },
        region,
        branchCode: 'B01',
      },
    };
    const events: NewEvent[] = [
      registeredEvent,
      { eventId: randomUUID(), type: 'MoneyMoved', version: 1, data: { productId: 'A-1', direction: 'in', amountMinor: 1250000, currency: 'CNY' } },
      { eventId: randomUUID(), type: 'ContactDetailsChanged', version: 1, data: { phone: canary.newPhone } },
      { eventId: randomUUID(), type: 'MoneyMoved', version: 1, data: { productId: 'A-1', direction: 'out', amountMinor: 250000, currency: 'CNY' } },
    ];
    const store = protectedStore();
    await store.appendToStream(stream, events.slice(0, 2), { expectedRevision: 'no_stream' });
    await store.appendToStream(stream, events.slice(2), { expectedRevision: 1 });

    // Before erasure: readable through the protector, yet encrypted at rest already.
    const before = await collect(store.readStream(stream));
    expect(before[0]?.data).toEqual(registeredEvent.data);
    const dumpBefore = await dumpDatabase();
    expect(dumpBefore).toContain(region);
    for (const value of Object.values(canary)) expect(dumpBefore).not.toContain(value);

    const record = await store.eraseSubject(customerId, 'customer request');
    expect(record.subjectId).toBe(customerId);
    expect(await keyStore.findBySubject(customerId)).toBeNull();

    // Read and replay, through this instance and through a fresh one (another "process").
    for (const reader of [store, protectedStore()]) {
      const history = await collect(reader.readStream(stream));
      expect(history.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      const [reg, , changed] = history;
      expect(reg?.data).toEqual({
        customerNumber: customerId,
        kind: 'individual',
        fullName: { erased: true },
        nationalId: { erased: true },
        birthDate: { erased: true },
        phone: { erased: true },
        email: { erased: true },
        address: { erased: true },
        region,
        branchCode: 'B01',
      });
      expect(changed?.data).toEqual({ phone: { erased: true } });
      const replayed = history.reduce(
        (s: { balance: number; phoneKnown: boolean }, e: RecordedEvent) => {
          const d: JsonObject = e.data;
          if (e.type === 'MoneyMoved') {
            const amount = typeof d['amountMinor'] === 'number' ? d['amountMinor'] : 0;
            return { ...s, balance: s.balance + (d['direction'] === 'in' ? amount : -amount) };
          }
          if ('phone' in d) return { ...s, phoneKnown: !isErased(d['phone']) };
          return s;
        },
        { balance: 0, phoneKnown: false },
      );
      expect(replayed).toEqual({ balance: 1000000, phoneKnown: false });
    }
    // A reader of all sees a commit once no older transaction is open (the horizon): poll.
    await expectEventually(async () => {
      const all = await collect(store.readAll({ filter: { streamPrefixes: [stream] } }));
      expect(all).toHaveLength(4);
      expect(isErased(all[0]?.data['email'])).toBe(true);
    });

    // New personal data for the erased customer is refused.
    const refused = await store.appendToStream(stream, [{ ...registeredEvent, eventId: randomUUID() }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isEventStoreError(refused, EventStoreErrorCode.SubjectErased)).toBe(true);

    // The whole database, every table and column, as text: no canary anywhere.
    const dump = await dumpDatabase();
    expect(dump).toContain(region);
    expect(dump).toContain('customer request'); // the erasure fact is recorded…
    for (const value of Object.values(canary)) expect(dump).not.toContain(value); // …and nothing personal
  });

  it('two stores racing to key a new subject agree on one key', async () => {
    const subject = `C${randomBytes(6).toString('hex')}`;
    const stores = [protectedStore(), protectedStore(), protectedStore()];
    await Promise.all(
      stores.map((s, i) =>
        s.appendToStream(`customer-${subject}`, [
          { eventId: randomUUID(), type: 'ContactDetailsChanged', version: 1, data: { phone: `+44${i}` } },
        ]),
      ),
    );
    const read = await collect(protectedStore().readStream(`customer-${subject}`));
    expect(read.map((e) => e.data['phone']).sort()).toEqual(['+440', '+441', '+442']);
    const keys = await db.pool.query('SELECT count(*)::int AS n FROM event_store_subject_keys WHERE subject_id = $1', [subject]);
    expect(keys.rows[0]).toEqual({ n: 1 });
  });
});
