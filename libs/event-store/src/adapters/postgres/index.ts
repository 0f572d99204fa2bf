export * from './sql-migrations';
export {
  migratePostgresEventStore,
  postgresEventStoreMigrations,
  DEFAULT_EVENT_STORE_SCHEMA,
} from './postgres-schema';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';
export {
  encodePosition as encodePostgresPosition,
  decodePosition as decodePostgresPosition,
} from './global-position';
export { withPooledClient, withPooledTransaction } from './pooled-client';
