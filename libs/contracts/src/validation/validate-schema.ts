import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { fastValidateSchema } from './fast-schema';
import type { FieldError, Validated } from './field-error';
import { guardJson, pointerSegment } from './json-guard';
import { decodeViolation, RULE_CONSTRAINT, type SchemaClass } from './schema-decorators';

const BUILT_IN: Readonly<Record<string, { code: string; message: string }>> = {
  whitelistValidation: { code: 'unknown-field', message: 'is not a known field' },
  nestedValidation: { code: 'not-object', message: 'must be an object' },
};

const flatten = (errors: readonly ValidationError[], parentPath: string, out: FieldError[]): void => {
  for (const e of errors) {
    const path = `${parentPath}/${pointerSegment(e.property)}`;
    const constraints = e.constraints ?? {};
    const names = Object.keys(constraints);
    if (names.length > 0) {
      // one error per field: our composite rule wins, then the built-ins
      const own = constraints[RULE_CONSTRAINT];
      if (own !== undefined) {
        out.push({ path, ...decodeViolation(own) });
      } else {
        const known = names.map((n) => BUILT_IN[n]).find((b) => b !== undefined);
        out.push({ path, ...(known ?? { code: 'invalid', message: 'is not valid' }) });
      }
      continue;
    }
    if (e.children && e.children.length > 0) flatten(e.children, path, out);
  }
};

/** Copies a validated instance into plain JSON data (own keys, `undefined` dropped, nested instances too). */
const toPlain = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toPlain(v);
    }
    return out;
  }
  return value;
};

/** Runs the cross-field `refine` of the schema and of every nested schema instance, depth first. */
const refineAll = (value: unknown, path: string, out: FieldError[]): void => {
  if (Array.isArray(value)) {
    value.forEach((v, i) => refineAll(v, `${path}/${i}`, out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === Object || ctor === undefined) return; // plain data, not a schema instance
  for (const [k, v] of Object.entries(value)) refineAll(v, `${path}/${pointerSegment(k)}`, out);
  const refine = (ctor as Partial<SchemaClass>).refine;
  if (typeof refine === 'function') {
    for (const e of refine.call(ctor, value)) out.push({ ...e, path: `${path}${e.path}` });
  }
};

export interface ValidateSchemaOptions {
  /** Where `input` sits in the whole document, e.g. `/data`; prefixed to every error path. */
  readonly basePath?: string;
  /** Skip the JSON guard when the caller already ran it over the enclosing document. */
  readonly guarded?: boolean;
  /**
   * Try the compiled fast path first (fast-schema.ts): same result, several times cheaper for valid
   * input. Opt-in per caller, for schemas whose equivalence a property test proves (the canonical
   * catalogue: fast-validation.unit.spec.ts; the gateway's native channel payloads:
   * apps/gateway/src/channels/native-fast-validation.property.unit.spec.ts).
   */
  readonly fastPath?: boolean;
}

const byPath = (a: FieldError, b: FieldError): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

const runSchema = <T extends object>(
  schema: SchemaClass<T>,
  input: unknown,
  options: ValidateSchemaOptions,
  fastPath: boolean,
): Validated<T> => {
  const basePath = options.basePath ?? '';
  if (!options.guarded) {
    const guardErrors = guardJson(input, basePath);
    if (guardErrors.length > 0) return { ok: false, errors: guardErrors };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: basePath, code: input === null ? 'null-not-allowed' : 'not-object', message: 'must be an object' }] };
  }
  // Compiled fast path: says "valid" (same output) or "not sure"; errors always come from below.
  const fast = fastPath ? fastValidateSchema(schema, input) : undefined;
  if (fast !== undefined) return { ok: true, value: fast };
  const instance = plainToInstance(schema, input, { enableImplicitConversion: false, exposeDefaultValues: false });
  const errors: FieldError[] = [];
  flatten(
    validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
    }),
    basePath,
    errors,
  );
  if (errors.length === 0) refineAll(instance, basePath, errors);
  if (errors.length > 0) return { ok: false, errors: errors.sort(byPath) };
  return { ok: true, value: toPlain(instance) as T };
};

/**
 * Validates untrusted input against a validation-only schema class: JSON guard first (prototype
 * keys, non-JSON values, sizes), then class-validator with whitelist semantics (unknown fields are
 * errors), then the class's cross-field `refine`. On success returns a plain copy (strings marked
 * `normalize` in NFC); the input is never mutated.
 */
export const validateSchema = <T extends object>(
  schema: SchemaClass<T>,
  input: unknown,
  options: ValidateSchemaOptions = {},
): Validated<T> => runSchema(schema, input, options, options.fastPath === true);

/** The full class-validator path only (no fast path): the reference the fast path is tested against. */
export const validateSchemaSlow = <T extends object>(
  schema: SchemaClass<T>,
  input: unknown,
  options: ValidateSchemaOptions = {},
): Validated<T> => runSchema(schema, input, options, false);
