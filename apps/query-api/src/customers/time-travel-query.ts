import { QueryApiError, QueryApiErrorCode } from '../query-api.errors';

/** Which view of a customer: the live read model, or a fold of the stream at a past time. */
export type ViewTime = { readonly kind: 'live' } | { readonly kind: 'asOf' | 'knownAt'; readonly at: Date };

// RFC 3339 date-time with an explicit offset (a time without a zone is ambiguous), or a plain date (its start, UTC).
const RFC3339 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

function parseTime(name: string, raw: string): Date {
  const bad = (): QueryApiError =>
    new QueryApiError(QueryApiErrorCode.InvalidTime, `${name} must be an ISO 8601 time with a zone, e.g. 2026-11-02T09:30:00Z, or a date (2026-11-02, its start in UTC).`);
  if (!RFC3339.test(raw)) throw bad();
  const t = new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(t.getTime())) throw bad();
  // Round-trip the calendar fields: rejects 2026-02-31 that Date would roll over.
  if (t.toISOString().slice(0, 10) !== raw.slice(0, 10) && /Z$|^\d{4}-\d{2}-\d{2}$/.test(raw)) throw bad();
  return t;
}

/** `?asOf=` / `?knownAt=` (at most one of them) → which view; bad input → 400 problem. */
export function parseViewTime(asOf: string | undefined, knownAt: string | undefined, now: Date): ViewTime {
  const a = asOf === '' ? undefined : asOf;
  const k = knownAt === '' ? undefined : knownAt;
  if (a !== undefined && k !== undefined) throw new QueryApiError(QueryApiErrorCode.InvalidTime, 'Give asOf or knownAt, not both.');
  if (a === undefined && k === undefined) return { kind: 'live' };
  const kind = a !== undefined ? 'asOf' : 'knownAt';
  const at = parseTime(kind, (a ?? k) as string);
  if (at.getTime() > now.getTime() + 60_000) throw new QueryApiError(QueryApiErrorCode.InvalidTime, `${kind} is in the future.`);
  return { kind, at };
}
