import { createKafka } from './kafkajs-client';

describe('createKafka logging', () => {
  it("passes kafkajs' warnings on, except the idempotent retry-limit one KafkaPublisher makes moot", () => {
    const lines: string[] = [];
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], log: (level, message) => void lines.push(`${level}: ${message}`) });
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 8 } });
    expect(lines.filter((l) => /idempotent/i.test(l))).toEqual([]);
    // Other warnings still reach the sink.
    kafka.logger().warn('something else', {});
    expect(lines).toContain('warn: something else');
  });
});
