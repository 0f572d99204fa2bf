import { guardAppend, type AppendLimits, DEFAULT_APPEND_LIMITS } from '../../append-guard';
import type { GlobalPosition, NewEvent, RecordedEvent } from '../../envelope';
import { EventStoreError, EventStoreErrorCode } from '../../errors';
import type {
  AllFilter,
  AllSubscription,
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllByStreamOptions,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeToAllOptions,
} from '../../event-store.port';
import { checkExpectedRevision, matchesAllFilter, validateExpectedRevision } from '../shared/append-semantics';
import type { EventTypeRegistry } from '../../serialization/event-type-registry';
import { bodyFingerprint, toRecordedEvent, toStoredEvent, type StoredEvent } from '../../serialization/envelope-codec';

export interface InMemoryEventStoreOptions {
  /** Checks types and versions on append and upcasts on read. */
  readonly registry?: EventTypeRegistry;
  readonly limits?: AppendLimits;
  /** Clock for recording times (tests pin it). */
  readonly now?: () => Date;
}

interface LogEntry {
  readonly stored: StoredEvent;
  readonly streamId: string;
  readonly revision: number;
  readonly globalPosition: GlobalPosition;
  readonly recordedAt: Date;
}

/**
 * The EventStore port in process memory, with exactly the semantics of the durable adapters
 * (it runs the same contract suite). For unit tests of other modules and for demos; it keeps
 * everything in memory, so it is not for production.
 *
 * Global positions are 1, 2, 3…; 0 means "before the first event".
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: LogEntry[] = [];
  private readonly streams = new Map<string, number[]>();
  private readonly byEventId = new Map<string, LogEntry>();
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions = new Set<InMemorySubscription>();
  private closed = false;
  private readonly now: () => Date;

  constructor(private readonly options: InMemoryEventStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    try {
      return Promise.resolve(this.appendNow(streamId, events, options.expectedRevision ?? 'any'));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Synchronous, hence atomic: nothing else runs between the checks and the writes. */
  private appendNow(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult {
    this.assertOpen();
    guardAppend(streamId, events, this.options.registry, this.options.limits ?? DEFAULT_APPEND_LIMITS);
    validateExpectedRevision(expected);
    const stored = events.map((e) => toStoredEvent(e));

    // Idempotency: an event id seen before is either the same event (skipped) or a conflict.
    const revisions = this.streams.get(streamId);
    const current = revisions === undefined ? -1 : revisions.length - 1;
    const previous = stored.map((s) => this.byEventId.get(s.eventId));
    previous.forEach((p, index) => {
      const e = events[index];
      if (p && e && !sameEvent(p, streamId, e)) {
        throw new EventStoreError(
          EventStoreErrorCode.EventIdConflict,
          `events[${index}]: event id ${p.stored.eventId} was appended before with a different body or stream`,
          { streamId, index, eventId: p.stored.eventId },
        );
      }
    });
    const known = previous.filter((p): p is LogEntry => p !== undefined);
    if (known.length === stored.length) {
      // A retry of a stored batch answers as before: same events, same order, and the
      // expectation held where the batch was written.
      const first = known[0];
      const last = known[known.length - 1];
      if (!first || !last || known.some((p, i) => p.revision !== first.revision + i)) {
        throw new EventStoreError(
          EventStoreErrorCode.EventIdConflict,
          'The events of this batch were appended before in a different order',
          { streamId },
        );
      }
      checkExpectedRevision(streamId, expected, first.revision - 1, current);
      return { nextExpectedRevision: last.revision, position: last.globalPosition, written: 0 };
    }
    checkExpectedRevision(streamId, expected, current);
    // A batch overlapping an earlier one: the events stored identically are skipped.
    const fresh = stored.filter((_, index) => previous[index] === undefined);

    const recordedAt = this.now();
    const list = revisions ?? [];
    let last: LogEntry | undefined;
    for (const s of fresh) {
      const entry: LogEntry = {
        stored: structuredClone(s),
        streamId,
        revision: list.length,
        globalPosition: BigInt(this.log.length + 1),
        recordedAt: new Date(recordedAt.getTime()),
      };
      this.log.push(entry);
      list.push(this.log.length - 1);
      this.byEventId.set(s.eventId, entry);
      last = entry;
    }
    this.streams.set(streamId, list);
    this.notify();
    if (!last) throw new Error('unreachable: empty batch passed the guard');
    return { nextExpectedRevision: last.revision, position: last.globalPosition, written: fresh.length };
  }

  async *readStream(streamId: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const revisions = this.streams.get(streamId);
    if (!revisions || max <= 0) return;
    let count = 0;
    if (backwards) {
      for (let r = Math.min(options.fromRevision ?? revisions.length - 1, revisions.length - 1); r >= 0; r--) {
        if (count++ >= max) return;
        yield this.recorded(this.entryAt(revisions, r));
      }
    } else {
      // Re-read the length each step: an event appended while reading is seen, in order.
      for (let r = Math.max(options.fromRevision ?? 0, 0); r < revisions.length; r++) {
        if (count++ >= max) return;
        yield this.recorded(this.entryAt(revisions, r));
      }
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (max <= 0) return;
    let count = 0;
    for (let i = this.startIndex(options.after); i < this.log.length; i++) {
      const entry = this.log[i];
      if (!entry || !matchesAllFilter(entry.streamId, entry.stored.type, options.filter)) continue;
      yield this.recorded(entry);
      if (++count >= max) return;
    }
  }

  async *readAllByStream(options: ReadAllByStreamOptions): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const upTo = options.upTo;
    const after = options.afterStream;
    const ids = [...this.streams.keys()].filter((id) => after === undefined || id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ids) {
      for (const index of this.streams.get(id) ?? []) {
        const entry = this.log[index];
        // Positions are index + 1: at or before upTo means index < upTo.
        if (!entry || BigInt(index) >= upTo) continue;
        if (matchesAllFilter(entry.streamId, entry.stored.type, options.filter)) yield this.recorded(entry);
      }
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): AllSubscription {
    this.assertOpen();
    const sub = new InMemorySubscription(this.startIndex(options.after), options.filter, {
      entryAt: (i) => this.log[i],
      recorded: (e) => this.recorded(e),
      waitForMore: (signal) => this.waitForMore(signal),
      onStop: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(sub);
    return sub;
  }

  headPosition(): Promise<GlobalPosition> {
    return Promise.resolve(BigInt(this.log.length));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.notify();
  }

  private startIndex(after: GlobalPosition | undefined): number {
    if (after === undefined || after <= 0n) return 0;
    return after >= BigInt(this.log.length) ? this.log.length : Number(after);
  }

  private entryAt(revisions: readonly number[], revision: number): LogEntry {
    const entry = this.log[revisions[revision] ?? -1];
    if (!entry) throw new Error(`in-memory store: revision ${revision} missing`);
    return entry;
  }

  /** A fresh copy each read: callers can never mutate the stored history. */
  private recorded(entry: LogEntry): RecordedEvent {
    return toRecordedEvent(
      structuredClone(entry.stored),
      {
        streamId: entry.streamId,
        revision: entry.revision,
        globalPosition: entry.globalPosition,
        recordedAt: new Date(entry.recordedAt.getTime()),
      },
      this.options.registry,
    );
  }

  private waitForMore(signal: { stopped: boolean }): Promise<void> {
    if (this.closed || signal.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
    });
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError(EventStoreErrorCode.Unavailable, 'The event store is closed');
  }
}

interface SubscriptionSource {
  entryAt(index: number): LogEntry | undefined;
  recorded(entry: LogEntry): RecordedEvent;
  waitForMore(signal: { stopped: boolean }): Promise<void>;
  onStop(sub: InMemorySubscription): void;
}

/** Catch-up then live, from one cursor over the log: no gap, no duplicate by construction. */
class InMemorySubscription implements AllSubscription {
  private readonly signal = { stopped: false };
  private wakeStopped: (() => void) | undefined;

  constructor(
    private cursor: number,
    private readonly filter: AllFilter | undefined,
    private readonly source: SubscriptionSource,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    while (!this.signal.stopped) {
      const entry = this.source.entryAt(this.cursor);
      if (entry) {
        this.cursor++;
        if (matchesAllFilter(entry.streamId, entry.stored.type, this.filter)) yield this.source.recorded(entry);
        continue;
      }
      await Promise.race([
        this.source.waitForMore(this.signal),
        new Promise<void>((resolve) => (this.wakeStopped = resolve)),
      ]);
    }
  }

  stop(): Promise<void> {
    this.signal.stopped = true;
    this.wakeStopped?.();
    this.source.onStop(this);
    return Promise.resolve();
  }
}

/** Same event as stored: same stream and body; a business time given on retry must match too. */
function sameEvent(p: LogEntry, streamId: string, e: NewEvent): boolean {
  if (p.streamId !== streamId) return false;
  if (p.stored.metadata.c360.bodyHash !== bodyFingerprint(e)) return false;
  if (e.occurredAt === undefined) return true;
  const storedOccurred = p.stored.metadata.c360.occurredAt;
  const effective = storedOccurred !== undefined ? Date.parse(storedOccurred) : p.recordedAt.getTime();
  return effective === e.occurredAt.getTime();
}
