/** DI token for the KeyStore port. */
export const KEY_STORE = Symbol('KEY_STORE');

/** A data subject's data key, wrapped by a master key. Never holds a key in the clear. */
export interface WrappedDataKey {
  readonly subjectId: string;
  /** Lower-case UUID; named in every field ciphertext made with this key. */
  readonly keyId: string;
  readonly masterKeyId: string;
  /** iv | tag | ciphertext (see wrapDataKey). */
  readonly wrappedKey: Buffer;
  readonly createdAt: Date;
}

/** The fact of an erasure. Holds no personal values: subject id, time, reason. */
export interface ErasureRecord {
  readonly subjectId: string;
  readonly erasedAt: Date;
  readonly reason: string;
}

export interface EraseOutcome {
  readonly record: ErasureRecord;
  /** Ids of the data keys destroyed by this call (empty when already erased or never keyed). */
  readonly destroyedKeyIds: readonly string[];
}

/**
 * Where wrapped data keys live, one per data subject. Erasing a subject deletes its key
 * (after which nothing encrypted with it can be read) and records the erasure.
 */
export interface KeyStore {
  findBySubject(subjectId: string): Promise<WrappedDataKey | null>;
  findByKeyId(keyId: string): Promise<WrappedDataKey | null>;
  /**
   * Stores `key` unless the subject already has one, in which case the existing key is
   * returned (two writers racing for a new subject agree on one key). Throws
   * EventStoreError(SubjectErased) when the subject has been erased.
   */
  insertIfAbsent(key: WrappedDataKey): Promise<WrappedDataKey>;
  /** Optional bulk `findBySubject`: the keys found, by subject id. */
  findBySubjects?(subjectIds: readonly string[]): Promise<Map<string, WrappedDataKey>>;
  /**
   * Optional bulk `insertIfAbsent`, all or nothing: the key of each subject (existing or
   * inserted), by subject id. Throws SubjectErased (naming one subject) if any is erased.
   */
  insertManyIfAbsent?(keys: readonly WrappedDataKey[]): Promise<Map<string, WrappedDataKey>>;
  /** Destroys the subject's key and records the erasure. Idempotent: a repeat keeps the first record. */
  erase(subjectId: string, reason: string, at: Date): Promise<EraseOutcome>;
  findErasure(subjectId: string): Promise<ErasureRecord | null>;
  /** Keys wrapped by a master key other than `masterKeyId`, at most `limit` (for rotation). */
  findWrappedByOtherThan(masterKeyId: string, limit: number): Promise<WrappedDataKey[]>;
  /** Replaces a key's wrapping if it is still wrapped by `fromMasterKeyId`; false if not (raced, erased). */
  rewrap(keyId: string, fromMasterKeyId: string, toMasterKeyId: string, wrappedKey: Buffer): Promise<boolean>;
  close(): Promise<void>;
}
