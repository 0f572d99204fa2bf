import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';
import fc from 'fast-check';
import { fastValidateSchema, hasFastPlan } from '../validation/fast-schema';
import { Field } from '../validation/schema-decorators';
import { checkFreeText } from '../validation/text-rules';
import { validateSchema } from '../validation/validate-schema';
import { EnvelopeSchema } from './envelope.schema';
import { CANONICAL_EVENT_TYPES, EVENT_CATALOGUE } from './event-catalogue';
import { createEventValidator } from './validate-event';

/**
 * The compiled fast path must never accept what class-validator refuses, and must give the very
 * same output when it accepts. Checked as: for every input, the validator with the fast path and
 * the validator forced onto the full class-validator path return identical results (ok flag, output
 * with key order, or the same errors), over valid events and many mutations of them.
 */

const fast = createEventValidator(EVENT_CATALOGUE);
const slow = createEventValidator(EVENT_CATALOGUE, { fastPath: false });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const examples = CANONICAL_EVENT_TYPES.map((t) => clone(EVENT_CATALOGUE[t].example) as unknown as Record<string, Json>);

/** Every path (as key lists) to a value in a JSON document. */
const pathsOf = (v: Json, prefix: string[] = []): string[][] => {
  const out: string[][] = [prefix];
  if (typeof v === 'object' && v !== null) {
    for (const [k, c] of Object.entries(v)) out.push(...pathsOf(c, [...prefix, Array.isArray(v) ? k : k]));
  }
  return out;
};

/** Values seen in the examples, by field name: mostly valid for the same field, wrong for others. */
const valuesByField = new Map<string, Json[]>();
const collect = (v: Json, key: string): void => {
  if (typeof v === 'object' && v !== null) {
    for (const [k, c] of Object.entries(v)) collect(c, k);
    return;
  }
  valuesByField.set(key, [...(valuesByField.get(key) ?? []), v]);
};
examples.forEach((e) => collect(e, ''));
const seenValues = [...valuesByField.values()].flat();

const edgeStrings = [
  '', ' ', 'a', 'x'.repeat(33), 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(501), 'e\u0301', '\u00e9', 'Å', 'A\u030a', 'ﬁ', '\ud800', 'a\udc00b',
  '\u0000', '\u001f', '\u007f', '\u202e', '\u200b', '\ufeff', '🙂', '👩‍👩‍👧', 'İ', 'ß', ' lead', 'trail ', 'a\nb', 'tab\t',
  '0b6f3c2e-6a4d-4c1e-9f3a-1d2e3f4a5b01', '0B6F3C2E-6A4D-4C1E-9F3A-1D2E3F4A5B01', '00000000-0000-0000-0000-000000000000',
  '0b6f3c2e-6a4d-4c1e-9f3a-1d2e3f4a5b0', 'not-a-uuid', '2026-11-02T09:30:00Z', '2026-11-02T09:30:00+08:00', '2026-11-02T09:30:00.123Z',
  '2026-02-30T09:30:00Z', '2026-11-02T24:00:00Z', '2026-11-02T09:30:00', '2026-11-02T09:30:00+25:00', '2026-11-02', '1980-02-29', '1981-02-29',
  '2026-13-01', '0000-01-01', '+8613800000000', '8613800000000', '+0123', 'a@b.c', 'x@example.com', 'no-at', 'CNY', 'cny', 'USD', 'XXX',
  'individual', 'business', 'savings', 'mobile', 'branch', 'toString', '__proto__', '123', '-1', '1e3', '12.50', '0.1',
];
const edgeNumbers = [0, -0, 1, -1, 1.5, 2, 10, 11, 100, 1e6, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 0.1, 1e-7, 3600, 86_401, 1e21];
const oddKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'extra', 'Type', 'data ', '\ud800', 'isPrototypeOf', '__defineGetter__'];

const arbLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...seenValues),
  fc.constantFrom<Json>(...edgeStrings),
  fc.constantFrom<Json>(...edgeNumbers),
  fc.constantFrom<Json>(null, true, false, [], {}, [1], { a: 1 }, { toString: 1 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

type Mutation =
  | { op: 'set'; path: number; value: Json }
  | { op: 'delete'; path: number }
  | { op: 'add'; path: number; key: string; value: Json }
  | { op: 'nfd'; path: number }
  | { op: 'undefined'; path: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), path: fc.nat(), value: arbLeaf }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), path: fc.nat(), key: fc.oneof(fc.constantFrom(...oddKeys, ...valuesByField.keys()), fc.string({ maxLength: 6 })), value: arbLeaf }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nfd' as const), path: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('undefined' as const), path: fc.nat() }) },
);

const getAt = (root: Json, path: string[]): Json | undefined =>
  path.reduce<Json | undefined>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, Json>)[k] : undefined), root);

/** Applies a mutation; own `__proto__` keys are created the way JSON.parse creates them. */
const mutate = (doc: Record<string, Json>, m: Mutation): void => {
  const paths = pathsOf(doc);
  const path = paths[m.path % paths.length] ?? [];
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parent = getAt(doc, parentPath) as Record<string, unknown> | undefined;
  const target = getAt(doc, path);
  // values are copied in: constantFrom hands out the same objects to every run, and a later
  // mutation of one (an added key, even the object itself) would leak into other runs as a cycle
  const define = (obj: Record<string, unknown>, k: string, v: unknown): void => {
    Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  switch (m.op) {
    case 'set':
      if (parent && key !== undefined) define(parent, key, structuredClone(m.value));
      return;
    case 'delete':
      if (parent && key !== undefined) delete parent[key];
      return;
    case 'undefined':
      if (parent && key !== undefined) define(parent, key, undefined);
      return;
    case 'nfd':
      if (parent && key !== undefined && typeof target === 'string') define(parent, key, `${target}\u0301`.normalize('NFD'));
      return;
    case 'add': {
      const host = typeof target === 'object' && target !== null && !Array.isArray(target) ? (target as Record<string, unknown>) : parent;
      if (host) define(host, m.key, structuredClone(m.value));
      return;
    }
  }
};

const arbEvent = fc
  .record({
    base: fc.nat({ max: examples.length - 1 }),
    data: fc.nat({ max: examples.length - 1 }),
    mutations: fc.array(arbMutation, { maxLength: 3 }),
    swapSubject: fc.boolean(),
  })
  .map(({ base, data, mutations, swapSubject }) => {
    const doc = clone(examples[base]!);
    // sometimes another type's data (valid data, wrong schema)
    if (data % 7 === 0) doc['data'] = clone(examples[data]!['data']!);
    if (swapSubject) {
      delete doc['customerId'];
      doc['identity'] = { scheme: 'mobile-device', value: 'dev-123' };
    }
    for (const m of mutations) mutate(doc, m);
    return doc;
  });

const sameResult = (input: unknown): void => {
  const f = fast(input);
  const s = slow(input);
  if (f.ok) expect(s.ok).toBe(true);
  expect(JSON.stringify(f)).toBe(JSON.stringify(s));
  expect(f).toEqual(s);
};

describe('compiled fast path for canonical event validation', () => {
  it('has a fast plan for the envelope and for every catalogue schema', () => {
    expect(hasFastPlan(EnvelopeSchema)).toBe(true);
    for (const type of CANONICAL_EVENT_TYPES) {
      for (const schema of Object.values(EVENT_CATALOGUE[type].schemas)) expect([type, hasFastPlan(schema)]).toEqual([type, true]);
    }
  });

  it.each(CANONICAL_EVENT_TYPES)('%s: the example is accepted by the fast path itself, with the full path\'s output', (type) => {
    const example = clone(EVENT_CATALOGUE[type].example) as unknown as Record<string, unknown>;
    const schema = EVENT_CATALOGUE[type].schemas[1]!;
    expect(fastValidateSchema(EnvelopeSchema, example)).toBeDefined();
    const data = fastValidateSchema(schema, example['data']);
    expect(data).toBeDefined();
    expect(JSON.stringify(data)).toBe(JSON.stringify(clone(example['data'])));
    sameResult(example);
  });

  it('fast says valid ⇒ class-validator says valid, with identical output; errors identical otherwise', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbEvent, (input) => {
        sameResult(input);
        if (fast(input).ok) accepted++;
        else refused++;
      }),
      { numRuns: 4000 },
    );
    // the generator must exercise both sides, or the property proves little
    expect(accepted).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });

  it('normalises free text to NFC exactly as the full path does', () => {
    const e = clone(EVENT_CATALOGUE.CustomerRegistered.example) as unknown as { data: Record<string, unknown> };
    e.data['fullName'] = 'Ame\u0301lie A\u030angstro\u0308m';
    const f = fast(e);
    expect(f.ok && (f.event.data as Record<string, unknown>)['fullName']).toBe('Amélie Ångström'.normalize('NFC'));
    sameResult(e);
  });

  it('leaves inputs class-transformer would quietly drop keys from to the full path', () => {
    const e = JSON.parse(JSON.stringify(EVENT_CATALOGUE.MoneyMoved.example).replace('"data":{', '"data":{"toString":1,')) as unknown;
    sameResult(e);
    const withProto = JSON.parse(JSON.stringify(EVENT_CATALOGUE.MoneyMoved.example).replace('"source":{', '"source":{"__proto__":{"x":1},')) as unknown;
    expect(fast(withProto).ok).toBe(false);
    sameResult(withProto);
  });

  it('gives no fast plan to a schema carrying a decorator it did not declare itself (stays on the full path)', () => {
    class Mixed {
      @Field((v) => checkFreeText(v, { maxLength: 10 })) name!: string;
      @IsString() other!: string;
    }
    expect(hasFastPlan(Mixed)).toBe(false);
    expect(validateSchema(Mixed, { name: 'a', other: 1 }, { fastPath: true })).toMatchObject({ ok: false });
    expect(validateSchema(Mixed, { name: 'a', other: 'b' }, { fastPath: true })).toEqual({ ok: true, value: { name: 'a', other: 'b' } });
  });

  it('gives no fast plan to a schema with a raw class-transformer @Transform (its output would differ)', () => {
    class Trimmed {
      @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
      @Field((v) => checkFreeText(v, { maxLength: 10 }))
      name!: string;
    }
    class Plain {
      @Field((v) => checkFreeText(v, { maxLength: 10 })) name!: string;
    }
    expect(hasFastPlan(Trimmed)).toBe(false);
    expect(hasFastPlan(Plain)).toBe(true);
    expect(validateSchema(Trimmed, { name: ' a ' }, { fastPath: true })).toEqual({ ok: true, value: { name: 'a' } });
  });
});
