export * from './envelope';
export * from './errors';
export * from './event-store.port';
export * from './append-guard';
export * from './serialization/event-type-registry';
export * from './adapters/postgres';
// Serialisation (envelope storage shape, upcasting on read)
export * from './serialization/envelope-codec';
export * from './serialization/canonical-json';
// In-memory adapter (unit tests of other modules, demos)
export * from './adapters/in-memory/in-memory-event-store';
// EventStoreDB adapter
export * from './adapters/eventstoredb/eventstoredb-event-store';
export { checkEventStoreSelection, EventStoreSelectionError, openSelectedEventStore, type EventStoreSelection } from './select-event-store';
export { encodeEsdbPosition, decodeEsdbPosition } from './adapters/eventstoredb/esdb-mapping';
// Crypto-shredding of personal data
export * from './protection/erased';
export * from './protection/master-keys';
export * from './protection/key-store.port';
export * from './protection/in-memory-key-store';
export * from './protection/postgres-key-store';
export * from './protection/protected-event-store';
export { FIELD_CIPHER_PREFIX, FieldCipherError, isFieldCiphertext } from './protection/field-cipher';
export type { KeyCacheOptions } from './protection/subject-keys';
