/**
 * Masking of personal values for callers without `customers:read-pii`. Pure functions: the
 * output never depends on anything but the input, never reveals the value's length beyond
 * what is stated, and works on grapheme clusters (CJK names, accents, emoji) rather than
 * UTF-16 code units, so a surrogate pair is never cut in half.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Printable ASCII without spaces: every character is its own grapheme (no segmenter needed). */
const SIMPLE = /^[\x21-\x7e]*$/;

const graphemes = (text: string): string[] => (SIMPLE.test(text) ? text.split('') : Array.from(segmenter.segment(text), (s) => s.segment));

/** CJK ideographs (grapheme break property Other) and printable ASCII: nothing joins onto or after them. */
const STANDALONE = /^[\u3400-\u4dbf\u4e00-\u9fff\x21-\x7e]$/;

const firstGrapheme = (text: string): string => {
  if (SIMPLE.test(text)) return text.slice(0, 1);
  // Common case (Chinese names): an ideograph followed by another or by nothing is a grapheme
  // on its own (UAX #29 breaks between two "Other" characters), no segmenter needed.
  const first = text.charAt(0);
  const next = text.charAt(1);
  if (STANDALONE.test(first) && (next === '' || STANDALONE.test(next))) return first;
  for (const s of segmenter.segment(text)) return s.segment;
  return '';
};

/** `Zhang Wei` → `Z** W**`; `张伟` → `张**`; each word keeps its first grapheme, then a fixed `**`. */
export function maskName(name: string): string {
  const words = name.trim().split(/\s+/u).filter((w) => w.length > 0);
  if (words.length === 0) return '**';
  return words.map((w) => `${firstGrapheme(w)}**`).join(' ');
}

/**
 * `13812345678` → `138****5678`; `+8613812345678` → `+861******5678`. Keeps a leading `+`,
 * the first 3 and the last 4 digits; every other digit becomes `*`. Short numbers (< 8
 * digits) keep only the last 2. Separators are dropped.
 */
export function maskPhone(phone: string): string {
  const plus = phone.trim().startsWith('+') ? '+' : '';
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 0) return '****';
  if (digits.length < 8) return `${plus}${'*'.repeat(Math.max(digits.length - 2, 2))}${digits.slice(-2)}`;
  return `${plus}${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** `zhang.wei@example.com` → `z***@example.com` (the domain stays: it says which provider, not who). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = firstGrapheme(email.slice(0, at));
  return `${first}***${email.slice(at)}`;
}

/** National id: the last 4 characters only, behind a fixed-length prefix (`****1234`). */
export function maskNationalId(id: string): string {
  const chars = graphemes(id.replace(/\s/g, ''));
  if (chars.length <= 4) return '****';
  return `****${chars.slice(-4).join('')}`;
}

/** Birth date: nothing shown. */
export function maskBirthDate(_date: string): string {
  return '****-**-**';
}

/** Address: nothing shown (a partial address identifies too easily). */
export function maskAddress(_address: string): string {
  return '***';
}

/** What a personal field shows as, for each reader. */
export type PersonalFieldKind = 'fullName' | 'nationalId' | 'birthDate' | 'phone' | 'email' | 'address';

export const PERSONAL_FIELD_KINDS: readonly PersonalFieldKind[] = ['fullName', 'nationalId', 'birthDate', 'phone', 'email', 'address'];

const MASKERS: Readonly<Record<PersonalFieldKind, (value: string) => string>> = {
  fullName: maskName,
  nationalId: maskNationalId,
  birthDate: maskBirthDate,
  phone: maskPhone,
  email: maskEmail,
  address: maskAddress,
};

export function maskField(kind: PersonalFieldKind, value: string): string {
  return MASKERS[kind](value);
}

/** Identity schemes whose values are personal (a phone number, a national id). */
export function identityMaskKind(scheme: string): PersonalFieldKind | null {
  switch (scheme) {
    case 'phone':
      return 'phone';
    case 'national-id':
      return 'nationalId';
    default:
      return null;
  }
}
