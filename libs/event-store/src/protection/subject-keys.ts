import { randomUUID } from 'node:crypto';
import { generateDataKey, unwrapDataKey, wrapDataKey } from './field-cipher';
import type { EraseOutcome, KeyStore, WrappedDataKey } from './key-store.port';
import { LruCache } from './lru-cache';
import type { MasterKeyring } from './master-keys';

export interface KeyCacheOptions {
  /** Most unwrapped data keys kept in memory (default 1000). */
  readonly maxEntries?: number;
  /**
   * How long an unwrapped key is trusted before the key store is asked again (default 30 s).
   * This bounds how long another process keeps reading a subject erased elsewhere.
   */
  readonly ttlMs?: number;
}

export interface SubjectKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/**
 * Data keys per subject: creates, unwraps, caches (bounded LRU with expiry), destroys.
 * A cache miss always goes to the key store, so a key erased by another process is seen as
 * erased from the next miss on; erasure here drops the cached key at once.
 */
export class SubjectKeys {
  private readonly byKeyId: LruCache<string, Buffer>;
  private readonly bySubject: LruCache<string, SubjectKey>;
  /** Erasure is permanent, so a key id known erased stays erased; bounded all the same. */
  private readonly erased: LruCache<string, true>;
  private readonly inFlight = new Map<string, Promise<Buffer | null>>();

  constructor(
    private readonly store: KeyStore,
    private readonly masterKeys: MasterKeyring,
    cache: KeyCacheOptions = {},
  ) {
    const max = cache.maxEntries ?? 1000;
    const ttl = cache.ttlMs ?? 30_000;
    this.byKeyId = new LruCache(max, ttl);
    this.bySubject = new LruCache(max, ttl);
    this.erased = new LruCache(max, 24 * 3600 * 1000);
  }

  /** The subject's data key, created on first use. Throws SubjectErased for an erased subject. */
  async forAppend(subjectId: string): Promise<SubjectKey> {
    const cached = this.bySubject.get(subjectId);
    if (cached) return cached;
    let stored = await this.store.findBySubject(subjectId);
    let fresh: { keyId: string; key: Buffer } | undefined;
    if (!stored) {
      fresh = { keyId: randomUUID(), key: generateDataKey() };
      const master = this.masterKeys.active();
      stored = await this.store.insertIfAbsent({
        subjectId,
        keyId: fresh.keyId,
        masterKeyId: master.id,
        wrappedKey: wrapDataKey(fresh.key, master.key, fresh.keyId, subjectId),
        createdAt: new Date(),
      });
    }
    // Another process may have created the subject's key first: then the stored one is used.
    const key = fresh !== undefined && fresh.keyId === stored.keyId ? fresh.key : this.unwrap(stored);
    const entry = { keyId: stored.keyId, key };
    this.bySubject.set(subjectId, entry);
    this.byKeyId.set(stored.keyId, key);
    return entry;
  }

  /**
   * `forAppend` for many subjects: cache hits, then one bulk lookup and one bulk creation when
   * the key store has them (else one call per subject). Throws SubjectErased if any is erased.
   */
  async forAppendMany(subjectIds: readonly string[]): Promise<Map<string, SubjectKey>> {
    const out = new Map<string, SubjectKey>();
    const misses = new Set<string>();
    for (const id of subjectIds) {
      const cached = this.bySubject.get(id);
      if (cached) out.set(id, cached);
      else misses.add(id);
    }
    if (misses.size === 0) return out;
    const missing = [...misses];
    const findMany = this.store.findBySubjects?.bind(this.store);
    const insertMany = this.store.insertManyIfAbsent?.bind(this.store);
    if (!findMany || !insertMany) {
      for (const id of missing) out.set(id, await this.forAppend(id));
      return out;
    }
    const found = await findMany(missing);
    const absent = missing.filter((id) => !found.has(id));
    /** Keys created here, by key id: no need to unwrap what was just wrapped. */
    const fresh = new Map<string, Buffer>();
    if (absent.length > 0) {
      const master = this.masterKeys.active();
      const created = await insertMany(
        absent.map((subjectId) => {
          const keyId = randomUUID();
          const key = generateDataKey();
          fresh.set(keyId, key);
          return { subjectId, keyId, masterKeyId: master.id, wrappedKey: wrapDataKey(key, master.key, keyId, subjectId), createdAt: new Date() };
        }),
      );
      for (const [id, k] of created) found.set(id, k);
    }
    for (const id of missing) {
      const stored = found.get(id);
      if (!stored) throw new Error('key store: a data key is missing after its creation');
      // Another process may have created the subject's key first: then the stored one is used.
      const entry = { keyId: stored.keyId, key: fresh.get(stored.keyId) ?? this.unwrap(stored) };
      this.bySubject.set(id, entry);
      this.byKeyId.set(stored.keyId, entry.key);
      out.set(id, entry);
    }
    return out;
  }

  /** The data key with this id, or null when it has been destroyed (erased subject). */
  forRead(keyId: string): Promise<Buffer | null> {
    const cached = this.byKeyId.get(keyId);
    if (cached) return Promise.resolve(cached);
    if (this.erased.get(keyId)) return Promise.resolve(null);
    const pending = this.inFlight.get(keyId);
    if (pending) return pending;
    const lookup = this.store
      .findByKeyId(keyId)
      .then((stored) => {
        if (!stored) {
          this.erased.set(keyId, true);
          return null;
        }
        const key = this.unwrap(stored);
        this.byKeyId.set(keyId, key);
        return key;
      })
      .finally(() => this.inFlight.delete(keyId));
    this.inFlight.set(keyId, lookup);
    return lookup;
  }

  async erase(subjectId: string, reason: string, at: Date): Promise<EraseOutcome> {
    const cached = this.bySubject.get(subjectId);
    const outcome = await this.store.erase(subjectId, reason, at);
    this.bySubject.delete(subjectId);
    for (const keyId of [...outcome.destroyedKeyIds, ...(cached ? [cached.keyId] : [])]) {
      this.byKeyId.delete(keyId);
      this.erased.set(keyId, true);
    }
    return outcome;
  }

  /** Re-wraps up to `batchSize` data keys still wrapped by an older master key; returns how many. */
  async rewrapBatch(batchSize: number): Promise<number> {
    const active = this.masterKeys.active();
    const stale = await this.store.findWrappedByOtherThan(active.id, batchSize);
    let done = 0;
    for (const k of stale) {
      const key = this.unwrap(k);
      const rewrapped = wrapDataKey(key, active.key, k.keyId, k.subjectId);
      if (await this.store.rewrap(k.keyId, k.masterKeyId, active.id, rewrapped)) done++;
    }
    return done;
  }

  private unwrap(stored: WrappedDataKey): Buffer {
    return unwrapDataKey(stored.wrappedKey, this.masterKeys.get(stored.masterKeyId), stored.keyId, stored.subjectId);
  }
}
