import { EventStoreError, EventStoreErrorCode } from '../errors';
import type { EraseOutcome, ErasureRecord, KeyStore, WrappedDataKey } from './key-store.port';

const copy = (k: WrappedDataKey): WrappedDataKey => ({
  ...k,
  wrappedKey: Buffer.from(k.wrappedKey),
  createdAt: new Date(k.createdAt.getTime()),
});

/** KeyStore in process memory, for unit tests and the all-in-one demo. */
export class InMemoryKeyStore implements KeyStore {
  private readonly bySubject = new Map<string, WrappedDataKey>();
  private readonly erasures = new Map<string, ErasureRecord>();

  findBySubject(subjectId: string): Promise<WrappedDataKey | null> {
    const k = this.bySubject.get(subjectId);
    return Promise.resolve(k ? copy(k) : null);
  }

  findByKeyId(keyId: string): Promise<WrappedDataKey | null> {
    for (const k of this.bySubject.values()) if (k.keyId === keyId) return Promise.resolve(copy(k));
    return Promise.resolve(null);
  }

  insertIfAbsent(key: WrappedDataKey): Promise<WrappedDataKey> {
    if (this.erasures.has(key.subjectId)) {
      return Promise.reject(
        new EventStoreError(EventStoreErrorCode.SubjectErased, 'The data subject has been erased', {
          subjectId: key.subjectId,
        }),
      );
    }
    const existing = this.bySubject.get(key.subjectId);
    if (existing) return Promise.resolve(copy(existing));
    this.bySubject.set(key.subjectId, copy(key));
    return Promise.resolve(copy(key));
  }

  erase(subjectId: string, reason: string, at: Date): Promise<EraseOutcome> {
    const key = this.bySubject.get(subjectId);
    this.bySubject.delete(subjectId);
    const record = this.erasures.get(subjectId) ?? { subjectId, erasedAt: new Date(at.getTime()), reason };
    this.erasures.set(subjectId, record);
    return Promise.resolve({ record: { ...record }, destroyedKeyIds: key ? [key.keyId] : [] });
  }

  findErasure(subjectId: string): Promise<ErasureRecord | null> {
    const r = this.erasures.get(subjectId);
    return Promise.resolve(r ? { ...r } : null);
  }

  findWrappedByOtherThan(masterKeyId: string, limit: number): Promise<WrappedDataKey[]> {
    return Promise.resolve(
      [...this.bySubject.values()].filter((k) => k.masterKeyId !== masterKeyId).slice(0, limit).map(copy),
    );
  }

  rewrap(keyId: string, fromMasterKeyId: string, toMasterKeyId: string, wrappedKey: Buffer): Promise<boolean> {
    for (const [subject, k] of this.bySubject) {
      if (k.keyId === keyId && k.masterKeyId === fromMasterKeyId) {
        this.bySubject.set(subject, { ...k, masterKeyId: toMasterKeyId, wrappedKey: Buffer.from(wrappedKey) });
        return Promise.resolve(true);
      }
    }
    return Promise.resolve(false);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
