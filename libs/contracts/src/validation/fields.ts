import { Field, type FieldOptions } from './schema-decorators';
import {
  checkCalendarDate,
  checkCardToken,
  checkCurrency,
  checkDateTime,
  checkDecimal,
  checkE164,
  checkEmail,
  checkFreeText,
  checkIdentifier,
  checkInteger,
  checkOneOf,
  checkUuid,
  type NumberRange,
} from './text-rules';

/** Field decorators shared by the canonical schemas and the channels' native schemas. */

type Presence = Pick<FieldOptions, 'optional' | 'nullable'>;

/** Opaque ASCII identifier (default cap 64). */
export const IdentifierField = (options: Presence & { maxLength?: number } = {}): PropertyDecorator =>
  Field((v) => checkIdentifier(v, { maxLength: options.maxLength ?? 64 }), options);

/** Free text, NFC-normalised, emoji and any script allowed, stored verbatim otherwise. */
export const TextField = (maxLength: number, options: Presence = {}): PropertyDecorator =>
  Field((v) => checkFreeText(v, { maxLength }), { ...options, normalize: true });

export const OneOfField = (allowed: readonly string[], options: Presence = {}): PropertyDecorator =>
  Field((v) => checkOneOf(v, allowed), options);

export const IntegerField = (range: NumberRange = {}, options: Presence = {}): PropertyDecorator =>
  Field((v) => checkInteger(v, range), options);

export const DecimalField = (range: NumberRange = {}, options: Presence = {}): PropertyDecorator =>
  Field((v) => checkDecimal(v, range), options);

/** Amount in minor units: a safe integer (never fractional, never -0). */
export const MinorUnitsField = (range: NumberRange = {}, options: Presence = {}): PropertyDecorator =>
  IntegerField(range, options);

export const CurrencyField = (options: Presence = {}): PropertyDecorator => Field(checkCurrency, options);
export const PhoneField = (options: Presence = {}): PropertyDecorator => Field(checkE164, options);
export const EmailField = (options: Presence = {}): PropertyDecorator => Field(checkEmail, options);
export const CalendarDateField = (options: Presence = {}): PropertyDecorator => Field(checkCalendarDate, options);
export const DateTimeField = (options: Presence = {}): PropertyDecorator => Field(checkDateTime, options);
export const UuidField = (options: Presence = {}): PropertyDecorator => Field(checkUuid, options);
export const CardTokenField = (options: Presence = {}): PropertyDecorator => Field(checkCardToken, options);
