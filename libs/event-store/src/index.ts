export * from './envelope';
export * from './errors';
export * from './event-store.port';
export * from './append-guard';
export * from './serialization/event-type-registry';
export * from './adapters/postgres/sql-migrations';
