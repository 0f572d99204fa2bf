import {
  customerStreamId,
  type CanonicalEventDataV1,
  type CanonicalEventType,
} from '@c360/contracts';
import type { DomainEvent } from '../events/domain-event';

/**
 * Test helper: builds one customer's recorded stream with contiguous revisions and
 * deterministic event ids. Not part of the public entry.
 */
export interface StreamBuilder {
  readonly customerId: string;
  readonly events: DomainEvent[];
  add<T extends CanonicalEventType>(
    type: T,
    data: CanonicalEventDataV1[T],
    occurredAt: string,
    recordedAt?: string,
  ): DomainEvent;
}

export const streamOf = (customerId: string): StreamBuilder => {
  const events: DomainEvent[] = [];
  return {
    customerId,
    events,
    add(type, data, occurredAt, recordedAt = occurredAt) {
      const event: DomainEvent = {
        eventId: `${customerId}-${events.length}`,
        type,
        version: 1,
        data,
        streamId: customerStreamId(customerId),
        revision: events.length,
        occurredAt,
        recordedAt,
      };
      events.push(event);
      return event;
    },
  };
};

export const registration = (
  overrides: Partial<CanonicalEventDataV1['CustomerRegistered']> = {},
): CanonicalEventDataV1['CustomerRegistered'] => ({
  customerNumber: 'C000001',
  kind: 'individual',
  fullName: 'Li Wei',
  nationalId: '110101199001011234',
  birthDate: '1990-01-01',
  phone: '+8613800000000',
  email: 'li.wei@example.com',
  address: '1 Chang An Ave, Beijing',
  region: 'north',
  branchCode: 'BJ01',
  ...overrides,
});

/** ISO time `days` after 2026-01-01T00:00Z (fractions allowed). */
export const day = (days: number, hour = 9): string =>
  new Date(Date.UTC(2026, 0, 1) + days * 86_400_000 + hour * 3_600_000).toISOString();
