import fc from 'fast-check';
import type { FieldError } from './field-error';
import { DEFAULT_JSON_GUARD_LIMITS, FORBIDDEN_KEYS, guardJson, pointerSegment, type JsonGuardLimits } from './json-guard';
import { hasLoneSurrogate } from './text-rules';

/**
 * guardJson spells a path out only when an error names it. The reference below is the walk as it
 * was when every entry carried its path: the same errors, paths and order must come out of both.
 */
const reference = (input: unknown, basePath = '', limits: JsonGuardLimits = DEFAULT_JSON_GUARD_LIMITS, maxErrors = 20): FieldError[] => {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: basePath, depth: 1 }];
  while (stack.length > 0 && errors.length < maxErrors) {
    const { value, path, depth } = stack.pop()!;
    switch (typeof value) {
      case 'string':
        if (value.length > limits.maxStringLength) errors.push({ path, code: 'too-long', message: `string longer than ${limits.maxStringLength} characters` });
        continue;
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) errors.push({ path, code: 'not-finite', message: 'must be a finite number' });
        continue;
      case 'object':
        break;
      default:
        errors.push({ path, code: 'not-json', message: 'must be a JSON value' });
        continue;
    }
    if (value === null) continue;
    if (depth > limits.maxDepth) {
      errors.push({ path, code: 'too-deep', message: `nested deeper than ${limits.maxDepth} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) {
        errors.push({ path, code: 'too-many-items', message: `more than ${limits.maxArrayLength} items` });
        continue;
      }
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] as unknown, path: `${path}/${i}`, depth: depth + 1 });
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      errors.push({ path, code: 'not-json', message: 'must be a plain JSON object' });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxKeys) {
      errors.push({ path, code: 'too-many-keys', message: `more than ${limits.maxKeys} keys` });
      continue;
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      errors.push({ path, code: 'not-json', message: 'must be a plain JSON object' });
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const childPath = `${path}/${pointerSegment(key)}`;
      if (FORBIDDEN_KEYS.has(key)) {
        errors.push({ path: childPath, code: 'forbidden-key', message: 'this key name is not allowed' });
        continue;
      }
      if (hasLoneSurrogate(key)) {
        errors.push({ path: childPath, code: 'lone-surrogate', message: 'key contains unpaired UTF-16 surrogates' });
        continue;
      }
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return errors;
};

const SMALL: JsonGuardLimits = { maxDepth: 4, maxKeys: 5, maxArrayLength: 4, maxStringLength: 6 };
const odd = fc.constantFrom<unknown>(Infinity, -Infinity, NaN, undefined, () => 1, 1n, Symbol('s'), new Date(0), new Map(), Object.create(null) as object);
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a/b', 'c~d', '\ud800', 'x'.repeat(70), '\u0000', 'k'), fc.string({ maxLength: 4 }));
/** Own keys defined as JSON.parse defines them (`__proto__` included). */
const object = (entries: [string, unknown][]): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
};
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), odd, fc.array(tie('tree'), { maxLength: 6 }), fc.array(fc.tuple(key, tie('tree')), { maxLength: 7 }).map(object)),
}));

describe('guardJson', () => {
  it('finds the same errors, with the same paths in the same order, as a walk carrying every path', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('', '/data'), fc.boolean(), fc.integer({ min: 1, max: 20 }), (input, base, small, maxErrors) => {
        const limits = small ? SMALL : DEFAULT_JSON_GUARD_LIMITS;
        expect(guardJson(input, base, limits, maxErrors)).toEqual(reference(input, base, limits, maxErrors));
      }),
      { numRuns: 3000 },
    );
  });

  it('names nested positions with escaped pointer segments', () => {
    const input = JSON.parse('{"a/b":[1,{"c~d":{"__proto__":1}}],"x":{"y":[null,{"constructor":{}}]}}') as unknown;
    expect(guardJson(input, '/data').map((e) => [e.path, e.code])).toEqual([
      ['/data/a~1b/1/c~0d/__proto__', 'forbidden-key'],
      ['/data/x/y/1/constructor', 'forbidden-key'],
    ]);
  });
});
