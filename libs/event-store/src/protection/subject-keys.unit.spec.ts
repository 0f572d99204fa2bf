import { InMemoryKeyStore } from './in-memory-key-store';
import { generateDataKey } from './field-cipher';
import type { KeyStore, WrappedDataKey } from './key-store.port';
import { MasterKeyring } from './master-keys';
import { SubjectKeys } from './subject-keys';

const masterKeys = (): MasterKeyring => MasterKeyring.fromConfig({ activeKeyId: 'm1', keys: { m1: generateDataKey().toString('base64') } });

/**
 * A key store where another process creates every subject's key between this process's
 * lookup (which finds none) and its insert (which then returns the other's key).
 */
function racedBy(other: SubjectKeys, store: InMemoryKeyStore, bulk: boolean): KeyStore {
  const raced: KeyStore = {
    findBySubject: async () => null,
    findByKeyId: (id) => store.findByKeyId(id),
    insertIfAbsent: async (key: WrappedDataKey) => {
      await other.forAppend(key.subjectId);
      return store.insertIfAbsent(key);
    },
    erase: (s, r, at) => store.erase(s, r, at),
    findErasure: (s) => store.findErasure(s),
    findWrappedByOtherThan: (m, l) => store.findWrappedByOtherThan(m, l),
    rewrap: (k, f, t, w) => store.rewrap(k, f, t, w),
    close: () => store.close(),
  };
  if (!bulk) return raced;
  return {
    ...raced,
    findBySubjects: async () => new Map(),
    insertManyIfAbsent: async (keys) => {
      const out = new Map<string, WrappedDataKey>();
      for (const k of keys) out.set(k.subjectId, await raced.insertIfAbsent(k));
      return out;
    },
  };
}

describe('SubjectKeys: two processes creating the same subject’s key', () => {
  it.each([
    ['one subject', false],
    ['in bulk', true],
  ])('%s: the loser uses the winner’s key (the stored one), not the key it generated', async (_name, bulk) => {
    const store = new InMemoryKeyStore();
    const keys = masterKeys();
    const winner = new SubjectKeys(store, keys);
    const loser = new SubjectKeys(racedBy(winner, store, bulk), keys);

    const got = bulk ? (await loser.forAppendMany(['c-1', 'c-2'])).get('c-1') : await loser.forAppend('c-1');
    const won = await winner.forAppend('c-1');

    expect(got?.keyId).toBe(won.keyId);
    expect(got?.key.equals(won.key)).toBe(true);
    // And what a third process reads back from the store is that same key.
    const reader = new SubjectKeys(store, keys);
    expect((await reader.forRead(won.keyId))?.equals(won.key)).toBe(true);
  });

  it('a key it created itself is the one stored', async () => {
    const store = new InMemoryKeyStore();
    const keys = masterKeys();
    const created = await new SubjectKeys(store, keys).forAppendMany(['c-1', 'c-2']);
    const reader = new SubjectKeys(store, keys);
    for (const k of created.values()) expect((await reader.forRead(k.keyId))?.equals(k.key)).toBe(true);
    const one = await new SubjectKeys(store, keys).forAppend('c-3');
    expect((await reader.forRead(one.keyId))?.equals(one.key)).toBe(true);
  });
});
