import { mayHoldForbiddenKey } from './json-body-parser';

/** The reviver-free parse is taken only when no key of the text can decode to a forbidden name. */
describe('mayHoldForbiddenKey', () => {
  it.each([
    ['a plain __proto__ key', '{"__proto__": {"x": 1}}'],
    ['a constructor key', '{"constructor": {"prototype": {}}}'],
    ['__proto__ spelled with \\u escapes', '{"\\u005f_proto__": {"x": 1}}'],
    ['constructor spelled with a \\u escape', '{"\\u0063onstructor": {"prototype": {}}}'],
    ['any \\u escape at all', '{"name": "caf\\u00e9"}'],
  ])('is true for %s', (_name, text) => {
    expect(mayHoldForbiddenKey(text)).toBe(true);
    // and the escapes really do decode to the names the reviver refuses
    const keys = Object.keys(JSON.parse(text) as object);
    if (text.includes('_proto__')) expect(keys).toContain('__proto__');
  });

  it('is false for ordinary event batches, so they skip the slower reviver parse', () => {
    const batch = [{ eventId: '0b6f3c2e-6a4d-4c1e-9f3a-1d2e3f4a5b11', type: 'MoneyMoved', data: { note: 'tab\tand "quotes" \\ slash/' } }];
    expect(mayHoldForbiddenKey(JSON.stringify(batch))).toBe(false);
  });
});
