/**
 * The versioning mechanism, shown for real with a TEST-ONLY MoneyMoved v2. In production v1 is
 * current; when a shape must change, this is what the change looks like: schemas.v1.ts untouched,
 * a v2 schema, `schemas[1]` kept for old producers, `upcasters[1]` turning v1 data into v2.
 */
import fc from 'fast-check';
import type { JsonObject } from '../json';
import { CurrencyField, IdentifierField, MinorUnitsField, OneOfField, CalendarDateField } from '../validation/fields';
import { MONEY_KINDS, type MoneyKind } from './catalogue.v1';
import { EVENT_CATALOGUE, eventTypeDefinitions, upcastData, type EventCatalogue, type EventCatalogueEntry } from './event-catalogue';
import { EXAMPLES_V1 } from './examples.v1';
import { MoneyMovedV1Schema } from './schemas.v1';
import { createEventValidator, validateCanonicalEvent } from './validate-event';

/** v2 (test only): `counterpartyBank` becomes a required, nullable `counterpartyBic`; adds `valueDate`. */
interface MoneyMovedV2 {
  productId: string;
  direction: 'in' | 'out';
  kind: MoneyKind;
  amountMinor: number;
  currency: string;
  counterpartyBic: string | null;
  valueDate: string | null;
}
class MoneyMovedV2Schema implements MoneyMovedV2 {
  @IdentifierField() productId!: string;
  @OneOfField(['in', 'out']) direction!: 'in' | 'out';
  @OneOfField(MONEY_KINDS) kind!: MoneyKind;
  @MinorUnitsField({ min: 1 }) amountMinor!: number;
  @CurrencyField() currency!: string;
  @IdentifierField({ nullable: true }) counterpartyBic!: string | null;
  @CalendarDateField({ nullable: true }) valueDate!: string | null;
}

const upcastMoneyMovedV1: (data: JsonObject) => JsonObject = (data) => {
  const { counterpartyBank, ...rest } = data;
  return { ...rest, counterpartyBic: counterpartyBank ?? null, valueDate: null };
};

const v2Example = {
  ...EXAMPLES_V1.MoneyMoved,
  eventId: '7d1c2b3a-0f4e-4d5c-8b6a-9e8f7a6b5c4d',
  version: 2,
  data: { productId: 'A-77', direction: 'in', kind: 'salary', amountMinor: 1_250_000, currency: 'CNY', counterpartyBic: null, valueDate: '2026-11-02' },
};

const moneyMovedV2: EventCatalogueEntry = {
  ...EVENT_CATALOGUE.MoneyMoved,
  currentVersion: 2,
  schema: MoneyMovedV2Schema,
  schemas: { 1: MoneyMovedV1Schema, 2: MoneyMovedV2Schema },
  upcasters: { 1: upcastMoneyMovedV1 },
  example: v2Example,
};
const testCatalogue: EventCatalogue = { ...EVENT_CATALOGUE, MoneyMoved: moneyMovedV2 };
const validateWithV2 = createEventValidator(testCatalogue);

describe('versioning: never edit a *.v1.ts; add v2 and an upcaster', () => {
  it('in production MoneyMoved v1 is current and has nothing to upcast', () => {
    expect(EVENT_CATALOGUE.MoneyMoved.currentVersion).toBe(1);
    expect(validateCanonicalEvent({ ...EXAMPLES_V1.MoneyMoved, version: 2 })).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/version', code: 'unsupported-version' })],
    });
  });

  it('with a v2, both versions validate against their own schema, and v3 is unsupported', () => {
    expect(validateWithV2(EXAMPLES_V1.MoneyMoved).ok).toBe(true);
    expect(validateWithV2(v2Example).ok).toBe(true);
    expect(validateWithV2({ ...v2Example, version: 3 })).toMatchObject({ ok: false, errors: [{ path: '/version', code: 'unsupported-version' }] });
    // v1 data under a v2 label is wrong, and so is v2 data under a v1 label
    expect(validateWithV2({ ...EXAMPLES_V1.MoneyMoved, version: 2 })).toMatchObject({ ok: false });
    expect(validateWithV2({ ...v2Example, version: 1 })).toMatchObject({ ok: false });
  });

  it('round-trip: a v1 event written before the change reads back as valid v2', () => {
    const written = JSON.parse(JSON.stringify(EXAMPLES_V1.MoneyMoved)) as { data: JsonObject };
    const up = upcastData(moneyMovedV2, 1, written.data);
    expect(up).toEqual({ productId: 'A-77', direction: 'in', kind: 'salary', amountMinor: 1_250_000, currency: 'CNY', counterpartyBic: null, valueDate: null });
    expect(validateWithV2({ ...EXAMPLES_V1.MoneyMoved, version: 2, data: up })).toMatchObject({ ok: true });
    expect(written.data).toEqual(EXAMPLES_V1.MoneyMoved.data); // upcasters never mutate
  });

  it('property: every valid v1 MoneyMoved upcasts to a valid v2 that keeps the money facts', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const v1Data = fc.record(
      {
        productId: id,
        direction: fc.constantFrom('in', 'out'),
        kind: fc.constantFrom(...MONEY_KINDS),
        amountMinor: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        currency: fc.stringMatching(/^[A-Z]{3}$/),
        counterpartyBank: fc.option(id, { nil: null }),
      },
      { requiredKeys: ['productId', 'direction', 'kind', 'amountMinor', 'currency'] },
    );
    fc.assert(
      fc.property(v1Data, (data) => {
        const v1 = { ...EXAMPLES_V1.MoneyMoved, data };
        expect(validateWithV2(v1).ok).toBe(true);
        const up = upcastData(moneyMovedV2, 1, data);
        expect(validateWithV2({ ...v1, version: 2, data: up }).ok).toBe(true);
        expect(up).toMatchObject({ amountMinor: data.amountMinor, currency: data.currency, direction: data.direction, kind: data.kind });
        expect(up['counterpartyBic']).toBe(data.counterpartyBank ?? null);
      }),
      { numRuns: 200 },
    );
  });

  it('the event-type definitions carry the upcaster, as the event store registry requires', () => {
    const def = eventTypeDefinitions(testCatalogue).find((d) => d.type === 'MoneyMoved');
    expect(def?.currentVersion).toBe(2);
    expect(def?.upcasters?.[1]).toBe(upcastMoneyMovedV1);
  });

  it('refuses to upcast from an unknown or future version', () => {
    expect(() => upcastData(moneyMovedV2, 3, {})).toThrow(RangeError);
    expect(() => upcastData(moneyMovedV2, 0, {})).toThrow(RangeError);
    expect(() => upcastData({ ...moneyMovedV2, upcasters: {} }, 1, {})).toThrow(/no upcaster from version 1/);
  });
});
