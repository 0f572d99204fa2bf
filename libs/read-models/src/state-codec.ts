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

const DATE_TAG = '"$date"';

/**
 * encodeDocument straight to JSON text (what is sent to jsonb), without building the
 * intermediate tree: the same tagging of Dates and the same refusals, in one native
 * JSON.stringify pass.
 */
export function encodeDocumentText(value: unknown): string {
  // The common case (no Date anywhere): a validating walk, then the native stringify with no
  // replacer (a replacer costs a call from native code per value, several times the walk).
  if (!holdsDate(value)) return JSON.stringify(value);
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown): unknown {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) throw new TypeError('a document cannot hold NaN or Infinity');
        return v;
      case 'function':
      case 'symbol':
      case 'bigint':
        throw new TypeError(`a document cannot hold a ${typeof v}`);
      default:
        return v;
    }
  });
  if (text === undefined) throw new TypeError(`a document cannot hold a ${typeof value}`);
  return text;
}

/** decodeDocument from JSON text: a plain JSON.parse unless the text holds a tagged Date. */
export function decodeDocumentText<T>(text: string): T {
  const parsed: unknown = JSON.parse(text);
  return (text.includes(DATE_TAG) ? revive(parsed) : parsed) as T;
}

/**
 * True if a Date is anywhere in the document (it then needs encodeDocumentText's tagging);
 * false if plain JSON.stringify gives exactly encodeDocument's JSON. Throws on what JSON
 * cannot hold (as encodeDocument).
 */
export function holdsDate(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return false;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('a document cannot hold NaN or Infinity');
      return false;
    case 'object': {
      if (value === null) return false;
      if (value instanceof Date) return true;
      if (Array.isArray(value)) {
        let found = false;
        for (const v of value) {
          if (v === undefined) throw new TypeError('a document cannot hold a undefined');
          if (holdsDate(v)) found = true;
        }
        return found;
      }
      let found = false;
      for (const k in value) if (holdsDate((value as Record<string, unknown>)[k])) found = true;
      return found;
    }
    default:
      throw new TypeError(`a document cannot hold a ${typeof value}`);
  }
}
