/**
 * What a personal field reads as once its data subject has been erased (crypto-shredded):
 * the value is gone for good; every other field of the event is intact.
 */
export interface ErasedValue {
  readonly erased: true;
}

export const ERASED: ErasedValue = Object.freeze({ erased: true });

/** Type guard for an erased personal field. */
export const isErased = (value: unknown): value is ErasedValue =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  (value as { erased?: unknown }).erased === true &&
  Object.keys(value).length === 1;
