/**
 * The envelope shared by every event-store adapter. Events are data, not classes:
 * a stable string `type`, a schema `version`, a JSON `data` payload.
 */

/** Opaque, totally ordered position in the global order ("$all"). Adapter-defined meaning. */
export type GlobalPosition = bigint;

/** JSON-compatible value (what `data` and `metadata` may hold). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };

/** An event as handed to `appendToStream`. */
export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  /** Idempotency key (UUID). Re-appending the same id is a no-op. */
  readonly eventId: string;
  readonly type: Type;
  /** Schema version of `data`; upcasters bring older versions up to date on read. */
  readonly version: number;
  readonly data: Data;
  /** When it happened in the world (business time). Defaults to the recording time. */
  readonly occurredAt?: Date;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly metadata?: JsonObject;
}

/** An event as read back from a stream or from the global order. */
export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly eventId: string;
  readonly type: Type;
  readonly version: number;
  readonly data: Data;
  readonly streamId: string;
  /** 0-based, contiguous within the stream. */
  readonly revision: number;
  readonly globalPosition: GlobalPosition;
  readonly recordedAt: Date;
  readonly occurredAt: Date;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  readonly metadata: JsonObject;
}
