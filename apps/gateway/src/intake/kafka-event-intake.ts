import { isMessagingError, MessagingErrorCode, type MessagePublisher } from '@c360/messaging';
import { traceHeaders } from '@c360/observability';
import type { CanonicalEvent } from '@c360/contracts';
import { IntakeUnavailableError, type EventIntake, type IntakeReceipt } from './event-intake.port';
import { toEventMessage } from './event-message';

/** The gateway's intake in Kafka mode: one send per request, acknowledged by every in-sync replica. */
export class KafkaEventIntake implements EventIntake {
  private lastPublishFailed = false;

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly topic: string,
  ) {}

  async submit(events: readonly CanonicalEvent[]): Promise<IntakeReceipt> {
    try {
      const trace = traceHeaders();
      const receipts = await this.publisher.publish(this.topic, events.map((e) => toEventMessage(e, trace)));
      this.lastPublishFailed = false;
      const parts = [...receipts].sort((a, b) => a.partition - b.partition).map((r) => `${r.partition}@${r.baseOffset}`);
      return { consistencyToken: `kafka:${this.topic}:${parts.join(',')}` };
    } catch (e) {
      if (isMessagingError(e)) {
        // Only availability failures make the gateway not ready; the others are per-request.
        this.lastPublishFailed = e.code === MessagingErrorCode.BrokerUnavailable || e.code === MessagingErrorCode.Timeout;
        throw new IntakeUnavailableError('Kafka did not acknowledge the events', e.code);
      }
      throw e;
    }
  }

  isReady(): boolean {
    return !this.lastPublishFailed;
  }
}
