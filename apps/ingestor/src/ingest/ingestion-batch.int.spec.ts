import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { eventTypeDefinitions } from '@c360/contracts';
import { EventTypeRegistry, MasterKeyring, migratePostgresEventStore, PostgresEventStore, PostgresKeyStore, ProtectedEventStore } from '@c360/event-store';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { canonical } from '../../test/fixtures';
import { IngestorMetrics } from '../ingestor-metrics';
import { migrateIngestor } from '../persistence/ingestor-migrations';
import { IngestorRepository } from '../persistence/ingestor.repository';
import { decodeEventMessage } from './decode-message';
import { Ingestion, type IngestInput } from './ingestion';
import { DeadLetterRecorder } from './rejection-recorder';

type Json = Record<string, unknown>;

/**
 * The batch path of the ingestion rules, on real PostgreSQL: one batch mixing plain customers,
 * poison, an identity parked until a link of the same batch, a customer held behind its dead
 * letter and a registration whose links later events of the batch use.
 */
describe('Ingestion of a mixed batch', () => {
  let db: TestDatabase;
  let store: ProtectedEventStore;
  let repo: IngestorRepository;
  let ingestion: Ingestion;
  let multiAppends = 0;

  beforeAll(async () => {
    db = await createTestDatabase({ prefix: 'c360_ingb' });
    await migratePostgresEventStore(db.pool);
    await new PostgresKeyStore(db.pool).migrate();
    await migrateIngestor(db.pool);
    const registry = new EventTypeRegistry(eventTypeDefinitions());
    const inner = new PostgresEventStore(db.pool, { registry });
    const appendToStreams = inner.appendToStreams.bind(inner);
    inner.appendToStreams = async (appends) => {
      multiAppends += 1;
      return appendToStreams(appends);
    };
    const masterKeys = MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } });
    store = new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(db.pool), masterKeys });
    repo = new IngestorRepository(db.pool, 'ingestor');
    ingestion = new Ingestion(store, repo, new IngestorMetrics(new Registry(), () => repo.parkedCount()), new DeadLetterRecorder(repo, undefined));
  });

  afterAll(async () => {
    await db?.drop();
  });

  let offset = 0;
  const input = (value: Buffer | Json): IngestInput => {
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value), 'utf8');
    const source = { topic: 'events', partition: 0, offset: String(offset++) };
    return { decoded: decodeEventMessage(bytes), source, message: { ...source, key: null, value: bytes, headers: {}, timestamp: 0 } };
  };
  const idOf = (e: Json): string => String(e['eventId']);

  async function streams(): Promise<Map<string, string[]>> {
    const r = await db.pool.query<{ stream_id: string; event_id: string; revision: string }>(
      'SELECT stream_id, event_id::text AS event_id, revision FROM event_store.events ORDER BY stream_id, revision',
    );
    const out = new Map<string, string[]>();
    for (const row of r.rows) {
      const list = out.get(row.stream_id) ?? [];
      expect(Number(row.revision)).toBe(list.length);
      list.push(row.event_id);
      out.set(row.stream_id, list);
    }
    return out;
  }

  it('keeps each customer in order, lands each event once, parks and holds what must wait', async () => {
    const tag = randomBytes(3).toString('hex');
    const [A, B, C, D, E] = ['A', 'B', 'C', 'D', 'E'].map((c) => `${c}${tag}`) as [string, string, string, string, string];
    const mobileUser = { scheme: 'mobile-user', value: `mu-${tag}` };
    const ePhone = '+8613912345678';
    const a1 = canonical('MoneyMoved', { customerId: A });
    const b1 = canonical('BranchVisited', { customerId: B });
    const x1 = canonical('MobileSessionStarted', { identity: mobileUser }); // nobody linked yet: parked
    const c1Invalid = canonical('MoneyMoved', { customerId: C, data: { amountMinor: 'lots' } }); // poison that holds C
    const c2 = canonical('MoneyMoved', { customerId: C }); // held behind c1's dead letter
    const a2 = canonical('BalanceReported', { customerId: A });
    const dLink = canonical('ChannelIdentityLinked', { customerId: D, data: mobileUser });
    const x2 = canonical('MobileSessionStarted', { identity: mobileUser }); // after x1, once linked
    const b2 = canonical('MoneyMoved', { customerId: B });
    const eReg = canonical('CustomerRegistered', { customerId: E, data: { customerNumber: E, phone: ePhone } });
    const e1 = canonical('CallHandled', { identity: { scheme: 'phone', value: ePhone } }); // through the link of eReg
    const a3 = canonical('MoneyMoved', { customerId: A });
    const batch = [
      input(a1),
      input(b1),
      input(x1),
      input(Buffer.from('{not json', 'utf8')),
      input(c1Invalid),
      input(c2),
      input(a2),
      input(dLink),
      input(x2),
      input(b2),
      input(eReg),
      input(e1),
      input(a3),
    ];
    expect(batch.filter((i) => !i.decoded.ok)).toHaveLength(2);

    const before = multiAppends;
    const outcome = await ingestion.ingest(batch);
    expect(multiAppends).toBeGreaterThan(before); // the batch went through the multi-stream append

    const expected = new Map<string, string[]>([
      [`customer-${A}`, [a1, a2, a3].map(idOf)],
      [`customer-${B}`, [b1, b2].map(idOf)],
      [`customer-${D}`, [dLink, x1, x2].map(idOf)],
      [`customer-${E}`, [eReg, e1].map(idOf)],
    ]);
    expect(await streams()).toEqual(expected);
    expect(outcome.appended).toBe(10);
    const dead = await repo.listDeadLetters('open', undefined, 10);
    expect(dead.map((d) => [d.reasonCode, d.blocks])).toEqual([
      ['UNDECODABLE', null],
      ['INVALID_EVENT', C],
    ]);
    const parked = await repo.parkedSummary(10);
    expect(parked.map((p) => [p.subject, p.reason, p.count])).toEqual([[`customer:${C}`, 'customer-blocked', 1]]);

    // The same batch again (a redelivery after a crash before the commit): nothing changes.
    const again = await ingestion.ingest(batch);
    expect(again.appended).toBe(0);
    expect(await streams()).toEqual(expected);
    expect(await repo.listDeadLetters(undefined, undefined, 10)).toHaveLength(2);
    expect(await repo.parkedCount()).toBe(1);

    // C's next event waits too; discarding its dead letter releases both, in order.
    const c3 = canonical('BranchVisited', { customerId: C });
    await ingestion.ingest([input(c3), input(canonical('MoneyMoved', { customerId: A }))]);
    expect((await streams()).get(`customer-${C}`)).toBeUndefined();
    const held = dead.find((d) => d.blocks === C);
    await ingestion.discard(C, (tx) => repo.resolveDeadLetter(tx, held?.id ?? '0', 'discarded'));
    expect((await streams()).get(`customer-${C}`)).toEqual([c2, c3].map(idOf));
    expect(await repo.parkedCount()).toBe(0);
  });

  it('falls back to per-customer appends when one event of a multi-stream batch is refused for good', async () => {
    const tag = randomBytes(3).toString('hex');
    const first = canonical('MoneyMoved', { customerId: `F${tag}` });
    await ingestion.ingest([input(first)]);
    // The same id again with another body, beside events of other customers.
    const clash = { ...first, data: { ...(first['data'] as Json), amountMinor: 1 } };
    const g1 = canonical('MoneyMoved', { customerId: `G${tag}` });
    const h1 = canonical('MoneyMoved', { customerId: `H${tag}` });
    const f2 = canonical('BalanceReported', { customerId: `F${tag}` });
    const outcome = await ingestion.ingest([input(g1), input(clash), input(h1), input(f2)]);
    expect(outcome.appended).toBe(3);
    const all = await streams();
    expect(all.get(`customer-G${tag}`)).toEqual([idOf(g1)]);
    expect(all.get(`customer-H${tag}`)).toEqual([idOf(h1)]);
    // The conflicting repeat is ignored (dead-lettered without holding F); F's next event lands.
    expect(all.get(`customer-F${tag}`)).toEqual([idOf(first), idOf(f2)]);
    const conflicts = (await repo.listDeadLetters('open', undefined, 50)).filter((d) => d.reasonCode === 'EVENT_ID_CONFLICT');
    expect(conflicts.map((d) => [d.eventId, d.blocks])).toEqual([[idOf(first), null]]);
  });

  it('an erased customer in a multi-stream batch takes nothing, and the others land', async () => {
    const tag = randomBytes(3).toString('hex');
    await store.eraseSubject(`K${tag}`, 'test: right to erasure');
    const k1 = canonical('CustomerRegistered', { customerId: `K${tag}`, data: { customerNumber: `K${tag}` } }); // personal data
    const l1 = canonical('CustomerRegistered', { customerId: `L${tag}`, data: { customerNumber: `L${tag}` } });
    const m1 = canonical('MoneyMoved', { customerId: `M${tag}` });
    const outcome = await ingestion.ingest([input(k1), input(l1), input(m1)]);
    expect(outcome.appended).toBe(2);
    const all = await streams();
    expect(all.get(`customer-K${tag}`)).toBeUndefined();
    expect(all.get(`customer-L${tag}`)).toEqual([idOf(l1)]);
    expect(all.get(`customer-M${tag}`)).toEqual([idOf(m1)]);
    const refused = (await repo.listDeadLetters('open', undefined, 50)).filter((d) => d.eventId === idOf(k1));
    expect(refused.map((d) => [d.reasonCode, d.blocks])).toEqual([['STORE_REFUSED', null]]);
  });
});
