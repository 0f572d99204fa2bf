/**
 * How documents (the folded domain state) are stored in jsonb: JSON, with Date objects
 * tagged `{"$date": ISO}` so they come back as Dates. The customer-360 state holds ISO
 * strings today; the tag keeps a future Date field from silently turning into a string.
 * Keys starting with `$date` are reserved.
 */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function encodeDocument(value: unknown): Json {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map((v) => encodeDocument(v));
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a document cannot hold NaN or Infinity');
    return value;
  }
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeDocument(v);
    return out;
  }
  throw new TypeError(`a document cannot hold a ${typeof value}`);
}

export function decodeDocument<T>(json: unknown): T {
  return revive(json) as T;
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    const [only] = entries;
    if (entries.length === 1 && only && only[0] === '$date' && typeof only[1] === 'string') return new Date(only[1]);
    return Object.fromEntries(entries.map(([k, v]) => [k, revive(v)]));
  }
  return value;
}
