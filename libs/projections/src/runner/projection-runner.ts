import type { EventStore, GlobalPosition, RecordedEvent } from '@c360/event-store';
import type { CustomerEvents, ProjectionDefinition, StreamReader } from '../definition/projection-definition';
import { isFencedError, ProjectionError, ProjectionErrorCode } from '../errors';
import type { PartitionAssigner } from '../partitioning/partition-assigner';
import type { BulkProgress, FailureKind, PartitionLease, ProjectionStore } from '../ports/projection-store.port';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { BatchReader, type BatchLimits, type ReadBatch } from './batch-reader';
import { groupByCustomer, type GroupedBatch } from './grouping';
import type { ProjectionFailure, ProjectionLag, ProjectionState, ProjectionStatus } from './projection-status';
import { RateMeter } from './rate-meter';
import { Signal, sleepUnless } from './signal';

/** What the runner reports as it goes (logs, metrics, tests). */
export type RunnerEvent =
  | { readonly kind: 'state'; readonly state: ProjectionState }
  | { readonly kind: 'committed'; readonly events: number; readonly customers: number; readonly position: string }
  | { readonly kind: 'fenced'; readonly partitions: readonly number[] }
  | { readonly kind: 'retry'; readonly attempt: number; readonly delayMs: number; readonly failure: ProjectionFailure };

export interface RunnerHooks {
  /** Called with each batch before its transaction begins (crash points in fault tests). */
  readonly beforeTransaction?: (batch: { readonly events: number; readonly customers: number }) => Promise<void>;
  readonly onEvent?: (event: RunnerEvent) => void;
}

/** What lag measurement needs to know about the store beyond the runner's checkpoint. */
export interface LagSample {
  readonly head: GlobalPosition;
  /** Events of the handled types after the checkpoint, counted up to cap + 1. */
  readonly events: number;
  readonly oldestRecordedAt: Date | null;
}

/**
 * Measures lag. The default uses the EventStore port, whose head stops at the visibility
 * horizon — so a transaction held open elsewhere hides the lag it causes (F15). An adapter
 * that sees past the horizon (apps/projector has one for PostgreSQL) reports it.
 */
export interface LagProbe {
  sample(after: GlobalPosition, eventTypes: readonly string[], cap: number): Promise<LagSample>;
}

export function eventStoreLagProbe(eventStore: EventStore): LagProbe {
  return {
    async sample(after, eventTypes, cap) {
      const head = await eventStore.headPosition();
      if (after >= head) return { head, events: 0, oldestRecordedAt: null };
      let events = 0;
      let oldest: RecordedEvent | undefined;
      for await (const event of eventStore.readAll({ after, maxCount: cap + 1, filter: { eventTypes } })) {
        oldest ??= event;
        events++;
      }
      return { head, events, oldestRecordedAt: oldest?.recordedAt ?? null };
    },
  };
}

/**
 * Bulk catch-up. A projection that starts from nothing (every checkpoint at 0) with at least
 * `minEvents` of its events in the store applies the history up to the current head stream by
 * stream — each customer's events in one `apply`, so each row is read and written once instead
 * of once per batch it appears in — in transactions of about `chunkEvents` events, each saving
 * how far it got (a crashed pass resumes from there). The last one moves every checkpoint to
 * that head; the subscription goes on from it. Only while this worker owns every partition, and
 * only with EventStore.readAllByStream and ProjectionStore.loadBulkProgress/saveBulkProgress;
 * otherwise the runner replays in global order, which is always correct: `apply` skips what a
 * row already holds. Requires `identity` to be the stream's owner (one customer per stream),
 * since apply gets a customer's events in stream order, not interleaved with other customers'.
 */
export interface BulkCatchUpOptions {
  /** 0 disables bulk catch-up. */
  readonly minEvents: number;
  /** Events per transaction (a stream is split only when it alone is longer). Default 4,000. */
  readonly chunkEvents?: number;
}

export interface ProjectionRunnerOptions<R> {
  /** Default: no bulk catch-up. */
  readonly bulk?: BulkCatchUpOptions;
  /** Default: eventStoreLagProbe(eventStore). */
  readonly lagProbe?: LagProbe;
  readonly definition: ProjectionDefinition<R>;
  readonly eventStore: EventStore;
  readonly store: ProjectionStore<R>;
  readonly assigner: PartitionAssigner;
  readonly workerId: string;
  readonly partitionCount: number;
  readonly batch?: Partial<BatchLimits>;
  readonly backoff?: BackoffOptions;
  /** Fatal (non-transient) failures in a row before the runner gives up (state failed). Default 5. */
  readonly maxFatalAttempts?: number;
  /** How often lag is measured; default 1 s. `lagCap`: most events counted; default 10,000. */
  readonly lagIntervalMs?: number;
  readonly lagCap?: number;
  /** A checkpoint with no applied event is persisted at most this often. Default 1 s. */
  readonly idleCheckpointEveryMs?: number;
  readonly hooks?: RunnerHooks;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxSize: 500, maxLatencyMs: 25, catchUpMaxSize: 4_000 };
const DEFAULT_CATCH_UP_MAX_CUSTOMERS = 2_000;

const NO_LAG: ProjectionLag = { events: 0, capped: false, seconds: 0, measuredAt: null };

/**
 * Runs one projection: subscribes to the store after the lowest checkpoint of the owned
 * partitions, cuts batches, groups them by customer and applies each batch in ONE
 * transaction with the checkpoints (so a crash leaves either both or neither). Failures:
 * transient ones retry with backoff from the last commit; a refused (fenced) write re-syncs
 * the leases; other failures retry a few times, then the runner stops in `failed`.
 */
export class ProjectionRunner<R> {
  private state: ProjectionState = 'stopped';
  private loop: Promise<void> | undefined;
  private readonly wake = new Signal();
  private stopRequested = false;
  private pauseRequested = false;
  private stateWaiters: Array<{ states: readonly ProjectionState[]; resolve: () => void }> = [];
  private checkpoints = new Map<number, GlobalPosition>();
  private lastPersistedAt = 0;
  /** Where the owned checkpoints stand in memory only (batches of nothing of ours), awaiting an idle flush. */
  private unpersistedEnd: GlobalPosition | null = null;
  private idleFlushTimer: NodeJS.Timeout | undefined;
  private head: GlobalPosition | null = null;
  private lag: ProjectionLag = NO_LAG;
  private lagTimer: NodeJS.Timeout | undefined;
  private measuring: Promise<ProjectionLag> | undefined;
  private readonly rate = new RateMeter();
  private appliedEvents = 0;
  private committedBatches = 0;
  private fencedWrites = 0;
  private retries = 0;
  private lastError: ProjectionFailure | null = null;
  private startedAt: string | null = null;
  private readonly limits: BatchLimits;
  private readonly streams: StreamReader;

  constructor(private readonly options: ProjectionRunnerOptions<R>) {
    const limits: BatchLimits = { ...DEFAULT_BATCH_LIMITS, ...options.batch };
    // A caller that sets only maxSize (tests: small batches) gets no growth unless it asks for it.
    this.limits = options.batch?.maxSize !== undefined && options.batch.catchUpMaxSize === undefined ? { ...limits, catchUpMaxSize: limits.maxSize } : limits;
    const catchUp = this.limits.catchUpMaxSize ?? this.limits.maxSize;
    if (!Number.isInteger(this.limits.maxSize) || this.limits.maxSize < 1 || this.limits.maxLatencyMs < 0 || (this.limits.catchUpMaxLatencyMs ?? 0) < 0 || (this.limits.catchUpMaxCustomers ?? 1) < 1 || !Number.isInteger(catchUp))
      throw new ProjectionError(ProjectionErrorCode.InvalidOptions, 'batch limits must be positive');
    this.streams = { readStream: (id) => options.eventStore.readStream(id) };
    options.assigner.onChange(() => this.wake.fire());
  }

  get name(): string {
    return this.options.definition.name;
  }

  /** Registers the projection, takes partitions and starts the loop (returns once running). */
  async start(): Promise<void> {
    if (this.loop) return;
    this.stopRequested = false;
    this.pauseRequested = false;
    this.startedAt = new Date().toISOString();
    this.setState('starting');
    const { store, definition, partitionCount, assigner } = this.options;
    await store.registerProjection(definition.name, partitionCount);
    await assigner.start();
    this.loop = this.run();
    this.lagTimer = setInterval(() => void this.measureLag().catch(() => undefined), this.options.lagIntervalMs ?? 1_000);
    this.lagTimer.unref();
  }

  /** Finishes the batch in flight, then holds (leases kept). */
  async pause(): Promise<void> {
    if (!this.loop) return;
    this.pauseRequested = true;
    this.wake.fire();
    await this.waitForState(['paused', 'stopped', 'failed']);
  }

  resume(): void {
    this.pauseRequested = false;
    this.wake.fire();
  }

  /** Finishes the batch in flight, releases the leases and resolves when everything is closed. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake.fire();
    clearInterval(this.lagTimer);
    clearTimeout(this.idleFlushTimer);
    await this.loop;
    await this.measuring?.catch(() => undefined);
    this.loop = undefined;
    await this.options.assigner.stop();
    if (this.state !== 'failed') this.setState('stopped');
  }

  /** Resolves when the runner is in one of the states (e.g. tests waiting for `live`). */
  waitForState(states: readonly ProjectionState[]): Promise<void> {
    if (states.includes(this.state)) return Promise.resolve();
    return new Promise((resolve) => this.stateWaiters.push({ states, resolve }));
  }

  status(): ProjectionStatus {
    const position = this.position();
    return {
      name: this.options.definition.name,
      version: this.options.definition.version,
      workerId: this.options.workerId,
      state: this.state,
      partitions: [...this.options.assigner.owned().keys()].sort((a, b) => a - b),
      position: position === null ? null : position.toString(),
      head: this.head === null ? null : this.head.toString(),
      lag: this.lag,
      ratePerSecond: this.rate.perSecond(),
      appliedEvents: this.appliedEvents,
      committedBatches: this.committedBatches,
      fencedWrites: this.fencedWrites,
      retries: this.retries,
      lastError: this.lastError,
      startedAt: this.startedAt,
    };
  }

  /**
   * Lag against the store's head: events of the handled types after the lowest owned
   * checkpoint (counted up to a cap) and the age of the oldest of them. Uses the store's own
   * connections, so it still answers while a batch is blocked (e.g. on a lock).
   */
  measureLag(): Promise<ProjectionLag> {
    this.measuring ??= this.computeLag().finally(() => {
      this.measuring = undefined;
    });
    return this.measuring;
  }

  private async computeLag(): Promise<ProjectionLag> {
    const { eventStore, definition } = this.options;
    const cap = this.options.lagCap ?? 10_000;
    const probe = this.options.lagProbe ?? eventStoreLagProbe(eventStore);
    const position = this.position();
    const measuredAt = new Date();
    if (position === null) {
      this.lag = { ...NO_LAG, measuredAt: measuredAt.toISOString() };
      return this.lag;
    }
    const sample = await probe.sample(position, definition.eventTypes, cap);
    this.head = sample.head;
    const seconds = sample.oldestRecordedAt ? Math.max(0, (measuredAt.getTime() - sample.oldestRecordedAt.getTime()) / 1000) : 0;
    this.lag = { events: Math.min(sample.events, cap), capped: sample.events > cap, seconds, measuredAt: measuredAt.toISOString() };
    return this.lag;
  }

  private position(): GlobalPosition | null {
    let min: GlobalPosition | null = null;
    for (const partition of this.options.assigner.owned().keys()) {
      const cp = this.checkpoints.get(partition);
      if (cp !== undefined && (min === null || cp < min)) min = cp;
    }
    return min;
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopRequested) {
      if (this.pauseRequested) {
        this.setState('paused');
        await this.wake.wait();
        continue;
      }
      try {
        if (await this.runPipeline()) attempt = 0;
      } catch (e) {
        const kind = this.classify(e);
        this.lastError = describeFailure(e, kind);
        attempt++;
        if (kind === 'fenced') {
          this.fencedWrites++;
          this.emit({ kind: 'fenced', partitions: isFencedError(e) ? e.lostPartitions : [] });
          await this.options.assigner.refresh();
        }
        if (kind === 'fatal' && attempt >= (this.options.maxFatalAttempts ?? 5)) {
          this.setState('failed');
          return;
        }
        if (this.state === 'live') this.setState('catching-up');
        const delayMs = backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF);
        this.retries++;
        this.emit({ kind: 'retry', attempt, delayMs, failure: this.lastError });
        await sleepUnless(delayMs, this.wake);
      }
    }
  }

  private classify(e: unknown): FailureKind {
    if (isFencedError(e)) return 'fenced';
    return this.options.store.classifyFailure(e);
  }

  /**
   * One subscription over the owned partitions, from their lowest checkpoint, until stop,
   * pause or a change of partitions. Returns true if it committed anything.
   */
  private async runPipeline(): Promise<boolean> {
    const { assigner, store, eventStore, definition } = this.options;
    const version = assigner.version;
    const owned = new Map(assigner.owned());
    if (owned.size === 0) {
      // Nothing to do until a lease comes (another worker holds them all).
      this.setState('live');
      await this.wake.wait();
      return false;
    }
    this.checkpoints = await store.loadCheckpoints(definition.name, [...owned.keys()]);
    this.lastPersistedAt = Date.now();
    this.unpersistedEnd = null;
    const bulk = await this.runBulk(owned, version);
    if (bulk === 'interrupted') return this.bulkCommitted;
    const from = this.position() ?? 0n;
    const subscription = eventStore.subscribeToAll({ after: from, filter: { eventTypes: definition.eventTypes } });
    const reader = new BatchReader(subscription[Symbol.asyncIterator]());
    let committed = false;
    let size = this.limits.maxSize;
    /** Whether the last batch ended before the store's head: the next is cut as a catch-up batch. */
    let behind = false;
    const limits = (): BatchLimits =>
      behind
        ? { ...this.limits, maxSize: size, maxLatencyMs: this.limits.catchUpMaxLatencyMs ?? this.limits.maxLatencyMs * 10 }
        : { ...this.limits, maxSize: size };
    let reading: Promise<ReadBatch> | undefined = reader.next(limits(), this.wake);
    try {
      // Already at the head (nothing to read): live now — otherwise only a drained batch says so,
      // and a runner that starts caught up would report catching-up until the next event.
      // (Inside the try: if the store cannot answer, the subscription is still stopped.)
      if ((await eventStore.headPosition()) <= from) this.setState('live');
      else if (this.state !== 'live') this.setState('catching-up');
      while (!this.stopRequested && !this.pauseRequested && assigner.version === version) {
        const batch: ReadBatch = await (reading ?? reader.next(limits(), this.wake));
        reading = undefined;
        // Adaptive size: grow while the store's head is ahead of the batch, back to the live size
        // once caught up. A batch cut by its latency is behind too when the reads could not keep
        // up with the wait (a busy process, a slow page): the head says so, not the cut.
        const end = batch.events[batch.events.length - 1]?.globalPosition;
        const grouped = this.group(batch.events);
        behind = end !== undefined && !batch.ended && (await eventStore.headPosition()) > end;
        size = behind ? this.catchUpSize(size, batch.events.length, grouped.customers.length) : this.limits.maxSize;
        if (batch.ended) {
          if (batch.events.length > 0) committed = (await this.applyBatch(batch.events, grouped, owned)) || committed;
          throw new Error('subscription ended');
        }
        // Pipelining: the next batch is read (the event store's connection) while this one is
        // applied (the read models' transaction). It is only ever applied after this one commits,
        // and dropped with the subscription if this one fails: the next pipeline starts from the
        // committed checkpoints.
        if (batch.events.length > 0) {
          reading = reader.next(limits(), this.wake);
          committed = (await this.applyBatch(batch.events, grouped, owned)) || committed;
        }
        // A drained batch is live even behind the head: what is left may be none of ours (a
        // filtered read), and the next read then waits for an event that may never come. A full
        // batch that ended exactly at the head is live for the same reason.
        this.setState(batch.drained || !behind ? 'live' : 'catching-up');
        if (this.unpersistedEnd !== null && !this.stopRequested && assigner.version === version) await this.flushIdleCheckpoints(owned);
      }
      return committed;
    } finally {
      clearTimeout(this.idleFlushTimer);
      this.idleFlushTimer = undefined;
      reading?.catch(() => undefined);
      reader.discard();
      await subscription.stop().catch(() => undefined);
      await reading?.catch(() => undefined);
    }
  }

  /**
   * The next catch-up batch's size: double, up to catchUpMaxSize events and to about
   * catchUpMaxCustomers customers at this batch's events per customer (of ours).
   */
  private catchUpSize(size: number, events: number, customers: number): number {
    const { maxSize, catchUpMaxSize, catchUpMaxCustomers = DEFAULT_CATCH_UP_MAX_CUSTOMERS } = this.limits;
    const byCustomers = customers === 0 ? Number.POSITIVE_INFINITY : Math.floor((events * catchUpMaxCustomers) / customers);
    return Math.max(maxSize, Math.min(size * 2, catchUpMaxSize ?? size, byCustomers));
  }

  /** Whether the last bulk pass committed anything (runPipeline's return after an interrupted pass). */
  private bulkCommitted = false;

  /**
   * The bulk catch-up (BulkCatchUpOptions): 'skipped' when it does not apply, 'done' when the
   * checkpoints now stand at its head, 'interrupted' on stop, pause or a change of partitions
   * (its progress is saved; the next pipeline resumes it).
   */
  private async runBulk(owned: ReadonlyMap<number, PartitionLease>, version: number): Promise<'skipped' | 'done' | 'interrupted'> {
    const { bulk, eventStore, store, definition, assigner, partitionCount } = this.options;
    this.bulkCommitted = false;
    const readByStream = eventStore.readAllByStream?.bind(eventStore);
    const saveProgress = (tx: { saveBulkProgress?: (p: string, b: BulkProgress | null) => Promise<void> }, progress: BulkProgress | null): Promise<void> => {
      if (!tx.saveBulkProgress) throw new ProjectionError(ProjectionErrorCode.InvalidOptions, 'the projection store cannot save bulk progress');
      return tx.saveBulkProgress(definition.name, progress);
    };
    if (!bulk || bulk.minEvents <= 0 || !readByStream || !store.loadBulkProgress) return 'skipped';
    if (owned.size !== partitionCount) return 'skipped';
    let progress = await store.loadBulkProgress(definition.name);
    if ((this.position() ?? 0n) !== 0n) {
      // Checkpoints moved on without the pass (another worker replayed in global order): stale.
      if (progress) await store.transaction((tx) => saveProgress(tx, null));
      return 'skipped';
    }
    if (!progress) {
      const probe = this.options.lagProbe ?? eventStoreLagProbe(eventStore);
      const sample = await probe.sample(0n, definition.eventTypes, bulk.minEvents);
      if (sample.events < bulk.minEvents) return 'skipped';
      // The store's head, not the probe's: every event at or before it is visible to all readers.
      const upTo = await eventStore.headPosition();
      if (upTo === 0n) return 'skipped';
      progress = { upTo, afterStream: null };
    }
    const { upTo } = progress;
    const chunkMax = Math.max(1, bulk.chunkEvents ?? 4_000);
    const partitions = [...owned.keys()];
    const writer = { workerId: this.options.workerId, leases: [...owned.values()], fenced: assigner.fenced };
    this.setState('catching-up');

    /**
     * One chunk's transaction. Chunks are pipelined: while one commits (the database's work) the
     * next is folded (ours) — only when their customers are disjoint (see flushChunk) — and each
     * waits for the one before to commit before it records progress, so progress only ever names
     * streams that are committed.
     */
    const commit = async (chunk: readonly CustomerEvents[], after: string | null, final: boolean, previous: Promise<void>): Promise<void> => {
      const events = chunk.reduce((n, c) => n + c.events.length, 0);
      await this.options.hooks?.beforeTransaction?.({ events, customers: chunk.length });
      await store.transaction(async (tx) => {
        await tx.assertLeases(definition.name, writer);
        const context = { repositories: tx.repositories, streams: this.streams, batchEnd: upTo };
        if (chunk.length > 0) await definition.prepare?.(chunk, context);
        for (const customer of chunk) await definition.apply(customer, context);
        await tx.flush?.();
        await previous;
        if (final) {
          await saveProgress(tx, null);
          await tx.saveCheckpoints(definition.name, partitions, upTo);
        } else await saveProgress(tx, { upTo, afterStream: after });
      });
      if (final) this.advance(partitions, upTo);
      this.lastPersistedAt = Date.now();
      this.bulkCommitted = true;
      this.appliedEvents += events;
      this.committedBatches++;
      this.rate.add(events);
      this.emit({ kind: 'committed', events, customers: chunk.length, position: final ? upTo.toString() : (this.position() ?? 0n).toString() });
    };

    const iterator = readByStream({ upTo, afterStream: progress.afterStream ?? undefined, filter: { eventTypes: definition.eventTypes } })[Symbol.asyncIterator]();
    let chunk: CustomerEvents[] = [];
    let inChunk = new Set<string>();
    let chunkEvents = 0;
    /** The last stream whose events are all in committed or pending chunks. */
    let doneStream = progress.afterStream;
    let current: { streamId: string; customerId: string; events: RecordedEvent[] } | undefined;
    const close = (): void => {
      if (current && current.events.length > 0) {
        chunk.push({ customerId: current.customerId, events: current.events });
        inChunk.add(current.customerId);
      }
    };
    /** The last chunk's commit, in flight. */
    let inFlight: Promise<void> = Promise.resolve();
    /**
     * `continues`: the next chunk holds a customer of this one (a stream split across chunks, or
     * a customer met again): it must not start before this one commits — its prefetch would not
     * see this chunk's uncommitted rows and would fold that customer from nothing.
     */
    const flushChunk = async (after: string | null, continues = false): Promise<void> => {
      const previous = inFlight;
      inFlight = commit(chunk, after, false, previous);
      inFlight.catch(() => undefined); // surfaces where it is awaited
      chunk = [];
      inChunk = new Set();
      chunkEvents = 0;
      await (continues ? inFlight : previous); // at most two chunks in flight, disjoint customers
    };
    try {
      for (;;) {
        if (this.stopRequested || this.pauseRequested || assigner.version !== version) {
          await inFlight;
          return 'interrupted';
        }
        const next = await iterator.next();
        if (next.done) break;
        const event = next.value;
        const customerId = definition.identity(event);
        if (current && (event.streamId !== current.streamId || customerId !== current.customerId)) {
          close();
          if (event.streamId !== current.streamId) doneStream = current.streamId;
          current = undefined;
          if (chunkEvents >= chunkMax) await flushChunk(doneStream);
        }
        if (customerId === null) continue;
        // One group per customer per transaction: apply sees each customer once, in stream order.
        if (!current && inChunk.has(customerId)) await flushChunk(doneStream, true);
        current ??= { streamId: event.streamId, customerId, events: [] };
        current.events.push(event);
        chunkEvents++;
        if (current.events.length >= chunkMax) {
          // A stream longer than a chunk: what it has so far goes now (apply is incremental);
          // the saved progress stays before this stream, whose start a resume re-reads (skipped).
          close();
          current = { ...current, events: [] };
          inChunk.delete(customerId);
          await flushChunk(doneStream, true);
        }
      }
      close();
      current = undefined;
      await commit(chunk, null, true, inFlight);
      return 'done';
    } finally {
      await inFlight.catch(() => undefined); // never leave a transaction behind
      await iterator.return?.().catch(() => undefined);
    }
  }

  /** The batch's events of this worker, by customer (groupByCustomer over the owned checkpoints). */
  private group(events: readonly RecordedEvent[]): GroupedBatch {
    const { definition, partitionCount } = this.options;
    return groupByCustomer(events, (e) => definition.identity(e), { partitionCount, checkpoints: this.checkpoints });
  }

  private async applyBatch(events: RecordedEvent[], grouped: GroupedBatch, owned: ReadonlyMap<number, PartitionLease>): Promise<boolean> {
    const { definition, store, assigner, workerId, hooks } = this.options;
    const last = events[events.length - 1];
    if (!last) return false;
    const end = last.globalPosition;
    const partitions = [...owned.keys()];
    const idleFor = Date.now() - this.lastPersistedAt;
    if (grouped.eventCount === 0 && idleFor < this.idleCheckpointEveryMs) {
      // Nothing of ours: advance in memory only; a restart merely re-reads these events. The
      // advance is persisted once the idle interval has passed, even if no event follows
      // (flushIdleCheckpoints): otherwise a quiet store would leave the checkpoints behind.
      this.advance(partitions, end);
      this.unpersistedEnd = end;
      return false;
    }
    await hooks?.beforeTransaction?.({ events: grouped.eventCount, customers: grouped.customers.length });
    const writer = { workerId, leases: [...owned.values()], fenced: assigner.fenced };
    await store.transaction(async (tx) => {
      await tx.assertLeases(definition.name, writer);
      const context = { repositories: tx.repositories, streams: this.streams, batchEnd: end };
      if (grouped.customers.length > 0) await definition.prepare?.(grouped.customers, context);
      for (const customer of grouped.customers) await definition.apply(customer, context);
      await tx.flush?.();
      await tx.saveCheckpoints(definition.name, partitions, end);
    });
    this.advance(partitions, end);
    this.lastPersistedAt = Date.now();
    this.unpersistedEnd = null;
    this.appliedEvents += grouped.eventCount;
    this.committedBatches++;
    this.rate.add(grouped.eventCount);
    this.emit({ kind: 'committed', events: grouped.eventCount, customers: grouped.customers.length, position: end.toString() });
    return true;
  }

  private get idleCheckpointEveryMs(): number {
    return this.options.idleCheckpointEveryMs ?? 1_000;
  }

  /**
   * Persists checkpoints advanced in memory only, once the idle interval has passed since the
   * last commit; before that, arms a timer that wakes the pipeline when it has (a read waiting
   * for events returns on the wake, keeping its pending pull).
   */
  private async flushIdleCheckpoints(owned: ReadonlyMap<number, PartitionLease>): Promise<void> {
    const end = this.unpersistedEnd;
    if (end === null) return;
    const wait = this.lastPersistedAt + this.idleCheckpointEveryMs - Date.now();
    if (wait > 0) {
      this.idleFlushTimer ??= setTimeout(() => {
        this.idleFlushTimer = undefined;
        this.wake.fire();
      }, wait);
      return;
    }
    const { definition, store, assigner, workerId } = this.options;
    const partitions = [...owned.keys()];
    const writer = { workerId, leases: [...owned.values()], fenced: assigner.fenced };
    await store.transaction(async (tx) => {
      await tx.assertLeases(definition.name, writer);
      await tx.saveCheckpoints(definition.name, partitions, end);
    });
    this.lastPersistedAt = Date.now();
    if (this.unpersistedEnd === end) this.unpersistedEnd = null;
  }

  private advance(partitions: readonly number[], end: GlobalPosition): void {
    for (const p of partitions) {
      const cp = this.checkpoints.get(p);
      if (cp === undefined || cp < end) this.checkpoints.set(p, end);
    }
  }

  private setState(state: ProjectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit({ kind: 'state', state });
    const ready = this.stateWaiters.filter((w) => w.states.includes(state));
    this.stateWaiters = this.stateWaiters.filter((w) => !w.states.includes(state));
    for (const w of ready) w.resolve();
  }

  private emit(event: RunnerEvent): void {
    try {
      this.options.hooks?.onEvent?.(event);
    } catch {
      // a listener's failure must not break the projection
    }
  }
}

function describeFailure(e: unknown, kind: FailureKind): ProjectionFailure {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : null;
  return {
    message: e instanceof Error ? e.message : String(e),
    code,
    kind,
    at: new Date().toISOString(),
  };
}
