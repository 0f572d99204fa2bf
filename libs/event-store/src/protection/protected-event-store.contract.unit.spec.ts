import { InMemoryEventStore } from '../adapters/in-memory/in-memory-event-store';
import { describeEventStoreContract } from '../testing';
import { generateDataKey } from './field-cipher';
import { InMemoryKeyStore } from './in-memory-key-store';
import { MasterKeyring } from './master-keys';
import { ProtectedEventStore } from './protected-event-store';

// The decorator is an EventStore too: it must keep every behaviour of the port.
describeEventStoreContract('protected (over in-memory)', ({ registry, limits }) => {
  const store = new ProtectedEventStore(new InMemoryEventStore({ limits }), {
    registry,
    limits,
    keyStore: new InMemoryKeyStore(),
    masterKeys: MasterKeyring.fromConfig({ activeKeyId: 'k1', keys: { k1: generateDataKey().toString('base64') } }),
  });
  return Promise.resolve({ store, teardown: () => store.close() });
});
