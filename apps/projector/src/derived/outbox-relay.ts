import type { DerivedStore } from '@c360/projections';
import type { MessagePublisher } from '@c360/messaging';

export interface OutboxRelayOptions {
  readonly intervalMs?: number;
  readonly batchSize?: number;
}

/**
 * Relays the transactional outbox of derived events to the publisher: claims the oldest
 * unsent rows (SKIP LOCKED, so several projector processes never send the same row at
 * once), publishes them with their stable event ids, marks them sent in the same
 * transaction. At least once: a crash after the broker's ack and before the commit sends
 * those rows again — with the same ids, which consumers deduplicate on.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(
    private readonly store: DerivedStore,
    private readonly publisher: MessagePublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  /** Sends what is pending, batch by batch; returns how many were sent. */
  async relayOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const n = await this.store.transaction(async (tx) => {
        const pending = await tx.outboxRelay.claim(this.options.batchSize ?? 500);
        if (pending.length === 0) return 0;
        const byTopic = new Map<string, typeof pending>();
        for (const m of pending) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
        for (const [topic, messages] of byTopic)
          await this.publisher.publish(
            topic,
            messages.map((m) => ({
              key: m.key,
              value: JSON.stringify(m.event),
              headers: { 'c360-event-id': m.eventId, 'c360-event-type': m.event.type },
            })),
          );
        await tx.outboxRelay.markSent(pending.map((m) => m.seq));
        return pending.length;
      });
      sent += n;
      if (n === 0) return sent;
    }
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      this.running = this.relayOnce()
        .catch(() => 0) // broker or database away: try again next tick
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) {
            this.timer = setTimeout(tick, this.options.intervalMs ?? 200);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
