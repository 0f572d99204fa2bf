import { IDENTITY_SCHEMES, type IdentityScheme } from '../events/catalogue.v1';
import { checkCardToken, checkE164, checkIdentifier, violation, type Violation } from './text-rules';

const isScheme = (s: unknown): s is IdentityScheme => typeof s === 'string' && (IDENTITY_SCHEMES as readonly string[]).includes(s);

/**
 * The value of a channel identity, checked by its scheme: `phone` is E.164, `card` is a token and
 * never a card number, the others are opaque identifiers. An unknown scheme is reported on the
 * scheme; the value is then checked as an identifier only.
 */
export const checkIdentityValue = (value: unknown, scheme: unknown): Violation | null => {
  if (!isScheme(scheme)) return checkIdentifier(value);
  switch (scheme) {
    case 'phone':
      return checkE164(value);
    case 'card':
      return checkCardToken(value);
    case 'customer-number':
    case 'mobile-user':
    case 'national-id':
      return checkIdentifier(value);
  }
};

export const checkIdentityScheme = (value: unknown): Violation | null => {
  if (typeof value !== 'string') return violation('not-string', 'must be a string');
  return isScheme(value) ? null : violation('unknown-scheme', `must be one of: ${IDENTITY_SCHEMES.join(', ')}`);
};
