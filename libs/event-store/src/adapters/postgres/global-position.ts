import type { GlobalPosition } from '../../envelope';

const SEQ_BITS = 64n;
const SEQ_MASK = (1n << SEQ_BITS) - 1n;

/**
 * The PostgreSQL adapter orders all events by (transaction id, seq); both fit in one
 * GlobalPosition so that a checkpoint stays a single value: (txid << 64) | seq.
 */
export function encodePosition(
  transactionId: string | bigint,
  seq: string | number | bigint,
): GlobalPosition {
  return (BigInt(transactionId) << SEQ_BITS) | BigInt(seq);
}

export function decodePosition(position: GlobalPosition): { transactionId: string; seq: string } {
  if (position < 0n) throw new RangeError('a global position is never negative');
  return {
    transactionId: (position >> SEQ_BITS).toString(),
    seq: (position & SEQ_MASK).toString(),
  };
}
