import type { FieldError } from '../validation/field-error';
import { guardJson } from '../validation/json-guard';
import { validateSchema, validateSchemaSlow } from '../validation/validate-schema';
import type { CanonicalEvent } from './catalogue.v1';
import { EnvelopeSchema } from './envelope.schema';
import { EVENT_CATALOGUE, isKnownEventType, type CanonicalEventLike, type EventCatalogue } from './event-catalogue';

export type EventValidation<E> = { readonly ok: true; readonly event: E } | { readonly ok: false; readonly errors: FieldError[] };

const hasErrorAt = (errors: readonly FieldError[], path: string): boolean =>
  errors.some((e) => e.path === path || e.path.startsWith(`${path}/`));

export interface EventValidatorOptions {
  /**
   * Use the compiled fast path (default): it only ever short-cuts inputs the full class-validator
   * path accepts, with the same output; `false` forces the full path (the tests' reference).
   */
  readonly fastPath?: boolean;
}

/**
 * Builds a validator for a catalogue: envelope first, then `data` against the schema of the event's
 * type and version. Unknown type → `unknown-type`; a version newer than known (or no longer
 * accepted) → `unsupported-version`. All errors are reported together, paths as JSON pointers.
 */
export const createEventValidator = <E extends CanonicalEventLike = CanonicalEventLike>(catalogue: EventCatalogue, options: EventValidatorOptions = {}) => {
  // built once per validator, not per event
  const fastPath = options.fastPath !== false;
  const envelopeOptions = { guarded: true, fastPath };
  const dataOptions = { basePath: '/data', guarded: true, fastPath };
  return (input: unknown): EventValidation<E> => {
    const check = options.fastPath === false ? validateSchemaSlow : validateSchema;
    const guardErrors = guardJson(input);
    if (guardErrors.length > 0) return { ok: false, errors: guardErrors };

    const envelope = check(EnvelopeSchema, input, envelopeOptions);
    const errors: FieldError[] = envelope.ok ? [] : [...envelope.errors];
    const raw = input as Record<string, unknown>; // an object, or the envelope already said not-object
    if (errors.some((e) => e.path === '')) return { ok: false, errors };

    const type = raw['type'];
    const version = raw['version'];
    let data: object | undefined;
    if (!hasErrorAt(errors, '/type') && typeof type === 'string') {
      const entry = isKnownEventType(catalogue, type) ? catalogue[type] : undefined;
      if (!entry) {
        errors.push({ path: '/type', code: 'unknown-type', message: 'is not a known event type' });
      } else if (!hasErrorAt(errors, '/version') && typeof version === 'number') {
        const schema = Object.hasOwn(entry.schemas, version) ? entry.schemas[version] : undefined;
        if (version > entry.currentVersion || !schema) {
          errors.push({
            path: '/version',
            code: 'unsupported-version',
            message: `this build knows versions up to ${entry.currentVersion} of this type`,
          });
        } else if (!hasErrorAt(errors, '/data')) {
          const checked = check(schema, raw['data'], dataOptions);
          if (checked.ok) data = checked.value;
          else errors.push(...checked.errors);
        }
      }
    }
    if (errors.length > 0 || !envelope.ok || data === undefined) {
      return { ok: false, errors: errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
    }

    const { eventId, occurredAt, source, customerId, identity } = envelope.value;
    const event = {
      eventId,
      type: envelope.value.type,
      version: envelope.value.version,
      occurredAt,
      source,
      ...(customerId !== undefined ? { customerId } : {}),
      ...(identity !== undefined ? { identity } : {}),
      data,
    };
    return { ok: true, event: event as unknown as E };
  };
};

const validateV1 = createEventValidator<CanonicalEvent>(EVENT_CATALOGUE);

/**
 * Validates one canonical event from an untrusted source. On success `event` is a fresh plain
 * object (free text in Unicode NFC); the input is never mutated. Error messages never echo values.
 */
export const validateCanonicalEvent = (
  input: unknown,
): { ok: true; event: CanonicalEvent } | { ok: false; errors: FieldError[] } => validateV1(input);
