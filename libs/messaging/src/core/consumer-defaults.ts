import type { ConsumerOptions } from '../ports/consumer.port';
import type { RetryPolicy } from '../ports/dead-letter';

export const resolveRetry = (r: RetryPolicy | undefined): Required<RetryPolicy> => ({
  initialBackoffMs: r?.initialBackoffMs ?? 100,
  maxBackoffMs: r?.maxBackoffMs ?? 10_000,
});

export const consumerDefaults = (o: ConsumerOptions) => ({
  maxBatchSize: o.maxBatchSize ?? 500,
  handlerTimeoutMs: o.handlerTimeoutMs ?? 30_000,
  sessionTimeoutMs: o.sessionTimeoutMs ?? 30_000,
  stallTimeoutMs: o.stallTimeoutMs ?? 60_000,
  fetchMaxWaitMs: o.fetchMaxWaitMs ?? 50,
  fromBeginning: o.fromBeginning ?? true,
  retry: resolveRetry(o.retry),
  deadLetter: o.deadLetter ?? {},
});

export const tpKey = (topic: string, partition: number): string => `${topic}|${partition}`;
