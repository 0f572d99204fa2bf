import type { FieldError } from '@c360/contracts';
import { GatewayError, GatewayErrorCode, type ItemFieldError } from '../gateway.errors';

export const MAX_BATCH_SIZE = 1000;
/** Errors listed in one problem response (the rest are counted in its detail). */
export const MAX_LISTED_ERRORS = 100;

export interface RequestItems {
  /** True when the body was a JSON array: paths then start with the item index. */
  readonly batch: boolean;
  readonly items: readonly unknown[];
}

/** A request body is one JSON object or an array of 1..1000 of them. */
export function requestItems(body: unknown): RequestItems {
  if (Array.isArray(body)) {
    if (body.length === 0) throw new GatewayError(GatewayErrorCode.EmptyBatch, 'The batch is empty; send 1 to 1000 events.');
    if (body.length > MAX_BATCH_SIZE) {
      throw new GatewayError(GatewayErrorCode.BatchTooLarge, `A batch holds at most ${MAX_BATCH_SIZE} items; split it.`);
    }
    return { batch: true, items: body };
  }
  if (typeof body === 'object' && body !== null) return { batch: false, items: [body] };
  throw new GatewayError(GatewayErrorCode.InvalidBody, 'The body must be a JSON object or a JSON array of objects.', [
    { index: 0, path: '', code: body === null || body === undefined ? 'required' : 'not-object', message: 'must be an object or an array of objects' },
  ]);
}

/** Field errors of item `index`, with paths made absolute in the request body. */
export const itemErrors = (req: RequestItems, index: number, errors: readonly FieldError[]): ItemFieldError[] =>
  errors.map((e) => ({ index, path: req.batch ? `/${index}${e.path}` : e.path, code: e.code, message: e.message }));

/** All-or-nothing: any invalid item refuses the whole request. */
export function refuseIfInvalid(req: RequestItems, errors: readonly ItemFieldError[]): void {
  if (errors.length === 0) return;
  const badItems = new Set(errors.map((e) => e.index)).size;
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const more = errors.length > listed.length ? ` (${errors.length - listed.length} more errors not listed)` : '';
  throw new GatewayError(
    GatewayErrorCode.InvalidEvents,
    `${badItems} of ${req.items.length} item${req.items.length === 1 ? '' : 's'} ${badItems === 1 ? 'is' : 'are'} invalid; nothing was accepted${more}.`,
    listed,
  );
}
