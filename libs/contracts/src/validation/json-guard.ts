import type { FieldError } from './field-error';
import { hasLoneSurrogate } from './text-rules';

/** Keys that could reach an object's prototype if any code ever assigned them. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface JsonGuardLimits {
  /** Deepest nesting of objects/arrays (root is depth 1). */
  readonly maxDepth: number;
  /** Most keys in one object. */
  readonly maxKeys: number;
  /** Most elements in one array. */
  readonly maxArrayLength: number;
  /** Longest string, in UTF-16 units (schemas cap fields further). */
  readonly maxStringLength: number;
}

export const DEFAULT_JSON_GUARD_LIMITS: JsonGuardLimits = {
  maxDepth: 8,
  maxKeys: 64,
  maxArrayLength: 1000,
  maxStringLength: 16_384,
};

/** Escapes one JSON-pointer segment (RFC 6901). Lone surrogates in keys are replaced so paths stay printable. */
export const pointerSegment = (key: string | number): string => {
  const k = String(key);
  const short = k.length > 64 ? `${k.slice(0, 64)}\u2026` : k;
  // eslint-disable-next-line no-control-regex -- control characters are replaced so paths stay one printable line
  return short.replace(/~/g, '~0').replace(/\//g, '~1').replace(/[\u0000-\u001f\u007f]|[\ud800-\udfff]/g, '\ufffd');
};

/** A string, number, boolean or null the walk would pass as it is (so it need not be visited). */
const validLeaf = (v: unknown, limits: JsonGuardLimits): boolean => {
  switch (typeof v) {
    case 'string':
      return v.length <= limits.maxStringLength;
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    default:
      return v === null;
  }
};

const isPlainObject = (v: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * Walks untrusted input before any schema or class-transformer sees it: refuses prototype keys,
 * values JSON cannot hold (non-finite numbers, functions, class instances, undefined in arrays),
 * keys with unpaired surrogates, and sizes beyond the limits. Iterative, so hostile depth cannot
 * overflow the stack. Stops after `maxErrors`.
 */
export const guardJson = (
  input: unknown,
  basePath = '',
  limits: JsonGuardLimits = DEFAULT_JSON_GUARD_LIMITS,
  maxErrors = 20,
): FieldError[] => {
  const errors: FieldError[] = [];
  // Paths are needed only for errors: each entry knows its parent and key, and its path is
  // spelled out (escaping every segment) only when an error names it.
  const stack: GuardEntry[] = [{ value: input, parent: undefined, key: undefined, depth: 1 }];
  const pathOf = (entry: GuardEntry): string => entryPath(entry, basePath);
  while (stack.length > 0 && errors.length < maxErrors) {
    const entry = stack.pop()!;
    const { value, depth } = entry;
    switch (typeof value) {
      case 'string':
        if (value.length > limits.maxStringLength) {
          errors.push({ path: pathOf(entry), code: 'too-long', message: `string longer than ${limits.maxStringLength} characters` });
        }
        continue;
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) errors.push({ path: pathOf(entry), code: 'not-finite', message: 'must be a finite number' });
        continue;
      case 'object':
        break;
      case 'undefined':
      case 'bigint':
      case 'symbol':
      case 'function':
        errors.push({ path: pathOf(entry), code: 'not-json', message: 'must be a JSON value' });
        continue;
    }
    if (value === null) continue;
    if (depth > limits.maxDepth) {
      errors.push({ path: pathOf(entry), code: 'too-deep', message: `nested deeper than ${limits.maxDepth} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) {
        errors.push({ path: pathOf(entry), code: 'too-many-items', message: `more than ${limits.maxArrayLength} items` });
        continue;
      }
      for (let i = value.length - 1; i >= 0; i--) {
        const item = value[i] as unknown;
        if (!validLeaf(item, limits)) stack.push({ value: item, parent: entry, key: i, depth: depth + 1 });
      }
      continue;
    }
    if (!isPlainObject(value)) {
      errors.push({ path: pathOf(entry), code: 'not-json', message: 'must be a plain JSON object' });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxKeys) {
      errors.push({ path: pathOf(entry), code: 'too-many-keys', message: `more than ${limits.maxKeys} keys` });
      continue;
    }
    // own symbol keys or non-enumerable tricks cannot come from JSON.parse
    if (Object.getOwnPropertySymbols(value).length > 0) {
      errors.push({ path: pathOf(entry), code: 'not-json', message: 'must be a plain JSON object' });
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (FORBIDDEN_KEYS.has(key)) {
        errors.push({ path: `${pathOf(entry)}/${pointerSegment(key)}`, code: 'forbidden-key', message: 'this key name is not allowed' });
        continue;
      }
      if (hasLoneSurrogate(key)) {
        errors.push({ path: `${pathOf(entry)}/${pointerSegment(key)}`, code: 'lone-surrogate', message: 'key contains unpaired UTF-16 surrogates' });
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      // an own key holding undefined is an absent key, as JSON.stringify would have it;
      // a valid leaf needs no entry (most values are): only what may fail or nests is walked
      if (child !== undefined && !validLeaf(child, limits)) stack.push({ value: child, parent: entry, key, depth: depth + 1 });
    }
  }
  return errors;
};

/** A value guardJson has yet to look at, and where it sits (parent entry and key; none for the root). */
interface GuardEntry {
  readonly value: unknown;
  readonly parent: GuardEntry | undefined;
  readonly key: string | number | undefined;
  readonly depth: number;
}

const entryPath = (entry: GuardEntry, basePath: string): string => {
  const segments: string[] = [];
  for (let e: GuardEntry | undefined = entry; e?.key !== undefined; e = e.parent) segments.push(pointerSegment(e.key));
  return segments.length === 0 ? basePath : `${basePath}/${segments.reverse().join('/')}`;
};
