import { plainToInstance } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { declaredFieldsOf, RULE_CONSTRAINT, type Check, type SchemaClass } from './schema-decorators';

/**
 * Compiled fast path for `validateSchema`: re-runs the very same per-field rules the schema's
 * decorators registered (same function objects), without class-transformer and class-validator.
 * It answers only "valid" (with the same plain output `validateSchema` gives) or "not sure"
 * (`undefined`); on "not sure" the caller runs the full class-validator path, which alone produces
 * errors, so every error code, path and message is unchanged. It is deliberately stricter than
 * class-validator: any key it does not declare, any key an `Object.prototype` member shares its
 * name with, any non-plain object, any failing rule or refine → "not sure".
 * A schema whose class-validator metadata holds anything the Field/NestedField decorators did not
 * declare (a raw `@IsString()`, say) gets no fast plan at all.
 */

interface PlannedField {
  readonly name: string;
  readonly rules: readonly Check[];
  readonly optional: boolean;
  readonly nullable: boolean;
  readonly normalize: boolean;
  readonly nested: (() => new () => object) | undefined;
}

interface Plan {
  readonly schema: SchemaClass;
  readonly fields: ReadonlyMap<string, PlannedField>;
  readonly all: readonly PlannedField[];
}

const PLANS = new Map<object, Plan | null>();

const ancestry = (schema: object): object[] => {
  const chain: object[] = [];
  for (let c: unknown = schema; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    chain.unshift(c);
  }
  return chain;
};

const countKey = (m: Map<string, number>, key: string): void => {
  m.set(key, (m.get(key) ?? 0) + 1);
};

const buildPlan = (schema: SchemaClass): Plan | null => {
  const byName = new Map<string, Omit<PlannedField, 'name'>>();
  const expected = new Map<string, number>();
  for (const cls of ancestry(schema)) {
    for (const d of declaredFieldsOf(cls)) {
      // one decorator per property, as the house rule has it; anything fancier stays on the full path
      if (d.name in Object.prototype || byName.has(d.name)) return null;
      byName.set(d.name, { rules: [d.rule], optional: d.optional, nullable: d.nullable, normalize: d.normalize, nested: d.nested });
      countKey(expected, `${d.name}\u0000customValidation\u0000${RULE_CONSTRAINT}`);
      if (d.optional || d.nullable) countKey(expected, `${d.name}\u0000conditionalValidation\u0000`);
      if (d.nested) countKey(expected, `${d.name}\u0000nestedValidation\u0000`);
    }
  }
  // Anything class-validator knows that our decorators did not declare disables the fast path.
  const actual = new Map<string, number>();
  for (const m of getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false)) {
    countKey(actual, `${m.propertyName}\u0000${m.type}\u0000${m.type === 'customValidation' ? (m.name ?? '') : ''}`);
  }
  if (actual.size !== expected.size) return null;
  for (const [k, n] of expected) if (actual.get(k) !== n) return null;
  for (const f of byName.values()) if (f.normalize && f.nested) return null;
  // an undecorated class field would be an own key class-validator's whitelist refuses
  for (const k of Object.keys(new schema())) if (!byName.has(k)) return null;

  const all: PlannedField[] = [...byName].map(([name, f]) => ({ name, ...f }));
  return transformsAreOurs(schema, all) ? { schema, fields: new Map(all.map((f) => [f.name, f])), all } : null;
};

/**
 * class-transformer keeps its metadata private, so a raw `@Transform`/`@Type`/`@Exclude` cannot be
 * listed; instead one probe object goes through plainToInstance and every field must come out as
 * the fast path would produce it (NFC only where declared, nested schemas only where declared).
 */
const PROBE_TEXT = ' A\u030aX-y \u00c5 ';
const transformsAreOurs = (schema: SchemaClass, fields: readonly PlannedField[]): boolean => {
  const probe: Record<string, unknown> = {};
  for (const f of fields) probe[f.name] = f.nested ? {} : PROBE_TEXT;
  const instance = plainToInstance(schema, probe, { enableImplicitConversion: false, exposeDefaultValues: false }) as Record<string, unknown>;
  const objectProbe: Record<string, unknown> = {};
  for (const f of fields) if (!f.nested) objectProbe[f.name] = { k: [1, 'a'] };
  const objectInstance = plainToInstance(schema, objectProbe, { enableImplicitConversion: false, exposeDefaultValues: false }) as Record<string, unknown>;
  for (const f of fields) {
    const got = instance[f.name];
    if (f.nested) {
      if (typeof got !== 'object' || got === null || got.constructor !== f.nested()) return false;
      continue;
    }
    if (got !== (f.normalize ? PROBE_TEXT.normalize('NFC') : PROBE_TEXT)) return false;
    const obj = objectInstance[f.name];
    if (typeof obj !== 'object' || obj === null || obj.constructor !== Object || JSON.stringify(obj) !== '{"k":[1,"a"]}') return false;
  }
  return true;
};

const planFor = (schema: SchemaClass): Plan | null => {
  let plan = PLANS.get(schema);
  if (plan === undefined) {
    plan = buildPlan(schema);
    PLANS.set(schema, plan);
  }
  return plan;
};

const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const NOT_SURE = Symbol('not-sure');

/** The plain deep copy class-transformer + toPlain would make of an untyped JSON value, or NOT_SURE. */
const copyJson = (value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_SURE;
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const c = copyJson(value[i]);
      if (c === NOT_SURE) return NOT_SURE;
      out.push(c);
    }
    return out;
  }
  if (!isPlainRecord(value)) return NOT_SURE;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    if (k in Object.prototype) return NOT_SURE;
    const v = value[k];
    if (v === undefined) continue;
    const c = copyJson(v);
    if (c === NOT_SURE) return NOT_SURE;
    out[k] = c;
  }
  return out;
};

/** Builds the schema instance class-transformer would build and checks every rule; NOT_SURE on any doubt. */
const build = (plan: Plan, input: unknown): object | typeof NOT_SURE => {
  if (!isPlainRecord(input)) return NOT_SURE;
  const instance = new plan.schema() as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    const field = plan.fields.get(key);
    if (field === undefined) return NOT_SURE;
    let value = input[key];
    if (value !== undefined) {
      if (field.nested !== undefined) {
        const nestedPlan = planFor(field.nested());
        if (nestedPlan === null) return NOT_SURE;
        value = build(nestedPlan, value);
      } else {
        value = copyJson(value);
        if (field.normalize && typeof value === 'string') value = value.normalize('NFC');
      }
      if (value === NOT_SURE) return NOT_SURE;
    }
    instance[key] = value;
  }
  for (const field of plan.all) {
    const value = instance[field.name];
    if ((field.optional && value === undefined) || (field.nullable && value === null)) continue;
    for (const rule of field.rules) if (rule(value, instance) !== null) return NOT_SURE;
  }
  return instance;
};

/** Cross-field rules of the instance and of every nested schema instance: true when none complains. */
const refinesPass = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(refinesPass);
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === Object || ctor === undefined) return true;
  for (const v of Object.values(value)) if (!refinesPass(v)) return false;
  const refine = (ctor as Partial<SchemaClass>).refine;
  return typeof refine !== 'function' || refine.call(ctor, value as never).length === 0;
};

/**
 * Plain copy of a built instance: own keys in instance order, `undefined` dropped, nested schema
 * instances too. Any other value in it is copyJson's fresh plain copy (undefined keys dropped
 * already), so it is taken as is rather than copied a second time.
 */
const toPlain = (instance: object): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(instance)) {
    const v = (instance as Record<string, unknown>)[k];
    if (v === undefined) continue;
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype ? toPlain(v) : v;
  }
  return out;
};

/**
 * The fast answer for an already-guarded input (see `guardJson`): the validated plain value, exactly
 * as `validateSchema` would return it, or `undefined` when only the full path can tell.
 */
export const fastValidateSchema = <T extends object>(schema: SchemaClass<T>, input: unknown): T | undefined => {
  const plan = planFor(schema);
  if (plan === null) return undefined;
  const instance = build(plan, input);
  if (instance === NOT_SURE || !refinesPass(instance)) return undefined;
  return toPlain(instance) as T;
};

/** Whether `schema` (and every schema nested in it) has a fast plan; for tests and diagnostics. */
export const hasFastPlan = (schema: SchemaClass): boolean => {
  const plan = planFor(schema);
  if (plan === null) return false;
  return plan.all.every((f) => f.nested === undefined || hasFastPlan(f.nested()));
};
