import { CHANNELS, type Channel, type EventSource, type Identity, type IdentityScheme } from './catalogue.v1';
import type { FieldError } from '../validation/field-error';
import { DateTimeField, IdentifierField, IntegerField, OneOfField, UuidField } from '../validation/fields';
import { checkIdentityScheme, checkIdentityValue } from '../validation/identity-rules';
import { Field, NestedField } from '../validation/schema-decorators';
import { checkPlainObject } from '../validation/text-rules';

/** Validation-only schema of the canonical envelope; `data` is checked by the type's own schema. */

export class EventSourceSchema implements EventSource {
  @IdentifierField() system!: string;
  @OneOfField(CHANNELS, { optional: true }) channel?: Channel;
}

export class IdentitySchema implements Identity {
  @Field(checkIdentityScheme) scheme!: IdentityScheme;
  @Field((v, o) => checkIdentityValue(v, o['scheme'])) value!: string;
}

export class EnvelopeSchema {
  @UuidField() eventId!: string;
  @IdentifierField({ maxLength: 100 }) type!: string;
  @IntegerField({ min: 1 }) version!: number;
  @DateTimeField() occurredAt!: string;
  @NestedField(() => EventSourceSchema) source!: EventSourceSchema;
  @IdentifierField({ optional: true, maxLength: 32 }) customerId?: string;
  @NestedField(() => IdentitySchema, { optional: true }) identity?: IdentitySchema;
  @Field(checkPlainObject) data!: Record<string, unknown>;

  /** Exactly one subject: the customer number, or a channel identity the ingestor resolves. */
  static refine(v: Readonly<EnvelopeSchema>): FieldError[] {
    if (v.customerId === undefined && v.identity === undefined) {
      return [{ path: '/customerId', code: 'subject-missing', message: 'either customerId or identity is required' }];
    }
    if (v.customerId !== undefined && v.identity !== undefined) {
      return [{ path: '/identity', code: 'subject-ambiguous', message: 'give customerId or identity, not both' }];
    }
    return [];
  }
}
