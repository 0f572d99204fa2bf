import { plainToInstance, Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, ValidateNested } from 'class-validator';
import type { FieldError } from './field-error';
import { checkPlainObject, violation, type Violation } from './text-rules';

/**
 * Decorators for validation-only schema classes. Each property carries exactly one composite rule
 * (`c360Rule`), so one failing field yields exactly one error with one code, whatever order
 * decorators run in. Presence is explicit: required unless `optional`; `null` refused unless `nullable`.
 */

export const RULE_CONSTRAINT = 'c360Rule';
const SEPARATOR = '\u001f';

export type Check = (value: unknown, object: Readonly<Record<string, unknown>>) => Violation | null;

export interface FieldOptions {
  /** The key may be absent. */
  readonly optional?: boolean;
  /** The value may be `null`. */
  readonly nullable?: boolean;
  /** Normalise strings to Unicode NFC before checking and in the validated output (names, free text). */
  readonly normalize?: boolean;
}

/** Encodes a violation into a class-validator message (decoded by the schema runner). */
export const encodeViolation = (v: Violation): string => `${v.code}${SEPARATOR}${v.message}`;
export const decodeViolation = (message: string): Violation => {
  const i = message.indexOf(SEPARATOR);
  return i < 0 ? violation('invalid', 'is not valid') : violation(message.slice(0, i), message.slice(i + 1));
};

/**
 * What each decorator declared, kept alongside class-validator's own metadata so the compiled
 * fast path (fast-schema.ts) can re-run exactly the same rules without class-validator.
 */
export interface DeclaredField {
  readonly name: string;
  /** The presence-wrapped rule class-validator runs (same function object). */
  readonly rule: Check;
  readonly optional: boolean;
  readonly nullable: boolean;
  readonly normalize: boolean;
  /** Set for `NestedField`: the schema of the nested object. */
  readonly nested?: () => new () => object;
}

const DECLARED = new Map<object, DeclaredField[]>();
const NESTED = new Map<object, Map<string, () => new () => object>>();

/** The fields declared on exactly this class (not its parents), in declaration order. */
export const declaredFieldsOf = (schema: object): readonly DeclaredField[] => DECLARED.get(schema) ?? [];

const presence = (check: Check, options: FieldOptions): Check => (value, object) => {
  if (value === undefined) return violation('required', 'is required');
  if (value === null) return options.nullable ? null : violation('null-not-allowed', 'must not be null');
  return check(value, object);
};

/** A schema property checked by `check`. */
export const Field =
  (check: Check, options: FieldOptions = {}): PropertyDecorator =>
  (target, propertyKey) => {
    const name = String(propertyKey);
    if (options.normalize) {
      Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.normalize('NFC') : value))(target, propertyKey);
    }
    if (options.optional || options.nullable) {
      ValidateIf((o: Record<string, unknown>) =>
        !((options.optional && o[name] === undefined) || (options.nullable && o[name] === null)),
      )(target, propertyKey);
    }
    const rule = presence(check, options);
    const nested = NESTED.get(target.constructor)?.get(name);
    const declared = DECLARED.get(target.constructor) ?? [];
    declared.push({
      name,
      rule,
      optional: options.optional === true,
      nullable: options.nullable === true,
      normalize: options.normalize === true,
      ...(nested ? { nested } : {}),
    });
    DECLARED.set(target.constructor, declared);
    registerDecorator({
      name: RULE_CONSTRAINT,
      target: target.constructor,
      propertyName: name,
      validator: {
        validate: (value: unknown, args) => rule(value, args?.object as Record<string, unknown>) === null,
        defaultMessage: (args) =>
          encodeViolation(rule(args?.value, args?.object as Record<string, unknown>) ?? violation('invalid', 'is not valid')),
      },
    });
  };

/** A nested object validated by its own schema class. */
export const NestedField =
  (schema: () => new () => object, options: Pick<FieldOptions, 'optional'> = {}): PropertyDecorator =>
  (target, propertyKey) => {
    // Transform rather than @Type: @Type needs the reflect-metadata polyfill, which this lib avoids
    Transform(({ value }: { value: unknown }) =>
      checkPlainObject(value) === null ? plainToInstance(schema(), value, { enableImplicitConversion: false }) : value,
    )(target, propertyKey);
    ValidateNested()(target, propertyKey);
    const nested = NESTED.get(target.constructor) ?? new Map<string, () => new () => object>();
    nested.set(String(propertyKey), schema);
    NESTED.set(target.constructor, nested);
    Field(checkPlainObject, options)(target, propertyKey);
  };

/** Schema classes may add whole-object rules (cross-field) that run once every field passed. */
export interface SchemaClass<T extends object = object> {
  new (): T;
  /** Paths are relative to the object, e.g. `/score`. */
  refine?(value: Readonly<T>): FieldError[];
}
