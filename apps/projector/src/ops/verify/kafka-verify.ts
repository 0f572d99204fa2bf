import { randomUUID } from 'node:crypto';
import { headerString, type IncomingMessage, type MessageConsumerFactory, type TopicAdmin } from '@c360/messaging';
import type { Pool } from 'pg';

/** Why a record Kafka accepted is not (yet) in the event store. */
export type KafkaDisagreement =
  | 'missing' // the ingestor's group committed past it, yet it is neither stored, dead-lettered nor parked
  | 'not-ingested' // not stored and the ingestor's group has not reached it (ingestor behind or down)
  | 'no-event-id'; // unreadable (no event id) and not dead-lettered at its position

export interface KafkaFinding {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventId: string | null;
  readonly customerId: string | null;
  readonly problem: KafkaDisagreement;
  readonly detail: string;
}

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** Log start when verify began. */
  readonly from: string;
  /** High-water mark taken when verify began (exclusive): records at or after it are not checked. */
  readonly to: string;
  /** The ingestor group's committed offset then (its log start when it never committed). */
  readonly ingestorCommitted: string;
  /** True when every record below `to` was read. */
  readonly complete: boolean;
}

export interface KafkaVerification {
  readonly topics: readonly string[];
  readonly partitions: readonly PartitionRange[];
  /** Records read below the high-water marks. */
  readonly records: number;
  readonly stored: number;
  /** Set aside in the ingestor's dead-letter table (accounted for, I8). */
  readonly deadLettered: number;
  /** Parked by the ingestor, waiting for an identity link or behind a dead letter (not missing). */
  readonly pending: number;
  /** Every disagreement (the list below holds at most `maxFindings` of them). */
  readonly findingsTotal: number;
  readonly findings: readonly KafkaFinding[];
  /** False when some partition could not be read up to its high-water mark in time. */
  readonly complete: boolean;
}

/** The ingestor's bookkeeping verify counts as accounted for: dead letters and parked events. */
export interface IngestorAccounts {
  /** Of these records, the ones dead-lettered (matched by source position or by event id): their keys. */
  deadLettered(topic: string, records: readonly { readonly key: string; readonly partition: number; readonly offset: string; readonly eventId: string | null }[]): Promise<Set<string>>;
  /** Which of these event ids are parked. */
  parked(eventIds: readonly string[]): Promise<Set<string>>;
}

export interface StoredIds {
  storedIds(eventIds: readonly string[]): Promise<Set<string>>;
}

export interface KafkaVerifyDeps {
  readonly admin: TopicAdmin;
  readonly consumers: MessageConsumerFactory;
  readonly store: StoredIds;
  readonly accounts: IngestorAccounts;
  /** The raw topic(s) the gateway publishes to. */
  readonly topics: readonly string[];
  /** The ingestor's consumer group (tells a loss from ingestor lag). */
  readonly ingestorGroupId: string;
  /** Prefix of the throwaway group verify reads with. */
  readonly groupPrefix: string;
}

export interface KafkaVerifyOptions {
  /** Ids looked up per query. Default 500. */
  readonly chunkSize?: number;
  /** Findings kept (all are counted). Default 1000. */
  readonly maxFindings?: number;
  /** Give up reading after this long (the result says incomplete). Default 300 s. */
  readonly timeoutMs?: number;
  /** Records not stored at the end are looked up again after this wait (ingestor lag). Default 5 s. */
  readonly settleMs?: number;
  /** After assignment, stop reading when nothing arrived for this long. Default 15 s. */
  readonly idleMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CUSTOMER_KEY = /^customer:(.+)$/;

interface Record_ {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly eventId: string | null;
  readonly customerId: string | null;
}

const posKey = (topic: string, partition: number, offset: string): string => `${topic}|${partition}|${offset}`;

/** The event id and customer of a raw record: the gateway's headers, else the JSON envelope. */
export function identifyRecord(m: IncomingMessage): { eventId: string | null; customerId: string | null } {
  let eventId = headerString(m, 'c360-event-id') ?? null;
  let customerId = m.key ? (CUSTOMER_KEY.exec(m.key.toString('utf8'))?.[1] ?? null) : null;
  if (eventId === null || customerId === null) {
    try {
      const body = JSON.parse(m.value?.toString('utf8') ?? 'null') as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
        const b = body as Record<string, unknown>;
        if (eventId === null && typeof b['eventId'] === 'string') eventId = b['eventId'];
        if (customerId === null && typeof b['customerId'] === 'string') customerId = b['customerId'].slice(0, 100);
      }
    } catch {
      // unreadable bytes: no id (the ingestor dead-letters these)
    }
  }
  return { eventId: eventId !== null && UUID.test(eventId) ? eventId.toLowerCase() : null, customerId };
}

/**
 * The Kafka half of `verify`: every event Kafka accepted on the raw topic(s) is in the event
 * store, dead-lettered (accounted for) or parked (pending). Reads each partition from its log
 * start up to the high-water mark taken at the start, with a throwaway consumer group, and
 * checks the ids chunk by chunk (memory stays bounded by a chunk and the findings kept).
 * Names each record that disagrees by topic, partition, offset, event id and customer.
 */
export class KafkaVerifier {
  constructor(private readonly deps: KafkaVerifyDeps) {}

  async verify(options: KafkaVerifyOptions = {}): Promise<KafkaVerification> {
    const { admin, consumers, topics } = this.deps;
    const chunkSize = options.chunkSize ?? 500;
    const maxFindings = options.maxFindings ?? 1000;
    const groupId = `${this.deps.groupPrefix}.verify.${randomUUID()}`;
    // A group that never committed reports the log start as its position: the range to read.
    const marks = await admin.groupLag(groupId, topics);
    const ingestor = new Map((await admin.groupLag(this.deps.ingestorGroupId, topics)).map((l) => [`${l.topic}|${l.partition}`, BigInt(l.committed)]));
    const ranges = new Map(marks.map((l) => [`${l.topic}|${l.partition}`, { topic: l.topic, partition: l.partition, from: BigInt(l.committed), to: BigInt(l.highWatermark), read: BigInt(l.committed) }]));
    const open = new Set([...ranges].filter(([, r]) => r.to > r.from).map(([k]) => k));

    let records = 0;
    let stored = 0;
    let deadLettered = 0;
    let pending = 0;
    // Records not stored, dead-lettered or parked at the first look (bounded: counted beyond the cap).
    const unsettled: Record_[] = [];
    let overflowCount = 0;

    const check = async (chunk: readonly Record_[]): Promise<Record_[]> => {
      const ids = chunk.flatMap((r) => (r.eventId ? [r.eventId] : []));
      const inStore = await this.deps.store.storedIds(ids);
      let rest = chunk.filter((r) => !(r.eventId && inStore.has(r.eventId)));
      stored += chunk.length - rest.length;
      if (rest.length === 0) return [];
      const byTopic = new Map<string, Record_[]>();
      for (const r of rest) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      const dead = new Set<string>();
      for (const [topic, rs] of byTopic)
        for (const k of await this.deps.accounts.deadLettered(topic, rs.map((r) => ({ key: posKey(r.topic, r.partition, r.offset), partition: r.partition, offset: r.offset, eventId: r.eventId }))))
          dead.add(k);
      const before = rest.length;
      rest = rest.filter((r) => !dead.has(posKey(r.topic, r.partition, r.offset)));
      deadLettered += before - rest.length;
      const parked = await this.deps.accounts.parked(rest.flatMap((r) => (r.eventId ? [r.eventId] : [])));
      const beforeParked = rest.length;
      rest = rest.filter((r) => !(r.eventId && parked.has(r.eventId)));
      pending += beforeParked - rest.length;
      return rest;
    };

    let complete = true;
    if (open.size > 0) {
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((r) => (resolveDone = r));
      let failure: Error | undefined;
      const consumer = consumers.create({
        groupId,
        topics,
        fromBeginning: true,
        maxBatchSize: chunkSize,
        handler: async (batch) => {
          const key = `${batch.topic}|${batch.partition}`;
          const range = ranges.get(key);
          if (!range) return;
          const chunk: Record_[] = [];
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            // below `read`: a redelivery of what was checked already (counted once)
            if (offset >= range.to || offset < range.read) continue;
            chunk.push({ topic: m.topic, partition: m.partition, offset: m.offset, ...identifyRecord(m) });
          }
          try {
            records += chunk.length;
            for (const r of await check(chunk)) {
              if (unsettled.length < maxFindings) unsettled.push(r);
              else overflowCount++; // counted, not kept (bounded memory)
            }
          } catch (e) {
            failure = e instanceof Error ? e : new Error(String(e));
            resolveDone();
            throw e;
          }
          const last = batch.messages[batch.messages.length - 1];
          if (last && BigInt(last.offset) + 1n > range.read) range.read = BigInt(last.offset) + 1n;
          lastActivity = Date.now();
          if (range.read >= range.to) {
            open.delete(key);
            if (open.size === 0) resolveDone();
          }
        },
      });
      // Done when every partition reached its mark; or, failing that (transaction markers can
      // hold the last offsets), when nothing arrived for idleMs after the partitions were assigned.
      let lastActivity = Date.now();
      let assigned = false;
      const unsubscribe = consumer.onEvent((e) => {
        if (e.type === 'assigned' && e.partitions.length > 0) {
          assigned = true;
          lastActivity = Date.now();
        }
      });
      const idleMs = options.idleMs ?? 15_000;
      const idle = setInterval(() => {
        if (assigned && Date.now() - lastActivity > idleMs) resolveDone();
      }, 250);
      const timeout = setTimeout(resolveDone, options.timeoutMs ?? 300_000);
      try {
        await consumer.start();
        await done;
      } finally {
        clearTimeout(timeout);
        clearInterval(idle);
        unsubscribe();
        await consumer.stop();
      }
      if (failure) throw failure;
      complete = open.size === 0;
    }

    // What was not accounted for at the first look: look again after a wait (the ingestor may be behind).
    let remaining = unsettled;
    if (remaining.length > 0 && (options.settleMs ?? 5_000) > 0) {
      await new Promise((r) => setTimeout(r, options.settleMs ?? 5_000));
      // the first look counted none of these, so the totals stay right
      const again: Record_[] = [];
      for (let i = 0; i < remaining.length; i += chunkSize) again.push(...(await check(remaining.slice(i, i + chunkSize))));
      remaining = again;
    }
    const ingestorAfter = new Map((await admin.groupLag(this.deps.ingestorGroupId, topics)).map((l) => [`${l.topic}|${l.partition}`, BigInt(l.committed)]));
    const findings: KafkaFinding[] = remaining.map((r) => {
      const committed = ingestorAfter.get(`${r.topic}|${r.partition}`) ?? 0n;
      const passed = BigInt(r.offset) < committed;
      const who = `${r.eventId ? `event ${r.eventId}` : 'a record without an event id'}${r.customerId ? ` of customer ${r.customerId}` : ''}`;
      if (r.eventId === null)
        return { ...r, problem: 'no-event-id', detail: `${who} at ${r.topic}/${r.partition}@${r.offset} is not in the dead-letter table` } satisfies KafkaFinding;
      return passed
        ? ({ ...r, problem: 'missing', detail: `${who} at ${r.topic}/${r.partition}@${r.offset}: the ingestor committed past it (offset ${committed}) but it is not stored, dead-lettered or parked` } satisfies KafkaFinding)
        : ({ ...r, problem: 'not-ingested', detail: `${who} at ${r.topic}/${r.partition}@${r.offset}: not stored; the ingestor's group is at offset ${committed} (behind or not running)` } satisfies KafkaFinding);
    });
    findings.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    return {
      topics: [...topics],
      partitions: [...ranges.values()]
        .map((r) => ({
          topic: r.topic,
          partition: r.partition,
          from: r.from.toString(),
          to: r.to.toString(),
          ingestorCommitted: (ingestor.get(`${r.topic}|${r.partition}`) ?? 0n).toString(),
          complete: r.read >= r.to || r.to <= r.from,
        }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      records,
      stored,
      deadLettered,
      pending,
      findingsTotal: findings.length + overflowCount,
      findings,
      complete,
    };
  }
}

/** Dead letters and parked events in the ingestor's schema (missing tables: nothing there). */
export class PostgresIngestorAccounts implements IngestorAccounts {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid schema: ${schema}`);
  }

  async deadLettered(topic: string, records: readonly { key: string; partition: number; offset: string; eventId: string | null }[]): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    const ids = records.flatMap((r) => (r.eventId ? [r.eventId] : []));
    const rows = await this.query<{ p: number; o: string; id: string | null }>(
      `SELECT source_partition AS p, source_offset AS o, event_id::text AS id FROM ${this.schema}.dead_letters
        WHERE (source_topic = $1 AND (source_partition, source_offset) IN (SELECT * FROM unnest($2::int[], $3::text[])))
           OR event_id = ANY($4::uuid[])`,
      [topic, records.map((r) => r.partition), records.map((r) => r.offset), ids],
    );
    const positions = new Set(rows.map((r) => `${r.p}|${r.o}`));
    const deadIds = new Set(rows.flatMap((r) => (r.id ? [r.id] : [])));
    return new Set(records.filter((r) => positions.has(`${r.partition}|${r.offset}`) || (r.eventId !== null && deadIds.has(r.eventId))).map((r) => r.key));
  }

  async parked(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const rows = await this.query<{ id: string }>(`SELECT event_id::text AS id FROM ${this.schema}.parked_events WHERE event_id = ANY($1::uuid[])`, [[...eventIds]]);
    return new Set(rows.map((r) => r.id));
  }

  private async query<T extends object>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await this.pool.query<T & Record<string, unknown>>(sql, params)).rows;
    } catch (e) {
      if ((e as { code?: unknown }).code === '42P01' || (e as { code?: unknown }).code === '3F000') return []; // the ingestor never ran here
      throw e;
    }
  }
}
