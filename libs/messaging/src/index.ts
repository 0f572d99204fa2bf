// @c360/messaging — publisher/consumer ports, dead-letter policy, and their adapters
// (kafkajs, in-process). Application code depends on the ports and tokens only.
export * from './messaging.errors';
export * from './ports/message';
export * from './ports/publisher.port';
export * from './ports/consumer.port';
export * from './ports/dead-letter';
export * from './ports/topic-admin.port';
export {
  TopicDeadLetterSink,
  decodeDeadLetter,
  deadLetterTopicOf,
  DLQ_HEADERS,
  type DecodedDeadLetter,
} from './dead-letter/topic-dead-letter-sink';
export type { KafkaConnectionOptions } from './adapters/kafkajs/kafkajs-client';
export { KafkaPublisher, type KafkaPublisherOptions } from './adapters/kafkajs/kafkajs-publisher';
export { KafkaConsumer, KafkaConsumerFactory } from './adapters/kafkajs/kafkajs-consumer';
export { KafkaTopicAdmin } from './adapters/kafkajs/kafkajs-admin';
export { InProcessBroker, InProcessConsumer } from './adapters/in-process/in-process-broker';
