// Nest loads reflect-metadata; load it here too so the schemas are proven not to coerce types under it.
import 'reflect-metadata';
import { EXAMPLES_V1 } from './examples.v1';
import { validateCanonicalEvent } from './validate-event';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const moneyMoved = (): Json => clone(EXAMPLES_V1.MoneyMoved);
const withData = (base: Json, patch: Json): Json => ({ ...base, data: { ...(base['data'] as Json), ...patch } });
const without = (o: Json, key: string): Json => {
  const copy = { ...o };
  delete copy[key];
  return copy;
};
const withoutData = (base: Json, key: string): Json => ({ ...base, data: without(base['data'] as Json, key) });
const of = <T extends keyof typeof EXAMPLES_V1>(type: T): Json => clone(EXAMPLES_V1[type]);
/** Splices raw JSON text into the MoneyMoved example's data (for what JS literals cannot express). */
const rawData = (field: string, rawValue: string): unknown =>
  JSON.parse(JSON.stringify(moneyMoved()).replace('"amountMinor":1250000', `"amountMinor":1250000,"${field}":${rawValue}`));
const rawAmount = (rawValue: string): unknown =>
  JSON.parse(JSON.stringify(moneyMoved()).replace('"amountMinor":1250000', `"amountMinor":${rawValue}`));

const errorsOf = (input: unknown): { path: string; code: string }[] => {
  const r = validateCanonicalEvent(input);
  if (r.ok) return [];
  return r.errors.map(({ path, code }) => ({ path, code }));
};

describe('validateCanonicalEvent — bad inputs (RELIABILITY.md) each give a path and a code', () => {
  const cases: [string, unknown, string, string][] = [
    // shape of the whole input
    ['null body', null, '', 'null-not-allowed'],
    ['array for the envelope', [moneyMoved()], '', 'not-object'],
    ['string for the envelope', 'MoneyMoved', '', 'not-object'],
    // missing, null, wrong type
    ['missing data field', withoutData(moneyMoved(), 'amountMinor'), '/data/amountMinor', 'required'],
    ['null data field', withData(moneyMoved(), { amountMinor: null }), '/data/amountMinor', 'null-not-allowed'],
    ['string for a number', withData(moneyMoved(), { amountMinor: '100' }), '/data/amountMinor', 'not-number'],
    ['number for a string', withData(moneyMoved(), { productId: 77 }), '/data/productId', 'not-string'],
    ['boolean for a string', withData(moneyMoved(), { currency: true }), '/data/currency', 'not-string'],
    ['array for data', { ...moneyMoved(), data: [] }, '/data', 'not-object'],
    ['array for source', { ...moneyMoved(), source: [{ system: 'x' }] }, '/source', 'not-object'],
    ['string for source', { ...moneyMoved(), source: 'core-banking' }, '/source', 'not-object'],
    ['missing envelope field', without(moneyMoved(), 'occurredAt'), '/occurredAt', 'required'],
    ['missing nested field', { ...moneyMoved(), source: { channel: 'branch' } }, '/source/system', 'required'],
    ['missing data', without(moneyMoved(), 'data'), '/data', 'required'],
    ['enum value outside the catalogue', withData(moneyMoved(), { kind: 'bribe' }), '/data/kind', 'not-allowed'],
    ['unknown channel', { ...moneyMoved(), source: { system: 'x', channel: 'fax' } }, '/source/channel', 'not-allowed'],
    // unknown fields and prototype keys
    ['unknown data field', withData(moneyMoved(), { note: 'x' }), '/data/note', 'unknown-field'],
    ['unknown envelope field', { ...moneyMoved(), metadata: {} }, '/metadata', 'unknown-field'],
    ['unknown nested field', { ...moneyMoved(), source: { system: 'x', host: 'y' } }, '/source/host', 'unknown-field'],
    ['__proto__ key in data', rawData('__proto__', '{"polluted":true}'), '/data/__proto__', 'forbidden-key'],
    ['constructor.prototype keys', rawData('constructor', '{"prototype":{"polluted":true}}'), '/data/constructor', 'forbidden-key'],
    ['prototype key at the top', { ...moneyMoved(), prototype: {} }, '/prototype', 'forbidden-key'],
    // event type and version
    ['unknown type', { ...moneyMoved(), type: 'MoneyLaundered' }, '/type', 'unknown-type'],
    ['type naming an Object.prototype member', { ...moneyMoved(), type: 'constructor' }, '/type', 'unknown-type'],
    ['type naming toString', { ...moneyMoved(), type: 'toString' }, '/type', 'unknown-type'],
    ['version newer than known', { ...moneyMoved(), version: 2 }, '/version', 'unsupported-version'],
    ['version 0', { ...moneyMoved(), version: 0 }, '/version', 'too-small'],
    ['fractional version', { ...moneyMoved(), version: 1.5 }, '/version', 'not-integer'],
    ['version as a string', { ...moneyMoved(), version: '1' }, '/version', 'not-number'],
    ['invalid UUID', { ...moneyMoved(), eventId: 'not-a-uuid' }, '/eventId', 'invalid-uuid'],
    ['upper-case UUID (one id, one spelling)', { ...moneyMoved(), eventId: '0B6F3C2E-6A4D-4C1E-9F3A-1D2E3F4A5B11' }, '/eventId', 'invalid-uuid'],
    // numbers
    ['1e309 (Infinity after JSON.parse)', rawAmount('1e309'), '/data/amountMinor', 'not-finite'],
    ['-0', rawAmount('-0'), '/data/amountMinor', 'negative-zero'],
    ['integer beyond 2^53', rawAmount('9007199254740993'), '/data/amountMinor', 'unsafe-integer'],
    ['fractional minor units', withData(moneyMoved(), { amountMinor: 1250.5 }), '/data/amountMinor', 'not-integer'],
    ['zero amount (direction gives the sign)', withData(moneyMoved(), { amountMinor: 0 }), '/data/amountMinor', 'too-small'],
    ['negative amount', withData(moneyMoved(), { amountMinor: -5 }), '/data/amountMinor', 'too-small'],
    ['lower-case currency', withData(moneyMoved(), { currency: 'cny' }), '/data/currency', 'invalid-currency'],
    ['four-letter currency', withData(moneyMoved(), { currency: 'CNYX' }), '/data/currency', 'invalid-currency'],
    ['sentiment above 1', withData(of('CallHandled'), { sentiment: 1.01 }), '/data/sentiment', 'too-large'],
    ['sentiment -0', JSON.parse(JSON.stringify(of('CallHandled')).replace('-0.35', '-0')), '/data/sentiment', 'negative-zero'],
    ['NPS 11', withData(of('SurveyAnswered'), { score: 11 }), '/data/score', 'too-large'],
    ['CSAT 0', withData(of('SurveyAnswered'), { kind: 'csat', score: 0 }), '/data/score', 'too-small'],
    ['CSAT 6', withData(of('SurveyAnswered'), { kind: 'csat', score: 6 }), '/data/score', 'too-large'],
    ['fractional NPS', withData(of('SurveyAnswered'), { score: 8.5 }), '/data/score', 'not-integer'],
    ['negative wait', withData(of('BranchVisited'), { waitMinutes: -1 }), '/data/waitMinutes', 'too-small'],
    ['negative call duration', withData(of('CallHandled'), { durationSec: -1 }), '/data/durationSec', 'too-small'],
    // dates
    ['date-time without a zone', { ...moneyMoved(), occurredAt: '2026-11-02T09:30:00' }, '/occurredAt', 'missing-zone'],
    ['date only for a date-time', { ...moneyMoved(), occurredAt: '2026-11-02' }, '/occurredAt', 'invalid-datetime'],
    ['30 February', { ...moneyMoved(), occurredAt: '2026-02-30T09:30:00Z' }, '/occurredAt', 'impossible-date'],
    ['hour 25', { ...moneyMoved(), occurredAt: '2026-11-02T25:00:00Z' }, '/occurredAt', 'impossible-date'],
    ['offset +25:00', { ...moneyMoved(), occurredAt: '2026-11-02T09:00:00+25:00' }, '/occurredAt', 'impossible-date'],
    ['29 February in a common year', withData(of('BalanceReported'), { asOfDate: '2025-02-29' }), '/data/asOfDate', 'impossible-date'],
    ['month 13', withData(of('CustomerRegistered'), { birthDate: '1980-13-01' }), '/data/birthDate', 'impossible-date'],
    ['date in another format', withData(of('BalanceReported'), { asOfDate: '30/11/2026' }), '/data/asOfDate', 'invalid-date'],
    // subject and identity rules
    ['neither customerId nor identity', without(moneyMoved(), 'customerId'), '/customerId', 'subject-missing'],
    ['both customerId and identity', { ...moneyMoved(), identity: { scheme: 'customer-number', value: 'C000123' } }, '/identity', 'subject-ambiguous'],
    ['unknown identity scheme', { ...without(moneyMoved(), 'customerId'), identity: { scheme: 'email', value: 'x' } }, '/identity/scheme', 'unknown-scheme'],
    ['phone identity not E.164', { ...without(moneyMoved(), 'customerId'), identity: { scheme: 'phone', value: '013800138000' } }, '/identity/value', 'invalid-phone'],
    ['card identity that is a card number', { ...without(moneyMoved(), 'customerId'), identity: { scheme: 'card', value: '4111111111111111' } }, '/identity/value', 'card-number-not-allowed'],
    ['card number with spaces', { ...without(moneyMoved(), 'customerId'), identity: { scheme: 'card', value: '4111 1111 1111 1111' } }, '/identity/value', 'card-number-not-allowed'],
    ['card number in a linked identity', withData(of('ChannelIdentityLinked'), { scheme: 'card', value: '5500-0000-0000-0004' }), '/data/value', 'card-number-not-allowed'],
    ['phone in a linked identity not E.164', withData(of('ChannelIdentityLinked'), { scheme: 'phone', value: '+0123' }), '/data/value', 'invalid-phone'],
    // unicode in identifiers
    ['NUL in an identifier', { ...moneyMoved(), customerId: 'C000\u0000123' }, '/customerId', 'nul-character'],
    ['bidi override in an identifier', { ...moneyMoved(), customerId: 'C\u202e321000' }, '/customerId', 'bidi-control'],
    ['bidi isolate in an identifier', withData(moneyMoved(), { productId: 'A-\u206677' }), '/data/productId', 'bidi-control'],
    ['lone surrogate in an identifier', { ...moneyMoved(), customerId: 'C000\ud800' }, '/customerId', 'lone-surrogate'],
    ['NFD (combining accent) in an identifier', withData(of('BranchVisited'), { tellerId: 'Rene\u0301' }), '/data/tellerId', 'invalid-identifier'],
    ['zero-width space in an identifier', withData(moneyMoved(), { productId: 'A\u200b77' }), '/data/productId', 'invalid-identifier'],
    ['space in an identifier', withData(moneyMoved(), { productId: 'A 77' }), '/data/productId', 'invalid-identifier'],
    ['empty identifier', withData(moneyMoved(), { productId: '' }), '/data/productId', 'empty'],
    ['over-long identifier', withData(moneyMoved(), { productId: 'A'.repeat(65) }), '/data/productId', 'too-long'],
    ['lone surrogate in an object key', rawData('\\ud800', '1'), '/data/\ufffd', 'lone-surrogate'],
    // unicode in free text
    ['NUL in free text', withData(of('ComplaintResolved'), { resolution: 'ok\u0000' }), '/data/resolution', 'nul-character'],
    ['lone surrogate in free text', withData(of('ComplaintResolved'), { resolution: 'ok \udc00' }), '/data/resolution', 'lone-surrogate'],
    ['escape control in free text', withData(of('ComplaintResolved'), { resolution: 'ok\u001b[31m' }), '/data/resolution', 'control-character'],
    ['blank free text', withData(of('ComplaintResolved'), { resolution: ' \n ' }), '/data/resolution', 'empty'],
    ['free text over its cap', withData(of('CustomerRegistered'), { fullName: 'x'.repeat(201) }), '/data/fullName', 'too-long'],
    // other personal formats
    ['malformed email', withData(of('CustomerRegistered'), { email: 'a@@b' }), '/data/email', 'invalid-email'],
    ['national phone format', withData(of('CustomerRegistered'), { phone: '13800138000' }), '/data/phone', 'invalid-phone'],
    ['empty contact change', { ...of('ContactDetailsChanged'), data: {} }, '/data', 'empty-change'],
    ['merge of a customer into itself', withData(of('CustomersMerged'), { mergedId: 'C000123' }), '/data/mergedId', 'same-customer'],
    ['missing nullable field', withoutData(of('RelationshipManagerAssigned'), 'previousManagerId'), '/data/previousManagerId', 'required'],
    ['call without its (nullable) agent field', withoutData(of('CallHandled'), 'agentId'), '/data/agentId', 'required'],
    ['call without its (nullable) sentiment field', withoutData(of('CallHandled'), 'sentiment'), '/data/sentiment', 'required'],
    // sizes
    ['huge string', withData(of('ComplaintResolved'), { resolution: 'x'.repeat(20_000) }), '/data/resolution', 'too-long'],
    ['deep nesting', withData(moneyMoved(), { productId: JSON.parse('['.repeat(50) + ']'.repeat(50)) as unknown }), '/data/productId/0/0/0/0/0/0', 'too-deep'],
    ['huge key count', withData(moneyMoved(), Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]))), '/data', 'too-many-keys'],
  ];

  it.each(cases)('%s → %s %s', (_name, input, path, code) => {
    expect(errorsOf(input)).toContainEqual({ path, code });
  });

  it('reports every failing field at once, sorted by path', () => {
    const r = validateCanonicalEvent(withData({ ...moneyMoved(), eventId: 'x' }, { amountMinor: 1.5, currency: 'yen' }));
    expect(r.ok).toBe(false);
    expect(errorsOf(withData({ ...moneyMoved(), eventId: 'x' }, { amountMinor: 1.5, currency: 'yen' }))).toEqual([
      { path: '/data/amountMinor', code: 'not-integer' },
      { path: '/data/currency', code: 'invalid-currency' },
      { path: '/eventId', code: 'invalid-uuid' },
    ]);
  });
});

describe('validateCanonicalEvent — what it accepts', () => {
  const accepts = (input: unknown): Json => {
    const r = validateCanonicalEvent(input);
    if (!r.ok) throw new Error(`rejected: ${JSON.stringify(r.errors)}`);
    return r.event;
  };

  it('accepts 29 February in a leap year, offsets and fractional seconds', () => {
    accepts(withData({ ...of('BalanceReported'), occurredAt: '2024-02-29T23:59:60.123456+05:45' }, { asOfDate: '2024-02-29' }));
  });

  it('accepts an absent or null counterparty bank and a null previous manager', () => {
    accepts(withoutData(moneyMoved(), 'counterpartyBank'));
    accepts(withData(moneyMoved(), { counterpartyBank: 'ICBKCNBJ' }));
    accepts(withData(of('RelationshipManagerAssigned'), { previousManagerId: null }));
  });

  it('accepts a call with no agent (abandoned in the queue) and no sentiment (no speech analytics)', () => {
    accepts(withData(of('CallHandled'), { outcome: 'abandoned', agentId: null, sentiment: null }));
  });

  it('accepts negative balances and the largest safe integer', () => {
    accepts(withData(of('BalanceReported'), { balanceMinor: -125_000 }));
    accepts(withData(moneyMoved(), { amountMinor: Number.MAX_SAFE_INTEGER }));
  });

  it('accepts a 16-digit card token that fails the Luhn check (not a card number)', () => {
    accepts({ ...without(moneyMoved(), 'customerId'), identity: { scheme: 'card', value: '4111111111111112' } });
  });

  it('accepts emoji and other scripts in free text', () => {
    const e = accepts(withData(of('ComplaintResolved'), { resolution: '退款已完成 ✅ — merci 👍🏽 שלום' }));
    expect((e['data'] as Json)['resolution']).toBe('退款已完成 ✅ — merci 👍🏽 שלום');
  });

  it.each([
    ["SQL", "Robert'); DROP TABLE events;--"],
    ['template', '{{7*7}} ${7*7} <%= 7*7 %>'],
    ['script', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
    ['CRLF log injection', 'fine\r\n{"level":"error","msg":"forged"}'],
  ])('stores %s injection strings verbatim in free text', (_kind, text) => {
    const e = accepts(withData(of('ComplaintResolved'), { resolution: text }));
    expect((e['data'] as Json)['resolution']).toBe(text);
  });

  it('normalises names to NFC, so NFD and NFC spellings give the same event', () => {
    const nfc = 'Zoë Ångström';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    const a = accepts(withData(of('CustomerRegistered'), { fullName: nfc }));
    const b = accepts(withData(of('CustomerRegistered'), { fullName: nfd }));
    expect((b['data'] as Json)['fullName']).toBe(nfc);
    expect(b).toEqual(a);
  });

  it('returns a fresh object and never mutates its input', () => {
    const input = withData(of('CustomerRegistered'), { fullName: 'Zoe\u0308' });
    const before = JSON.stringify(input);
    const e = accepts(input);
    expect(JSON.stringify(input)).toBe(before);
    expect(e).not.toBe(input);
    expect(e['data']).not.toBe(input['data']);
  });
});

describe('validateCanonicalEvent — safety', () => {
  it('does not pollute any prototype', () => {
    const inputs = [
      rawData('__proto__', '{"polluted":"yes"}'),
      rawData('constructor', '{"prototype":{"polluted":"yes"}}'),
      JSON.parse('{"__proto__":{"polluted":"yes"}}') as unknown,
      JSON.parse('{"source":{"__proto__":{"polluted":"yes"}}}') as unknown,
    ];
    for (const input of inputs) expect(validateCanonicalEvent(input).ok).toBe(false);
    expect(({} as Json)['polluted']).toBeUndefined();
    expect((Object.prototype as unknown as Json)['polluted']).toBeUndefined();
  });

  it('never echoes personal values in error messages', () => {
    const canary = 'CANARY7731';
    const input = withData(
      { ...of('CustomerRegistered'), customerId: `${canary}\u202e` },
      {
        fullName: `${canary}\u0000`,
        nationalId: `${canary} X`,
        phone: `+0${canary}`,
        email: `${canary}@@`,
        birthDate: `${canary}-01-01`,
        address: 7731,
        [`${canary}-key`]: canary,
      },
    );
    const r = validateCanonicalEvent(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.length).toBeGreaterThanOrEqual(7);
    const messages = r.errors.map((e) => `${e.code} ${e.message}`).join('\n');
    expect(messages).not.toContain(canary);
    expect(messages).not.toContain('7731');
  });

  it('rejects non-JSON values handed in by code (functions, class instances, undefined in arrays)', () => {
    expect(errorsOf(withData(moneyMoved(), { productId: () => 'A-77' }))).toContainEqual({ path: '/data/productId', code: 'not-json' });
    expect(errorsOf({ ...moneyMoved(), occurredAt: new Date() })).toContainEqual({ path: '/occurredAt', code: 'not-json' });
    expect(errorsOf(withData(moneyMoved(), { productId: [undefined] }))).toContainEqual({ path: '/data/productId/0', code: 'not-json' });
  });
});
