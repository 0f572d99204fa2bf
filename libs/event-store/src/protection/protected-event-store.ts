import { guardAppendShape, type AppendLimits, DEFAULT_APPEND_LIMITS } from '../append-guard';
import type { GlobalPosition, JsonObject, JsonValue, NewEvent, RecordedEvent } from '../envelope';
import { EventStoreError, EventStoreErrorCode } from '../errors';
import type {
  AllSubscription,
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllByStreamOptions,
  ReadAllOptions,
  ReadStreamOptions,
  StreamAppend,
  SubscribeToAllOptions,
} from '../event-store.port';
import type { EventTypeRegistry } from '../serialization/event-type-registry';
import { ERASED } from './erased';
import { decryptField, encryptField, FieldCipherError, isFieldCiphertext, parseFieldCiphertext } from './field-cipher';
import type { ErasureRecord, KeyStore } from './key-store.port';
import type { MasterKeyring } from './master-keys';
import { SubjectKeys, type KeyCacheOptions } from './subject-keys';

/** Which data subject a stream's personal data belongs to; null when the stream has none. */
export type SubjectResolver = (streamId: string) => string | null;

/** Default: the customer of a `customer-<id>` stream. */
export const customerStreamSubject: SubjectResolver = (streamId) => {
  const m = /^customer-(.+)$/.exec(streamId);
  return m?.[1] ?? null;
};

export interface ProtectedEventStoreOptions {
  /** Names the personal fields of each type; checks appends; upcasts after decrypting. */
  readonly registry: EventTypeRegistry;
  readonly keyStore: KeyStore;
  readonly masterKeys: MasterKeyring;
  readonly subjectOf?: SubjectResolver;
  readonly keyCache?: KeyCacheOptions;
  /** Batch size checked here; the event size limit is the inner store's, on what it stores. */
  readonly limits?: AppendLimits;
  readonly now?: () => Date;
}

const MAX_REASON = 500;

/** The event with each of its personal fields (as found by personalValues) encrypted. */
function protect(e: NewEvent, fields: readonly (readonly [string, JsonValue])[], keyId: string, key: Buffer): NewEvent {
  if (fields.length === 0) return e;
  const data: JsonObject = { ...e.data };
  for (const [field, value] of fields) data[field] = encryptField(value, key, { keyId, eventId: e.eventId });
  return { ...e, data };
}

/**
 * Crypto-shredding as a decorator around any EventStore.
 *
 * On append, every field the registry names personal is encrypted (AES-256-GCM) with the
 * data subject's own data key, and stored as a self-describing string in the same field, so
 * the underlying store needs no change. On read, those fields are decrypted; once the subject
 * is erased (its key destroyed) they read as `{ "erased": true }` (see `isErased`) while the
 * rest of the event, and the history, stay whole.
 *
 * Upcasting: this decorator upcasts after decrypting. An inner store that upcasts too is
 * harmless (upcasting an event already current changes nothing), but then its upcasters see
 * ciphertext in personal fields: they may move or rename such fields, not compute with them.
 */
export class ProtectedEventStore implements EventStore {
  private readonly keys: SubjectKeys;
  private readonly subjectOf: SubjectResolver;
  private readonly now: () => Date;
  private readonly personalByType = new Map<string, ReadonlySet<string>>();
  /** Present when the inner store has it (the port's optional bulk read), decrypting like readAll. */
  readonly readAllByStream?: (options: ReadAllByStreamOptions) => AsyncIterable<RecordedEvent>;

  constructor(
    private readonly inner: EventStore,
    private readonly options: ProtectedEventStoreOptions,
  ) {
    const byStream = inner.readAllByStream?.bind(inner);
    if (byStream) {
      const reveal = (e: RecordedEvent): Promise<RecordedEvent> => this.reveal(e);
      this.readAllByStream = async function* (o: ReadAllByStreamOptions): AsyncIterable<RecordedEvent> {
        for await (const e of byStream(o)) yield await reveal(e);
      };
    }
    this.keys = new SubjectKeys(options.keyStore, options.masterKeys, options.keyCache);
    this.subjectOf = options.subjectOf ?? customerStreamSubject;
    this.now = options.now ?? (() => new Date());
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    // The inner store checks the size, of the ciphertext it stores.
    guardAppendShape(streamId, events, this.options.registry, this.options.limits ?? DEFAULT_APPEND_LIMITS);
    const fields = events.map((e, index) => this.personalValues(e, index));
    if (!fields.some((f) => f.length > 0)) return this.inner.appendToStream(streamId, events, options);
    const subjectId = this.subjectOf(streamId);
    if (subjectId === null || subjectId.length === 0) {
      throw new EventStoreError(
        EventStoreErrorCode.InvalidEvent,
        `Stream ${streamId} has no data subject, so it cannot hold personal data`,
        { streamId },
      );
    }
    const { keyId, key } = await this.keys.forAppend(subjectId);
    return this.inner.appendToStream(streamId, events.map((e, index) => protect(e, fields[index] ?? [], keyId, key)), options);
  }

  /**
   * Multi-stream append, when the inner store has one: the data keys of every subject are
   * fetched (and created) in bulk, then one inner multi-stream append. Refuses the whole call
   * (SubjectErased, InvalidEvent) if any stream would be refused on its own.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const inner = this.inner.appendToStreams?.bind(this.inner);
    if (!inner) {
      const out: AppendResult[] = [];
      for (const a of appends) out.push(await this.appendToStream(a.streamId, a.events, { expectedRevision: a.expectedRevision ?? 'any' }));
      return out;
    }
    const subjects = new Map<number, string>();
    const fields = appends.map((a, i) => {
      guardAppendShape(a.streamId, a.events, this.options.registry, this.options.limits ?? DEFAULT_APPEND_LIMITS);
      const perEvent = a.events.map((e, index) => this.personalValues(e, index));
      if (!perEvent.some((f) => f.length > 0)) return perEvent;
      const subjectId = this.subjectOf(a.streamId);
      if (subjectId === null || subjectId.length === 0) {
        throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `Stream ${a.streamId} has no data subject, so it cannot hold personal data`, {
          streamId: a.streamId,
        });
      }
      subjects.set(i, subjectId);
      return perEvent;
    });
    const keys = await this.keys.forAppendMany([...new Set(subjects.values())]);
    const protectedAppends = appends.map((a, i): StreamAppend => {
      const subjectId = subjects.get(i);
      if (subjectId === undefined) return a;
      const subjectKey = keys.get(subjectId);
      if (!subjectKey) throw new Error(`no data key for subject of ${a.streamId}`);
      const perEvent = fields[i] ?? [];
      return { ...a, events: a.events.map((e, index) => protect(e, perEvent[index] ?? [], subjectKey.keyId, subjectKey.key)) };
    });
    return inner(protectedAppends);
  }

  async *readStream(streamId: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    for await (const e of this.inner.readStream(streamId, options)) yield await this.reveal(e);
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent> {
    for await (const e of this.inner.readAll(options)) yield await this.reveal(e);
  }

  subscribeToAll(options?: SubscribeToAllOptions): AllSubscription {
    const inner = this.inner.subscribeToAll(options);
    const reveal = (e: RecordedEvent): Promise<RecordedEvent> => this.reveal(e);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const e of inner) yield await reveal(e);
      },
      stop: () => inner.stop(),
    };
  }

  headPosition(): Promise<GlobalPosition> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Erases a data subject: destroys its data key, records the erasure (subject, time,
   * reason — the reason must not contain personal data). From then on its personal fields
   * read as erased, everywhere, for good; new personal data for it is refused. Idempotent.
   */
  async eraseSubject(subjectId: string, reason: string): Promise<ErasureRecord> {
    if (typeof subjectId !== 'string' || subjectId.length === 0 || subjectId.length > 200) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, 'subjectId must be 1-200 characters');
    }
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > MAX_REASON) {
      throw new EventStoreError(EventStoreErrorCode.InvalidEvent, `reason must be 1-${MAX_REASON} characters`);
    }
    return (await this.keys.erase(subjectId, reason, this.now())).record;
  }

  /** The erasure record of a subject, or null if it was never erased. */
  subjectErasure(subjectId: string): Promise<ErasureRecord | null> {
    return this.options.keyStore.findErasure(subjectId);
  }

  /**
   * Master-key rotation: re-wraps every data key still wrapped by a non-active master key
   * under the active one. Safe to run while serving. Returns how many keys were re-wrapped.
   */
  async rewrapDataKeys(batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.keys.rewrapBatch(batchSize);
      total += done;
      if (done === 0) return total;
    }
  }

  /**
   * The personal fields of an event that hold a value to protect. A non-personal string
   * that looks like one of our ciphertexts is refused, so that any ciphertext read back is
   * known to be ours.
   */
  private personalValues(e: NewEvent, index: number): [string, JsonValue][] {
    const personal = this.personalFieldsOf(e.type);
    const out: [string, JsonValue][] = [];
    const data = e.data;
    for (const field of Object.keys(data)) {
      const value = data[field];
      if (personal.has(field)) {
        if (value !== null && value !== undefined) out.push([field, value]);
      } else if (isFieldCiphertext(value)) {
        throw new EventStoreError(
          EventStoreErrorCode.InvalidEvent,
          `events[${index}].data.${field} must not start with the reserved ciphertext prefix`,
          { index, field },
        );
      }
    }
    return out;
  }

  /** The registry is fixed at construction: one set per type, built once. */
  private personalFieldsOf(type: string): ReadonlySet<string> {
    let set = this.personalByType.get(type);
    if (set === undefined) {
      set = new Set(this.options.registry.personalFields(type));
      this.personalByType.set(type, set);
    }
    return set;
  }

  private async reveal(e: RecordedEvent): Promise<RecordedEvent> {
    let data: JsonObject | undefined;
    for (const [field, value] of Object.entries(e.data)) {
      if (!isFieldCiphertext(value)) continue;
      data ??= { ...e.data };
      data[field] = await this.decrypt(value, e, field);
    }
    const revealed = data ? { ...e, data } : e;
    return this.options.registry.upcast(revealed);
  }

  private async decrypt(text: string, e: RecordedEvent, field: string): Promise<JsonValue> {
    try {
      const { keyId } = parseFieldCiphertext(text);
      const key = await this.keys.forRead(keyId);
      if (!key) return { ...ERASED };
      return decryptField(text, key, { eventId: e.eventId });
    } catch (err) {
      if (err instanceof FieldCipherError) {
        // Names the event and field, never the value.
        throw new EventStoreError(
          EventStoreErrorCode.InvalidEvent,
          `Event ${e.eventId}: personal field "${field}" cannot be decrypted (${err.message})`,
          { eventId: e.eventId, streamId: e.streamId, field },
        );
      }
      throw err;
    }
  }
}
