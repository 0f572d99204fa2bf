/** Default partition count: enough to spread over a few dozen workers, few enough to lease cheaply. */
export const DEFAULT_PARTITION_COUNT = 64;

/**
 * The partition of a customer: FNV-1a (32 bit) of its id, modulo the count. Stable across
 * processes and releases — changing it (or the count) means rebuilding the projection.
 */
export function partitionOf(customerId: string, partitionCount: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    const code = customerId.charCodeAt(i);
    // Both bytes of the UTF-16 unit, so non-ASCII ids spread too.
    hash = Math.imul(hash ^ (code & 0xff), 0x01000193);
    if (code > 0xff) hash = Math.imul(hash ^ (code >>> 8), 0x01000193);
  }
  return (hash >>> 0) % partitionCount;
}

export const allPartitions = (partitionCount: number): number[] =>
  Array.from({ length: partitionCount }, (_, i) => i);
