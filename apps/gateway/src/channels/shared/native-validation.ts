import { validateSchema, type FieldError, type SchemaClass, type Validated } from '@c360/contracts';

/** How a channel's native payload is validated. */
export interface NativeValidationOptions {
  /**
   * Try the compiled fast path of @c360/contracts first (default): it only short-cuts payloads the
   * full class-validator path accepts, with the same output (native-fast-validation.property.unit.spec.ts
   * proves it over random valid and invalid payloads); `false` forces the full path, the tests' reference.
   */
  readonly fastPath?: boolean;
}

/**
 * Validates one member of a discriminated union of native records: reads the discriminator, then
 * validates the whole object against that variant's schema (whitelist semantics as everywhere).
 */
export const validateVariant = <T extends object>(
  input: unknown,
  discriminator: string,
  variants: Readonly<Record<string, SchemaClass>>,
  basePath = '',
  options: NativeValidationOptions = {},
): Validated<T> => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: basePath, code: input === null ? 'null-not-allowed' : 'not-object', message: 'must be an object' }] };
  }
  const tag = (input as Record<string, unknown>)[discriminator];
  const path = `${basePath}/${discriminator}`;
  if (tag === undefined) return { ok: false, errors: [{ path, code: 'required', message: 'is required' }] };
  if (typeof tag !== 'string') return { ok: false, errors: [{ path, code: 'not-string', message: 'must be a string' }] };
  const schema = Object.hasOwn(variants, tag) ? variants[tag] : undefined;
  if (!schema) {
    return { ok: false, errors: [{ path, code: 'not-allowed', message: `must be one of: ${Object.keys(variants).join(', ')}` }] };
  }
  return validateSchema(schema, input, { basePath, guarded: true, fastPath: options.fastPath !== false }) as Validated<T>;
};

export const fieldError = (path: string, code: string, message: string): FieldError => ({ path, code, message });
