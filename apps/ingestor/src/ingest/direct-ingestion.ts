import type { CanonicalEvent } from '@c360/contracts';
import { currentTraceScope } from '@c360/observability';
import type { Ingestion } from './ingestion';
import { arrivedUnder } from './to-new-event';

/**
 * All-in-one mode without Kafka: the gateway's intake. The events go through the same rules as
 * from the topic and `submit` resolves once PostgreSQL committed them (appended to the store,
 * or parked durably), so the gateway's 202 keeps its promise. Structurally it is the gateway's
 * `EventIntake` (apps do not import each other).
 */
export class DirectIngestion {
  constructor(private readonly ingestion: Ingestion) {}

  async submit(events: readonly CanonicalEvent[]): Promise<{ consistencyToken: string }> {
    const trace = currentTraceScope(); // the HTTP request's: stored in each event's metadata
    events.forEach((event) => arrivedUnder(event, trace));
    const outcome = await this.ingestion.ingest(
      events.map((event) => ({
        decoded: { ok: true as const, event },
        source: { topic: 'http-intake', partition: 0, offset: event.eventId },
        message: null,
      })),
    );
    return { consistencyToken: outcome.lastPosition !== undefined ? `store:${outcome.lastPosition.toString()}` : 'store:parked' };
  }

  isReady(): boolean {
    return true;
  }
}
