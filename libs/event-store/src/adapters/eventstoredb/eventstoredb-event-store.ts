import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  FORWARDS,
  NO_STREAM,
  START,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventData,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DEFAULT_APPEND_LIMITS, guardAppend, type AppendLimits } from '../../append-guard';
import type { GlobalPosition, JsonObject, NewEvent, RecordedEvent } from '../../envelope';
import { EventStoreError, EventStoreErrorCode } from '../../errors';
import type {
  AllFilter,
  AllSubscription,
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeToAllOptions,
} from '../../event-store.port';
import { bodyFingerprint, parseStoredMetadata, toRecordedEvent, toStoredEvent } from '../../serialization/envelope-codec';
import type { EventTypeRegistry } from '../../serialization/event-type-registry';
import { checkExpectedRevision, matchesAllFilter, validateExpectedRevision } from '../shared/append-semantics';
import {
  decodeEsdbPosition,
  encodeEsdbPosition,
  isSystemEvent,
  serverFilterSpec,
  toEsdbExpectedRevision,
  toRevisionNumber,
  translateEsdbError,
} from './esdb-mapping';
import { OrderedReadable } from './ordered-readable';

export interface EventStoreDbEventStoreOptions {
  /** Checks types and versions on append and upcasts on read. */
  readonly registry?: EventTypeRegistry;
  readonly limits?: AppendLimits;
  /**
   * How many of a stream's latest events an append looks through for its event ids, to
   * answer a retry idempotently (written: 0) and to refuse an id reused with another body.
   * EventStoreDB keeps no index by event id, so ids older than this window are not seen
   * (default 1000; 0 relies on the server's own idempotency only).
   */
  readonly idempotencyWindow?: number;
  /**
   * Event ids unique across streams, as on PostgreSQL (default true). EventStoreDB has no
   * index by event id, so each event first claims its id in a stream of its own
   * (`c360~event-id~<id>`, event type `$c360.event-id-claim`: never delivered by reads, and
   * `~` is a character application stream names cannot have). A claim by a different stream
   * or body is an EventIdConflict. Costs one small extra write per event.
   */
  readonly globalEventIds?: boolean;
}

/** Stream and type of event-id claims (see `globalEventIds`). */
export const EVENT_ID_CLAIM_STREAM_PREFIX = 'c360~event-id~';
export const EVENT_ID_CLAIM_TYPE = '$c360.event-id-claim';

interface EventIdClaim {
  readonly streamId: string;
  readonly bodyHash: string;
  readonly occurredAt: string | null;
}

/** A copy of an event of the batch found in the stream already. */
interface ExistingEvent {
  readonly revision: number;
  readonly position: GlobalPosition;
  readonly bodyHash: string;
  readonly occurredAt: number;
}

type AnyResolved = ResolvedEvent | AllStreamResolvedEvent;

/**
 * The EventStore port on EventStoreDB / KurrentDB, through @eventstore/db-client.
 *
 * - Global positions encode {commit, prepare} as commit << 64 | prepare (see esdb-mapping).
 * - `$`-prefixed streams and event types (the server's own) are never delivered.
 * - Event ids are unique per stream within the idempotency window (see the option); the
 *   PostgreSQL adapter's uniqueness is global. Filtered reads of $all need a server that
 *   sends "caught up" (EventStoreDB ≥ 23.10 / KurrentDB); positions on stream reads need ≥ 22.6.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly limits: AppendLimits;
  private readonly idempotencyWindow: number;
  private readonly globalEventIds: boolean;
  private readonly subscriptions = new Set<EsdbAllSubscription>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EventStoreDbEventStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.limits = options.limits ?? DEFAULT_APPEND_LIMITS;
    this.idempotencyWindow = options.idempotencyWindow ?? 1000;
    this.globalEventIds = options.globalEventIds ?? true;
  }

  /** A store with its own client (closed by `close()`). Connects lazily, on first use. */
  static fromConnectionString(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options, true);
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    guardAppend(streamId, events, this.options.registry, this.limits);
    const expected = options.expectedRevision ?? 'any';
    validateExpectedRevision(expected);
    try {
      return await this.append(streamId, events, expected);
    } catch (e) {
      throw translateEsdbError(e, { streamId, expected });
    }
  }

  private async append(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const stored = events.map((e) => toStoredEvent(e));
    let claimedBefore = true;
    if (this.globalEventIds) {
      const claims = await this.claimEventIds(streamId, events);
      claims.forEach((claim, index) => {
        const e = events[index];
        if (claim && e && !claimMatches(claim, streamId, e)) {
          throw new EventStoreError(
            EventStoreErrorCode.EventIdConflict,
            `events[${index}]: event id ${e.eventId.toLowerCase()} was appended before with a different body or stream`,
            { streamId, index, eventId: e.eventId.toLowerCase() },
          );
        }
      });
      claimedBefore = claims.some((c) => c !== null);
    }
    // Only an id claimed before can be in the stream already (then look for it there).
    const { existing, current } = claimedBefore
      ? await this.findExisting(streamId, stored.map((s) => s.eventId))
      : { existing: new Map<string, ExistingEvent>(), current: -1 };
    events.forEach((e, index) => {
      const found = existing.get(stored[index]?.eventId ?? '');
      if (found && !sameBody(found, e)) {
        throw new EventStoreError(
          EventStoreErrorCode.EventIdConflict,
          `events[${index}]: event id ${e.eventId.toLowerCase()} was appended before with a different body`,
          { streamId, index, eventId: e.eventId.toLowerCase() },
        );
      }
    });
    if (existing.size === stored.length) {
      // A retry of a stored batch answers as before (same order, expectation held where written).
      const found = stored.map((s) => existing.get(s.eventId));
      const first = found[0];
      const last = found[found.length - 1];
      if (!first || !last || found.some((f, i) => f?.revision !== first.revision + i)) {
        throw new EventStoreError(
          EventStoreErrorCode.EventIdConflict,
          'The events of this batch were appended before in a different order',
          { streamId },
        );
      }
      checkExpectedRevision(streamId, expected, first.revision - 1, current);
      return { nextExpectedRevision: last.revision, position: last.position, written: 0 };
    }
    // New events only (a batch overlapping an earlier one skips what is stored); the server
    // checks the expectation atomically with the write.
    const fresh = stored.filter((s) => !existing.has(s.eventId));
    const payload: EventData[] = fresh.map((s) => ({
      id: s.eventId,
      contentType: 'application/json',
      type: s.type,
      data: s.data,
      metadata: s.metadata as unknown as JsonObject,
    }));
    const result = await this.client.appendToStream(streamId, payload, {
      expectedRevision: toEsdbExpectedRevision(expected),
    });
    const nextExpectedRevision = toRevisionNumber(result.nextExpectedRevision);
    return { nextExpectedRevision, position: await this.positionOf(streamId, nextExpectedRevision, result.position), written: fresh.length };
  }

  /** Claims each event's id; for an id claimed before, returns that claim (else null). */
  private async claimEventIds(streamId: string, events: readonly NewEvent[]): Promise<(EventIdClaim | null)[]> {
    const claimOne = async (e: NewEvent): Promise<EventIdClaim | null> => {
      const claimStream = `${EVENT_ID_CLAIM_STREAM_PREFIX}${e.eventId.toLowerCase()}`;
      const claim: EventIdClaim = {
        streamId,
        bodyHash: bodyFingerprint(e),
        occurredAt: e.occurredAt ? e.occurredAt.toISOString() : null,
      };
      try {
        // A random id of its own: a pre-existing claim must surface as a conflict, never be
        // absorbed by the server's idempotency.
        await this.client.appendToStream(
          claimStream,
          [
            {
              id: randomUUID(),
              contentType: 'application/json',
              type: EVENT_ID_CLAIM_TYPE,
              data: { ...claim },
              metadata: undefined,
            },
          ],
          { expectedRevision: NO_STREAM },
        );
        return null;
      } catch (err) {
        if (!isWrongExpectedVersion(err)) throw err;
      }
      for await (const resolved of this.client.readStream(claimStream, { fromRevision: START, maxCount: 1 })) {
        const data = resolved.event?.data;
        if (isClaim(data)) return data;
      }
      throw new EventStoreError(EventStoreErrorCode.Unavailable, 'An event id claim could not be read back', {
        eventId: e.eventId.toLowerCase(),
      });
    };
    const out: (EventIdClaim | null)[] = [];
    for (let i = 0; i < events.length; i += CLAIM_CONCURRENCY) {
      out.push(...(await Promise.all(events.slice(i, i + CLAIM_CONCURRENCY).map(claimOne))));
    }
    return out;
  }

  /** The batch's ids already in the stream's latest `idempotencyWindow` events, and the stream's revision. */
  private async findExisting(
    streamId: string,
    eventIds: readonly string[],
  ): Promise<{ existing: Map<string, ExistingEvent>; current: number }> {
    const wanted = new Set(eventIds);
    const existing = new Map<string, ExistingEvent>();
    let current = -1;
    if (this.idempotencyWindow <= 0) return { existing, current };
    const read = this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: this.idempotencyWindow });
    try {
      for await (const resolved of read) {
        const e = resolved.event;
        if (!e) continue;
        const revision = toRevisionNumber(e.revision);
        if (current === -1) current = revision;
        if (!wanted.has(e.id)) continue;
        const meta = parseStoredMetadata(e.metadata, e.id);
        existing.set(e.id, {
          revision,
          position: this.requirePosition(e.position, e.id),
          bodyHash: meta.c360.bodyHash,
          occurredAt: meta.c360.occurredAt !== undefined ? Date.parse(meta.c360.occurredAt) : e.created.getTime(),
        });
        if (existing.size === wanted.size) break;
      }
    } catch (e) {
      if (!isStreamNotFound(e)) throw e;
    } finally {
      await read.cancel().catch(() => undefined);
    }
    return { existing, current };
  }

  /** Exact position of the event at `revision` (the append result's position is the write's, not the event's). */
  private async positionOf(streamId: string, revision: number, fallback: Position | undefined): Promise<GlobalPosition> {
    for await (const resolved of this.client.readStream(streamId, { fromRevision: BigInt(revision), maxCount: 1 })) {
      if (resolved.event?.position) return encodeEsdbPosition(resolved.event.position);
    }
    if (fallback) return encodeEsdbPosition(fallback);
    throw new EventStoreError(EventStoreErrorCode.Unavailable, 'EventStoreDB returned no position for the append');
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const max = nonNegative(options.maxCount, 'maxCount');
    const from = nonNegative(options.fromRevision, 'fromRevision');
    if (max === 0) return;
    const backwards = options.direction === 'backwards';
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: from !== undefined ? BigInt(from) : backwards ? END : START,
      ...(max !== undefined ? { maxCount: max } : {}),
    });
    try {
      for await (const resolved of read) {
        const event = this.toRecorded(resolved);
        if (event) yield event;
      }
    } catch (e) {
      if (!isStreamNotFound(e)) throw translateEsdbError(e, { streamId });
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const max = nonNegative(options.maxCount, 'maxCount') ?? Number.POSITIVE_INFINITY;
    if (max === 0) return;
    const after = options.after ?? 0n;
    const filtered = serverFilterSpec(options.filter).on !== 'excludeSystemEvents';
    const source = filtered ? this.filteredReadAll(after, options.filter) : this.plainReadAll(after);
    let count = 0;
    for await (const event of source) {
      yield event;
      if (++count >= max) return;
    }
  }

  /** $all forwards, client-side exclusion of system events. */
  private async *plainReadAll(after: GlobalPosition): AsyncGenerator<RecordedEvent> {
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: after > 0n ? decodeEsdbPosition(after) : START });
    try {
      for await (const resolved of read) {
        const event = this.toRecorded(resolved);
        // The read starts at `after` inclusive; the port's `after` is exclusive.
        if (event && event.globalPosition > after) yield event;
      }
    } catch (e) {
      throw translateEsdbError(e);
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  /**
   * $all with a server-side filter. The client's readAll has no filter, a filtered
   * subscription does: read through one, and end at the head of $all as it was when the
   * read began (at the server's "caught up", a checkpoint past the head, or an event past it).
   */
  private async *filteredReadAll(after: GlobalPosition, filter: AllFilter | undefined): AsyncGenerator<RecordedEvent> {
    const head = await this.lastPositionOfAll(false);
    if (head === null || head <= after) return;
    // The checkpoint callback needs the reader, which needs the subscription: a late binding.
    const late: { reader?: OrderedReadable<AllStreamResolvedEvent> } = {};
    const sub = this.client.subscribeToAll({
      fromPosition: after > 0n ? decodeEsdbPosition(after) : START,
      filter: toClientFilter(filter, (position) => {
        if (encodeEsdbPosition(position) > head) late.reader?.endAfterProduced();
      }),
    });
    const reader = new OrderedReadable<AllStreamResolvedEvent>(sub as unknown as Readable);
    late.reader = reader;
    sub.on('caughtUp', () => reader.endAfterProduced());
    try {
      for await (const resolved of reader) {
        const event = this.toRecorded(resolved);
        if (!event || event.globalPosition <= after) continue;
        if (event.globalPosition > head) return;
        if (matchesAllFilter(event.streamId, event.type, filter)) yield event;
      }
    } catch (e) {
      throw translateEsdbError(e);
    } finally {
      await sub.unsubscribe().catch(() => undefined);
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    const after = options.after ?? 0n;
    const sub = this.client.subscribeToAll({
      fromPosition: after > 0n ? decodeEsdbPosition(after) : START,
      filter: toClientFilter(options.filter),
    });
    const subscription = new EsdbAllSubscription(
      sub as unknown as Readable & { unsubscribe(): Promise<void> },
      (resolved) => {
        const event = this.toRecorded(resolved);
        return event && event.globalPosition > after && matchesAllFilter(event.streamId, event.type, options.filter)
          ? event
          : undefined;
      },
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<GlobalPosition> {
    return (await this.lastPositionOfAll(true)) ?? 0n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.ownsClient) await this.client.dispose();
  }

  /** Position of the last event in $all (the last non-system one when `ownOnly`), or null if none. */
  private async lastPositionOfAll(ownOnly: boolean): Promise<GlobalPosition | null> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: ownOnly ? Number.MAX_SAFE_INTEGER : 1 });
    try {
      for await (const resolved of read) {
        const e = resolved.event;
        if (!e) continue;
        if (ownOnly && isSystemEvent(e.streamId, e.type)) continue;
        return encodeEsdbPosition(e.position);
      }
      return null;
    } catch (e) {
      throw translateEsdbError(e);
    } finally {
      await read.cancel().catch(() => undefined);
    }
  }

  /** Our envelope of a resolved event, or undefined for what is not ours to deliver. */
  private toRecorded(resolved: AnyResolved): RecordedEvent | undefined {
    const e = resolved.event;
    if (!e || isSystemEvent(e.streamId, e.type)) return undefined;
    if (!e.isJson || typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `Stored event ${e.id}: data is not a JSON object`, {
        eventId: e.id,
        streamId: e.streamId,
      });
    }
    return toRecordedEvent(
      { eventId: e.id, type: e.type, data: e.data as JsonObject, metadata: parseStoredMetadata(e.metadata, e.id) },
      {
        streamId: e.streamId,
        revision: toRevisionNumber(e.revision),
        globalPosition: this.requirePosition(e.position, e.id),
        recordedAt: e.created,
      },
      this.options.registry,
    );
  }

  private requirePosition(position: Position | undefined, eventId: string): GlobalPosition {
    if (!position) {
      throw new EventStoreError(
        EventStoreErrorCode.Unavailable,
        'EventStoreDB returned an event without its position (server older than 22.6?)',
        { eventId },
      );
    }
    return encodeEsdbPosition(position);
  }
}

/** Catch-up subscription: the server replays history after the checkpoint, then goes live. */
class EsdbAllSubscription implements AllSubscription {
  private stopped = false;
  private readonly ordered: OrderedReadable<AllStreamResolvedEvent>;

  constructor(
    private readonly sub: Readable & { unsubscribe(): Promise<void> },
    private readonly convert: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined,
    private readonly onStop: () => void,
  ) {
    this.ordered = new OrderedReadable<AllStreamResolvedEvent>(sub);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    try {
      for await (const resolved of this.ordered) {
        if (this.stopped) return;
        const event = this.convert(resolved);
        if (event) yield event;
      }
    } catch (e) {
      if (!this.stopped) throw translateEsdbError(e);
    } finally {
      await this.stop();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.ordered.end();
    this.onStop();
    await this.sub.unsubscribe().catch(() => undefined);
  }
}

function toClientFilter(filter: AllFilter | undefined, onCheckpoint?: (position: Position) => void): Filter {
  const spec = serverFilterSpec(filter);
  const checkpoint = onCheckpoint
    ? { checkpointInterval: 1, checkpointReached: (_: unknown, position: Position): void => onCheckpoint(position) }
    : {};
  switch (spec.on) {
    case 'eventType':
      return eventTypeFilter({ regex: spec.regex, ...checkpoint });
    case 'streamName':
      return streamNameFilter({ prefixes: [...spec.prefixes], ...checkpoint });
    case 'excludeSystemEvents':
      return excludeSystemEvents(checkpoint);
  }
}

const CLAIM_CONCURRENCY = 16;

function claimMatches(claim: EventIdClaim, streamId: string, e: NewEvent): boolean {
  if (claim.streamId !== streamId || claim.bodyHash !== bodyFingerprint(e)) return false;
  return e.occurredAt === undefined || claim.occurredAt === null || Date.parse(claim.occurredAt) === e.occurredAt.getTime();
}

function isClaim(v: unknown): v is EventIdClaim {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.streamId === 'string' && typeof c.bodyHash === 'string' && (c.occurredAt === null || typeof c.occurredAt === 'string');
}

function isWrongExpectedVersion(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'wrong-expected-version';
}

function sameBody(found: ExistingEvent, e: NewEvent): boolean {
  if (found.bodyHash !== bodyFingerprint(e)) return false;
  return e.occurredAt === undefined || e.occurredAt.getTime() === found.occurredAt;
}

function isStreamNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'stream-not-found';
}

function nonNegative(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer ≥ 0`);
  return value;
}
