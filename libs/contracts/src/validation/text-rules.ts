/**
 * Pure predicates over untrusted strings. Every check answers with a machine-readable code and a
 * message that never repeats the value (values may be personal data).
 */

/** A rule failure: a stable code and a message that names no value. */
export interface Violation {
  readonly code: string;
  readonly message: string;
}

export const violation = (code: string, message: string): Violation => ({ code, message });

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NUL = /\u0000/;
/** C0/C1 control characters other than TAB, LF and CR. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Explicit directional embeddings, overrides and isolates ("Trojan Source" characters). */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/** True when the string holds a high surrogate not followed by a low one, or a lone low one. */
export const hasLoneSurrogate = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
};

export const hasNul = (s: string): boolean => NUL.test(s);
export const hasBidiControl = (s: string): boolean => BIDI_CONTROL.test(s);
export const hasControlCharacter = (s: string): boolean => CONTROL.test(s);

/** Length in code points (an emoji counts once). */
export const codePointLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Identifiers: ASCII letters and digits, then also `. _ : @ / + = -`; no spaces. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:@/+=-]*$/;

export interface IdentifierOptions {
  readonly maxLength?: number;
}

/** Opaque identifiers (customer numbers, product ids, teller ids, device ids, tokens). */
export const checkIdentifier = (value: unknown, options: IdentifierOptions = {}): Violation | null => {
  const max = options.maxLength ?? 64;
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (value.length === 0) return violation('empty', 'must not be empty');
  if (hasNul(value)) return violation('nul-character', 'must not contain NUL characters');
  if (hasLoneSurrogate(value)) return violation('lone-surrogate', 'must not contain unpaired UTF-16 surrogates');
  if (hasBidiControl(value)) return violation('bidi-control', 'must not contain bidirectional control characters');
  if (hasControlCharacter(value)) return violation('control-character', 'must not contain control characters');
  if (value.length > max) return violation('too-long', `must be at most ${max} characters`);
  if (!IDENTIFIER.test(value)) {
    return violation('invalid-identifier', 'must be ASCII letters, digits and . _ : @ / + = - only, starting with a letter or digit');
  }
  return null;
};

export interface FreeTextOptions {
  readonly maxLength: number;
}

/**
 * Free text (names, reasons, notes): any Unicode including emoji and injection-looking strings,
 * which are stored verbatim; but no NUL, no unpaired surrogates, no control characters except
 * TAB/LF/CR, not blank. Length is counted in code points.
 */
export const checkFreeText = (value: unknown, options: FreeTextOptions): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (value.trim().length === 0) return violation('empty', 'must not be empty or blank');
  if (hasNul(value)) return violation('nul-character', 'must not contain NUL characters');
  if (hasLoneSurrogate(value)) return violation('lone-surrogate', 'must not contain unpaired UTF-16 surrogates');
  if (hasControlCharacter(value)) return violation('control-character', 'must not contain control characters other than tab and line breaks');
  if (codePointLength(value) > options.maxLength) return violation('too-long', `must be at most ${options.maxLength} characters`);
  return null;
};

/** E.164: `+`, a non-zero country digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{6,14}$/;
export const checkE164 = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (!E164.test(value)) return violation('invalid-phone', 'must be an E.164 phone number (+ and 7 to 15 digits)');
  return null;
};

/** Pragmatic address syntax check; the mailbox's existence is not our business. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
export const checkEmail = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (value.length > 254 || !EMAIL.test(value)) return violation('invalid-email', 'must be an email address');
  return null;
};

const CURRENCY = /^[A-Z]{3}$/;
export const checkCurrency = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (!CURRENCY.test(value)) return violation('invalid-currency', 'must be an ISO 4217 code: three uppercase letters');
  return null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Lower-case canonical form only, so that one id has one spelling (it is an idempotency key). */
export const checkUuid = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (!UUID.test(value)) return violation('invalid-uuid', 'must be a UUID in lower-case canonical form');
  return null;
};

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A calendar date `YYYY-MM-DD` that exists (no 2025-02-29, no month 13), years 1800..9999. */
export const checkCalendarDate = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  const m = DATE.exec(value);
  if (!m) return violation('invalid-date', 'must be a date in the form YYYY-MM-DD');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) {
    return violation('impossible-date', 'must be a date that exists in the calendar');
  }
  return null;
};

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const ZONE = /^(?:Z|[+-](\d{2}):(\d{2}))$/;
/**
 * ISO 8601 / RFC 3339 date-time WITH a zone (`Z` or `±hh:mm`); the date must exist, the time be
 * a real time of day (leap second 60 accepted, as RFC 3339 allows).
 */
export const checkDateTime = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  const m = DATE_TIME.exec(value);
  if (!m) return violation('invalid-datetime', 'must be an ISO 8601 date-time such as 2026-11-02T09:30:00Z');
  const zone = m[8];
  if (zone === undefined) return violation('missing-zone', 'must carry a time zone: Z or an offset such as +08:00');
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? '0')) as [number, number, number, number, number, number];
  const z = ZONE.exec(zone);
  const zoneOk = z !== null && (zone === 'Z' || (Number(z[1]) <= 23 && Number(z[2]) <= 59));
  if (y < 1800 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60 || !zoneOk) {
    return violation('impossible-date', 'must be a date and time that exist');
  }
  return null;
};

/** Luhn checksum over a digit string. */
export const passesLuhn = (digits: string): boolean => {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let n = digits.charCodeAt(i) - 48;
    if (double) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
    double = !double;
  }
  return sum % 10 === 0;
};

/** True when the value looks like a payment card number: 13–19 digits (spaces/dashes allowed) passing Luhn. */
export const looksLikeCardNumber = (value: string): boolean => {
  const digits = value.replace(/[ -]/g, '');
  return /^[0-9]{13,19}$/.test(digits) && passesLuhn(digits);
};

/** A card token: an identifier that must not be a card number (PCI: c360 never holds PANs). */
export const checkCardToken = (value: unknown): Violation | null => {
  if (typeof value === 'string' && looksLikeCardNumber(value)) {
    return violation('card-number-not-allowed', 'must be a card token, never a card number');
  }
  return checkIdentifier(value);
};

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
}

const rangeViolation = (n: number, range: NumberRange): Violation | null => {
  if (range.min !== undefined && n < range.min) return violation('too-small', `must be at least ${range.min}`);
  if (range.max !== undefined && n > range.max) return violation('too-large', `must be at most ${range.max}`);
  return null;
};

/** A safe integer (|n| ≤ 2^53 − 1), finite, not -0, optionally within a range. */
export const checkInteger = (value: unknown, range: NumberRange = {}): Violation | null => {
  if (typeof value !== 'number') return violation('not-number', 'must be a number');
  if (!Number.isFinite(value)) return violation('not-finite', 'must be a finite number');
  if (Object.is(value, -0)) return violation('negative-zero', 'must not be -0');
  if (!Number.isInteger(value)) return violation('not-integer', 'must be an integer');
  if (!Number.isSafeInteger(value)) return violation('unsafe-integer', 'must be within ±(2^53 − 1)');
  return rangeViolation(value, range);
};

/** A finite decimal number, not -0, optionally within a range. */
export const checkDecimal = (value: unknown, range: NumberRange = {}): Violation | null => {
  if (typeof value !== 'number') return violation('not-number', 'must be a number');
  if (!Number.isFinite(value)) return violation('not-finite', 'must be a finite number');
  if (Object.is(value, -0)) return violation('negative-zero', 'must not be -0');
  return rangeViolation(value, range);
};

export const checkOneOf = (value: unknown, allowed: readonly string[]): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  if (!allowed.includes(value)) return violation('not-allowed', `must be one of: ${allowed.join(', ')}`);
  return null;
};

export const checkPlainObject = (value: unknown): Violation | null => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return violation('not-object', 'must be an object');
  return null;
};
