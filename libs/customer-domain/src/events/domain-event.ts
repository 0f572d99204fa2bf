/**
 * The fold's input: a recorded canonical event, described structurally so this lib needs
 * nothing from the event store (its `RecordedEvent` fits this shape as is).
 */
export interface DomainEvent {
  readonly eventId: string;
  readonly type: string;
  /** Schema version of `data`; the store upcasts on read, so the fold understands v1 only. */
  readonly version: number;
  readonly data: unknown;
  readonly streamId: string;
  /** 0-based position in `streamId`. */
  readonly revision: number;
  /** Business time: when it happened. */
  readonly occurredAt: Date | string;
  /** When the bank's store recorded it (late arrivals have recordedAt ≫ occurredAt). */
  readonly recordedAt: Date | string;
}

/** What crypto-shredding leaves in place of a personal field once its key is destroyed. */
export interface ErasedMarker {
  readonly erased: true;
}

/** A personal field as stored: the value, or the erased marker after crypto-shredding. */
export type PersonalValue = string | ErasedMarker;

export const isErased = (value: unknown): value is ErasedMarker =>
  typeof value === 'object' && value !== null && (value as { erased?: unknown }).erased === true;

/** Normalises a personal field from event data; anything unreadable counts as absent. */
export const personalValue = (value: unknown): PersonalValue | null => {
  if (typeof value === 'string') return value;
  if (isErased(value)) return { erased: true };
  return null;
};
