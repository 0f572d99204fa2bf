/**
 * A small LRU map with per-entry expiry. Bounded: inserting beyond `maxEntries` evicts the
 * least recently used entry. Expiry bounds how long a value read from shared storage may be
 * trusted here (another process may have changed it).
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('LruCache: maxEntries must be ≥ 1');
    if (!(ttlMs > 0)) throw new Error('LruCache: ttlMs must be > 0');
  }

  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expiresAt <= this.clock()) return undefined;
    this.entries.set(key, e); // most recently used goes last
    return e.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.clock() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
