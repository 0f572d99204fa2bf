import { PoisonMessageError, type DeadLetterPolicy, type RetryPolicy } from '../ports/dead-letter';
import type { BatchHandler, ConsumerEvent } from '../ports/consumer.port';
import type { IncomingMessage, MessageBatch } from '../ports/message';

/**
 * The delivery rules every adapter shares, for one partition's batch: the handler sees the
 * messages in order, in chunks; offsets are committed only for what it handled; failures
 * are retried with backoff from the first unhandled message, or dead-lettered by policy.
 */
export interface LaneOptions {
  readonly handler: BatchHandler;
  readonly maxBatchSize: number;
  readonly handlerTimeoutMs: number;
  readonly retry: Required<RetryPolicy>;
  readonly deadLetter: DeadLetterPolicy;
  /** Aborted when the partition is revoked or the consumer stops. */
  readonly signal: AbortSignal;
  /** Commits `nextOffset` (last handled + 1). Throwing aborts the lane (nothing is lost). */
  commit(nextOffset: string): Promise<void>;
  emit(event: ConsumerEvent): void;
  /** Called with true when the handler overruns its timeout, false when it returns. */
  onStall(stalled: boolean): void;
}

export type LaneOutcome = 'done' | 'aborted';

export const nextOffsetOf = (m: IncomingMessage): string => (BigInt(m.offset) + 1n).toString();

export function backoffMs(retry: Required<RetryPolicy>, attempt: number): number {
  const exp = Math.min(retry.maxBackoffMs, retry.initialBackoffMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/** Resolves after `ms`, or early (false) when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Where a chunk starting at `index` ends (exclusive): after at most `max` messages, extended to
 * the end of the producer batch its last message belongs to, so that committing the chunk never
 * splits one send's messages (see IncomingMessage.producerBatchLastOffset).
 */
export function chunkEnd(messages: readonly IncomingMessage[], index: number, max: number): number {
  let end = Math.min(messages.length, index + max);
  const batchEnd = messages[end - 1]?.producerBatchLastOffset;
  if (batchEnd === undefined) return end;
  const last = BigInt(batchEnd);
  while (end < messages.length && BigInt((messages[end] as IncomingMessage).offset) <= last) end++;
  return end;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export async function runPartitionBatch(batch: MessageBatch, o: LaneOptions): Promise<LaneOutcome> {
  const { topic, partition, messages } = batch;
  let index = 0;
  let attempt = 1;
  while (index < messages.length) {
    if (o.signal.aborted) return 'aborted';
    const chunk = messages.slice(index, chunkEnd(messages, index, o.maxBatchSize));
    let acked = -1;
    let failure: Error | undefined;
    const timeout = new AbortController();
    let overran = false;
    const timer = setTimeout(() => {
      overran = true;
      timeout.abort(new Error(`handler timed out after ${o.handlerTimeoutMs} ms`));
      o.onStall(true);
    }, o.handlerTimeoutMs);
    try {
      await o.handler(
        { topic, partition, messages: chunk },
        {
          signal: AbortSignal.any([o.signal, timeout.signal]),
          attempt,
          ack: (m) => {
            const i = chunk.indexOf(m);
            if (i > acked) acked = i;
          },
        },
      );
      acked = chunk.length - 1;
    } catch (e) {
      failure = asError(e);
    } finally {
      clearTimeout(timer);
      if (overran) o.onStall(false);
    }

    // A poison message acknowledges what came before it in the chunk.
    let poisonAt = -1;
    if (failure instanceof PoisonMessageError && o.deadLetter.sink) {
      const poisoned = failure.poisoned;
      poisonAt = chunk.findIndex((m) => m.offset === poisoned.offset);
      if (poisonAt > acked) acked = poisonAt - 1;
      else poisonAt = -1;
    }

    if (acked >= 0) {
      const last = chunk[acked];
      if (last === undefined || o.signal.aborted) return 'aborted';
      try {
        await o.commit(nextOffsetOf(last));
      } catch {
        return 'aborted';
      }
      o.emit({ type: 'committed', topic, partition, offset: nextOffsetOf(last) });
      index += acked + 1;
      attempt = 1;
    }
    if (!failure) continue;
    if (o.signal.aborted) return 'aborted';

    const head = messages[index];
    if (head === undefined) continue;
    const sink = o.deadLetter.sink;
    const limit = o.deadLetter.deadLetterAfterAttempts;
    const reason =
      poisonAt >= 0 && failure instanceof PoisonMessageError
        ? failure.reason
        : sink && limit !== undefined && attempt >= limit
          ? {
              code: 'RETRIES_EXHAUSTED',
              detail: `${failure.name}: ${failure.message}`.slice(0, 500),
            }
          : undefined;
    if (sink && reason) {
      try {
        await sink.deadLetter({
          reason,
          original: head,
          attempts: attempt,
          deadLetteredAt: new Date(),
        });
        await o.commit(nextOffsetOf(head));
      } catch (e) {
        o.emit({
          type: 'handler-failed',
          topic,
          partition,
          offset: head.offset,
          attempt,
          error: asError(e),
        });
        if (!(await delay(backoffMs(o.retry, attempt), o.signal))) return 'aborted';
        attempt += 1;
        continue;
      }
      o.emit({ type: 'dead-lettered', topic, partition, offset: head.offset, code: reason.code });
      index += 1;
      attempt = 1;
      continue;
    }
    o.emit({
      type: 'handler-failed',
      topic,
      partition,
      offset: head.offset,
      attempt,
      error: failure,
    });
    if (!(await delay(backoffMs(o.retry, attempt), o.signal))) return 'aborted';
    attempt += 1;
  }
  return 'done';
}

/** Waits for the promises to settle, but no longer than `ms` (the timer does not outlive it). */
export async function settleWithin(
  promises: readonly Promise<unknown>[],
  ms: number,
): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
