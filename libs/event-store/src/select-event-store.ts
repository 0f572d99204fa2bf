import type { Pool } from 'pg';
import { EventStoreDbEventStore } from './adapters/eventstoredb/eventstoredb-event-store';
import { PostgresEventStore, type PostgresEventStoreOptions } from './adapters/postgres';
import type { EventStore } from './event-store.port';

/** Which event store a process runs on (AppConfig.eventStore): PostgreSQL unless a connection string names EventStoreDB/KurrentDB. */
export interface EventStoreSelection {
  readonly kind: 'postgres' | 'eventstoredb';
  readonly connectionString: string | undefined;
}

/** The selected store's connection string could not be used; `setting` is the variable to fix. */
export class EventStoreSelectionError extends Error {
  readonly setting = 'EVENTSTORE_CONNECTION_STRING';
  constructor(readonly reason: string) {
    super(`Invalid configuration: EVENTSTORE_CONNECTION_STRING is not a usable EventStoreDB/KurrentDB connection string (${reason}). Set it like esdb://127.0.0.1:2113?tls=false, or unset it for the PostgreSQL event store.`);
    this.name = 'EventStoreSelectionError';
  }
}

/**
 * The event store the apps append to and read from: EventStoreDB when selected (read models,
 * keys and checkpoints stay in PostgreSQL: `pool`), else PostgreSQL in `pool`. The EventStoreDB
 * client parses its connection string here, so a malformed one fails at start, named; it
 * connects on first use.
 */
export function openSelectedEventStore(selection: EventStoreSelection, pool: Pool, options: PostgresEventStoreOptions = {}): EventStore {
  return selection.kind === 'postgres' ? new PostgresEventStore(pool, options) : openEventStoreDb(selection, options);
}

/**
 * Checks a selection without opening anything (the client parses the string; it would connect
 * only on first use): what a process calls before it starts anything else.
 */
export function checkEventStoreSelection(selection: EventStoreSelection): void {
  if (selection.kind === 'eventstoredb') openEventStoreDb(selection, {});
}

function openEventStoreDb(selection: EventStoreSelection, options: PostgresEventStoreOptions): EventStoreDbEventStore {
  if (selection.connectionString === undefined) throw new EventStoreSelectionError('it is not set');
  try {
    return EventStoreDbEventStore.fromConnectionString(esdbScheme(selection.connectionString), {
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (e) {
    // Only where and what was expected: the unexpected text itself may be a password.
    const where = /at position \d+, expected [^.]*/.exec(e instanceof Error ? e.message : '')?.[0];
    throw new EventStoreSelectionError(where ?? 'unparseable');
  }
}

/** KurrentDB is EventStoreDB's new name; the 6.x client knows only the esdb schemes. */
export function esdbScheme(connectionString: string): string {
  return connectionString.replace(/^(kurrentdb|kurrent)(\+discover)?:\/\//, (_m, _name: string, discover: string | undefined) => `esdb${discover ?? ''}://`);
}
