import { describeEventStoreContract } from '../../testing';
import { InMemoryEventStore } from './in-memory-event-store';

// The port's behaviour suite on the in-memory adapter: it needs no infrastructure, so it is a
// unit spec. It also validates the suite itself against the simplest faithful implementation.
describeEventStoreContract('in-memory', ({ registry, limits }) => {
  const store = new InMemoryEventStore({ registry, limits });
  return Promise.resolve({ store, teardown: () => store.close() });
});
