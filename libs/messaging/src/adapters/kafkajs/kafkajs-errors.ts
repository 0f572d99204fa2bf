import { KafkaJSError, KafkaJSProtocolError } from 'kafkajs';
import { MessagingError, MessagingErrorCode } from '../../messaging.errors';

/** Maps a kafkajs error (or anything thrown inside the adapter) to a coded MessagingError. */
export function translateKafkaError(e: unknown, what: string): MessagingError {
  if (e instanceof MessagingError) return e;
  // KafkaJSNumberOfRetriesExceeded and KafkaJSNonRetriableError wrap the real error (a
  // connection refused, say), possibly nested: classify by the innermost one.
  let inner: unknown = e;
  for (let depth = 0; depth < 5; depth++) {
    const wrapped = (inner as { cause?: unknown } | undefined)?.cause;
    const wrapper =
      inner instanceof KafkaJSError && (inner.name === 'KafkaJSNumberOfRetriesExceeded' || inner.name === 'KafkaJSNonRetriableError');
    if (!wrapper || wrapped === undefined) break;
    inner = wrapped;
  }
  const message = inner instanceof Error ? inner.message : String(inner);
  const make = (code: MessagingErrorCode, retriable: boolean): MessagingError =>
    new MessagingError(code, `${what}: ${message}`, retriable, { cause: e });

  if (inner instanceof KafkaJSProtocolError) {
    switch (inner.type) {
      case 'UNKNOWN_TOPIC_OR_PARTITION':
        return make(MessagingErrorCode.TopicNotFound, false);
      case 'MESSAGE_TOO_LARGE':
      case 'RECORD_LIST_TOO_LARGE':
        return make(MessagingErrorCode.MessageTooLarge, false);
      case 'NOT_ENOUGH_REPLICAS':
      case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
        return make(MessagingErrorCode.NotEnoughReplicas, true);
      case 'REBALANCE_IN_PROGRESS':
      case 'ILLEGAL_GENERATION':
      case 'UNKNOWN_MEMBER_ID':
      case 'FENCED_INSTANCE_ID':
        return make(MessagingErrorCode.Rebalancing, true);
      case 'REQUEST_TIMED_OUT':
        return make(MessagingErrorCode.Timeout, true);
      case 'TOPIC_AUTHORIZATION_FAILED':
      case 'GROUP_AUTHORIZATION_FAILED':
      case 'CLUSTER_AUTHORIZATION_FAILED':
      case 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED':
        return make(MessagingErrorCode.Unauthorized, false);
      case 'INVALID_TOPIC_EXCEPTION':
      case 'INVALID_PARTITIONS':
      case 'INVALID_REQUIRED_ACKS':
      case 'CORRUPT_MESSAGE':
        return make(MessagingErrorCode.InvalidArgument, false);
      default:
        return make(
          inner.retriable ? MessagingErrorCode.BrokerUnavailable : MessagingErrorCode.Unknown,
          inner.retriable,
        );
    }
  }
  if (inner instanceof KafkaJSError) {
    switch (inner.name) {
      case 'KafkaJSRequestTimeoutError':
      case 'KafkaJSTimeout':
      case 'KafkaJSLockTimeout':
        return make(MessagingErrorCode.Timeout, true);
      case 'KafkaJSConnectionError':
      case 'KafkaJSConnectionClosedError':
      case 'KafkaJSBrokerNotFound':
      case 'KafkaJSNoBrokerAvailableError':
      case 'KafkaJSMetadataNotLoaded':
      case 'KafkaJSGroupCoordinatorNotFound':
        return make(MessagingErrorCode.BrokerUnavailable, true);
      case 'KafkaJSTopicMetadataNotLoaded':
        return make(MessagingErrorCode.TopicNotFound, true);
      case 'KafkaJSSASLAuthenticationError':
        return make(MessagingErrorCode.Unauthorized, false);
      default:
        return make(
          inner.retriable ? MessagingErrorCode.BrokerUnavailable : MessagingErrorCode.Unknown,
          inner.retriable,
        );
    }
  }
  return make(MessagingErrorCode.Unknown, false);
}
