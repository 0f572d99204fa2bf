import type { JsonObject, RecordedEvent } from '../envelope';
import { EventStoreError, EventStoreErrorCode } from '../errors';

/** Turns `data` of schema version `from` into version `from + 1`. Pure. */
export type Upcaster = (data: JsonObject) => JsonObject;

export interface EventTypeDefinition {
  /** Stable type name, e.g. `MoneyMoved`. */
  readonly type: string;
  /** The newest schema version this build understands. */
  readonly currentVersion: number;
  /** upcasters[v] turns version v into v + 1, for every v < currentVersion (from 1). */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Top-level `data` fields that hold personal data (encrypted, erasable, masked). */
  readonly personalFields?: readonly string[];
}

/**
 * What the store knows about event types: which exist, their current schema version,
 * how to upcast old versions, which fields are personal. Keyed by the stable type name.
 */
export class EventTypeRegistry {
  private readonly defs = new Map<string, EventTypeDefinition>();

  constructor(definitions: Iterable<EventTypeDefinition>) {
    for (const d of definitions) {
      if (this.defs.has(d.type)) throw new Error(`event type defined twice: ${d.type}`);
      for (let v = 1; v < d.currentVersion; v++) {
        if (!d.upcasters?.[v]) throw new Error(`${d.type}: no upcaster from version ${v} to ${v + 1}`);
      }
      this.defs.set(d.type, d);
    }
  }

  has(type: string): boolean {
    return this.defs.has(type);
  }

  get(type: string): EventTypeDefinition | undefined {
    return this.defs.get(type);
  }

  types(): string[] {
    return [...this.defs.keys()];
  }

  personalFields(type: string): readonly string[] {
    return this.defs.get(type)?.personalFields ?? [];
  }

  /** Throws a coded error for an unknown type or a version newer than this build knows. */
  assertAppendable(type: string, version: number): void {
    const def = this.defs.get(type);
    if (!def) {
      throw new EventStoreError(EventStoreErrorCode.UnknownEventType, `Unknown event type "${type}"`, { type });
    }
    if (!Number.isInteger(version) || version < 1 || version > def.currentVersion) {
      throw new EventStoreError(
        EventStoreErrorCode.UnsupportedEventVersion,
        `Event type "${type}" has no schema version ${version} (known: 1..${def.currentVersion})`,
        { type, version, currentVersion: def.currentVersion },
      );
    }
  }

  /** Brings a recorded event up to its type's current version. Unknown types pass unchanged. */
  upcast<E extends RecordedEvent>(event: E): E {
    const def = this.defs.get(event.type);
    if (!def || event.version >= def.currentVersion) return event;
    let data = event.data;
    for (let v = event.version; v < def.currentVersion; v++) {
      const up = def.upcasters?.[v];
      if (!up) throw new Error(`${def.type}: no upcaster from version ${v}`);
      data = up(data);
    }
    return { ...event, data, version: def.currentVersion };
  }
}
