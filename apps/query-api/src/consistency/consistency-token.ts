import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

/**
 * Read-your-writes tokens as the gateway issues them in its 202 (apps/gateway, IntakeReceipt):
 * - `store:<position>` — all-in-one: the event store's global position of the last event;
 * - `store:parked` — the events were parked (identity unresolved): nothing to wait for;
 * - `kafka:<topic>:<partition>@<baseOffset>,<partition>@<baseOffset>…` — the Kafka offsets
 *   the events were written at.
 */
export type ConsistencyToken =
  | { readonly kind: 'store'; readonly position: bigint }
  | { readonly kind: 'parked' }
  | { readonly kind: 'kafka'; readonly topic: string; readonly offsets: readonly { readonly partition: number; readonly offset: bigint }[] };

const invalid = (): QueryApiError =>
  new QueryApiError(QueryApiErrorCode.InvalidConsistencyToken, 'The consistency token is not one the gateway issued (store:<position> or kafka:<topic>:<partition>@<offset>,…).');

export function parseConsistencyToken(text: string): ConsistencyToken {
  if (text.length > 2_000) throw invalid();
  if (text === 'store:parked') return { kind: 'parked' };
  const store = /^store:(\d{1,40})$/.exec(text);
  if (store?.[1] !== undefined) return { kind: 'store', position: BigInt(store[1]) };
  const kafka = /^kafka:([A-Za-z0-9._-]{1,249}):(\d{1,5}@\d{1,20}(?:,\d{1,5}@\d{1,20})*)$/.exec(text);
  if (kafka?.[1] !== undefined && kafka[2] !== undefined) {
    const offsets = kafka[2].split(',').map((pair) => {
      const [partition, offset] = pair.split('@') as [string, string];
      return { partition: Number(partition), offset: BigInt(offset) };
    });
    return { kind: 'kafka', topic: kafka[1], offsets };
  }
  throw invalid();
}
