import type { OutgoingMessage, PublishReceipt } from './message';

export const MESSAGE_PUBLISHER = Symbol('MESSAGE_PUBLISHER');

export interface MessagePublisher {
  /**
   * Sends the messages and resolves only once the broker has durably acknowledged every
   * one of them (Kafka: acks=all, idempotent producer). Rejects with a MessagingError;
   * after a rejection, none, some or all of the messages may have been written, so callers
   * retry with the same ids and rely on idempotent consumers.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<readonly PublishReceipt[]>;
  /** True once connected and not closed (for readiness). */
  isReady(): boolean;
  close(): Promise<void>;
}
