import { createHash } from 'node:crypto';
import type { JsonValue } from '../envelope';

/**
 * JSON with object keys sorted at every depth, so that two equal values serialise to the
 * same bytes whatever order their keys were written in. Used for body fingerprints.
 */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .filter((k) => value[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
    .join(',')}}`;
}

/** Hex SHA-256 of a string (UTF-8). */
export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
