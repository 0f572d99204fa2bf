import type { DeadLetterReason, DeadLetterSink } from '@c360/messaging';
import type { IngestorRepository } from '../persistence/ingestor.repository';
import type { IngestInput, RejectionRecorder } from './ingestion';

/**
 * A refusal is recorded twice, in this order: in the dead-letter table (for listing, re-drive
 * and the customer's block; idempotent on the source position) and, when the event came from
 * Kafka, on the dead-letter topic with the original bytes, key and headers untouched
 * (`c360-dlq-*` headers carry the reason). Both resolve only once durable; only then does the
 * consumer commit past the message.
 */
export class DeadLetterRecorder implements RejectionRecorder {
  constructor(
    private readonly repo: IngestorRepository,
    private readonly topicSink: DeadLetterSink | undefined,
  ) {}

  async record(input: IngestInput, reason: DeadLetterReason, blocks: string | null, eventId: string | null): Promise<void> {
    const m = input.message;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m?.headers ?? {})) headers[k] = v.toString('utf8');
    await this.repo.recordDeadLetter({
      source: input.source,
      key: m?.key ?? null,
      raw: m ? m.value : input.decoded.ok ? Buffer.from(JSON.stringify(input.decoded.event), 'utf8') : null,
      headers,
      reasonCode: reason.code,
      reasonDetail: reason.detail,
      eventId,
      blocks,
    });
    if (m && this.topicSink) await this.topicSink.deadLetter({ reason, original: m, attempts: 1, deadLetteredAt: new Date() });
  }
}
