/**
 * The channels' native payloads take the compiled fast path of @c360/contracts, as the canonical
 * events do. It must never accept what class-validator refuses, and must give the very same output
 * when it accepts. Checked as: for every input, each channel's validator with the fast path (the
 * default) and forced onto the full class-validator path return identical results (ok flag, output
 * with key order, or the same errors), over random valid payloads and many mutations of them.
 * (The canonical counterpart: libs/contracts/src/events/fast-validation.unit.spec.ts.)
 */
import * as classValidator from 'class-validator';
import { hasFastPlan, type SchemaClass, type Validated } from '@c360/contracts';
import fc from 'fast-check';
import { branchTransaction, branchVisit, callRecord, mobileBatch } from '../../test/native-payload.arbitraries';
import { BRANCH_EXAMPLES, BranchTransactionRecord, BranchVisitRecord, validateBranchPayload } from './branch/branch.payload';
import { CALL_CENTRE_EXAMPLE, CallRecord, validateCallCentrePayload } from './call-centre/call-centre.payload';
import {
  MOBILE_EXAMPLE,
  MobileAction,
  MobileEventBatch,
  MobileOfferImpression,
  MobileOfferResponse,
  MobileRating,
  MobileSessionStart,
  validateMobilePayload,
} from './mobile/mobile.payload';
import type { NativeValidationOptions } from './shared/native-validation';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Channel = 'branch' | 'mobile' | 'call-centre';
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const VALIDATORS: { readonly [C in Channel]: (input: unknown, options?: NativeValidationOptions) => Validated<object> } = {
  branch: validateBranchPayload,
  mobile: validateMobilePayload,
  'call-centre': validateCallCentrePayload,
};

const VALID: { readonly [C in Channel]: fc.Arbitrary<object> } = {
  branch: fc.oneof(branchTransaction, branchVisit),
  mobile: mobileBatch,
  'call-centre': callRecord,
};

const EXAMPLES: { readonly [C in Channel]: readonly object[] } = {
  branch: Object.values(BRANCH_EXAMPLES),
  mobile: [MOBILE_EXAMPLE],
  'call-centre': [CALL_CENTRE_EXAMPLE],
};

/** Every path (as key lists) to a value in a JSON document. */
const pathsOf = (v: Json, prefix: string[] = []): string[][] => {
  const out: string[][] = [prefix];
  if (typeof v === 'object' && v !== null) {
    for (const [k, c] of Object.entries(v)) out.push(...pathsOf(c, [...prefix, k]));
  }
  return out;
};

/** Values seen in the examples, by field name: mostly valid for the same field, wrong for others. */
const seenValues: Json[] = [];
const collect = (v: Json): void => {
  if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
  else seenValues.push(v);
};
Object.values(EXAMPLES).flat().forEach((e) => collect(clone(e) as Json));
const fieldNames = [...new Set(Object.values(EXAMPLES).flat().flatMap((e) => pathsOf(clone(e) as Json).map((p) => p[p.length - 1] ?? '')))];

const edgeStrings = [
  '', ' ', 'a', 'x'.repeat(17), 'x'.repeat(33), 'x'.repeat(65), 'x'.repeat(101), 'x'.repeat(129), 'e\u0301', '\u00e9', 'A\u030a', '\ud800', 'a\udc00b',
  '\u0000', '\u001f', '\u007f', '\u202e', '\u200b', '\ufeff', '🙂', 'a\nb', ' lead', 'trail ', 'tok_', 'tok_4F9A2B7C1D', 'tok_abcdefgh', 'C000123',
  '2026-11-02T09:30:00Z', '2026-11-02T09:30:00+08:00', '2026-11-02T09:30:00.123Z', '2026-02-30T09:30:00Z', '2026-11-02T24:00:00Z',
  '2026-11-02T09:30:00', '2026-11-02T09:30:00+25:00', '2026-11-02', '2026-11-03T09:30:00+08:00', '2026-11-01T09:30:00+08:00',
  '+8613800000000', '8613800000000', '+0123', 'CNY', 'cny', 'JPY', 'KWD', 'XXX', '0', '0.00', '-1.00', '1.5', '1.005', '1e3', '01.00', '5000', '5000.000',
  '99999999999999999.99', 'transaction', 'visit', 'session.start', 'action', 'rating', 'offer.impression', 'offer.response', 'ABANDONED', 'RESOLVED',
  'csat', 'nps', 'inbound', 'outbound', 'ios', 'low', 'toString', '__proto__', 'constructor',
];
const edgeNumbers = [0, -0, 1, -1, 1.5, 2, 4, 5, 6, 9, 10, 11, 100, 0.5, -0.35, -1.01, 1.01, 2 ** 53, -(2 ** 53), 1e-7, 1e21];
const oddKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'extra', 'Kind', 'id ', '\ud800', 'isPrototypeOf'];

const arbLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(...seenValues),
  fc.constantFrom<Json>(...edgeStrings),
  fc.constantFrom<Json>(...edgeNumbers),
  fc.constantFrom<Json>(null, true, false, [], {}, [1], { a: 1 }, { toString: 1 }, [{ id: 'e-1' }]),
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
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add' as const), path: fc.nat(), key: fc.oneof(fc.constantFrom(...oddKeys, ...fieldNames), fc.string({ maxLength: 6 })), value: arbLeaf }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('nfd' as const), path: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('undefined' as const), path: fc.nat() }) },
);

const getAt = (root: Json, path: string[]): Json | undefined =>
  path.reduce<Json | undefined>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, Json>)[k] : undefined), root);

/** Applies a mutation; own `__proto__` keys are created the way JSON.parse creates them. */
const mutate = (doc: Json, m: Mutation): void => {
  const paths = pathsOf(doc);
  const path = paths[m.path % paths.length] ?? [];
  const key = path[path.length - 1];
  const parent = getAt(doc, path.slice(0, -1)) as Record<string, unknown> | undefined;
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

/** A valid payload as it arrives over HTTP (or an example), then up to three mutations. */
const arbPayload = (channel: Channel): fc.Arbitrary<Json> =>
  fc
    .record({
      base: fc.oneof({ weight: 4, arbitrary: VALID[channel] }, { weight: 1, arbitrary: fc.constantFrom(...EXAMPLES[channel]) }),
      mutations: fc.array(arbMutation, { maxLength: 3 }),
    })
    .map(({ base, mutations }) => {
      const doc = clone(base) as Json;
      for (const m of mutations) mutate(doc, m);
      return doc;
    });

/** Both paths on the same input: identical results. Returns whether the input was accepted. */
const sameResult = (channel: Channel, input: unknown): boolean => {
  const fast = VALIDATORS[channel](input);
  const slow = VALIDATORS[channel](input, { fastPath: false });
  if (fast.ok) expect(slow.ok).toBe(true);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
  expect(fast).toEqual(slow);
  return fast.ok;
};

const SCHEMAS: readonly SchemaClass[] = [
  BranchTransactionRecord,
  BranchVisitRecord,
  MobileEventBatch,
  MobileSessionStart,
  MobileAction,
  MobileOfferImpression,
  MobileOfferResponse,
  MobileRating,
  CallRecord,
];

describe('compiled fast path for the channels\' native payloads', () => {
  afterEach(() => jest.restoreAllMocks());

  it('has a fast plan for every native schema (and every schema nested in it)', () => {
    for (const schema of SCHEMAS) expect([schema.name, hasFastPlan(schema)]).toEqual([schema.name, true]);
  });

  it.each(['branch', 'mobile', 'call-centre'] as const)('%s: valid payloads are accepted without class-validator, with the full path\'s output', (channel) => {
    const validateSync = jest.spyOn(classValidator, 'validateSync');
    fc.assert(
      fc.property(VALID[channel], (native) => {
        const wire = clone(native);
        validateSync.mockClear();
        const fast = VALIDATORS[channel](wire);
        expect(fast.ok).toBe(true);
        expect(validateSync).not.toHaveBeenCalled();
        expect(VALIDATORS[channel](wire, { fastPath: false })).toEqual(fast);
        expect(validateSync).toHaveBeenCalled();
      }),
      { numRuns: 100 },
    );
  });

  it.each(['branch', 'mobile', 'call-centre'] as const)('%s: fast says valid ⇒ class-validator says valid, with identical output; errors identical otherwise', (channel) => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(arbPayload(channel), (input) => {
        if (sameResult(channel, input)) accepted++;
        else refused++;
      }),
      { numRuns: channel === 'mobile' ? 800 : 1500 }, // a mobile batch holds up to 20 events: slower per run
    );
    // the generator must exercise both sides, or the property proves little
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });

  it('normalises free text to NFC exactly as the full path does', () => {
    const call = clone(CALL_CENTRE_EXAMPLE) as unknown as { complaint: { category: string } };
    call.complaint.category = 'Ame\u0301lie fe\u0301es';
    const fast = validateCallCentrePayload(call);
    expect(fast.ok && fast.value.complaint?.category).toBe('Amélie fées'.normalize('NFC'));
    expect(sameResult('call-centre', call)).toBe(true);
  });

  it('leaves payloads with prototype-named keys to the full path, whose answer stands', () => {
    const withProto = JSON.parse(JSON.stringify(MOBILE_EXAMPLE).replace('"device":{', '"device":{"__proto__":{"x":1},')) as unknown;
    expect(validateMobilePayload(withProto).ok).toBe(false);
    expect(sameResult('mobile', withProto)).toBe(false);
    const withToString = JSON.parse(JSON.stringify(BRANCH_EXAMPLES.transaction).replace('"transaction":{', '"transaction":{"toString":1,')) as unknown;
    // class-transformer quietly drops such a key: the full path accepts, and so must the answer be
    const validateSync = jest.spyOn(classValidator, 'validateSync');
    sameResult('branch', withToString);
    expect(validateSync).toHaveBeenCalledTimes(2);
  });
});
