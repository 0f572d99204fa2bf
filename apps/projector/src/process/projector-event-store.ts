import { Pool } from 'pg';
import { eventTypeDefinitions } from '@c360/contracts';
import {
  EventStoreDbEventStore,
  EventTypeRegistry,
  openSelectedEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type EventStore,
  type EventStoreSelection,
  type MasterKeyring,
} from '@c360/event-store';
import type { ProjectorConfig } from '../projector-config';

/** The event store the standalone projector process reads (and its ops services rebuild from). */
export interface ProjectorEventStore {
  readonly kind: 'postgres' | 'eventstoredb';
  /**
   * The store to hand the Projector and the ops services. Undefined on PostgreSQL: each opens
   * its own on DATABASE_URL, with the master keys, and the Projector then measures lag past the
   * store's visibility horizon (F15), which an injected store cannot.
   */
  readonly eventStore: EventStore | undefined;
  close(): Promise<void>;
}

/**
 * EVENTSTORE_CONNECTION_STRING set: EventStoreDB/KurrentDB through the apps' one selection
 * helper (`openSelectedEventStore`), decrypted with the master keys; data keys, read models and
 * checkpoints stay in PostgreSQL. Unset: PostgreSQL (see `eventStore`). A connection string the
 * client cannot parse throws EventStoreSelectionError (the setting named); nothing connects
 * before first use.
 */
export function openProjectorEventStore(selection: EventStoreSelection, projector: ProjectorConfig, masterKeys: MasterKeyring): ProjectorEventStore {
  if (selection.kind === 'postgres') return { kind: 'postgres', eventStore: undefined, close: async () => undefined };
  const pool = new Pool({ connectionString: projector.databaseUrl, max: 4, connectionTimeoutMillis: 5_000, application_name: 'c360-projector-keys' });
  pool.on('error', () => undefined); // an idle connection lost: the next query reconnects; readiness reports the database
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  let inner: EventStore;
  try {
    inner = openSelectedEventStore(selection, pool, { registry, schema: projector.eventStoreSchema });
  } catch (e) {
    void pool.end();
    throw e;
  }
  const eventStore = new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys });
  return {
    kind: inner instanceof EventStoreDbEventStore ? 'eventstoredb' : 'postgres',
    eventStore,
    async close() {
      await eventStore.close().catch(() => undefined);
      await pool.end();
    },
  };
}
