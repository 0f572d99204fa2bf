import type { ErasureRecord, EventStore } from '@c360/event-store';

/** The event store the query API reads and erases through: a ProtectedEventStore (crypto-shredding) fits. */
export interface ErasableEventStore extends EventStore {
  eraseSubject(subjectId: string, reason: string): Promise<ErasureRecord>;
  subjectErasure(subjectId: string): Promise<ErasureRecord | null>;
}
