import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { MessagingErrorCode } from '../../messaging.errors';
import { translateKafkaError } from './kafkajs-errors';

describe('translateKafkaError', () => {
  const refused = (): KafkaJSConnectionError => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');

  it('classifies a bare connection error as broker unavailable (retriable)', () => {
    const e = translateKafkaError(refused(), 'publish');
    expect(e.code).toBe(MessagingErrorCode.BrokerUnavailable);
    expect(e.retriable).toBe(true);
  });

  // As kafkajs' retrier throws it when a connection error ends the retries: new KafkaJSNonRetriableError(e, { cause: e })
  const nonRetriable = (inner: Error): KafkaJSNonRetriableError => Object.assign(new KafkaJSNonRetriableError(inner), { cause: inner });

  it('looks through KafkaJSNonRetriableError to the connection error it wraps (broker down at publish)', () => {
    const e = translateKafkaError(nonRetriable(refused()), 'publish');
    expect(e.code).toBe(MessagingErrorCode.BrokerUnavailable);
  });

  it('looks through nested wrappers (retries exceeded around a non-retriable around the cause)', () => {
    const wrapped = new KafkaJSNumberOfRetriesExceeded(nonRetriable(refused()), { retryCount: 5, retryTime: 100 });
    expect(translateKafkaError(wrapped, 'publish').code).toBe(MessagingErrorCode.BrokerUnavailable);
  });

  it('keeps an unknown kafkajs error unknown, and names the operation', () => {
    const e = translateKafkaError(new KafkaJSError('something odd', { retriable: false }), 'publish');
    expect(e.code).toBe(MessagingErrorCode.Unknown);
    expect(e.message).toMatch(/^publish: something odd/);
  });
});
