import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

/**
 * Opaque cursors: base64url of a small JSON object tagged with the listing it belongs to, so
 * a cursor of one listing is refused by another. They carry positions (revisions, ids), never
 * personal data.
 */
export function encodeCursor(kind: string, position: Readonly<Record<string, string | number>>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...position }), 'utf8').toString('base64url');
}

export function decodeCursor(kind: string, cursor: string): Readonly<Record<string, unknown>> {
  const invalid = (): QueryApiError => new QueryApiError(QueryApiErrorCode.InvalidCursor, 'The cursor is not one this listing issued; start again without it.');
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { k?: unknown }).k !== kind) throw invalid();
  return parsed as Record<string, unknown>;
}

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/** `?limit=` → 1..200 (default 50); anything else is a 400. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d{1,4}$/.test(raw)) throw new QueryApiError(QueryApiErrorCode.InvalidQuery, `limit must be an integer 1-${MAX_PAGE_SIZE}.`);
  const n = Number(raw);
  if (n < 1 || n > MAX_PAGE_SIZE) throw new QueryApiError(QueryApiErrorCode.InvalidQuery, `limit must be an integer 1-${MAX_PAGE_SIZE}.`);
  return n;
}

/** A page of a listing: items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
