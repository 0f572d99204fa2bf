import type { GlobalPosition, NewEvent, RecordedEvent } from './envelope';

/** DI token for the EventStore port. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/**
 * Expected revision for an append:
 * - `'no_stream'`: the stream must not exist yet;
 * - `'any'`: no check;
 * - `'stream_exists'`: the stream must have at least one event;
 * - a number: the stream's last revision must be exactly this (0-based).
 */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

export interface AppendOptions {
  readonly expectedRevision?: ExpectedRevision; // default 'any'
}

export interface AppendResult {
  /** Revision of the last event of the batch (what to pass as expectedRevision next). */
  readonly nextExpectedRevision: number;
  /** Global position of the last event of the batch. */
  readonly position: GlobalPosition;
  /** How many events were newly written: 0 for an idempotent re-append. */
  readonly written: number;
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision?: ExpectedRevision; // default 'any'
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards'; // default forwards
  /** Inclusive start revision; default: the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface AllFilter {
  /** Only events of these types. */
  readonly eventTypes?: readonly string[];
  /** Only events whose stream id starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: read events strictly after this position. Default: from the very start. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  readonly filter?: AllFilter;
}

export interface ReadAllByStreamOptions {
  /** Inclusive bound: only events at or before this global position (a head taken earlier). */
  readonly upTo: GlobalPosition;
  /** Exclusive keyset start: only streams whose id sorts after this one (resuming). */
  readonly afterStream?: string;
  readonly filter?: AllFilter;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: deliver events strictly after it. Default: from the very start. */
  readonly after?: GlobalPosition;
  readonly filter?: AllFilter;
}

/**
 * A catch-up subscription: replays history after the checkpoint, then turns live with no
 * gap and no duplicate. Iterate it; back-pressure is the iteration itself (the adapter
 * reads ahead at most a bounded page). `stop()` ends the iteration.
 */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  stop(): Promise<void>;
}

/**
 * The event store port. Every read streams with bounded memory, however long the history.
 */
export interface EventStore {
  /** Atomic for the batch; idempotent on event ids. */
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /**
   * Optional: appends to several streams in one atomic unit (all or nothing), each append
   * with the same rules as `appendToStream` (idempotent on event ids). Results in the order of
   * `appends`. A stream may appear once only. Adapters without it: call `appendToStream` per stream.
   */
  appendToStreams?(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Optional: every event at or before `upTo`, ordered by stream id (in the store's own, stable
   * order: resuming with `afterStream` continues it), then revision — each stream contiguous. For bulk rebuilds, which then fold one stream
   * at a time and write each read-model row once. `upTo` must be a position every reader of
   * all can already see (a `headPosition()`), so the set is fixed. Bounded memory, like `readAll`.
   */
  readAllByStream?(options: ReadAllByStreamOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options?: SubscribeToAllOptions): AllSubscription;
  /** Position of the last event a reader of all can safely see now (for lag reporting). */
  headPosition(): Promise<GlobalPosition>;
  close(): Promise<void>;
}
