import { describeEventStoreContract } from '../../testing';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

// The port's behaviour suite on EventStoreDB / KurrentDB, when a server is configured:
//   docker compose up -d eventstore
//   EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false npm test -- libs/event-store
// The suite gives every test its own stream prefix, so a shared server is fine.
const connectionString = process.env['EVENTSTORE_CONNECTION_STRING'];

if (connectionString) {
  describeEventStoreContract(
    'EventStoreDB',
    ({ registry, limits }) => {
      const store = EventStoreDbEventStore.fromConnectionString(connectionString, { registry, limits });
      return Promise.resolve({ store, teardown: () => store.close() });
    },
    { eventuallyMs: 30_000 },
  );
} else {
  // Nothing is skipped silently: without a server this says so by name, and still checks
  // that the adapter loads and builds its client from a connection string (no connection
  // is made until first use).
  it('EventStoreDB contract: not configured (set EVENTSTORE_CONNECTION_STRING to run)', async () => {
    const store = EventStoreDbEventStore.fromConnectionString('esdb://localhost:2113?tls=false');
    expect(typeof store.appendToStream).toBe('function');
    expect(typeof store.subscribeToAll).toBe('function');
    await store.close();
    expect(() => EventStoreDbEventStore.fromConnectionString('not a connection string')).toThrow();
    process.stdout.write(
      'EventStoreDB contract suite NOT RUN: EVENTSTORE_CONNECTION_STRING is not set ' +
        '(docker compose up -d eventstore; EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false)\n',
    );
  });
}
